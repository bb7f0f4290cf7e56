/*
 * echo_server.c: the floor for `make bench` (bench/policy).  The least a
 * policy server can do: one thread, epoll, non-blocking sockets, and a
 * fixed reply to every complete request, with no parsing beyond framing.
 * Not a test double (tests/tools/fake_policy.c is one) and not a model
 * of senderkeyd.
 *
 *	echo_server -s unix:/PATH|inet:127.0.0.1:PORT [-m policy|line]
 *	    [-p PIDFILE]
 *
 * policy: a request ends with an empty line; reply "action=DUNNO\n\n".
 * line: a request is one line; reply "ok\n".  The pid file is written
 * once the socket listens.  Runs until SIGTERM/SIGINT.
 * Build: cc -O2 -o build/bench/echo_server bench/echo_server.c
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ES_BUF		16384
#define ES_EVENTS	256

enum es_mode {
	ES_POLICY,
	ES_LINE
};

struct es_conn {
	int		 fd;
	size_t		 len;
	char		 buf[ES_BUF];
};

struct es {
	enum es_mode	 mode;
	const char	*reply;
	size_t		 replylen;
	char		*out;		/* replies of one read, batched */
	size_t		 outcap;
};

static volatile sig_atomic_t es_stop;

static void
on_signal(int sig)
{
	(void)sig;
	es_stop = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: echo_server -s unix:/PATH|inet:127.0.0.1:PORT"
	    " [-m policy|line] [-p PIDFILE]\n");
	exit(2);
}

static int
listen_on(const char *ep)
{
	struct sockaddr_un sun;
	struct sockaddr_in sin;
	const char *p;
	char *end;
	long port;
	int fd = -1, one = 1;

	if (strncmp(ep, "unix:/", 6) == 0) {
		p = ep + 5;
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(p) >= sizeof(sun.sun_path)) {
			fprintf(stderr, "echo_server: path too long: %s\n", p);
			return -1;
		}
		memcpy(sun.sun_path, p, strlen(p) + 1);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1)
			goto fail;
		(void)unlink(p);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
		    chmod(p, 0666) == -1)
			goto fail;
	} else if (strncmp(ep, "inet:127.0.0.1:", 15) == 0) {
		errno = 0;
		port = strtol(ep + 15, &end, 10);
		if (errno != 0 || *end != '\0' || port < 1 || port > 65535) {
			fprintf(stderr, "echo_server: bad port: %s\n", ep);
			return -1;
		}
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((unsigned short)port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK,
		    0)) == -1 ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one)) == -1 ||
		    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			goto fail;
	} else {
		fprintf(stderr, "echo_server: want unix:/PATH or "
		    "inet:127.0.0.1:PORT, got %s\n", ep);
		return -1;
	}
	if (listen(fd, 1024) == -1)
		goto fail;
	return fd;
fail:
	fprintf(stderr, "echo_server: %s: %s\n", ep, strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

/* The end of the first complete request in BUF (LEN octets): the number
 * of octets it takes, or 0 when it is not complete yet. */
static size_t
request_end(enum es_mode mode, const char *buf, size_t len)
{
	const char *p;

	if (mode == ES_LINE) {
		p = memchr(buf, '\n', len);
		return p == NULL ? 0 : (size_t)(p - buf) + 1;
	}
	if (len > 0 && buf[0] == '\n')
		return 1;
	p = memmem(buf, len, "\n\n", 2);
	return p == NULL ? 0 : (size_t)(p - buf) + 2;
}

/*
 * Read what is there, answer every complete request; -1: close.  A read
 * shorter than the room offered drained the socket, so the loop stops
 * there instead of reading again for EAGAIN (epoll is level-triggered and
 * reports what comes later): the same rule as senderkeyd's conn.c, so the
 * floor does not pay a system call per request that the server saves.
 */
static int
serve(struct es *es, struct es_conn *c)
{
	size_t n, used, nout, room;
	ssize_t r, w;

	for (;;) {
		room = sizeof(c->buf) - c->len;
		r = read(c->fd, c->buf + c->len, room);
		if (r == 0)
			return -1;
		if (r == -1)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->len += (size_t)r;
		used = 0;
		nout = 0;
		while ((n = request_end(es->mode, c->buf + used,
		    c->len - used)) > 0) {
			memcpy(es->out + nout, es->reply, es->replylen);
			nout += es->replylen;
			used += n;
			if (nout + es->replylen > es->outcap) {
				if (send(c->fd, es->out, nout, MSG_NOSIGNAL) !=
				    (ssize_t)nout)
					return -1;
				nout = 0;
			}
		}
		/* The load generator waits for each reply, so a short write
		 * does not happen in the benchmark; treat it as fatal. */
		if (nout > 0) {
			w = send(c->fd, es->out, nout, MSG_NOSIGNAL);
			if (w != (ssize_t)nout)
				return -1;
		}
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
		if (c->len == sizeof(c->buf))
			return -1;
		if ((size_t)r < room)
			return 0;	/* drained */
	}
}

int
main(int argc, char *argv[])
{
	struct epoll_event ev, evs[ES_EVENTS];
	struct es es;
	struct es_conn *c;
	struct sigaction sa;
	const char *ep = NULL, *pidpath = NULL;
	FILE *pf;
	int ch, lfd, efd, fd, n, i;

	memset(&es, 0, sizeof(es));
	es.mode = ES_POLICY;
	while ((ch = getopt(argc, argv, "m:p:s:")) != -1) {
		switch (ch) {
		case 'm':
			if (strcmp(optarg, "policy") == 0)
				es.mode = ES_POLICY;
			else if (strcmp(optarg, "line") == 0)
				es.mode = ES_LINE;
			else
				usage();
			break;
		case 'p':
			pidpath = optarg;
			break;
		case 's':
			ep = optarg;
			break;
		default:
			usage();
		}
	}
	if (ep == NULL || optind != argc)
		usage();
	es.reply = es.mode == ES_POLICY ? "action=DUNNO\n\n" : "ok\n";
	es.replylen = strlen(es.reply);
	es.outcap = 64 * 1024;
	if ((es.out = malloc(es.outcap)) == NULL)
		return 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((lfd = listen_on(ep)) == -1)
		return 1;
	if ((efd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return 1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;		/* NULL: the listening socket */
	if (epoll_ctl(efd, EPOLL_CTL_ADD, lfd, &ev) == -1)
		return 1;
	if (pidpath != NULL) {
		if ((pf = fopen(pidpath, "w")) == NULL)
			return 1;
		fprintf(pf, "%ld\n", (long)getpid());
		fclose(pf);
	}
	while (!es_stop) {
		if ((n = epoll_wait(efd, evs, ES_EVENTS, -1)) == -1) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		for (i = 0; i < n; i++) {
			c = evs[i].data.ptr;
			if (c != NULL) {
				if (serve(&es, c) == -1) {
					close(c->fd);
					free(c);
				}
				continue;
			}
			while ((fd = accept4(lfd, NULL, NULL,
			    SOCK_NONBLOCK)) != -1) {
				if ((c = calloc(1, sizeof(*c))) == NULL) {
					close(fd);
					continue;
				}
				c->fd = fd;
				ev.events = EPOLLIN;
				ev.data.ptr = c;
				if (epoll_ctl(efd, EPOLL_CTL_ADD, fd, &ev) == -1) {
					close(fd);
					free(c);
				}
			}
		}
	}
	if (strncmp(ep, "unix:/", 6) == 0)
		(void)unlink(ep + 5);
	free(es.out);
	return 0;
}
