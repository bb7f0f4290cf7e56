/*
 * util.c: file reading (whole files, or mapped) and time parsing for the
 * subcommands.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/*
 * read_all: read FD into BUF (*CAP octets, malloc'd, may grow) from offset
 * *N until end of file, keeping room for a NUL.  0, or -1 with ERR set.
 */
static int
read_all(int fd, const char *path, size_t max, char **buf, size_t *cap,
    size_t *n, char *err, size_t errsz)
{
	char *nb;
	size_t c;
	ssize_t r;

	for (;;) {
		if (*n + 1 >= *cap) {
			c = *cap == 0 ? 65536 : *cap * 2;
			if (c > max + 1)
				c = max + 2;
			if ((nb = realloc(*buf, c)) == NULL) {
				snprintf(err, errsz, "%s: out of memory", path);
				return -1;
			}
			*buf = nb;
			*cap = c;
		}
		r = read(fd, *buf + *n, *cap - *n - 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (r == 0)
			return 0;
		*n += (size_t)r;
		if (*n > max) {
			snprintf(err, errsz, "%s: larger than %zu octets", path,
			    max);
			errno = EFBIG;
			return -1;
		}
	}
}

char *
util_read_file(const char *path, size_t max, size_t *len, char *err,
    size_t errsz)
{
	struct stat st;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	int fd, e;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	/*
	 * A regular file: one allocation of its size and a NUL (one more
	 * octet, so that reading to the end needs no second one).  It may
	 * still grow while read: then the buffer doubles as for a pipe.
	 */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size <= max) {
		cap = (size_t)st.st_size + 2;
		if ((buf = malloc(cap)) == NULL) {
			snprintf(err, errsz, "%s: out of memory", path);
			goto fail;
		}
	}
	if (read_all(fd, path, max, &buf, &cap, &n, err, errsz) == -1)
		goto fail;
	if (fd != STDIN_FILENO)
		close(fd);
	if (buf == NULL && (buf = malloc(1)) == NULL) {
		snprintf(err, errsz, "%s: out of memory", path);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	e = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	free(buf);
	errno = e;
	return NULL;
}

/*
 * A mapping: the octets, their length and the length mapped (0: BUF is
 * malloc'd, for an empty file).
 */
struct util_map {
	char	*buf;
	size_t	 len;
	size_t	 maplen;
};

struct util_map *
util_map_file(const char *path, size_t max, char *err, size_t errsz)
{
	struct util_map *m = NULL;
	struct stat st;
	void *p;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "%s: not a regular file", path);
		goto fail;
	}
	if ((uintmax_t)st.st_size > max) {
		snprintf(err, errsz, "%s: larger than %zu octets", path, max);
		goto fail;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(err, errsz, "%s: out of memory", path);
		goto fail;
	}
	if (st.st_size == 0) {
		if ((m->buf = calloc(1, 1)) == NULL) {
			snprintf(err, errsz, "%s: out of memory", path);
			goto fail;
		}
	} else {
		/* Populated at once: one call, not a fault per few pages. */
		p = mmap(NULL, (size_t)st.st_size, PROT_READ,
		    MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (p == MAP_FAILED) {
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
			goto fail;
		}
		m->buf = p;
		m->len = m->maplen = (size_t)st.st_size;
	}
	close(fd);
	return m;
fail:
	free(m);
	close(fd);
	return NULL;
}

const char *
util_map_buf(const struct util_map *m, size_t *len)
{
	*len = m->len;
	return m->buf;
}

void
util_map_free(struct util_map *m)
{
	if (m == NULL)
		return;
	if (m->maplen > 0)
		munmap(m->buf, m->maplen);
	else
		free(m->buf);
	free(m);
}

int
util_duration(const char *s, int64_t *out)
{
	char *end;
	long long v;
	int64_t mul = 1;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v < 0)
		return -1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mul = 60;
		break;
	case 'h':
		mul = 3600;
		break;
	case 'd':
		mul = 86400;
		break;
	case 'w':
		mul = 7 * 86400;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (v > INT64_MAX / mul)
		return -1;
	*out = (int64_t)v * mul;
	return 0;
}

int
util_time(const char *s, int64_t now, int64_t *out)
{
	struct tm tm;
	char *end;
	long long v;
	time_t t;

	if (strcmp(s, "now") == 0) {
		*out = now;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if (((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) != NULL &&
	    *end == '\0') || (memset(&tm, 0, sizeof(tm)),
	    (end = strptime(s, "%Y-%m-%d", &tm)) != NULL && *end == '\0')) {
		if ((t = timegm(&tm)) == (time_t)-1)
			return -1;
		*out = (int64_t)t;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

void
util_utc(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "%lld", (long long)t);
}

void
util_fp_text(const unsigned char fp[32], char out[96])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < 32; i++) {
		out[3 * i] = hex[fp[i] >> 4];
		out[3 * i + 1] = hex[fp[i] & 15];
		out[3 * i + 2] = i + 1 < 32 ? ':' : '\0';
	}
}
