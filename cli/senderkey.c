/*
 * senderkey: the command-line front end.  This file dispatches, and it
 * alone decides --help, --version and `help [COMMAND]` for every
 * subcommand from the table below, which holds each command's one usage
 * text; the subcommands themselves live in cli/cmd_*.c and print that
 * text through senderkey_usage on a usage error.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <ldns/ldns.h>
#include <openssl/crypto.h>

#include "core/lookup.h"
#include "lib/version.h"
#include "cmds.h"

struct command {
	const char	*name;
	int		(*run)(int, char **);
	const char	*summary;	/* one line for senderkey --help */
	const char	*usage;		/* "usage: senderkey NAME ...\n" */
};

static const struct command commands[] = {
	{ "owner", cmd_owner, "print the owner names of addresses",
	  "usage: senderkey owner [-s] [--dkim] ADDRESS...\n" },
	{ "keygen", cmd_keygen, "make a key pair per sender, print its record",
	  "usage: senderkey keygen [-a ed25519|rsa2048|rsa3072|rsa4096] "
	  "[-o DIR] [--force] ADDRESS...\n" },
	{ "zonegen", cmd_zonegen, "build the zone of a domain's senders",
	  "usage: senderkey zonegen -d DOMAIN [-o FILE] [--format "
	  "zone|nsupdate|json]\n"
	  "           [--key-dir DIR] [--key-alg ALG] [--policy all|some] "
	  "[--ttl SECONDS]\n"
	  "           [--soa MNAME,RNAME[,SERIAL] --ns NAME...] "
	  "[--skip-foreign] [--dkim]\n"
	  "           [--now TIME] [--prepublish DURATION]\n"
	  "           [--sign KEYFILE... [--nsec] [--inception T] "
	  "[--expiration T] [--ds FILE]\n"
	  "            [-j THREADS] [--progress|--no-progress]] "
	  "MANIFEST...\n" },
	{ "publish", cmd_publish, "update a zone by RFC 2136 (TSIG)",
	  "usage: senderkey publish -d DOMAIN -s SERVER[:PORT] "
	  "-k TSIGKEY [--apply] [--force]\n"
	  "           [--detailed-exitcode] [--policy all|some] [--ttl "
	  "SECONDS] [--key-dir DIR]\n"
	  "           [--now TIME] [--prepublish DURATION] "
	  "[--skip-foreign] [--dkim]\n"
	  "           [-x CONFIG] [-A ANCHOR] [-C UNBOUND_CONF] "
	  "[--ns-address NAME=IP]... [--wait[=DURATION]]\n"
	  "           [--state FILE] [--plan-file FILE] MANIFEST...\n"
	  "       senderkey publish -d DOMAIN -s SERVER[:PORT] -k TSIGKEY "
	  "--apply --plan-file FILE\n" },
	{ "record", cmd_record, "print the record of a key file",
	  "usage: senderkey record [--dkim] [-t] [-x NOT_AFTER] "
	  "[-n NOTES] [-a ADDRESS [-T TTL]] KEYFILE\n" },
	{ "check-record", cmd_check_record, "parse a record's text",
	  "usage: senderkey check-record [-p] TEXT\n" },
	{ "fingerprint", cmd_fingerprint, "print the SHA-256 key fingerprints",
	  "usage: senderkey fingerprint KEYFILE...\n" },
	{ "policy", cmd_policy, "edit and show the recipient policy store",
	  "usage: senderkey policy [-f STORE | -x CONFIG] COMMAND ...\n"
	  "  set RECIPIENT allow|deny|default\n"
	  "  allow RECIPIENT SENDER|*@DOMAIN [--pin FPR | --pin-current]\n"
	  "  deny RECIPIENT SENDER|*@DOMAIN\n"
	  "  remove RECIPIENT SENDER|*@DOMAIN [--pin FPR]\n"
	  "  show [RECIPIENT] [--json] [--journal FILE]\n"
	  "  explain SENDER RECIPIENT [--journal FILE]\n"
	  "  forget RECIPIENT SENDER|--all [--source imap|sent] "
	  "[--journal FILE]\n"
	  "  report RECIPIENT [--since DURATION] [--json]\n"
	  "  set RECIPIENT deny --keep-history [--since DURATION] "
	  "[--dry-run]\n"
	  "  import-vcard RECIPIENT FILE.vcf\n"
	  "  import-gpg RECIPIENT FILE\n"
	  "  export\n"
	  "  import FILE\n" },
	{ "audit", cmd_audit, "check what a domain publishes",
	  "usage: senderkey audit -d DOMAIN [-x CONFIG] [-A ANCHOR] "
	  "[-C UNBOUND_CONF]\n"
	  "           [--ns IP[@PORT]]... [--json|--json-stream] "
	  "[--warn-expiry 14d]\n"
	  "           [--crit-expiry 3d] [--no-walk] [--no-axfr] [--dkim]\n"
	  "           [--key-dir DIR] [--now TIME] [MANIFEST...]\n" },
	{ "query", cmd_query, "look a sender's key up in DNS (DNSSEC)",
	  "usage: senderkey query [-x CONFIG] [-A TRUST_ANCHOR_FILE] "
	  "[-C UNBOUND_CONFIG]\n"
	  "                       [-F FORWARDER_IP]... [-t SECONDS] [-p] "
	  "ADDRESS\n" },
	{ "lookup", cmd_lookup, "ask senderkeyd for a sender's key",
	  "usage: senderkey lookup [--socket PATH | -x CONFIG] ADDRESS\n" },
	{ "authz", cmd_authz, "ask senderkeyd for a verdict",
	  "usage: senderkey authz [--socket PATH | -x CONFIG] SENDER "
	  "RECIPIENT [sig=RESULT] [key=FPR] [queue_id=ID]\n" },
	{ "stats", cmd_stats, "print senderkeyd's counters",
	  "usage: senderkey stats [--socket PATH | -x CONFIG] [--json]\n" },
	{ "imap-move", cmd_imapmove, "allow or block a message's sender "
	  "(Dovecot IMAPSieve)",
	  "usage: senderkey imap-move [--socket PATH | -x CONFIG] "
	  "[--user LOGIN] allow|block\n"
	  "       (the message on standard input; the user from USER)\n" },
	{ "sign", cmd_sign, "sign a message (standard input)",
	  "usage: senderkey sign -k KEY [-s SENDER] "
	  "[-c relaxed|simple/relaxed|simple]\n"
	  "                      [-l LIFETIME] [-T TIME] "
	  "[--dkim | --dkim-domain DOMAIN --dkim-selector SELECTOR]\n"
	  "                      < MESSAGE\n" },
	{ "sendmail", cmd_sendmail, "sign a message, hand it to sendmail",
	  "usage: senderkey sendmail [--sendmail PROGRAM] [--keys DIR] "
	  "[--dkim] [OPTION...]\n"
	  "                          [--] [RECIPIENT...] < MESSAGE\n"
	  "  the message's From: key: DIR, $SENDERKEY_KEYS or\n"
	  "  ${XDG_CONFIG_HOME:-~/.config}/senderkey/keys, ADDRESS.private;\n"
	  "  PROGRAM: $SENDERKEY_SENDMAIL or /usr/sbin/sendmail\n" },
	{ "verify", cmd_verify, "verify a message (standard input)",
	  "usage: senderkey verify [-x CONFIG] [-A TRUST_ANCHOR_FILE] "
	  "[-C UNBOUND_CONFIG]\n"
	  "                        [-F FORWARDER_IP]... [-t SECONDS] "
	  "[-T TIME] < MESSAGE\n" },
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static const struct command *
find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* usage_all: senderkey's own usage and the list of commands. */
static void
usage_all(FILE *f)
{
	size_t i;

	fprintf(f, "usage: senderkey COMMAND [ARGS]\n"
	    "       senderkey help [COMMAND]\n"
	    "       senderkey --version\n"
	    "Every command takes --help and --version (before \"--\").\n"
	    "commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-13s %s\n", commands[i].name,
		    commands[i].summary);
}

void
senderkey_usage(FILE *f, const char *name)
{
	const struct command *c;

	if (name != NULL && (c = find(name)) != NULL)
		fputs(c->usage, f);
	else
		usage_all(f);
}

/* flushed: 0 when stdout took everything, else EX_IOERR after a message. */
static int
flushed(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("senderkey: stdout");
		return EX_IOERR;
	}
	return 0;
}

