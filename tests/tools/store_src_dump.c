/*
 * store_src_dump: what senderkeyd's reader gets from a store through
 * store_src (tests/integration/64-pg-store.sh, on PostgreSQL and on a
 * file alike): every pair in full, or the pairs changed after a
 * position, one line each, then the position.
 *
 *   store_src_dump SPEC                   store_src_full
 *   store_src_dump SPEC STORE_ID SEQ      store_src_changes from there
 *
 * A pair's line: "pair RECIPIENT SENDER ROWS" (SENDER "-" for the mode),
 * ROWS "mode=allow|deny", "allow", "allow+pin", "deny" for each row, or
 * "gone" for a pair without rows; the last line "pos STORE_ID SEQ"
 * (STORE_ID "-" when empty), or "full" when store_src_changes asks for a
 * full read.  Exit 0, or 1 with the error on stderr.  Opened read-only;
 * the password: libpq's PGPASSFILE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store_int.h"
#include "core/verdict.h"

static int
pair(void *arg, const char *rcpt, const char *sender,
    const struct store_irow *rows, size_t n)
{
	size_t i;

	(void)arg;
	printf("pair %s %s", rcpt, sender != NULL ? sender : "-");
	if (n == 0)
		printf(" gone");
	for (i = 0; i < n; i++) {
		if (rows[i].kind == STORE_RULE_MODE)
			printf(" mode=%s", verdict_mode_name(rows[i].mode));
		else
			printf(" %s%s", rows[i].kind == STORE_RULE_ALLOW ?
			    "allow" : "deny", rows[i].has_pin ? "+pin" : "");
	}
	putchar('\n');
	return 0;
}

int
main(int argc, char **argv)
{
	struct store_fault f = { STORE_OK, "" };
	struct store_pos from, to;
	struct store_db *db;
	int rc;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: store_src_dump SPEC [STORE_ID SEQ]\n");
		return 64;
	}
	if ((db = store_db_open(argv[1], STORE_DB_RDONLY, NULL, &f)) == NULL)
		goto fail;
	memset(&to, 0, sizeof(to));
	if (argc == 2)
		rc = store_src_full(db, pair, NULL, &to, &f);
	else {
		memset(&from, 0, sizeof(from));
		snprintf(from.store_id, sizeof(from.store_id), "%s",
		    strcmp(argv[2], "-") == 0 ? "" : argv[2]);
		from.seq = strtoll(argv[3], NULL, 10);
		rc = store_src_changes(db, &from, pair, NULL, &to, &f);
	}
	if (rc == -1)
		goto fail;
	if (rc == 1)
		printf("full\n");
	else
		printf("pos %s %lld\n", to.store_id[0] != '\0' ? to.store_id :
		    "-", (long long)to.seq);
	store_db_close(db);
	return 0;
fail:
	fprintf(stderr, "store_src_dump: %s: %s\n", store_errname(f.code),
	    f.text);
	store_db_close(db);
	return 1;
}
