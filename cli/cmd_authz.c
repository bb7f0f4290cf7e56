/*
 * cmd_authz: "senderkey authz [--socket PATH | -x CONFIG] SENDER RECIPIENT
 * [sig=RESULT] [key=FPR]" asks a running senderkeyd (AUTHZ) and prints the
 * verdict line.  Exit status: 0 authorized, 1 untrusted, 2 unauthorized,
 * 75 tempfail, 65 error reply, 64 usage, 69 unreachable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "core/proto_line.h"
#include "cmds.h"

int
cmd_authz(int argc, char **argv)
{
	struct proto_line_authz a;
	const char *sock, *cfg;
	char *req = NULL, *reply = NULL;
	int i, j, rc;
	size_t len = 0;

	i = cmd_daemon_opts(argc, argv, &sock, &cfg);
	if (argc - i < 2 || argc - i > 4) {
		fprintf(stderr, "usage: senderkey authz [--socket PATH | -x "
		    "CONFIG] SENDER RECIPIENT [sig=RESULT] [key=FPR]\n");
		return EX_USAGE;
	}
	for (j = i; j < argc; j++) {
		if (strpbrk(argv[j], " \r\n") != NULL) {
			fprintf(stderr, "senderkey: %s: no spaces or line "
			    "breaks allowed\n", argv[j]);
			return EX_USAGE;
		}
		len += strlen(argv[j]) + 16;
	}
	if ((req = malloc(len + 16)) == NULL)
		return EX_SOFTWARE;
	snprintf(req, len + 16, "AUTHZ sender=%s recipient=%s", argv[i],
	    argv[i + 1]);
	for (j = i + 2; j < argc; j++) {
		strcat(req, " ");
		strcat(req, argv[j]);
	}
	strcat(req, "\n");
	rc = cmd_daemon_ask(sock, cfg, req, &reply);
	free(req);
	if (rc != 0)
		return rc;
	printf("%s\n", reply);
	/* decoded by the protocol's codec; "error ..." does not decode */
	if (proto_line_authz_decode(reply, strlen(reply), &a) == -1)
		rc = EX_DATAERR;
	else
		switch (a.verdict) {
		case VERDICT_AUTHORIZED:
			rc = 0;
			break;
		case VERDICT_UNTRUSTED:
			rc = EX_NEGATIVE;
			break;
		case VERDICT_UNAUTHORIZED:
			rc = 2;
			break;
		case VERDICT_TEMPFAIL:
		default:
			rc = EX_TEMPFAIL;
			break;
		}
	free(reply);
	return rc;
}
