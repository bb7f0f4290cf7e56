/*
 * fake_policy.c: a stand-in Postfix policy server for the harness test
 * (tests/integration/15-postfix-bed.sh).  It is NOT senderkeyd and knows
 * nothing of keys: it answers fixed actions chosen by the recipient's
 * local part and records every request it receives, so a test can prove
 * what Postfix sends and what Postfix does with each action.
 *
 *	fake_policy -s unix:/PATH|inet:127.0.0.1:PORT [-l LOG] [-p PIDFILE]
 *	    [-r LOCALPART=ACTION]... [-d DEFAULT]
 *
 * Each request (attribute lines up to an empty line) is appended to LOG,
 * verbatim, followed by an empty line, and flushed.  The reply is
 * "action=ACTION\n\n" for the first -r rule whose LOCALPART equals the
 * recipient's local part, otherwise DEFAULT (DUNNO).  The pid file is
 * written once the socket listens.  A Unix socket gets mode 0666.  Runs
 * until killed; one process, poll(2), up to FP_MAX_CONN connections.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FP_MAX_CONN	64
#define FP_MAX_RULES	32
#define FP_MAX_REQ	16384

struct fp_rule {
	const char	*local;
	size_t		 locallen;
	const char	*action;
};

struct fp_conn {
	int		 fd;
	size_t		 len;
	char		 buf[FP_MAX_REQ];
};

struct fp {
	struct fp_rule	 rules[FP_MAX_RULES];
	size_t		 nrules;
	const char	*dflt;
	FILE		*log;
	struct fp_conn	*conns[FP_MAX_CONN];
};

static void
usage(void)
{
	fprintf(stderr, "usage: fake_policy -s unix:/PATH|inet:127.0.0.1:PORT"
	    " [-l LOG] [-p PIDFILE] [-r LOCALPART=ACTION]... [-d DEFAULT]\n");
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
			fprintf(stderr, "fake_policy: path too long: %s\n", p);
			return -1;
		}
		memcpy(sun.sun_path, p, strlen(p) + 1);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
			goto fail;
		(void)unlink(p);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
		    chmod(p, 0666) == -1)
			goto fail;
	} else if (strncmp(ep, "inet:127.0.0.1:", 15) == 0) {
		errno = 0;
		port = strtol(ep + 15, &end, 10);
		if (errno != 0 || *end != '\0' || port < 1 || port > 65535) {
			fprintf(stderr, "fake_policy: bad port: %s\n", ep);
			return -1;
		}
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((unsigned short)port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one)) == -1 ||
		    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			goto fail;
	} else {
		fprintf(stderr, "fake_policy: want unix:/PATH or "
		    "inet:127.0.0.1:PORT, got %s\n", ep);
		return -1;
	}
	if (listen(fd, 64) == -1)
		goto fail;
	return fd;
fail:
	fprintf(stderr, "fake_policy: %s: %s\n", ep, strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

/* The action for one request (REQ, LEN octets, the final empty line
 * included). */
static const char *
decide(const struct fp *fp, const char *req, size_t len)
{
	const char *line = req, *end = req + len, *nl, *at;
	size_t i, n;

	for (; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			break;
		if ((size_t)(nl - line) < 10 ||
		    memcmp(line, "recipient=", 10) != 0)
			continue;
		line += 10;
		at = memchr(line, '@', (size_t)(nl - line));
		n = (size_t)((at != NULL ? at : nl) - line);
		for (i = 0; i < fp->nrules; i++)
			if (fp->rules[i].locallen == n &&
			    memcmp(fp->rules[i].local, line, n) == 0)
				return fp->rules[i].action;
	}
	return fp->dflt;
}

static void
drop(struct fp *fp, size_t i)
{
	close(fp->conns[i]->fd);
	free(fp->conns[i]);
	fp->conns[i] = NULL;
}

