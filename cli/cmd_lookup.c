/*
 * cmd_lookup: "senderkey lookup [--socket PATH | -x CONFIG] ADDRESS" asks
 * a running senderkeyd (line protocol, LOOKUP) and prints its reply line.
 * The socket comes from --socket, else from the config's Socket.  Exit
 * status: 0 secure-key, 1 any other state, 64 usage, 65 the daemon
 * refused the request (error ...) or the address cannot be sent, 69 the
 * daemon is unreachable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "core/proto_line.h"
#include "core/proto_line_lookup.h"
#include "cmds.h"
#include "daemon_ask.h"

int
cmd_lookup(int argc, char **argv)
{
	struct proto_line_request *rq;
	struct proto_line_lookup l;
	const char *sock, *cfg;
	char *reply = NULL;
	int i, rc;

	i = daemon_ask_opts(argc, argv, &sock, &cfg);
	if (i != argc - 1) {
		senderkey_usage(stderr, "lookup");
		return EX_USAGE;
	}
	if ((rq = calloc(1, sizeof(*rq))) == NULL)
		return EX_SOFTWARE;
	rq->cmd = PLC_LOOKUP;
	rq->address = argv[i];
	rc = daemon_ask_request(sock, cfg, rq, &reply);
	free(rq);
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
