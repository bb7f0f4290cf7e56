/*
 * afile.c: atomic file replacement (temporary file + fsync + rename or
 * link).  The temporary name is PATH.XXXXXX in the target's directory so
 * the rename never crosses file systems.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "errstr.h"

struct afile {
	char	*path;
	char	*tmp;
	FILE	*fp;
};

/* type_name: what a file of MODE is, for "not a regular file (...)". */
static const char *
type_name(mode_t mode)
{
	if (S_ISDIR(mode))
		return "it is a directory";
	if (S_ISFIFO(mode))
		return "it is a FIFO";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "it is a device";
	if (S_ISSOCK(mode))
		return "it is a socket";
	return "it is not a plain file";
}

/*
 * create_error: why the temporary file for PATH could not be made (E, an
 * errno of mkstemp), naming PATH's directory: it is missing, not a
 * directory, or not writable.
 */
static void
create_error(const char *path, int e, char *err, size_t errsz)
{
	char *copy;
	const char *dir;

	if ((copy = strdup(path)) == NULL) {
		errstr_set(err, errsz, "%s: cannot create: %s", path,
		    strerror(e));
		return;
	}
	dir = dirname(copy);
	if (e == ENOENT)
		errstr_set(err, errsz, "%s: cannot create it: the directory "
		    "%s does not exist", path, dir);
	else if (e == ENOTDIR)
		errstr_set(err, errsz, "%s: cannot create it: %s is not a "
		    "directory", path, dir);
	else if (e == EACCES || e == EPERM || e == EROFS)
		errstr_set(err, errsz, "%s: cannot create it: no permission "
		    "to write in the directory %s (%s)", path, dir,
		    strerror(e));
	else
		errstr_set(err, errsz, "%s: cannot create a temporary file in "
		    "%s: %s", path, dir, strerror(e));
	free(copy);
}

struct afile *
afile_open(const char *path, mode_t mode, char *err, size_t errsz)
{
	struct afile *af;
	struct stat st;
	size_t n = strlen(path);
	int fd;

	/* Never rename over a device, pipe or directory (e.g. /dev/null). */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		errstr_set(err, errsz, "%s: not a regular file (%s), will not "
		    "replace it", path, type_name(st.st_mode));
		return NULL;
	}
	if ((af = calloc(1, sizeof(*af))) == NULL ||
	    (af->path = strdup(path)) == NULL ||
	    (af->tmp = malloc(n + 8)) == NULL) {
		errstr_set(err, errsz, "%s: cannot allocate: %s", path,
		    strerror(errno));
		goto fail;
	}
	snprintf(af->tmp, n + 8, "%s.XXXXXX", path);
	if ((fd = mkstemp(af->tmp)) == -1) {
		create_error(path, errno, err, errsz);
		free(af->tmp);
		af->tmp = NULL;
		goto fail;
	}
	if (fchmod(fd, mode) == -1 || (af->fp = fdopen(fd, "w")) == NULL) {
		errstr_set(err, errsz, "%s: cannot open the temporary file: %s",
		    path, strerror(errno));
		close(fd);
		goto fail;
	}
	return af;
fail:
	afile_abort(af);
	return NULL;
}

FILE *
afile_fp(struct afile *af)
{
	return af->fp;
}

static int
sync_dir(const char *path)
{
	char *copy, *dir;
	int fd, rc = 0;

	if ((copy = strdup(path)) == NULL)
		return -1;
	dir = dirname(copy);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) == -1)
		rc = -1;
	else {
		if (fsync(fd) == -1 && errno != EINVAL)
			rc = -1;
		close(fd);
	}
	free(copy);
	return rc;
}

int
afile_commit(struct afile *af, int noclobber, char *err, size_t errsz)
{
	FILE *fp = af->fp;
	int rc;

	af->fp = NULL;
	if (fflush(fp) == EOF || ferror(fp) || fsync(fileno(fp)) == -1) {
		errstr_set(err, errsz, "%s: cannot write: %s", af->path,
		    strerror(errno));
		fclose(fp);
		goto fail;
	}
	if (fclose(fp) == EOF) {
		errstr_set(err, errsz, "%s: cannot write: %s", af->path,
		    strerror(errno));
		goto fail;
	}
	if (noclobber) {
		/* link() fails with EEXIST instead of replacing. */
		if ((rc = link(af->tmp, af->path)) == 0)
			unlink(af->tmp);
	} else
		rc = rename(af->tmp, af->path);
	if (rc == -1) {
		if (noclobber && errno == EEXIST && err != NULL)
			snprintf(err, errsz, "%s: already exists", af->path);
		else
			errstr_set(err, errsz, "%s: cannot move into place: %s",
			    af->path, strerror(errno));
		goto fail;
	}
	free(af->tmp);
	af->tmp = NULL;
	if (sync_dir(af->path) == -1) {
		errstr_set(err, errsz, "%s: cannot sync the directory of: %s",
		    af->path, strerror(errno));
		afile_abort(af);
		return -1;
	}
	afile_abort(af);
	return 0;
fail:
	afile_abort(af);
	return -1;
}

void
afile_abort(struct afile *af)
{
	if (af == NULL)
		return;
	if (af->fp != NULL)
		fclose(af->fp);
	if (af->tmp != NULL)
		unlink(af->tmp);
	free(af->tmp);
	free(af->path);
	free(af);
}