/* Answer every complete request in connection I; -1 when it must close. */
static int
serve(struct fp *fp, size_t i)
{
	struct fp_conn *c = fp->conns[i];
	const char *action;
	char reply[1024];
	size_t used;
	ssize_t r;
	char *eor;
	int n;

	r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (r <= 0)
		return -1;
	c->len += (size_t)r;
	for (;;) {
		/* A request ends with an empty line: "\n\n" (or a bare
		 * "\n" at the very start, which is an empty request). */
		if (c->len > 0 && c->buf[0] == '\n')
			eor = c->buf;
		else if ((eor = memmem(c->buf, c->len, "\n\n", 2)) != NULL)
			eor++;
		else
			break;
		used = (size_t)(eor - c->buf) + 1;
		action = decide(fp, c->buf, used);
		if (fp->log != NULL) {
			fwrite(c->buf, 1, used, fp->log);
			if (used > 1)
				fputc('\n', fp->log);
			fflush(fp->log);
		}
		n = snprintf(reply, sizeof(reply), "action=%s\n\n", action);
		if (n < 0 || (size_t)n >= sizeof(reply) ||
		    send(c->fd, reply, (size_t)n, MSG_NOSIGNAL) != n)
			return -1;
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
	}
	return c->len == sizeof(c->buf) ? -1 : 0;
}

int
main(int argc, char *argv[])
{
	struct fp fp;
	struct pollfd pfd[FP_MAX_CONN + 1];
	size_t idx[FP_MAX_CONN + 1];
	const char *ep = NULL, *logpath = NULL, *pidpath = NULL;
	char *eq;
	FILE *pf;
	size_t i, n;
	int ch, lfd, fd;

	memset(&fp, 0, sizeof(fp));
	fp.dflt = "DUNNO";
	while ((ch = getopt(argc, argv, "d:l:p:r:s:")) != -1) {
		switch (ch) {
		case 'd':
			fp.dflt = optarg;
			break;
		case 'l':
			logpath = optarg;
			break;
		case 'p':
			pidpath = optarg;
			break;
		case 'r':
			if (fp.nrules == FP_MAX_RULES ||
			    (eq = strchr(optarg, '=')) == NULL)
				usage();
			*eq = '\0';
			fp.rules[fp.nrules].local = optarg;
			fp.rules[fp.nrules].locallen = strlen(optarg);
			fp.rules[fp.nrules].action = eq + 1;
			fp.nrules++;
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
	signal(SIGPIPE, SIG_IGN);
	if (logpath != NULL && (fp.log = fopen(logpath, "a")) == NULL) {
		fprintf(stderr, "fake_policy: %s: %s\n", logpath,
		    strerror(errno));
		return 1;
	}
	if ((lfd = listen_on(ep)) == -1)
		return 1;
	if (pidpath != NULL) {
		if ((pf = fopen(pidpath, "w")) == NULL) {
			fprintf(stderr, "fake_policy: %s: %s\n", pidpath,
			    strerror(errno));
			return 1;
		}
		fprintf(pf, "%ld\n", (long)getpid());
		fclose(pf);
	}
	for (;;) {
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		n = 1;
		for (i = 0; i < FP_MAX_CONN; i++) {
			if (fp.conns[i] == NULL)
				continue;
			pfd[n].fd = fp.conns[i]->fd;
			pfd[n].events = POLLIN;
			idx[n++] = i;
		}
		if (poll(pfd, n, -1) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "fake_policy: poll: %s\n",
			    strerror(errno));
			return 1;
		}
		for (i = 1; i < n; i++)
			if (pfd[i].revents != 0 && serve(&fp, idx[i]) == -1)
				drop(&fp, idx[i]);
		if ((pfd[0].revents & POLLIN) == 0)
			continue;
		if ((fd = accept(lfd, NULL, NULL)) == -1)
			continue;
		for (i = 0; i < FP_MAX_CONN && fp.conns[i] != NULL; i++)
			;
		if (i == FP_MAX_CONN ||
		    (fp.conns[i] = calloc(1, sizeof(*fp.conns[i]))) == NULL) {
			close(fd);
			continue;
		}
		fp.conns[i]->fd = fd;
	}
}
