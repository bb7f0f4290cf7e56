/*
 * daemon_ask.c: one request to a running senderkeyd over its line socket
 * (daemon_ask.h), as `senderkey lookup|authz|stats` ask it: the request
 * from the codec, the socket from --socket or the config, a blocking
 * connect (lib/dial.h), the reply read under a deadline.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/dial.h"
#include "core/proto_line_req.h"
#include "daemon_ask.h"

#define ASK_TIMEOUT_MS	30000
#define ASK_REPLY_MAX	PROTO_LINE_REPLY_MAX

int
daemon_ask_opts(int argc, char **argv, const char **sock, const char **cfg)
{
	int i;

	*sock = *cfg = NULL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
			*sock = argv[++i];
		else if (strcmp(argv[i], "-x") == 0 && i + 1 < argc)
			*cfg = argv[++i];
		else if (strcmp(argv[i], "--") == 0)
			return i + 1;
		else
			break;	/* the command's own arguments */
	}
	return i;
}

/* exchange: REQUEST (RLEN octets) on FD, half-close, one reply line. */
static int
exchange(int fd, const char *request, size_t rlen, char **reply)
{
	struct pollfd pfd;
	char *buf;
	size_t n = 0;
	ssize_t r;

	if (send(fd, request, rlen, MSG_NOSIGNAL) != (ssize_t)rlen ||
	    shutdown(fd, SHUT_WR) == -1 ||
	    (buf = malloc(ASK_REPLY_MAX + 1)) == NULL)
		return -1;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (n < ASK_REPLY_MAX && memchr(buf, '\n', n) == NULL) {
		if (poll(&pfd, 1, ASK_TIMEOUT_MS) <= 0)
			break;
		if ((r = recv(fd, buf + n, ASK_REPLY_MAX - n, 0)) <= 0)
			break;
		n += (size_t)r;
	}
	if (n == 0 || buf[n - 1] != '\n') {
		free(buf);
		return -1;
	}
	buf[n - 1] = '\0';
	*reply = buf;
	return 0;
}

static int	ask(const char *, const char *,
		    const struct proto_line_request *, char **, int);

int
daemon_ask_request(const char *sockpath, const char *cfgpath,
    const struct proto_line_request *rq, char **reply)
{
	return ask(sockpath, cfgpath, rq, reply, 0);
}

int
daemon_ask_client(const char *sockpath, const char *cfgpath,
    const struct proto_line_request *rq, char **reply)
{
	return ask(sockpath, cfgpath, rq, reply, 1);
}

/* ask: as daemon_ask_request; CLIENT: the config's ClientSocket. */
static int
ask(const char *sockpath, const char *cfgpath,
    const struct proto_line_request *rq, char **reply, int client)
{
	struct config *cfg = NULL;
	struct config_listen l;
	enum proto_line_err e;
	char err[CONFIG_ERR_MAX], *spec = NULL, req[PROTO_LINE_MAX + 1];
	int fd = -1, rc = EX_UNAVAILABLE, rlen;

	*reply = NULL;
	if ((rlen = proto_line_req_build(req, sizeof(req), rq, &e)) == -1) {
		fprintf(stderr, "senderkey: cannot send that %s request: %s\n",
		    proto_line_cmdname(rq->cmd), proto_line_errname(e));
		return EX_DATAERR;
	}
	memset(&l, 0, sizeof(l));
	if (sockpath != NULL) {
		l.kind = CONFIG_LISTEN_UNIX;
		if ((l.path = spec = strdup(sockpath)) == NULL)
			return EX_SOFTWARE;
		if (strncmp(sockpath, "unix:", 5) == 0)
			l.path = spec + 5;
	} else {
		if (config_load(cfgpath, &cfg, err, sizeof(err)) == -1) {
			fprintf(stderr, "senderkey: %s\n", err);
			return EX_CONFIG;
		}
		l = client ? cfg->client_socket : cfg->socket;
		if (l.kind == CONFIG_LISTEN_NONE) {
			fprintf(stderr, "senderkey: no %s in the config\n",
			    client ? "ClientSocket" : "Socket");
			rc = EX_CONFIG;
			goto done;
		}
	}
	if ((fd = dial_open(&l, 0, NULL)) == -1) {
		fprintf(stderr, "senderkey: cannot reach senderkeyd at %s: "
		    "%s\n", l.kind == CONFIG_LISTEN_UNIX ? l.path : l.spec,
		    strerror(errno));
		goto done;
	}
	if (exchange(fd, req, (size_t)rlen, reply) == -1) {
		fprintf(stderr, "senderkey: no complete reply from "
		    "senderkeyd\n");
		goto done;
	}
	rc = 0;
done:
	if (fd != -1)
		close(fd);
	free(spec);
	config_free(cfg);
	return rc;
}
