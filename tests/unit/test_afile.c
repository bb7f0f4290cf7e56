/*
 * test_afile: atomic file writing: the target appears only at commit,
 * keeps its old contents on abort, is not replaced with noclobber, and
 * the mode is set from the start.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/afile.h"
#include "t.h"

static char *
slurp(const char *path)
{
	static char buf[256];
	FILE *f;
	size_t n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int
count_entries(const char *dir)
{
	char cmd[512];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	if ((p = popen(cmd, "r")) != NULL) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

int
main(void)
{
	char dir[] = "/tmp/sk-afile.XXXXXX", path[300], err[512];
	struct afile *af;
	struct stat st;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/out", dir);

	af = afile_open(path, 0600, err, sizeof(err));
	T_OK(af != NULL, "open");
	fputs("first\n", afile_fp(af));
	T_OK(access(path, F_OK) == -1, "target absent before commit");
	T_OK(fstat(fileno(afile_fp(af)), &st) == 0 &&
	    (st.st_mode & 0777) == 0600, "mode 0600 from creation on");
	T_OK(afile_commit(af, 1, err, sizeof(err)) == 0, "commit");
	T_STREQ(slurp(path), "first\n", "target has the data");

	af = afile_open(path, 0644, err, sizeof(err));
	fputs("second, half written", afile_fp(af));
	afile_abort(af);
	T_STREQ(slurp(path), "first\n", "abort leaves the old contents");
	T_INTEQ(count_entries(dir), 1, "abort removes the temporary file");

	af = afile_open(path, 0644, err, sizeof(err));
	fputs("third\n", afile_fp(af));
	T_OK(afile_commit(af, 1, err, sizeof(err)) == -1,
	    "noclobber refuses an existing target");
	T_OK(strstr(err, "already exists") != NULL, "error says so: %s", err);
	T_STREQ(slurp(path), "first\n", "refused commit changes nothing");
	T_INTEQ(count_entries(dir), 1, "refused commit leaves no temp file");

	af = afile_open(path, 0644, err, sizeof(err));
	fputs("fourth\n", afile_fp(af));
	T_OK(afile_commit(af, 0, err, sizeof(err)) == 0, "replace commits");
	T_STREQ(slurp(path), "fourth\n", "replaced");
	T_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644,
	    "replacement has its own mode");

	snprintf(path, sizeof(path), "%s/no/such/dir/out", dir);
	T_OK(afile_open(path, 0644, err, sizeof(err)) == NULL &&
	    strstr(err, "no/such/dir/out") != NULL &&
	    strstr(err, "no/such/dir does not exist") != NULL,
	    "missing directory: error names the path and the directory: "
	    "'%s'", err);
	snprintf(path, sizeof(path), "%s/plain", dir);
	T_OK(close(open(path, O_WRONLY | O_CREAT, 0600)) == 0,
	    "plain file made");
	snprintf(path, sizeof(path), "%s/plain/out", dir);
	T_OK(afile_open(path, 0644, err, sizeof(err)) == NULL &&
	    strstr(err, "plain is not a directory") != NULL,
	    "a file where a directory should be: '%s'", err);
	snprintf(path, sizeof(path), "%s/ro", dir);
	T_OK(mkdir(path, 0500) == 0, "read-only directory made");
	snprintf(path, sizeof(path), "%s/ro/out", dir);
	if (geteuid() == 0)
		T_SKIP("read-only directory", "%s", "root may write in it");
	else
		T_OK(afile_open(path, 0644, err, sizeof(err)) == NULL &&
		    strstr(err, "no permission to write in the directory") !=
		    NULL, "read-only directory: '%s'", err);
	T_OK(afile_open("/dev/null", 0644, err, sizeof(err)) == NULL &&
	    strstr(err, "not a regular file") != NULL,
	    "a device is refused, never renamed over");
	T_OK(afile_open(dir, 0644, err, sizeof(err)) == NULL &&
	    strstr(err, "it is a directory") != NULL,
	    "a directory is refused, and said to be one: '%s'", err);
	afile_abort(NULL);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 1;
	return t_done();
}
