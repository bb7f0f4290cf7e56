/*
 * skclient: a small test client for senderkeyd's sockets (integration
 * tests only).
 *
 *   skclient PATH [-H] [-n N] [-b N]   send stdin, optionally half-close
 *                                      (-H), print replies until N lines
 *                                      (-n) or N blocks (-b) or EOF
 *   skclient PATH -F CONNS SLOW        flood: open CONNS connections (SLOW
 *                                      of them send half a line and stall),
 *                                      then check a fresh client still gets
 *                                      PING answered; prints a summary
 * PATH is a Unix socket path or 127.0.0.1:PORT.  Exit 0 on success, 1 on
 * any failure (timeouts of 20 s on every wait).
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAIT_MS	20000

static int
dial(const char *path)
{
	struct sockaddr_un sun;
	struct sockaddr_in sin;
	const char *colon = strrchr(path, ':');
	char host[64];
	int fd;

	if (path[0] != '/' && colon != NULL) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - path),
		    path);
		if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
			return -1;
		sin.sin_port = htons((uint16_t)atoi(colon + 1));
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			return -1;
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
			close(fd);
			return -1;
		}
		return fd;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = send(fd, buf, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* read_until: read and print until NLINES LFs / NBLOCKS "\n\n" or EOF. */
static int
read_until(int fd, long nlines, long nblocks)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char buf[65536];
	long lines = 0, blocks = 0;
	int prev_nl = 0;
	ssize_t n, i;

	for (;;) {
		if ((nlines > 0 && lines >= nlines) ||
		    (nblocks > 0 && blocks >= nblocks))
			return 0;
		if (poll(&pfd, 1, WAIT_MS) <= 0) {
			fprintf(stderr, "skclient: timeout\n");
			return -1;
		}
		if ((n = recv(fd, buf, sizeof(buf), 0)) <= 0)
			return n == 0 ? 0 : -1;
		fwrite(buf, 1, (size_t)n, stdout);
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				prev_nl = 0;
				continue;
			}
			lines++;
			if (prev_nl)
				blocks++;
			prev_nl = 1;
		}
	}
}

static int
flood(const char *path, long conns, long slow)
{
	struct rlimit rl;
	int *fds, fd, ok = 0, opened = 0, rc = 1;
	char buf[256];
	struct pollfd pfd;
	long i;
	ssize_t n;

	rl.rlim_cur = rl.rlim_max = (rlim_t)conns + 64;
	setrlimit(RLIMIT_NOFILE, &rl);
	if ((fds = calloc((size_t)conns, sizeof(*fds))) == NULL)
		return 1;
	for (i = 0; i < conns; i++) {
		if ((fds[i] = dial(path)) == -1)
			continue;
		opened++;
		if (i < slow)
			write_all(fds[i], "AUTHZ sender=a", 14);
		else
			write_all(fds[i], "PING\n", 5);
	}
	/* a fresh client while all of those are open */
	if ((fd = dial(path)) != -1 && write_all(fd, "PING\n", 5) == 0) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, WAIT_MS) > 0 &&
		    (n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
			buf[n] = '\0';
			printf("fresh: %s", buf);
			rc = strncmp(buf, "ok pong", 7) == 0 ? 0 : 1;
		} else
			printf("fresh: no answer\n");
		close(fd);
	}
	for (i = slow; i < conns; i++) {
		if (fds[i] == -1)
			continue;
		pfd.fd = fds[i];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, WAIT_MS) > 0 &&
		    recv(fds[i], buf, sizeof(buf), 0) > 0)
			ok++;
	}
	printf("opened=%d answered=%d\n", opened, ok);
	for (i = 0; i < conns; i++)
		if (fds[i] != -1)
			close(fds[i]);
	free(fds);
	return rc;
}

int
main(int argc, char **argv)
{
	static char in[1 << 20];
	long nlines = 0, nblocks = 0;
	size_t len = 0;
	ssize_t n;
	int fd, half = 0, i;

	if (argc < 2) {
		fprintf(stderr, "usage: skclient PATH [-H] [-n N] [-b N] | "
		    "PATH -F CONNS SLOW\n");
		return 2;
	}
	if (argc == 5 && strcmp(argv[2], "-F") == 0)
		return flood(argv[1], atol(argv[3]), atol(argv[4]));
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-H") == 0)
			half = 1;
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			nlines = atol(argv[++i]);
		else if (strcmp(argv[i], "-b") == 0 && i + 1 < argc)
			nblocks = atol(argv[++i]);
		else
			return 2;
	}
	while (len < sizeof(in) && (n = read(0, in + len,
	    sizeof(in) - len)) > 0)
		len += (size_t)n;
	if ((fd = dial(argv[1])) == -1) {
		fprintf(stderr, "skclient: %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	if (write_all(fd, in, len) == -1) {
		fprintf(stderr, "skclient: write: %s\n", strerror(errno));
		return 1;
	}
	if (half)
		shutdown(fd, SHUT_WR);
	if (read_until(fd, nlines, nblocks) == -1)
		return 1;
	close(fd);
	return 0;
}
