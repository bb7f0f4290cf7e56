/*
 * cmd_record: "senderkey record [-t] [-x NOT_AFTER] [-n NOTES]
 * [-a ADDRESS [-T TTL]] KEYFILE" prints the sender key record for the key
 * in KEYFILE (PEM, OpenSSH or a private key, of which only the public part
 * is used).  With -a it prints the whole resource record, owner name and
 * TTL included, ready for a zone file.  With --dkim it prints the same
 * key as a DKIM key record instead (record-format.md 3.3), at the DKIM
 * owner name with -a; DKIM has no x= and no n=, and an expiry given with
 * --dkim draws a warning, since a DKIM verifier will not see it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "lib/owner.h"
#include "lib/txt.h"
#include "cmds.h"
#include "util.h"

static int
print_rr(const char *address, enum owner_kind kind, unsigned long ttl,
    const char *text)
{
	char owner[OWNER_NAME_MAX], *s;
	struct addr *a;
	enum addr_err aerr;
	size_t pos;
	ldns_rr *rr;

	if ((a = addr_parse(address, &aerr, &pos)) == NULL) {
		fprintf(stderr, "senderkey: %s: at octet %zu: %s\n", address,
		    pos + 1, addr_strerror(aerr));
		return EX_DATAERR;
	}
	if (owner_name(a, kind, owner, sizeof(owner)) == -1) {
		fprintf(stderr, "senderkey: %s: owner name too long\n",
		    address);
		addr_free(a);
		return EX_DATAERR;
	}
	addr_free(a);
	if ((rr = txt_rr_new(owner, (uint32_t)ttl, text, strlen(text))) ==
	    NULL || (s = ldns_rr2str(rr)) == NULL) {
		fprintf(stderr, "senderkey: cannot build the TXT record\n");
		ldns_rr_free(rr);
		return EX_SOFTWARE;
	}
	fputs(s, stdout);
	free(s);
	ldns_rr_free(rr);
	return 0;
}

int
cmd_record(int argc, char **argv)
{
	struct keyrec_fields f;
	const char *address = NULL;
	unsigned char *bytes = NULL;
	unsigned long ttl = 3600;
	enum key_load_err why;
	enum keyrec_err kerr;
	char err[256], *text = NULL, *end;
	EVP_PKEY *pk = NULL;
	static const struct option opts[] = {
		{ "dkim", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, alg, dkim = 0, rc = EX_DATAERR;

	memset(&f, 0, sizeof(f));
	while ((ch = getopt_long(argc, argv, "a:n:tT:x:", opts, NULL)) != -1) {
		switch (ch) {
		case 'D':
			dkim = 1;
			break;
		case 'a':
			address = optarg;
			break;
		case 'n':
			f.notes = optarg;
			break;
		case 't':
			f.testing = 1;
			break;
		case 'T':
			errno = 0;
			ttl = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    ttl > 2147483647UL) {
				fprintf(stderr, "senderkey: -T %s: expected a "
				    "TTL in seconds\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'x':
			if (util_time(optarg, (int64_t)time(NULL),
			    &f.not_after) == -1 || f.not_after <= 0) {
				fprintf(stderr, "senderkey: -x %s: expected a "
				    "Unix time, YYYY-MM-DD or "
				    "YYYY-MM-DDTHH:MM:SSZ\n", optarg);
				return EX_USAGE;
			}
			break;
		default:
			senderkey_usage(stderr, "record");
			return EX_USAGE;
		}
	}
	if (optind != argc - 1) {
		senderkey_usage(stderr, "record");
		return EX_USAGE;
	}
	if ((pk = key_load(argv[optind], 0, &why, err, sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		return why == KEY_LOAD_EFILE ? EX_NOINPUT : EX_DATAERR;
	}
	if (key_record_bytes(pk, &alg, &bytes, &f.keylen) == -1) {
		fprintf(stderr, "senderkey: %s: cannot encode this key\n",
		    argv[optind]);
		goto done;
	}
	f.alg = (enum keyrec_alg)alg;
	f.key = bytes;
	if (dkim && f.not_after != 0)
		fprintf(stderr, "senderkey: warning: a DKIM key record has no "
		    "expiry: DKIM verifiers will not see -x\n");
	text = dkim ? keyrec_dkim_encode(&f, &kerr) : keyrec_encode(&f, &kerr);
	if (text == NULL) {
		fprintf(stderr, "senderkey: %s: %s\n", argv[optind],
		    keyrec_strerror(kerr));
		goto done;
	}
	if (address != NULL)
		rc = print_rr(address, dkim ? OWNER_DKIM : OWNER_SENDERKEY,
		    ttl, text);
	else {
		printf("%s\n", text);
		rc = 0;
	}
done:
	free(text);
	free(bytes);
	EVP_PKEY_free(pk);
	return rc;
}
