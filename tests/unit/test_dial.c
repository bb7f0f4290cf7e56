/*
 * test_dial: lib/dial.c against real sockets: a Unix socket in a
 * temporary directory, blocking and non-blocking (then dial_finish), a
 * byte each way to prove the connection is the listener's; loopback TCP
 * on a port the kernel picks; a path with no listener (ENOENT), a
 * listener gone (ECONNREFUSED), a path too long for sockaddr_un
 * (ENAMETOOLONG), a host that is not a numeric address and an empty
 * listen address (EINVAL).
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/dial.h"
#include "t.h"

static char dir[] = "/tmp/test_dial.XXXXXX";
static char path[100];

static int
listen_unix(const char *p)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(p) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, p, strlen(p) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, 4) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* echo: accept on LFD, read one octet from the client C, answer it + 1,
   read the reply on C; 1 when it all worked. */
static int
echo(int lfd, int c)
{
	unsigned char b = 41, r = 0;
	int a, ok;

	if (write(c, &b, 1) != 1 || (a = accept(lfd, NULL, NULL)) == -1)
		return 0;
	ok = read(a, &r, 1) == 1 && r == 41;
	r++;
	ok = ok && write(a, &r, 1) == 1;
	close(a);
	return ok && read(c, &b, 1) == 1 && b == 42;
}

static void
test_unix(void)
{
	struct config_listen l;
	struct pollfd pfd;
	int lfd, fd, inprog = -1, fl;

	snprintf(path, sizeof(path), "%s/line.sock", dir);
	memset(&l, 0, sizeof(l));
	l.kind = CONFIG_LISTEN_UNIX;
	l.path = path;
	errno = 0;
	T_OK(dial_open(&l, 0, &inprog) == -1 && errno == ENOENT,
	    "no socket at the path: -1, ENOENT");
	T_OK((lfd = listen_unix(path)) != -1, "listening at %s", path);
	fd = dial_open(&l, 0, &inprog);
	T_OK(fd != -1 && inprog == 0, "blocking: connected at once");
	T_OK(fd != -1 && (fl = fcntl(fd, F_GETFL)) != -1 &&
	    !(fl & O_NONBLOCK) && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	    "blocking: a blocking, close-on-exec socket");
	T_OK(fd != -1 && echo(lfd, fd), "blocking: talks to the listener");
	if (fd != -1)
		close(fd);
	fd = dial_open(&l, DIAL_NONBLOCK, &inprog);
	T_OK(fd != -1 && (fcntl(fd, F_GETFL) & O_NONBLOCK),
	    "DIAL_NONBLOCK: a non-blocking socket");
	if (fd != -1 && inprog) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		(void)poll(&pfd, 1, 10000);
	}
	T_OK(fd != -1 && dial_finish(fd) == 0, "DIAL_NONBLOCK: connected "
	    "(dial_finish 0)");
	if (fd != -1) {
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		T_OK(echo(lfd, fd), "DIAL_NONBLOCK: talks to the listener");
		close(fd);
	}
	fd = dial_open(&l, 0, NULL);
	T_OK(fd != -1, "INPROGRESS may be NULL");
	if (fd != -1)
		close(fd);
	close(lfd);
	errno = 0;
	T_OK(dial_open(&l, 0, &inprog) == -1 && errno == ECONNREFUSED,
	    "a socket nobody listens on: -1, ECONNREFUSED");
	errno = 0;
	fd = dial_open(&l, DIAL_NONBLOCK, &inprog);
	T_OK(fd == -1 && errno == ECONNREFUSED, "DIAL_NONBLOCK too: "
	    "refused at once");
	unlink(path);
}

static void
test_inet(void)
{
	struct sockaddr_in sin;
	struct config_listen l;
	socklen_t sl = sizeof(sin);
	int lfd, fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 4) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) == -1) {
		T_SKIP("loopback TCP", "cannot listen on 127.0.0.1");
		return;
	}
	memset(&l, 0, sizeof(l));
	l.kind = CONFIG_LISTEN_INET;
	l.host = "127.0.0.1";
	l.port = ntohs(sin.sin_port);
	fd = dial_open(&l, 0, NULL);
	T_OK(fd != -1 && echo(lfd, fd), "inet:127.0.0.1:%u: connected and "
	    "talks", l.port);
	if (fd != -1)
		close(fd);
	close(lfd);
	l.host = "localhost";
	errno = 0;
	T_OK(dial_open(&l, 0, NULL) == -1 && errno == EINVAL,
	    "a host name (not numeric): EINVAL, no lookup");
}

static void
test_bad(void)
{
	struct config_listen l;
	char longp[200];

	memset(&l, 0, sizeof(l));
	errno = 0;
	T_OK(dial_open(&l, 0, NULL) == -1 && errno == EINVAL,
	    "no listen address: EINVAL");
	l.kind = CONFIG_LISTEN_UNIX;
	errno = 0;
	T_OK(dial_open(&l, 0, NULL) == -1 && errno == EINVAL,
	    "unix without a path: EINVAL");
	memset(longp, 'x', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	l.path = longp;
	errno = 0;
	T_OK(dial_open(&l, 0, NULL) == -1 && errno == ENAMETOOLONG,
	    "a path longer than sun_path: ENAMETOOLONG");
	l.kind = CONFIG_LISTEN_INET;
	l.path = NULL;
	l.host = "::1";
	l.port = 0;
	errno = 0;
	T_OK(dial_open(&l, 0, NULL) == -1 && errno == EINVAL,
	    "port 0: EINVAL");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		T_OK(0, "mkdtemp: %s", strerror(errno));
		return t_done();
	}
	test_unix();
	test_inet();
	test_bad();
	rmdir(dir);
	return t_done();
}
