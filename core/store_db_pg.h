/*
 * store_db_pg.h: what the PostgreSQL backend of store_db exports besides
 * its ops table (store_db_pg_ops, declared in store_int.h): the pure
 * rewriting of the store's placeholders and the mapping of PostgreSQL's
 * errors, for its unit test, and the writers' lock.  Included by
 * core/store_db_pg.c and tests/unit/test_store_db_pg.c only.
 */
#ifndef SK_STORE_DB_PG_H
#define SK_STORE_DB_PG_H

#include <stdint.h>

#include "store.h"

/* The advisory lock every writer of a store on PostgreSQL takes for its
   whole transaction ("sk" "store" in ASCII, a fixed 64-bit key). */
#define STORE_PG_LOCK	INT64_C(0x736b73746f726501)

/* The channel every committed change of the store notifies. */
#define STORE_PG_CHANNEL	"senderkey_store"

struct store_db;
struct store_fault;

/*
 * store_db_pg_listen: LISTEN on STORE_PG_CHANNEL on DB (a PostgreSQL
 * store, outside a transaction): from now on every committed change of
 * the store makes DB's descriptor readable.  0, or -1 with F.
 */
int		 store_db_pg_listen(struct store_db *db, struct store_fault *f);

/* store_db_pg_fd: the descriptor of DB's connection, to poll for
   notifications (-1 without a connection). */
int		 store_db_pg_fd(const struct store_db *db);

/*
 * store_db_pg_notified: read what the server sent on DB without waiting,
 * and drop the notifications among it: 1 when there was one, 0 when not,
 * -1 with F when the connection is lost (STORE_EUNAVAIL).
 */
int		 store_db_pg_notified(struct store_db *db,
		    struct store_fault *f);

/*
 * store_db_pg_placeholders: SQL with every placeholder ?N (a '?' followed
 * by decimal digits) written as PostgreSQL's $N, in a new string of the
 * same length that the caller frees.  A '?' inside a string literal
 * ('..', E'..' with its backslash escapes), a quoted identifier (".."),
 * a dollar-quoted body ($tag$..$tag$) or a comment (-- to the end of the
 * line, nested slash-star) is left alone, and so is a '?' without digits.
 * NULL when out of memory.
 */
char		*store_db_pg_placeholders(const char *sql);

/*
 * store_db_pg_errcode: the store_err of the SQLSTATE STATE (five
 * characters): a connection failure or a server shutting down
 * STORE_EUNAVAIL, a lock not had in time or a serialisation failure
 * STORE_EBUSY, a constraint or data error STORE_EDATA, a missing
 * privilege or a read-only transaction STORE_EPERM, corruption
 * STORE_ECORRUPT, a full disk (53100) and everything else STORE_EIO.
 */
enum store_err	 store_db_pg_errcode(const char *state);

#endif
