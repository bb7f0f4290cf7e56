/*
 * cmd_check_record: "senderkey check-record [-p] TEXT" parses a sender key
 * record (or with -p a domain policy record) exactly as verifiers do and
 * prints what it says, or the named error and where it was found.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/keyrec.h"
#include "lib/policyrec.h"
#include "cmds.h"

static int
check_policy(const char *text)
{
	enum policyrec_policy p;
	enum policyrec_err err;
	size_t pos;

	if (policyrec_parse(text, strlen(text), &p, &err, &pos) == -1) {
		fprintf(stderr, "senderkey: policy record: at octet %zu: %s\n",
		    pos + 1, policyrec_errname(err));
		return EX_DATAERR;
	}
	printf("policy=%s\n", policyrec_name(p));
	return 0;
}

static int
check_key(const char *text)
{
	struct keyrec *kr;
	enum keyrec_err err;
	const struct keyrec_fields *f;
	size_t pos;

	if ((kr = keyrec_parse(text, strlen(text), &err, &pos)) == NULL) {
		if (err == KEYREC_ESYNTAX || err == KEYREC_EDUPTAG)
			fprintf(stderr, "senderkey: key record: at octet %zu: "
			    "%s: %s\n", pos + 1, keyrec_errname(err),
			    keyrec_strerror(err));
		else
			fprintf(stderr, "senderkey: key record: %s: %s\n",
			    keyrec_errname(err), keyrec_strerror(err));
		return EX_DATAERR;
	}
	f = keyrec_get(kr);
	printf("algorithm=%s\n", keyrec_alg_name(f->alg));
	if (f->keylen == 0)
		printf("revoked=yes\n");
	else
		printf("bits=%u\n", keyrec_bits(kr));
	if (f->testing)
		printf("testing=yes\n");
	if (f->not_after != 0)
		printf("not-after=%lld\n", (long long)f->not_after);
	if (f->notes != NULL)
		printf("notes=%s\n", f->notes);
	keyrec_free(kr);
	return 0;
}

int
cmd_check_record(int argc, char **argv)
{
	int ch, policy = 0;

	while ((ch = getopt(argc, argv, "p")) != -1) {
		switch (ch) {
		case 'p':
			policy = 1;
			break;
		default:
			senderkey_usage(stderr, "check-record");
			return EX_USAGE;
		}
	}
	if (optind != argc - 1) {
		senderkey_usage(stderr, "check-record");
		return EX_USAGE;
	}
	return policy ? check_policy(argv[optind]) : check_key(argv[optind]);
}
