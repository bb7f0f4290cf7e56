/*
 * pgpmin: a test tool for lib/pgp.  "pgpmin KEYFILE ADDRESS" prints, as
 * lower-case hex on one line, the key in KEYFILE reduced for ADDRESS by
 * pgp_key_minimal_for (what gpg's export-dane prints as TYPE61 RDATA).
 * "pgpmin -l KEYFILE" prints the fingerprint, then each user ID's
 * mailbox (or "-").  Exit 1 with a message on stderr on any error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pgp.h"

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	unsigned char *buf;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if ((buf = malloc(PGP_KEY_MAX + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, PGP_KEY_MAX + 1, f);
	fclose(f);
	*len = n;
	return buf;
}

int
main(int argc, char **argv)
{
	struct pgp_key *k;
	unsigned char *buf, *out = NULL;
	size_t len = 0, outlen = 0, i;
	char err[256];
	int list;

	list = argc == 3 && strcmp(argv[1], "-l") == 0;
	if (argc != 3) {
		fprintf(stderr, "usage: pgpmin KEYFILE ADDRESS | -l KEYFILE\n");
		return 2;
	}
	if ((buf = slurp(argv[list ? 2 : 1], &len)) == NULL) {
		perror(argv[list ? 2 : 1]);
		return 1;
	}
	k = pgp_key_parse(buf, len, err, sizeof(err));
	free(buf);
	if (k == NULL) {
		fprintf(stderr, "pgpmin: %s\n", err);
		return 1;
	}
	if (list) {
		printf("%s\n", pgp_key_fingerprint_hex(k));
		for (i = 0; i < pgp_key_uid_count(k); i++) {
			const char *m = pgp_key_uid_mbox(k, i);

			printf("%s\n", m != NULL ? m : "-");
		}
	} else if (pgp_key_minimal_at(k, argv[2], time(NULL), &out, &outlen,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, "pgpmin: %s\n", err);
		pgp_key_free(k);
		return 1;
	} else {
		for (i = 0; i < outlen; i++)
			printf("%02x", out[i]);
		putchar('\n');
		free(out);
	}
	pgp_key_free(k);
	return 0;
}
