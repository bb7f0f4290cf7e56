/*
 * senderkey: the command-line front end.  This file only dispatches; each
 * subcommand lives in its own cli/cmd_*.c file.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmds.h"

struct command {
	const char	*name;
	int		(*run)(int, char **);
	const char	*synopsis;
};

static const struct command commands[] = {
	{ "owner", cmd_owner, "owner [-s] ADDRESS..." },
	{ "keygen", cmd_keygen,
	  "keygen [-a ed25519|rsa2048|rsa3072|rsa4096] [-o DIR] [--force] "
	  "ADDRESS..." },
	{ "zonegen", cmd_zonegen,
	  "zonegen -d DOMAIN [-o FILE] [--format zone|nsupdate|json] "
	  "[options] MANIFEST..." },
	{ "publish", cmd_publish, "publish -d DOMAIN -s SERVER[:PORT] -k TSIGKEY [--apply] MANIFEST..." },
	{ "record", cmd_record,
	  "record [-t] [-x NOT_AFTER] [-n NOTES] KEYFILE" },
	{ "check-record", cmd_check_record, "check-record [-p] TEXT" },
	{ "fingerprint", cmd_fingerprint, "fingerprint KEYFILE..." },
	{ "policy", cmd_policy, "policy [-f STORE | -x CONFIG] COMMAND ..." },
	{ "audit", cmd_audit, "audit -d DOMAIN [-x CONFIG] [--json|--json-stream] [MANIFEST...]" },
	{ "query", cmd_query,
	  "query [-p] [-A ANCHOR] [-C UNBOUND_CONF] [-F IP]... [-t SECS] ADDRESS" },
	{ "lookup", cmd_lookup, "lookup [--socket PATH | -x CONFIG] ADDRESS" },
	{ "authz", cmd_authz, "authz [--socket PATH | -x CONFIG] SENDER RECIPIENT [sig=R] [key=FPR] [queue_id=ID]" },
	{ "stats", cmd_stats, "stats [--socket PATH | -x CONFIG] [--json]" },
	{ "sign", cmd_sign, "sign -k KEY [-s SENDER] [--dkim-domain D --dkim-selector S] <MSG" },
	{ "verify", cmd_verify, "verify [-x CONFIG] [-A ANCHOR] [-C UNBOUND_CONF] <MSG" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: senderkey COMMAND [ARGS]\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "       senderkey %s\n", commands[i].synopsis);
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "senderkey: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EX_USAGE;
}
