/*
 * cmd_lookup: "senderkey lookup [--socket PATH | -x CONFIG] ADDRESS" asks
 * a running senderkeyd (line protocol, LOOKUP) and prints its reply line.
 * The socket comes from --socket, else from the config's Socket.  Exit
 * status: 0 secure-key, 1 any other state, 64 usage, 65 the daemon
 * refused the request (error ...), 69 the daemon is unreachable.
 * Also holds the small line-protocol client the stats and authz commands
 * share (cmd_daemon_ask, declared in cmds.h).
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
#include <sysexits.h>
#include <unistd.h>

#include "lib/config.h"
#include "core/proto_line.h"
#include "cmds.h"

#define ASK_TIMEOUT_MS	30000
#define ASK_REPLY_MAX	65536

static int
dial(const struct config_listen *l)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (l->kind == CONFIG_LISTEN_UNIX) {
		if (strlen(l->path) >= sizeof(sun->sun_path))
			return -1;
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, l->path);
		len = sizeof(*sun);
	} else if (inet_pton(AF_INET, l->host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)l->port);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, l->host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)l->port);
		len = sizeof(*sin6);
	} else
		return -1;
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
cmd_daemon_ask(const char *sockpath, const char *cfgpath,
    const char *request, char **reply)
{
	struct config *cfg = NULL;
	struct config_listen l;
	struct pollfd pfd;
	char err[CONFIG_ERR_MAX], *buf = NULL, *spec = NULL;
	size_t n = 0, rlen = strlen(request);
	ssize_t r;
	int fd = -1, rc = EX_UNAVAILABLE;

	*reply = NULL;
	memset(&l, 0, sizeof(l));
	if (sockpath != NULL) {
		l.kind = CONFIG_LISTEN_UNIX;
		l.path = spec = strdup(sockpath);
		if (strncmp(sockpath, "unix:", 5) == 0)
			l.path = spec + 5;
	} else {
		if (config_load(cfgpath, &cfg, err, sizeof(err)) == -1) {
			fprintf(stderr, "senderkey: %s\n", err);
			return EX_CONFIG;
		}
		l = cfg->socket;
		if (l.kind == CONFIG_LISTEN_NONE) {
			fprintf(stderr, "senderkey: no Socket in the config\n");
			rc = EX_CONFIG;
			goto done;
		}
	}
	if ((fd = dial(&l)) == -1) {
		fprintf(stderr, "senderkey: cannot reach senderkeyd at %s: "
		    "%s\n", l.kind == CONFIG_LISTEN_UNIX ? l.path : l.spec,
		    strerror(errno));
		goto done;
	}
	if (send(fd, request, rlen, MSG_NOSIGNAL) != (ssize_t)rlen ||
	    shutdown(fd, SHUT_WR) == -1 ||
	    (buf = malloc(ASK_REPLY_MAX + 1)) == NULL)
		goto done;
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
		fprintf(stderr, "senderkey: no complete reply from "
		    "senderkeyd\n");
		goto done;
	}
	buf[n - 1] = '\0';
	*reply = buf;
	buf = NULL;
	rc = 0;
done:
	if (fd != -1)
		close(fd);
	free(buf);
	free(spec);
	config_free(cfg);
	return rc;
}

/* cmd_daemon_opts: parse --socket PATH / -x CONFIG; returns argv index. */
int
cmd_daemon_opts(int argc, char **argv, const char **sock, const char **cfg)
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

int
cmd_lookup(int argc, char **argv)
{
	struct proto_line_lookup l;
	const char *sock, *cfg;
	char *req = NULL, *reply = NULL;
	int i, rc;

	i = cmd_daemon_opts(argc, argv, &sock, &cfg);
	if (i != argc - 1 || strpbrk(argv[i], " \r\n") != NULL) {
		fprintf(stderr, "usage: senderkey lookup [--socket PATH | "
		    "-x CONFIG] ADDRESS\n");
		return EX_USAGE;
	}
	if (asprintf(&req, "LOOKUP %s\n", argv[i]) == -1)
		return EX_SOFTWARE;
	rc = cmd_daemon_ask(sock, cfg, req, &reply);
	free(req);
	if (rc != 0)
		return rc;
	printf("%s\n", reply);
	/* decoded by the protocol's codec; "error ..." does not decode */
	if (proto_line_lookup_decode(reply, &l) == -1)
		rc = EX_DATAERR;
	else
		rc = l.state == LOOKUP_SECURE_KEY ? 0 : EX_NEGATIVE;
	free(reply);
	return rc;
}
