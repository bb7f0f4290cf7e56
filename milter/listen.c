/*
 * listen.c: the milter's listening socket (listen.h).  libmilter binds
 * it; for a unix: socket it binds inside lib/service.c's private
 * directory, and service_unix_commit gives the socket its owner
 * (MilterUser), group (SocketGroup) and mode 0660 there and renames it into place, so root never changes a file through
 * a name someone else could have swapped (specs/security.md 5.1).
 * listen_threads sizes the stacks of libmilter's session threads.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmilter/mfapi.h>

#include "listen.h"

#define MILTER_NAME	"senderkey-milter"

char *
listen_spec(const struct config_listen *l)
{
	char *s = NULL;

	if (l->kind == CONFIG_LISTEN_UNIX)
		return asprintf(&s, "unix:%s", l->path) == -1 ? NULL : s;
	if (l->kind == CONFIG_LISTEN_INET)
		return asprintf(&s, "%s:%u@%s", strchr(l->host, ':') != NULL ?
		    "inet6" : "inet", l->port, l->host) == -1 ? NULL : s;
	return NULL;
}

int
listen_open(const struct config *cfg, uid_t owner, struct service_unix **up)
{
	struct service_sockopt o;
	char err[512], *spec = NULL;
	int rc = -1;

	*up = NULL;
	if (cfg->milter_socket.kind == CONFIG_LISTEN_UNIX) {
		o.uid = owner;
		o.mode = 0660;
		o.mkparent = 0;
		/* SocketGroup, as senderkeyd's sockets: the MTA's group */
		if (service_group(cfg->socket_group, &o.gid, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, MILTER_NAME ": SocketGroup: %s\n", err);
			return -1;
		}
		if ((*up = service_unix_begin(cfg->milter_socket.path, &o, err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, MILTER_NAME ": %s\n", err);
			return -1;
		}
		if (asprintf(&spec, "unix:%s", service_unix_bindpath(*up)) ==
		    -1)
			spec = NULL;
	} else
		spec = listen_spec(&cfg->milter_socket);
	if (spec == NULL) {
		fprintf(stderr, MILTER_NAME ": out of memory\n");
		goto done;
	}
	if (smfi_setconn(spec) == MI_FAILURE || smfi_opensocket(1) ==
	    MI_FAILURE) {
		fprintf(stderr, MILTER_NAME ": cannot listen on %s\n",
		    cfg->milter_socket.spec);
		goto done;
	}
	if (*up != NULL && service_unix_commit(*up, err, sizeof(err)) == -1) {
		fprintf(stderr, MILTER_NAME ": %s\n", err);
		goto done;
	}
	rc = 0;
done:
	if (rc == -1) {
		service_unix_free(*up);
		*up = NULL;
	}
	free(spec);
	return rc;
}

void
listen_threads(void)
{
#ifdef __GLIBC__
	pthread_attr_t a;
	size_t cur;

	/* libmilter makes its threads with default attributes */
	if (pthread_getattr_default_np(&a) != 0)
		return;
	if (pthread_attr_getstacksize(&a, &cur) == 0 &&
	    cur > LISTEN_THREAD_STACK &&
	    pthread_attr_setstacksize(&a, LISTEN_THREAD_STACK) == 0)
		(void)pthread_setattr_default_np(&a);
	pthread_attr_destroy(&a);
#endif
}
