/*
 * test_service: lib/service.c, as root in a temporary directory.
 * Sockets: owner, group and mode set before the name appears; a link, a
 * file or a directory at the name is refused and left alone; an old
 * socket is replaced; a missing parent is made 0750 with the owner; a
 * private directory swapped between begin and commit makes the commit
 * fail without touching what is in the swapped-in directory; the removal
 * at exit takes only the socket it made.  Pid file: written by root in a
 * directory only root may write, replacing a planted link (the target
 * keeps its contents); in a directory nobody owns it is written only
 * after the drop, as nobody; as root without a drop such a directory is
 * refused; removal takes only its own file.  Drop: a child becomes
 * nobody for good; the post-drop check refuses a process that still
 * holds root (uid not changed) and one that could regain it (securebit
 * no_setuid_fixup keeps the capabilities across setuid).
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/securebits.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/service.h"
#include "t.h"

static char D[] = "/tmp/sk-service.XXXXXX";
static uid_t NOBODY;
static gid_t NOGROUP;

static const char *
p(const char *rel)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", D, rel);
	return buf[i];
}

static void
put(const char *path, const char *s, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(s, f);
		fclose(f);
	}
	chmod(path, mode);
}

static const char *
slurp(const char *path)
{
	static char buf[256];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY)) == -1)
		return "(none)";
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

/* target_ok: "secret\n", root's, 0600: untouched */
static int
target_ok(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && sb.st_uid == 0 && sb.st_gid == 0 &&
	    (sb.st_mode & 07777) == 0600 &&
	    strcmp(slurp(path), "secret\n") == 0;
}

/* entries: the number of names in DIR other than . and .. */
static int
entries(const char *dir)
{
	char cmd[600];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	if ((f = popen(cmd, "r")) != NULL) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		pclose(f);
	}
	return n;
}

static void
test_sockets(void)
{
	struct service_sockopt o = { NOBODY, NOGROUP, 0640, 0 };
	struct service_unix *u = NULL, *u2 = NULL;
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	struct stat sb;
	char err[512], moved[600];
	int fd, fd2;

	mkdir(p("s"), 0755);
	fd = service_unix_listen(p("s/a.sock"), &o, 8, &u, err, sizeof(err));
	T_OK(fd != -1, "listen: %s", fd == -1 ? err : "ok");
	T_OK(lstat(p("s/a.sock"), &sb) == 0 && S_ISSOCK(sb.st_mode) &&
	    sb.st_uid == NOBODY && sb.st_gid == NOGROUP &&
	    (sb.st_mode & 07777) == 0640, "socket: nobody, nogroup, 0640");
	T_INTEQ(entries(p("s")), 1, "the private directory is gone");
	T_OK(getsockname(fd, (struct sockaddr *)&sun, &len) == 0 &&
	    strncmp(sun.sun_path, p("s/.sk"), strlen(p("s/.sk"))) == 0,
	    "bound in a private directory beside it (%s)", sun.sun_path);
	/* a second listen replaces the socket; removal takes only its own */
	fd2 = service_unix_listen(p("s/a.sock"), &o, 8, &u2, err, sizeof(err));
	T_OK(fd2 != -1, "an old socket is replaced");
	service_unix_remove(u);
	T_OK(lstat(p("s/a.sock"), &sb) == 0 && S_ISSOCK(sb.st_mode),
	    "removal at exit leaves a newer socket alone");
	service_unix_remove(u2);
	T_OK(lstat(p("s/a.sock"), &sb) == -1, "removal at exit");
	service_unix_free(u);
	service_unix_free(u2);
	close(fd);
	close(fd2);

	/* a link, a file, a directory at the name: refused, left alone */
	put(p("target"), "secret\n", 0600);
	T_OK(symlink(p("target"), p("s/l.sock")) == 0, "setup: a link");
	T_OK(service_unix_listen(p("s/l.sock"), &o, 8, &u, err,
	    sizeof(err)) == -1 && strstr(err, "exists and is not a socket") !=
	    NULL, "a link at the name: refused (%s)", err);
	T_OK(target_ok(p("target")) && lstat(p("s/l.sock"), &sb) == 0 &&
	    S_ISLNK(sb.st_mode), "... the link and its target untouched");
	put(p("s/f.sock"), "secret\n", 0600);
	T_OK(service_unix_listen(p("s/f.sock"), &o, 8, &u, err,
	    sizeof(err)) == -1 && target_ok(p("s/f.sock")),
	    "a file at the name: refused, untouched");
	mkdir(p("s/d.sock"), 0755);
	T_OK(service_unix_listen(p("s/d.sock"), &o, 8, &u, err,
	    sizeof(err)) == -1 && strstr(err, "exists and is not a socket") !=
	    NULL, "a directory at the name: refused");
	T_INTEQ(entries(p("s")), 3, "no private directory left behind");

	/* a missing parent: made 0750 with the owner when asked */
	o.mkparent = 1;
	fd = service_unix_listen(p("m/x.sock"), &o, 8, &u, err, sizeof(err));
	T_OK(fd != -1 && stat(p("m"), &sb) == 0 && sb.st_uid == NOBODY &&
	    sb.st_gid == NOGROUP && (sb.st_mode & 07777) == 0750,
	    "a missing parent: made 0750, nobody:nogroup");
	service_unix_free(u);
	if (fd != -1)
		close(fd);
	o.mkparent = 0;
	T_OK(service_unix_listen(p("n/x.sock"), &o, 8, &u, err,
	    sizeof(err)) == -1, "... not made unless asked");

	/*
	 * The daemon's user swaps the private directory for one of its own
	 * between begin and bind: the bind lands there, the commit finds
	 * nothing in the real private directory and fails; the socket in
	 * the swapped-in directory keeps root as its owner.
	 */
	u = service_unix_begin(p("s/r.sock"), &o, err, sizeof(err));
	T_OK(u != NULL, "begin: %s", u == NULL ? err : "ok");
	if (u != NULL) {
		snprintf(moved, sizeof(moved), "%s.moved",
		    service_unix_bindpath(u));
		*strrchr(moved, '/') = '\0';
		strcat(moved, ".moved");
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
		    service_unix_bindpath(u));
		*strrchr(sun.sun_path, '/') = '\0';
		rename(sun.sun_path, moved);
		mkdir(sun.sun_path, 0777);
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
		    service_unix_bindpath(u));
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		T_OK(bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0,
		    "the bind lands in the swapped-in directory");
		T_OK(service_unix_commit(u, err, sizeof(err)) == -1,
		    "commit refuses (%s)", err);
		T_OK(lstat(sun.sun_path, &sb) == 0 && sb.st_uid == 0 &&
		    lstat(p("s/r.sock"), &sb) == -1,
		    "... nothing chowned, nothing at the name");
		service_unix_free(u);
		close(fd);
	}
}

