/*
 * cmd_fingerprint: "senderkey fingerprint KEYFILE..." prints, for each key
 * file (PEM public or private key, or OpenSSH .pub line), the SHA-256
 * fingerprint of its SubjectPublicKeyInfo as Postfix prints
 * ccert_pubkey_fingerprint, its type and size:
 *
 *   5C:87:...:DA  ed25519 256  key.pub
 *
 * Every file is tried; the exit status is 66 if some file could not be
 * read, else 65 if some file held no usable key, else 0.
 */
#include <stdio.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/key.h"
#include "cmds.h"

static int
print_one(const char *path)
{
	char err[512], fp[KEY_FP_SIZE];
	enum key_load_err why;
	EVP_PKEY *pk;

	if ((pk = key_load(path, 0, &why, err, sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		return why == KEY_LOAD_EFILE ? EX_NOINPUT : EX_DATAERR;
	}
	if (key_fingerprint(pk, fp, sizeof(fp)) == -1) {
		fprintf(stderr, "senderkey: %s: cannot compute the "
		    "fingerprint\n", path);
		EVP_PKEY_free(pk);
		return EX_SOFTWARE;
	}
	printf("%s  %s %u  %s\n", fp, key_type_name(pk), key_bits(pk), path);
	EVP_PKEY_free(pk);
	return 0;
}

int
cmd_fingerprint(int argc, char **argv)
{
	int ch, i, r, rc = 0;

	while ((ch = getopt(argc, argv, "")) != -1) {
		switch (ch) {
		default:
			senderkey_usage(stderr, "fingerprint");
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		senderkey_usage(stderr, "fingerprint");
		return EX_USAGE;
	}
	for (i = optind; i < argc; i++) {
		r = print_one(argv[i]);
		/* Keep the gravest: 70, then 66, then 65. */
		if (r == EX_SOFTWARE ||
		    (r == EX_NOINPUT && rc != EX_SOFTWARE) ||
		    (r == EX_DATAERR && rc == 0))
			rc = r;
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("senderkey: stdout");
		return EX_IOERR;
	}
	return rc;
}
