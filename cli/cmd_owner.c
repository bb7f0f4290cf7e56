/*
 * cmd_owner: "senderkey owner [-s] ADDRESS..." prints the DNS names under
 * which each address's sender key and OpenPGP key are published.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/owner.h"
#include "cmds.h"

static int
print_one(const char *in, int shortform, int first)
{
	char sk[OWNER_NAME_MAX], pgp[OWNER_NAME_MAX], asis[OWNER_NAME_MAX];
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
	    asis, sizeof(asis)) == -1) {
		fprintf(stderr, "senderkey: %s: owner name longer than 253 "
		    "octets\n", in);
		addr_free(a);
		return EX_DATAERR;
	}
	if (shortform)
		printf("%s\n", sk);
	else {
		if (!first)
			putchar('\n');
		printf("address     %s\n", addr_canon(a));
		printf("senderkey   %s\n", sk);
		printf("openpgpkey  %s\n", pgp);
		if (strcmp(pgp, asis) != 0)
			printf("openpgpkey  %s  (local part as written, "
			    "RFC 7929)\n", asis);
	}
	addr_free(a);
	return 0;
}

int
cmd_owner(int argc, char **argv)
{
	int ch, i, rc = 0, shortform = 0;

	while ((ch = getopt(argc, argv, "s")) != -1) {
		switch (ch) {
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
		int r = print_one(argv[i], shortform, i == optind);

		if (r != 0)
			rc = r;
	}
	return rc;
}
