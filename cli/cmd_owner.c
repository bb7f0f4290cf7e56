/*
 * cmd_owner: "senderkey owner [-s] [--dkim] ADDRESS..." prints the DNS
 * names under which each address's sender key and OpenPGP key are
 * published, and with --dkim its DKIM selector and DKIM owner name (the
 * DKIM bridge, record-format.md 2.3).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/owner.h"
#include "cmds.h"

static int
print_one(const char *in, int shortform, int dkim, int first)
{
	char sk[OWNER_NAME_MAX], pgp[OWNER_NAME_MAX], asis[OWNER_NAME_MAX];
	char dk[OWNER_NAME_MAX], sel[OWNER_DKIM_SEL_LEN + 1];
	struct addr *a;
	enum addr_err err;
	size_t pos;

	if ((a = addr_parse(in, &err, &pos)) == NULL) {
		fprintf(stderr, "senderkey: %s: at octet %zu: %s\n", in, pos + 1,
		    addr_strerror(err));
		return EX_DATAERR;
	}
	if (owner_name(a, OWNER_SENDERKEY, sk, sizeof(sk)) == -1 ||
	    owner_name(a, OWNER_OPENPGPKEY, pgp, sizeof(pgp)) == -1 ||
	    owner_name_local(addr_local(a), addr_domain(a), OWNER_OPENPGPKEY,
	    asis, sizeof(asis)) == -1 ||
	    (dkim && owner_name(a, OWNER_DKIM, dk, sizeof(dk)) == -1)) {
		fprintf(stderr, "senderkey: %s: owner name longer than 253 "
		    "octets\n", in);
		addr_free(a);
		return EX_DATAERR;
	}
	if (dkim)
		owner_dkim_selector(addr_canon_local(a),
		    strlen(addr_canon_local(a)), sel);
	if (shortform)
		printf("%s\n", dkim ? dk : sk);
	else {
		if (!first)
			putchar('\n');
		printf("address     %s\n", addr_canon(a));
		printf("senderkey   %s\n", sk);
		printf("openpgpkey  %s\n", pgp);
		if (strcmp(pgp, asis) != 0)
			printf("openpgpkey  %s  (local part as written, "
			    "RFC 7929)\n", asis);
		if (dkim) {
			printf("selector    %s\n", sel);
			printf("dkim        %s\n", dk);
		}
	}
	addr_free(a);
	return 0;
}

int
cmd_owner(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dkim", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, i, rc = 0, shortform = 0, dkim = 0;

	while ((ch = getopt_long(argc, argv, "s", opts, NULL)) != -1) {
		switch (ch) {
		case 'D':
			dkim = 1;
			break;
		case 's':
			shortform = 1;
			break;
		default:
			senderkey_usage(stderr, "owner");
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		senderkey_usage(stderr, "owner");
		return EX_USAGE;
	}
	for (i = optind; i < argc; i++) {
		int r = print_one(argv[i], shortform, dkim, i == optind);

		if (r != 0)
			rc = r;
	}
	return rc;
}
