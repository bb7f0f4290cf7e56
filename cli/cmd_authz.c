/*
 * cmd_authz: "senderkey authz [--socket PATH | -x CONFIG] SENDER RECIPIENT
 * [sig=RESULT] [key=FPR] [queue_id=ID]" asks a running senderkeyd (AUTHZ)
 * and prints the verdict line.  The request is built by the protocol's
 * codec, which checks the arguments as the daemon would.  Exit status: 0
 * authorized, 1 untrusted, 2 unauthorized, 75 tempfail, 65 an error
 * reply or arguments that cannot be sent, 64 usage, 69 unreachable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "core/proto_line.h"
#include "cmds.h"
#include "daemon_ask.h"

static int
exit_of(const char *reply)
{
	struct proto_line_authz a;

	/* decoded by the protocol's codec; "error ..." does not decode */
	if (proto_line_authz_decode(reply, strlen(reply), &a) == -1)
		return EX_DATAERR;
	switch (a.verdict) {
	case VERDICT_AUTHORIZED:
		return 0;
	case VERDICT_UNTRUSTED:
		return EX_NEGATIVE;
	case VERDICT_UNAUTHORIZED:
		return 2;
	case VERDICT_TEMPFAIL:
		break;
	}
	return EX_TEMPFAIL;
}

int
cmd_authz(int argc, char **argv)
{
	struct proto_line_request *rq;
	enum proto_line_err e;
	const char *sock, *cfg;
	char *reply = NULL;
	int i, j, rc;

	i = daemon_ask_opts(argc, argv, &sock, &cfg);
	if (argc - i < 2 || argc - i > 5) {
		senderkey_usage(stderr, "authz");
		return EX_USAGE;
	}
	if ((rq = calloc(1, sizeof(*rq))) == NULL)
		return EX_SOFTWARE;
	rq->cmd = PLC_AUTHZ;
	rq->sender = argv[i];
	rq->recipient = argv[i + 1];
	for (j = i + 2; j < argc; j++)
		if (proto_line_authz_arg(rq, argv[j], &e) == -1) {
			fprintf(stderr, "senderkey: %s: %s\n", argv[j],
			    proto_line_errname(e));
			free(rq);
			return EX_DATAERR;
		}
	rc = daemon_ask_request(sock, cfg, rq, &reply);
	free(rq);
	if (rc != 0)
		return rc;
	printf("%s\n", reply);
	rc = exit_of(reply);
	free(reply);
	return rc;
}
