/*
 * daemon.c: talk to senderkeyd over its line socket (daemon.h).  Non-
 * blocking throughout: connect, writes and reads all wait in poll() for
 * what is left of one deadline, so a stuck daemon costs the milter thread
 * at most TIMEOUT_MS.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* dial: a non-blocking socket connecting (or connected) to L; -1. */
static int
dial(const struct config_listen *l, int *inprogress)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd;

	*inprogress = 0;
	memset(&ss, 0, sizeof(ss));
	if (l->kind == CONFIG_LISTEN_UNIX && l->path != NULL) {
		if (strlen(l->path) >= sizeof(sun->sun_path)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, l->path, strlen(l->path) + 1);
		len = sizeof(*sun);
	} else if (l->kind == CONFIG_LISTEN_INET && l->host != NULL &&
	    inet_pton(AF_INET, l->host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)l->port);
		len = sizeof(*sin);
	} else if (l->kind == CONFIG_LISTEN_INET && l->host != NULL &&
	    inet_pton(AF_INET6, l->host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)l->port);
		len = sizeof(*sin6);
	} else {
		errno = EINVAL;
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) == -1) {
		if (errno != EINPROGRESS && errno != EAGAIN) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		*inprogress = 1;
	}
	return fd;
}

void
daemon_replies_free(char **r, size_t n)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < n; i++)
		free(r[i]);
	free(r);
}

int
daemon_ask(const struct config_listen *l, const char *req, size_t nlines,
    unsigned timeout_ms, char ***replies, char *err, size_t errsz)
{
	struct pollfd pfd;
	char **out = NULL, *buf = NULL, *p, *nl;
	size_t reqlen = strlen(req), sent = 0, have = 0, got = 0, cap;
	long long deadline = now_ms() + timeout_ms, left;
	ssize_t r;
	socklen_t elen;
	int fd = -1, inprog, soerr;

	*replies = NULL;
	if (nlines == 0 || nlines > SIZE_MAX / DAEMON_REPLY_MAX) {
		snprintf(err, errsz, "bad request count");
		return -1;
	}
	cap = nlines * DAEMON_REPLY_MAX;
	if ((out = calloc(nlines, sizeof(*out))) == NULL ||
	    (buf = malloc(cap + 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	if ((fd = dial(l, &inprog)) == -1) {
		snprintf(err, errsz, "cannot connect to senderkeyd at %s: %s",
		    l->spec != NULL ? l->spec : "?", strerror(errno));
		goto fail;
	}
	pfd.fd = fd;
	while (got < nlines) {
		if ((left = deadline - now_ms()) <= 0) {
			snprintf(err, errsz, "senderkeyd did not answer "
			    "within %u ms", timeout_ms);
			goto fail;
		}
		pfd.events = POLLIN | (inprog || sent < reqlen ? POLLOUT : 0);
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errsz, "poll: %s", strerror(errno));
			goto fail;
		}
		if (inprog && (pfd.revents & (POLLOUT | POLLERR | POLLHUP))) {
			elen = sizeof(soerr);
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
			    &elen) == -1 || soerr != 0) {
				snprintf(err, errsz, "cannot connect to "
				    "senderkeyd at %s: %s", l->spec != NULL ?
				    l->spec : "?", strerror(soerr));
				goto fail;
			}
			inprog = 0;
			continue;
		}
		if (!inprog && sent < reqlen && (pfd.revents & POLLOUT)) {
			r = send(fd, req + sent, reqlen - sent, MSG_NOSIGNAL);
			if (r == -1 && errno != EAGAIN && errno != EINTR) {
				snprintf(err, errsz, "write to senderkeyd: "
				    "%s", strerror(errno));
				goto fail;
			}
			if (r > 0)
				sent += (size_t)r;
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			if (have == cap) {
				snprintf(err, errsz, "senderkeyd reply too "
				    "long");
				goto fail;
			}
			r = recv(fd, buf + have, cap - have, 0);
			if (r == -1 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r <= 0) {
				snprintf(err, errsz, "senderkeyd closed the "
				    "connection after %zu of %zu replies",
				    got, nlines);
				goto fail;
			}
			have += (size_t)r;
			buf[have] = '\0';
			got = 0;
			for (p = buf; (nl = memchr(p, '\n', have -
			    (size_t)(p - buf))) != NULL; p = nl + 1)
				got++;
		}
	}
	/* split the first NLINES lines */
	for (p = buf, got = 0; got < nlines; got++) {
		nl = memchr(p, '\n', have - (size_t)(p - buf));
		if ((out[got] = strndup(p, (size_t)(nl - p))) == NULL) {
			snprintf(err, errsz, "out of memory");
			goto fail;
		}
		if (strlen(out[got]) != (size_t)(nl - p)) {
			snprintf(err, errsz, "senderkeyd sent a NUL octet");
			goto fail;
		}
		p = nl + 1;
	}
	close(fd);
	free(buf);
	*replies = out;
	return 0;
fail:
	if (fd != -1)
		close(fd);
	free(buf);
	daemon_replies_free(out, nlines);
	return -1;
}