static void
test_pid(void)
{
	struct service_pid *pf;
	struct stat sb;
	char err[512], want[32];
	pid_t kid;
	int st;

	/* root's directory: root writes it before the drop, over a link */
	mkdir(p("r"), 0755);
	put(p("target"), "secret\n", 0600);
	T_OK(symlink(p("target"), p("r/x.pid")) == 0, "setup: a link");
	pf = service_pid_new(p("r/x.pid"), NOBODY, err, sizeof(err));
	T_OK(pf != NULL, "pid: new: %s", pf == NULL ? err : "ok");
	T_OK(pf != NULL && service_pid_write(pf, 4242, err, sizeof(err)) == 0,
	    "pid: written before the drop");
	T_STREQ(slurp(p("r/x.pid")), "4242\n", "pid: its contents");
	T_OK(lstat(p("r/x.pid"), &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_uid == 0 && (sb.st_mode & 07777) == 0644,
	    "pid: a root file of mode 0644 replaced the link");
	T_OK(target_ok(p("target")), "pid: the link's target is unchanged");
	T_INTEQ(entries(p("r")), 1, "pid: no temporary file left");
	/* removal takes only its own file */
	rename(p("r/x.pid"), p("r/y"));
	put(p("r/x.pid"), "1\n", 0644);
	service_pid_remove(pf);
	T_STREQ(slurp(p("r/x.pid")), "1\n", "pid: another file is not removed");
	service_pid_free(pf);
	pf = service_pid_new(p("r/x.pid"), (uid_t)-1, err, sizeof(err));
	T_OK(pf != NULL && service_pid_write(pf, 7, err, sizeof(err)) == 0,
	    "pid: root's directory, no drop: written");
	service_pid_remove(pf);
	T_OK(lstat(p("r/x.pid"), &sb) == -1, "pid: its own file is removed");
	service_pid_free(pf);

	/* nobody's directory: refused without a drop */
	mkdir(p("u"), 0755);
	T_OK(chown(p("u"), NOBODY, NOGROUP) == 0, "setup: nobody's directory");
	T_OK(service_pid_new(p("u/x.pid"), (uid_t)-1, err, sizeof(err)) ==
	    NULL && strstr(err, "may be written by others than root") != NULL,
	    "pid: a directory nobody owns, no drop: refused (%s)", err);
	T_OK(symlink(p("target"), p("u/x.pid")) == 0, "setup: a link");
	pf = service_pid_new(p("u/x.pid"), NOBODY, err, sizeof(err));
	T_OK(pf != NULL && service_pid_write(pf, 99, err, sizeof(err)) == 0 &&
	    lstat(p("u/x.pid"), &sb) == 0 && S_ISLNK(sb.st_mode),
	    "pid: a directory nobody owns: nothing written before the drop");
	if (pf != NULL && (kid = fork()) == 0) {
		if (service_drop("nobody", err, sizeof(err)) == -1 ||
		    service_pid_write(pf, 99, err, sizeof(err)) == -1) {
			fprintf(stderr, "# %s\n", err);
			_exit(1);
		}
		_exit(0);
	} else if (pf != NULL) {
		waitpid(kid, &st, 0);
		T_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "pid: written after the drop");
		snprintf(want, sizeof(want), "99\n");
		T_STREQ(slurp(p("u/x.pid")), want, "pid: its contents");
		T_OK(lstat(p("u/x.pid"), &sb) == 0 && S_ISREG(sb.st_mode) &&
		    sb.st_uid == NOBODY, "pid: a file of nobody's replaced "
		    "the link");
		T_OK(target_ok(p("target")), "pid: the target is unchanged");
	}
	service_pid_free(pf);
}

