/*
 * service.c: sockets, pid file and privilege drop for both daemons
 * (service.h).  Sockets are bound inside a fresh private directory made
 * beside the final name, get their owner and mode there (on Linux
 * fchown/fchmod on a socket's descriptor do not reach its file system
 * node, so the node is changed by name, but by a name in a directory
 * nobody else can enter), and are renamed into place.  The pid file is
 * a temporary file created with O_EXCL | O_NOFOLLOW and renamed over
 * the final name.  Nothing is ever opened, chowned or chmodded through
 * a name in a directory another user may write.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errstr.h"
#include "service.h"

#define PRIV_PREFIX	".sk"		/* private directories: .skXXXXXXXX */
#define PRIV_SOCK	"s"		/* the socket inside one */
#define NAME_TRIES	100

struct service_unix {
	char		*path;		/* the final name */
	char		*dir;		/* its directory */
	char		*base;		/* its last component */
	char		 priv[16];	/* the private directory's name */
	char		*bindpath;	/* DIR/PRIV/s */
	int		 dfd;		/* DIR */
	int		 pfd;		/* DIR/PRIV, until commit */
	int		 committed;
	int		 made_dir;	/* open_parent made DIR */
	dev_t		 dev;		/* the socket node, once committed */
	ino_t		 ino;
	struct service_sockopt o;
};

struct service_pid {
	char		*path;
	char		*base;
	int		 dfd;		/* its directory, until written */
	int		 early;		/* root writes it before the drop */
	int		 written;
	dev_t		 dev;
	ino_t		 ino;
};

/* split: PATH's directory and last component, malloc'd; -1 if unusable. */
static int
split(const char *path, char **dir, char **base)
{
	const char *slash = strrchr(path, '/');

	*dir = *base = NULL;
	if (path[0] != '/' || slash == NULL || slash[1] == '\0' ||
	    strcmp(slash + 1, ".") == 0 || strcmp(slash + 1, "..") == 0)
		return -1;
	*dir = slash == path ? strdup("/") :
	    strndup(path, (size_t)(slash - path));
	*base = strdup(slash + 1);
	if (*dir == NULL || *base == NULL) {
		free(*dir);
		free(*base);
		*dir = *base = NULL;
		return -1;
	}
	return 0;
}

/* randname: PREFIX and 8 random letters into OUT (OUTSZ >= prefix + 9). */
static int
randname(const char *prefix, char *out, size_t outsz)
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[8];
	size_t i, n = strlen(prefix);

	if (n + sizeof(r) + 1 > outsz || getentropy(r, sizeof(r)) == -1)
		return -1;
	memcpy(out, prefix, n);
	for (i = 0; i < sizeof(r); i++)
		out[n + i] = abc[r[i] % (sizeof(abc) - 1)];
	out[n + sizeof(r)] = '\0';
	return 0;
}

/*
 * open_parent: U->dir as a descriptor.  A missing one is made 0750 when
 * O asks; it is checked (ours, empty, 0750, no link) before its owner is
 * set, on the descriptor.
 */
