/*
 * store_pg_listen: the store's own notification path on PostgreSQL, as
 * senderkeyd's reader uses it (tests/integration/64-pg-store.sh only):
 * open SPEC read-only through store_db, LISTEN (store_db_pg_listen),
 * print "listening", then wait on the connection's descriptor
 * (store_db_pg_fd) for at most SECS seconds and print "notified" when
 * store_db_pg_notified says a notification came (exit 0), "timeout"
 * (exit 1), or the error (exit 2).  The password: libpq's PGPASSFILE.
 *
 *   store_pg_listen SPEC SECS
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/store_int.h"
#include "core/store_db_pg.h"

int
main(int argc, char **argv)
{
	struct store_fault f = { STORE_OK, "" };
	struct store_db *db;
	struct pollfd pfd;
	time_t end;
	int rc = 2, n;

	if (argc != 3) {
		fprintf(stderr, "usage: store_pg_listen SPEC SECS\n");
		return 64;
	}
	if ((db = store_db_open(argv[1], STORE_DB_RDONLY, NULL, &f)) == NULL ||
	    store_db_pg_listen(db, &f) == -1)
		goto fail;
	printf("listening\n");
	fflush(stdout);
	end = time(NULL) + atoi(argv[2]);
	while (time(NULL) < end) {
		pfd.fd = store_db_pg_fd(db);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) < 0)
			continue;
		if ((n = store_db_pg_notified(db, &f)) == -1)
			goto fail;
		if (n == 1) {
			printf("notified\n");
			store_db_close(db);
			return 0;
		}
	}
	printf("timeout\n");
	store_db_close(db);
	return 1;
fail:
	printf("error %s: %s\n", store_errname(f.code), f.text);
	store_db_close(db);
	return rc;
}