/* in_child: run FN in a child; its exit status (or -1). */
static int
in_child(int (*fn)(char *, size_t), char *err, size_t errsz)
{
	int pp[2], st;
	ssize_t n;
	pid_t kid;

	if (pipe(pp) == -1 || (kid = fork()) == -1)
		return -1;
	if (kid == 0) {
		close(pp[0]);
		err[0] = '\0';
		st = fn(err, errsz);
		if (write(pp[1], err, strlen(err)) == -1)
			st = -1;
		_exit(st == 0 ? 0 : 1);
	}
	close(pp[1]);
	n = read(pp[0], err, errsz - 1);
	err[n > 0 ? n : 0] = '\0';
	close(pp[0]);
	waitpid(kid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
drop_plain(char *err, size_t errsz)
{
	uid_t r, e, s;

	if (service_drop("nobody", err, errsz) == -1)
		return -1;
	if (getresuid(&r, &e, &s) == -1 || r != NOBODY || e != NOBODY ||
	    s != NOBODY || setuid(0) == 0 || getgid() != NOGROUP)
		return -1;
	return 0;
}

static int
drop_keepcaps(char *err, size_t errsz)
{
	/* setuid keeps the capabilities: root can be regained */
	if (prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0) == -1) {
		snprintf(err, errsz, "prctl: %s", strerror(errno));
		return 0;	/* not "refused": the check fails */
	}
	return service_drop("nobody", err, errsz);
}

static int
not_dropped(char *err, size_t errsz)
{
	return service_dropped(NOBODY, NOGROUP, err, errsz);
}

static void
test_drop(void)
{
	char err[512];
	uid_t u;
	gid_t g;

	T_INTEQ(in_child(drop_plain, err, sizeof(err)), 0,
	    "drop: nobody for good, root not regained (%s)", err);
	T_INTEQ(in_child(drop_keepcaps, err, sizeof(err)), 1,
	    "drop: refused when root could be regained");
	T_OK(strstr(err, "could regain root") != NULL, "... with the reason "
	    "(%s)", err);
	T_INTEQ(in_child(not_dropped, err, sizeof(err)), 1,
	    "check: a process still root is refused (%s)", err);
	T_OK(service_user("sk-no-such-user", &u, &g, err, sizeof(err)) ==
	    -1, "unknown user: %s", err);
	T_STREQ(err, "unknown user sk-no-such-user", "... named");
	T_OK(service_group("sk-no-such-group", &g, err, sizeof(err)) == -1,
	    "unknown group: %s", err);
}

int
main(void)
{
	struct passwd *pw;
	struct group *gr;
	char cmd[600];
	int rc;

	if (geteuid() != 0 || (pw = getpwnam("nobody")) == NULL ||
	    (gr = getgrnam("nogroup")) == NULL) {
		printf("skip 1 - service: needs root, nobody and nogroup\n");
		return 0;
	}
	NOBODY = pw->pw_uid;
	NOGROUP = gr->gr_gid;
	if (mkdtemp(D) == NULL)
		return 1;
	chmod(D, 0711);		/* nobody may pass */
	test_sockets();
	test_pid();
	test_drop();
	rc = t_done();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", D);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