static int
open_parent(struct service_unix *u, char *err, size_t errsz)
{
	struct stat sb;
	int fd;

	if ((fd = open(u->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1)
		return fd;
	if (errno != ENOENT || !u->o.mkparent)
		return errstr_set(err, errsz,
		    "%s: %s", u->dir, strerror(errno));
	if (mkdir(u->dir, 0750) == -1)
		return errstr_set(err, errsz, "mkdir %s: %s", u->dir,
		    strerror(errno));
	u->made_dir = 1;
	if ((fd = open(u->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return errstr_set(err, errsz,
		    "%s: %s", u->dir, strerror(errno));
	if (fstat(fd, &sb) == -1 || sb.st_uid != geteuid() ||
	    sb.st_nlink != 2 || (sb.st_mode & 022) != 0 ||
	    fchmod(fd, 0750) == -1) {
		close(fd);
		return errstr_set(err, errsz, "%s: changed while it was made",
		    u->dir);
	}
	if (u->o.gid != (gid_t)-1 && fchown(fd, u->o.uid, u->o.gid) == -1) {
		errstr_set(err, errsz, "chown %s: %s", u->dir, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* make_private: a fresh directory only we may enter, in U->dfd. */
static int
make_private(struct service_unix *u, char *err, size_t errsz)
{
	struct stat sb;
	int i;

	for (i = 0; i < NAME_TRIES; i++) {
		if (randname(PRIV_PREFIX, u->priv, sizeof(u->priv)) == -1)
			return errstr_set(err, errsz, "getentropy: %s",
			    strerror(errno));
		if (mkdirat(u->dfd, u->priv, 0700) == 0)
			break;
		if (errno != EEXIST)
			return errstr_set(err, errsz, "mkdir in %s: %s", u->dir,
			    strerror(errno));
	}
	if (i == NAME_TRIES)
		return errstr_set(err, errsz,
		    "mkdir in %s: no free name", u->dir);
	/* someone who may write DIR could have swapped it: check */
	if ((u->pfd = openat(u->dfd, u->priv, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1 || fstat(u->pfd, &sb) == -1 ||
	    sb.st_uid != geteuid() || (sb.st_mode & 077) != 0 ||
	    sb.st_nlink != 2) {
		if (u->pfd == -1)
			u->priv[0] = '\0';	/* not ours to remove */
		return errstr_set(err, errsz,
		    "%s/%s: changed while it was made",
		    u->dir, u->priv);
	}
	return 0;
}

struct service_unix *
service_unix_begin(const char *path, const struct service_sockopt *o,
    char *err, size_t errsz)
{
	struct service_unix *u;
	struct sockaddr_un sun;
	struct stat sb;

	if ((u = calloc(1, sizeof(*u))) == NULL) {
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	u->dfd = u->pfd = -1;
	u->o = *o;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errstr_set(err, errsz, "%s: path too long", path);
		goto fail;
	}
	if ((u->path = strdup(path)) == NULL ||
	    split(path, &u->dir, &u->base) == -1) {
		errstr_set(err, errsz,
		    "%s: not an absolute path to a file", path);
		goto fail;
	}
	if ((u->dfd = open_parent(u, err, errsz)) == -1)
		goto fail;
	if (fstatat(u->dfd, u->base, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISSOCK(sb.st_mode)) {
		errstr_set(err, errsz, "%s exists and is not a socket", path);
		goto fail;
	}
	if (make_private(u, err, errsz) == -1)
		goto fail;
	if (asprintf(&u->bindpath, "%s/%s/%s", strcmp(u->dir, "/") == 0 ?
	    "" : u->dir, u->priv, PRIV_SOCK) == -1) {
		u->bindpath = NULL;
		errstr_set(err, errsz, "out of memory");
		goto fail;
	}
	if (strlen(u->bindpath) >= sizeof(sun.sun_path)) {
		errstr_set(err, errsz,
		    "%s: path too long: its directory may have "
		    "at most %zu octets", path, sizeof(sun.sun_path) - 1 -
		    (strlen(u->bindpath) - strlen(u->dir)));
		goto fail;
	}
	return u;
fail:
	service_unix_free(u);
	return NULL;
}

const char *
service_unix_bindpath(const struct service_unix *u)
{
	return u->bindpath;
}

/* undo: remove the private directory and what is in it. */
static void
undo(struct service_unix *u)
{
	if (u->pfd != -1) {
		(void)unlinkat(u->pfd, PRIV_SOCK, 0);
		close(u->pfd);
		u->pfd = -1;
	}
	if (u->dfd != -1 && u->priv[0] != '\0')
		(void)unlinkat(u->dfd, u->priv, AT_REMOVEDIR);
	u->priv[0] = '\0';
}

int
service_unix_commit(struct service_unix *u, char *err, size_t errsz)
{
	struct stat sb;

	if (u->pfd == -1 || u->committed)
		return errstr_set(err, errsz, "%s: nothing to commit", u->path);
	/*
	 * Only we can enter the private directory, so the name "s" in it is
	 * the socket bound there (or nothing, if the bind path was
	 * redirected: then we stop).  The mode is set by name: fchmodat's
	 * AT_SYMLINK_NOFOLLOW is not supported everywhere, and no link can
	 * be there.
	 */
	if (fstatat(u->pfd, PRIV_SOCK, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISSOCK(sb.st_mode)) {
		errstr_set(err, errsz,
		    "%s: the socket is not where it was bound",
		    u->path);
		goto fail;
	}
	if ((u->o.uid != (uid_t)-1 || u->o.gid != (gid_t)-1) &&
	    fchownat(u->pfd, PRIV_SOCK, u->o.uid, u->o.gid,
	    AT_SYMLINK_NOFOLLOW) == -1) {
		errstr_set(err, errsz,
		    "chown %s: %s", u->path, strerror(errno));
		goto fail;
	}
	if (fchmodat(u->pfd, PRIV_SOCK, u->o.mode & 07777, 0) == -1) {
		errstr_set(err, errsz,
		    "chmod %s: %s", u->path, strerror(errno));
		goto fail;
	}
	/* rename(2) replaces a link planted at the name, never its target */
	if (renameat(u->pfd, PRIV_SOCK, u->dfd, u->base) == -1) {
		errstr_set(err, errsz, "rename to %s: %s", u->path,
		    strerror(errno));
		goto fail;
	}
	u->dev = sb.st_dev;
	u->ino = sb.st_ino;
	u->committed = 1;
	undo(u);
	close(u->dfd);
	u->dfd = -1;
	free(u->bindpath);
	u->bindpath = NULL;
	return 0;
fail:
	undo(u);
	return -1;
}

int
service_unix_listen(const char *path, const struct service_sockopt *o,
    int backlog, struct service_unix **up, char *err, size_t errsz)
{
	struct service_unix *u;
	struct sockaddr_un sun;
	int fd = -1;

	*up = NULL;
	if ((u = service_unix_begin(path, o, err, errsz)) == NULL)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, u->bindpath, strlen(u->bindpath) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		errstr_set(err, errsz, "socket: %s", strerror(errno));
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		errstr_set(err, errsz, "bind %s: %s", path, strerror(errno));
		goto fail;
	}
	if (listen(fd, backlog) == -1) {
		errstr_set(err, errsz, "listen %s: %s", path, strerror(errno));
		goto fail;
	}
	if (service_unix_commit(u, err, errsz) == -1)
		goto fail;
	*up = u;
	return fd;
fail:
	if (fd != -1)
		close(fd);
	service_unix_free(u);
	return -1;
}

/* remove_if_ours: unlink PATH if it is still DEV/INO of type TYPE. */
static void
remove_if_ours(const char *path, mode_t type, dev_t dev, ino_t ino)
{
	struct stat sb;

	if (lstat(path, &sb) == 0 && (sb.st_mode & S_IFMT) == type &&
	    sb.st_dev == dev && sb.st_ino == ino)
		(void)unlink(path);
}

void
service_unix_remove(struct service_unix *u)
{
	if (u != NULL && u->committed)
		remove_if_ours(u->path, S_IFSOCK, u->dev, u->ino);
}

void
service_unix_undo(struct service_unix *u)
{
	if (u == NULL)
		return;
	service_unix_remove(u);
	if (u->made_dir && u->dir != NULL)
		(void)rmdir(u->dir);	/* only when empty */
	u->made_dir = 0;
}

void
service_unix_free(struct service_unix *u)
{
	if (u == NULL)
		return;
	undo(u);
	if (!u->committed && u->made_dir && u->dir != NULL)
		(void)rmdir(u->dir);	/* a begin that went no further */
	if (u->dfd != -1)
		close(u->dfd);
	free(u->bindpath);
	free(u->path);
	free(u->dir);
	free(u->base);
	free(u);
}

int
service_inet_listen(const char *spec, const char *host, unsigned port,
    int backlog, char *err, size_t errsz)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, on = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		len = sizeof(*sin6);
	} else
		return errstr_set(err, errsz, "%s: not an IP address", spec);
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return errstr_set(err, errsz, "socket: %s", strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		errstr_set(err, errsz, "bind %s: %s", spec, strerror(errno));
		goto fail;
	}
	if (listen(fd, backlog) == -1) {
		errstr_set(err, errsz, "listen %s: %s", spec, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

int
service_notify_ready(char *err, size_t errsz)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	int fd, rc = 0;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sun.sun_path))
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	if (sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sun,
	    len) == -1)
		rc = errstr_set(err, errsz, "%s", strerror(errno));
	close(fd);
	return rc;
}

/* --- the pid file ----------------------------------------------------- */

struct service_pid *
service_pid_new(const char *path, uid_t drop_uid, char *err, size_t errsz)
{
	struct service_pid *p;
	struct stat sb;
	char *dir = NULL;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	p->dfd = -1;
	if ((p->path = strdup(path)) == NULL ||
	    split(path, &dir, &p->base) == -1) {
		errstr_set(err, errsz, "PidFile %s: not an absolute path to a "
		    "file", path);
		goto fail;
	}
	if ((p->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fstat(p->dfd, &sb) == -1) {
		errstr_set(err, errsz, "PidFile %s: %s: %s", path, dir,
		    strerror(errno));
		goto fail;
	}
	if (geteuid() != 0 || (sb.st_uid == 0 &&
	    (sb.st_mode & (S_IWGRP | S_IWOTH)) == 0))
		p->early = 1;
	else if (drop_uid == (uid_t)-1 || drop_uid == 0) {
		errstr_set(err, errsz, "PidFile %s: its directory %s may be "
		    "written by others than root; use a directory only root "
		    "may write, or set User to have it written after the "
		    "privilege drop", path, dir);
		goto fail;
	}
	free(dir);
	return p;
fail:
	free(dir);
	service_pid_free(p);
	return NULL;
}

int
service_pid_write(struct service_pid *p, pid_t pid, char *err, size_t errsz)
{
	char tmp[64], line[32];
	struct stat sb;
	int fd = -1, i, n;

	if (p->written || (!p->early && geteuid() == 0))
		return 0;
	n = snprintf(line, sizeof(line), "%ld\n", (long)pid);
	for (i = 0; i < NAME_TRIES; i++) {
		if (randname(".pid.", tmp, sizeof(tmp)) == -1)
			return errstr_set(err, errsz,
			    "PidFile %s: getentropy: %s",
			    p->path, strerror(errno));
		if ((fd = openat(p->dfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0644)) != -1 || errno != EEXIST)
			break;
	}
	if (fd == -1)
		return errstr_set(err, errsz, "PidFile %s: %s", p->path,
		    strerror(errno));
	if (fchmod(fd, 0644) == -1 || write(fd, line, (size_t)n) != n ||
	    fstat(fd, &sb) == -1) {
		errstr_set(err, errsz,
		    "PidFile %s: %s", p->path, strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		errstr_set(err, errsz,
		    "PidFile %s: %s", p->path, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (renameat(p->dfd, tmp, p->dfd, p->base) == -1) {
		errstr_set(err, errsz,
		    "PidFile %s: %s", p->path, strerror(errno));
		goto fail;
	}
	p->dev = sb.st_dev;
	p->ino = sb.st_ino;
	p->written = 1;
	close(p->dfd);
	p->dfd = -1;
	return 0;
fail:
	if (fd != -1)
		close(fd);
	(void)unlinkat(p->dfd, tmp, 0);
	return -1;
}

void
service_pid_remove(struct service_pid *p)
{
	if (p != NULL && p->written)
		remove_if_ours(p->path, S_IFREG, p->dev, p->ino);
}

void
service_pid_free(struct service_pid *p)
{
	if (p == NULL)
		return;
	if (p->dfd != -1)
		close(p->dfd);
	free(p->path);
	free(p->base);
	free(p);
}

/* --- users and the drop ---------------------------------------------- */

int
service_user(const char *user, uid_t *uid, gid_t *gid, char *err,
    size_t errsz)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) == NULL)
		return errstr_set(err, errsz, "unknown user %s", user);
	*uid = pw->pw_uid;
	if (gid != NULL)
		*gid = pw->pw_gid;
	return 0;
}

int
service_group(const char *group, gid_t *gid, char *err, size_t errsz)
{
	struct group *gr;

	if ((gr = getgrnam(group)) == NULL)
		return errstr_set(err, errsz, "unknown group %s", group);
	*gid = gr->gr_gid;
	return 0;
}

int
service_drop(const char *user, char *err, size_t errsz)
{
	uid_t uid = 0;
	gid_t gid = 0;

	if (service_user(user, &uid, &gid, err, errsz) == -1)
		return -1;
	if (uid == 0)
		return 0;
	if (setgroups(0, NULL) == -1 && getuid() == 0)
		return errstr_set(err, errsz, "setgroups: %s", strerror(errno));
	if (initgroups(user, gid) == -1 && getuid() == 0)
		return errstr_set(err, errsz,
		    "initgroups: %s", strerror(errno));
	if (setgid(gid) == -1 || setuid(uid) == -1)
		return errstr_set(err, errsz, "cannot become %s: %s", user,
		    strerror(errno));
	return service_dropped(uid, gid, err, errsz);
}

int
service_dropped(uid_t uid, gid_t gid, char *err, size_t errsz)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg, g0 = 0, *gl = NULL;
	int i, n;

	if (uid == 0)
		return 0;
	if (getresuid(&ru, &eu, &su) == -1 || ru != uid || eu != uid ||
	    su != uid)
		return errstr_set(err, errsz,
		    "the uid did not change for good");
	if (getresgid(&rg, &eg, &sg) == -1 || rg != gid || eg != gid ||
	    sg != gid)
		return errstr_set(err, errsz,
		    "the gid did not change for good");
	if (setuid(0) == 0 || seteuid(0) == 0)
		return errstr_set(err, errsz,
		    "could regain root after dropping "
		    "privileges");
	if (gid != 0 && (setgid(0) == 0 || setegid(0) == 0))
		return errstr_set(err, errsz, "could regain group 0 after "
		    "dropping privileges");
	if (setgroups(1, &g0) == 0)
		return errstr_set(err, errsz, "could set its groups after "
		    "dropping privileges");
	if ((n = getgroups(0, NULL)) < 0 || (n > 0 &&
	    (gl = calloc((size_t)n, sizeof(*gl))) == NULL) ||
	    (n > 0 && getgroups(n, gl) != n)) {
		free(gl);
		return errstr_set(err, errsz, "getgroups: %s", strerror(errno));
	}
	for (i = 0; i < n && gid != 0; i++)
		if (gl[i] == 0) {
			free(gl);
			return errstr_set(err, errsz, "group 0 is among the "
			    "supplementary groups after dropping privileges");
		}
	free(gl);
	return 0;
}
