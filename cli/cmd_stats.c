/*
 * cmd_stats: "senderkey stats [--socket PATH | -x CONFIG] [--json]" asks
 * a running senderkeyd (STATS) and prints its counters, one name=value a
 * line, or as one JSON object with --json.  Exit status: 0, 65 error
 * reply, 64 usage, 69 unreachable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmds.h"

int
cmd_stats(int argc, char **argv)
{
	const char *sock, *cfg;
	char *reply = NULL, *p, *tok, *save = NULL, *eq;
	int i, json = 0, rc, first = 1;

	i = cmd_daemon_opts(argc, argv, &sock, &cfg);
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else {
			fprintf(stderr, "usage: senderkey stats [--socket "
			    "PATH | -x CONFIG] [--json]\n");
			return EX_USAGE;
		}
	}
	if ((rc = cmd_daemon_ask(sock, cfg, "STATS\n", &reply)) != 0)
		return rc;
	if (strncmp(reply, "ok", 2) != 0) {
		fprintf(stderr, "senderkey: %s\n", reply);
		free(reply);
		return EX_DATAERR;
	}
	if (json)
		printf("{");
	for (p = reply + 2; (tok = strtok_r(p, " ", &save)) != NULL;
	    p = NULL) {
		if ((eq = strchr(tok, '=')) == NULL)
			continue;
		*eq = '\0';
		if (!json)
			printf("%s=%s\n", tok, eq + 1);
		else if (strspn(eq + 1, "0123456789") == strlen(eq + 1) &&
		    eq[1] != '\0')
			printf("%s\"%s\":%s", first ? "" : ",", tok, eq + 1);
		else
			printf("%s\"%s\":\"%s\"", first ? "" : ",", tok,
			    eq + 1);
		first = 0;
	}
	if (json)
		printf("}\n");
	free(reply);
	return 0;
}
