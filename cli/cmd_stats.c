/*
 * cmd_stats: "senderkey stats [--socket PATH | -x CONFIG] [--json]" asks
 * a running senderkeyd (STATS) and prints its counters (decoded by the
 * protocol's codec, core/proto_line_stats.h), one name=value a line in
 * the order of specs/protocol.md section 6, or as one JSON object with
 * --json.  Exit status: 0, 65 an error or unreadable reply, 64 usage,
 * 69 unreachable.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "core/proto_line.h"
#include "core/proto_line_stats.h"
#include "cmds.h"
#include "daemon_ask.h"

int
cmd_stats(int argc, char **argv)
{
	struct proto_line_request rq;
	struct proto_line_stats st;
	enum proto_line_err e;
	const char *sock, *cfg;
	char *reply = NULL;
	int i, json = 0, rc, first = 1;

	i = daemon_ask_opts(argc, argv, &sock, &cfg);
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else {
			senderkey_usage(stderr, "stats");
			return EX_USAGE;
		}
	}
	memset(&rq, 0, offsetof(struct proto_line_request, buf));
	rq.cmd = PLC_STATS;
	if ((rc = daemon_ask_request(sock, cfg, &rq, &reply)) != 0)
		return rc;
	if (proto_line_stats_decode(reply, strlen(reply), &st) == -1) {
		if (proto_line_error_decode(reply, strlen(reply), &e) == 0)
			fprintf(stderr, "senderkey: senderkeyd answered error "
			    "%s\n", proto_line_errname(e));
		else
			fprintf(stderr, "senderkey: not a STATS reply: %s\n",
			    reply);
		free(reply);
		return EX_DATAERR;
	}
	if (json)
		printf("{");
	for (i = 0; i < PLS_COUNT; i++) {
		if (!st.have[i])
			continue;
		if (!json)
			printf("%s=%" PRIu64 "\n", proto_line_stats_name(i),
			    st.v[i]);
		else
			printf("%s\"%s\":%" PRIu64, first ? "" : ",",
			    proto_line_stats_name(i), st.v[i]);
		first = 0;
	}
	if (json)
		printf("}\n");
	free(reply);
	return 0;
}
