/*
 * cmd_keygen: "senderkey keygen [-a ALG] [-o DIR] [--force] ADDRESS..."
 * makes a key pair per sender, stores DIR/ADDRESS.private (0600) and
 * DIR/ADDRESS.pub (DIR made with mode 0700 when missing), and prints the
 * record to publish, as a zone file line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "lib/addr.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "lib/owner.h"
#include "lib/txt.h"
#include "zonegen/keygen.h"
#include "cmds.h"

/* record_line: the zone file line publishing PK for A; malloc'd. */
static char *
record_line(const struct addr *a, const EVP_PKEY *pk)
{
	struct keyrec_fields f;
	unsigned char *bytes = NULL;
	char owner[OWNER_NAME_MAX], *text = NULL, *line = NULL;
	ldns_rr *rr = NULL;
	int alg;

	memset(&f, 0, sizeof(f));
	if (owner_name(a, OWNER_SENDERKEY, owner, sizeof(owner)) == -1 ||
	    key_record_bytes(pk, &alg, &bytes, &f.keylen) == -1)
		goto done;
	f.alg = (enum keyrec_alg)alg;
	f.key = bytes;
	if ((text = keyrec_encode(&f, NULL)) == NULL)
		goto done;
	if ((rr = txt_rr_new(owner, 3600, text, strlen(text))) == NULL)
		goto done;
	line = ldns_rr2str(rr);
done:
	ldns_rr_free(rr);
	free(text);
	free(bytes);
	return line;
}

static int
one(const char *in, const char *dir, enum keygen_alg alg, int force)
{
	struct addr *a;
	enum addr_err aerr;
	EVP_PKEY *pk = NULL;
	char err[512], *line = NULL;
	size_t pos;
	int rc = EX_CANTCREAT;

	if ((a = addr_parse(in, &aerr, &pos)) == NULL) {
		fprintf(stderr, "senderkey: %s: at octet %zu: %s\n", in, pos + 1,
		    addr_strerror(aerr));
		return EX_DATAERR;
	}
	if ((pk = keygen_generate(alg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		rc = EX_SOFTWARE;
		goto done;
	}
	if ((line = record_line(a, pk)) == NULL) {
		fprintf(stderr, "senderkey: %s: cannot build the record\n", in);
		rc = EX_SOFTWARE;
		goto done;
	}
	if (keygen_write(dir, addr_canon(a), pk, force, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "senderkey: %s\n", err);
		goto done;
	}
	printf("; %s: %s/%s.private (%s)\n%s", addr_canon(a), dir,
	    addr_canon(a), keygen_alg_name(alg), line);
	rc = 0;
done:
	free(line);
	EVP_PKEY_free(pk);
	addr_free(a);
	return rc;
}

int
cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	enum keygen_alg alg = KEYGEN_ED25519;
	const char *dir = ".";
	char err[512];
	int ch, i, rc = 0, force = 0;

	while ((ch = getopt_long(argc, argv, "a:o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			if (keygen_alg_parse(optarg, &alg) == -1) {
				fprintf(stderr, "senderkey: -a %s: expected "
				    "ed25519, rsa2048, rsa3072 or rsa4096\n",
				    optarg);
				return EX_USAGE;
			}
			break;
		case 'o':
			dir = optarg;
			break;
		case 'F':
			force = 1;
			break;
		default:
			senderkey_usage(stderr, "keygen");
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		senderkey_usage(stderr, "keygen");
		return EX_USAGE;
	}
	if (keygen_make_dir(dir, err, sizeof(err)) == -1) {
		fprintf(stderr, "senderkey: %s\n", err);
		return EX_CANTCREAT;
	}
	for (i = optind; i < argc; i++) {
		int r = one(argv[i], dir, alg, force);

		if (r != 0)
			rc = r;
	}
	return rc;
}