static int
version(void)
{
	printf("senderkey %s\n", SENDERKEY_VERSION);
	printf("OpenSSL %s\n", OpenSSL_version(OPENSSL_VERSION_STRING));
	printf("ldns %s\n", ldns_version());
	printf("libunbound %s\n", lookup_version());
	return flushed();
}

/*
 * asks: the option --help or -h (HELP) or --version (VERSION) is among
 * ARGV[1..ARGC-1] before a "--".  For sendmail -h is sendmail's hop
 * count option, not help.
 */
enum ask { ASK_NONE, ASK_HELP, ASK_VERSION };

static enum ask
asks(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    (strcmp(argv[i], "-h") == 0 &&
		    strcmp(argv[0], "sendmail") != 0))
			return ASK_HELP;
		if (strcmp(argv[i], "--version") == 0)
			return ASK_VERSION;
	}
	return ASK_NONE;
}

int
main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage_all(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc > 3 || (argc == 3 && find(argv[2]) == NULL)) {
			if (argc == 3)
				fprintf(stderr, "senderkey: unknown command "
				    "'%s'\n", argv[2]);
			usage_all(stderr);
			return EX_USAGE;
		}
		senderkey_usage(stdout, argc == 3 ? argv[2] : NULL);
		return flushed();
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage_all(stdout);
		return flushed();
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		return version();
	if ((c = find(argv[1])) == NULL) {
		fprintf(stderr, "senderkey: unknown command '%s'\n", argv[1]);
		usage_all(stderr);
		return EX_USAGE;
	}
	switch (asks(argc - 1, argv + 1)) {
	case ASK_HELP:
		fputs(c->usage, stdout);
		return flushed();
	case ASK_VERSION:
		return version();
	case ASK_NONE:
		break;
	}
	return c->run(argc - 1, argv + 1);
}
