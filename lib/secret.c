/*
 * secret.c: reading files that may hold secrets, with the checks of
 * secret.h in their order.  The directory is opened first and the file
 * relative to it, so every check is an fstat of an opened descriptor.
 * Not here: what the content means (the caller's judge).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "errstr.h"
#include "secret.h"

#if defined(O_SEARCH)
#define DIR_OPEN_FLAGS	(O_SEARCH | O_DIRECTORY | O_CLOEXEC)
#elif defined(O_PATH)
#define DIR_OPEN_FLAGS	(O_PATH | O_DIRECTORY | O_CLOEXEC)
#else
#define DIR_OPEN_FLAGS	(O_RDONLY | O_DIRECTORY | O_CLOEXEC)
#endif
#define FILE_OPEN_FLAGS	(O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

/*
 * dir_of: split PATH into its directory (into DIR, DIRSZ octets: "." when
 * PATH has no '/', "/" for a file in the root) and *BASE, the last
 * component.  Returns 0, or -1 with errno set when DIR is too small.
 */
static int
dir_of(const char *path, char *dir, size_t dirsz, const char **base)
{
	const char *slash;
	size_t n;

	if ((slash = strrchr(path, '/')) == NULL) {
		*base = path;
		n = 1;
		path = ".";
	} else {
		*base = slash + 1;
		n = slash == path ? 1 : (size_t)(slash - path);
	}
	if (n >= dirsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	return 0;
}

/* type_name: what a file of MODE is, for "not a regular file (...)". */
static const char *
type_name(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a plain file";
}

int
secret_dir_ok(const struct stat *st, const char *dir, const char *prefix,
    char *err, size_t errsz)
{
	uid_t euid = geteuid();

	if (st->st_uid != euid && st->st_uid != 0)
		return errstr_set(err, errsz,
		    "%s: the key's directory %s is owned by uid %u, not by uid "
		    "%u (the user reading the key) or root: run chown %u %s",
		    prefix, dir, (unsigned)st->st_uid, (unsigned)euid,
		    (unsigned)euid, dir);
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    (st->st_mode & S_ISVTX) == 0)
		return errstr_set(err, errsz,
		    "%s: the key's directory %s has mode %04o, writable by "
		    "group or others, who could replace the key: run chmod "
		    "go-w %s", prefix, dir, (unsigned)(st->st_mode & 07777),
		    dir);
	return 0;
}

/*
 * secret_ok: the checks of a file the judge found secret: FD's status ST
 * (LINK: PATH named a symbolic link), then its directory's DST.
 */
static int
secret_ok(const char *path, const char *what, const struct stat *st,
    int link, const char *dir, const struct stat *dst, char *err,
    size_t errsz)
{
	uid_t euid = geteuid();

	if (link)
		return errstr_set(err, errsz, "%s: %s file is a symbolic "
		    "link: name the file itself (readlink -f %s)", path, what,
		    path);
	if ((st->st_mode & 077) != 0)
		return errstr_set(err, errsz, "%s: %s file has mode %04o, "
		    "open to group or others: run chmod 600 %s", path, what,
		    (unsigned)(st->st_mode & 07777), path);
	if (st->st_uid != euid && st->st_uid != 0)
		return errstr_set(err, errsz, "%s: %s file is owned by uid "
		    "%u, not by uid %u (the user reading it) or root: run "
		    "chown %u %s", path, what, (unsigned)st->st_uid,
		    (unsigned)euid, (unsigned)euid, path);
	return secret_dir_ok(dst, dir, path, err, errsz);
}

int
secret_load(const char *path, size_t max, const char *what,
    secret_judge judge, void *arg, enum secret_err *why, char *err,
    size_t errsz)
{
	char dir[PATH_MAX], msg[512];
	const char *base;
	struct stat dst, st;
	enum secret_err w = SECRET_EFILE;
	enum secret_kind kind;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int dfd = -1, fd = -1, link = 0, rc = -1;

	if (dir_of(path, dir, sizeof(dir), &base) == -1 ||
	    (dfd = open(dir, DIR_OPEN_FLAGS)) == -1 || fstat(dfd, &dst) == -1)
		goto syserr;
	if (*base == '\0') {
		errstr_set(err, errsz, "%s: not a regular file (a directory)",
		    path);
		goto done;
	}
	fd = openat(dfd, base, FILE_OPEN_FLAGS | O_NOFOLLOW);
	if (fd == -1 && errno == ELOOP) {
		link = 1;
		fd = openat(dfd, base, FILE_OPEN_FLAGS);
	}
	if (fd == -1 || fstat(fd, &st) == -1)
		goto syserr;
	if (!S_ISREG(st.st_mode)) {
		errstr_set(err, errsz, "%s: not a regular file (%s)", path,
		    type_name(st.st_mode));
		goto done;
	}
	if (max >= SIZE_MAX || (buf = malloc(max + 1)) == NULL)
		goto syserr;
	while (len <= max && (n = read(fd, buf + len, max + 1 - len)) != 0) {
		if (n == -1 && errno != EINTR)
			goto syserr;
		len += n > 0 ? (size_t)n : 0;
	}
	if (len > max) {
		w = SECRET_EDATA;
		errstr_set(err, errsz, "%s: larger than %zu KiB, not a %s file",
		    path, max / 1024, what);
		goto done;
	}
	buf[len] = '\0';
	msg[0] = '\0';
	kind = judge(buf, len, arg, msg, sizeof(msg));
	if (kind == SECRET_NOT) {
		w = SECRET_EDATA;
		errstr_set(err, errsz, "%s%s%s", path, msg[0] == ':' ? "" :
		    ": ", msg);
		goto done;
	}
	if (kind == SECRET_SECRET && secret_ok(path, what, &st, link, dir,
	    &dst, err, errsz) == -1)
		goto done;
	w = SECRET_OK;
	rc = 0;
	goto done;
syserr:
	errstr_set(err, errsz, "%s: %s", path, strerror(errno));
done:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, len < max + 1 ? len + 1 : max + 1);
		free(buf);
	}
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	if (why != NULL)
		*why = w;
	return rc;
}
