/*
 * test_store_db_pg: the pure parts of core/store_db_pg.c, the PostgreSQL
 * backend of store_db: the store's ?N placeholders become $N everywhere
 * SQL has them and nowhere else (string literals, E'' strings with
 * backslash escapes, quoted identifiers, dollar-quoted bodies, comments,
 * a '?' without digits); and each SQLSTATE class the store meets maps to
 * the store_err the CLI's exit status comes from (an outage is
 * STORE_EUNAVAIL, 75, never a permanent error).  The backend against a
 * live server: tests/integration/64-pg-store.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store_int.h"
#include "core/store_db_pg.h"
#include "t.h"

static void
check(const char *in, const char *want)
{
	char *got = store_db_pg_placeholders(in);

	T_STREQ(got, want, "placeholders: %s", in);
	free(got);
}

static void
test_placeholders(void)
{
	check("", "");
	check("SELECT 1", "SELECT 1");
	check("DELETE FROM entry WHERE recipient = ?1 AND sender = ?2",
	    "DELETE FROM entry WHERE recipient = $1 AND sender = $2");
	check("VALUES (?10,?2)", "VALUES ($10,$2)");
	check("?1", "$1");
	/* not a placeholder: no digits, or inside something quoted */
	check("SELECT '?1', ?1", "SELECT '?1', $1");
	check("SELECT 'it''s ?1', ?2", "SELECT 'it''s ?1', $2");
	check("SELECT E'a\\' ?1', ?2", "SELECT E'a\\' ?1', $2");
	check("SELECT '\\', ?1", "SELECT '\\', $1");	/* '' ends at \\' */
	check("SELECT \"?1\" FROM t WHERE a = ?1",
	    "SELECT \"?1\" FROM t WHERE a = $1");
	check("SELECT \"a\"\"?1\", ?3", "SELECT \"a\"\"?1\", $3");
	check("SELECT $$ ?1 $$, ?1", "SELECT $$ ?1 $$, $1");
	check("SELECT $f$ ?1 $$ ?2 $f$, ?3", "SELECT $f$ ?1 $$ ?2 $f$, $3");
	check("SELECT a$b, ?1", "SELECT a$b, $1");	/* no quote: ident */
	check("SELECT 1 -- ?1\n, ?2", "SELECT 1 -- ?1\n, $2");
	check("SELECT /* ?1 /* ?2 */ ?3 */ ?4",
	    "SELECT /* ?1 /* ?2 */ ?3 */ $4");
	check("SELECT data ? 'k', ?1", "SELECT data ? 'k', $1");
	check("SELECT ?", "SELECT ?");
	/* unterminated: nothing after the opening is touched */
	check("SELECT '?1", "SELECT '?1");
	check("SELECT $x$ ?1", "SELECT $x$ ?1");
	check("SELECT /* ?1", "SELECT /* ?1");
}

static void
test_errcode(void)
{
	static const struct {
		const char	*state;
		enum store_err	 want;
	} c[] = {
		{ "08006", STORE_EUNAVAIL },	/* connection failure */
		{ "08001", STORE_EUNAVAIL },
		{ "57P01", STORE_EUNAVAIL },	/* admin shutdown */
		{ "57P02", STORE_EUNAVAIL },
		{ "57P03", STORE_EUNAVAIL },	/* starting up */
		{ "55P03", STORE_EBUSY },	/* lock_timeout */
		{ "57014", STORE_EBUSY },	/* statement timeout */
		{ "40001", STORE_EBUSY },
		{ "40P01", STORE_EBUSY },
		{ "23505", STORE_EDATA },	/* unique violation */
		{ "23514", STORE_EDATA },	/* check violation */
		{ "22001", STORE_EDATA },
		{ "42501", STORE_EPERM },	/* insufficient privilege */
		{ "25006", STORE_EPERM },	/* read-only transaction */
		{ "28P01", STORE_EPERM },	/* bad password */
		{ "XX001", STORE_ECORRUPT },
		{ "53100", STORE_EIO },		/* disk full */
		{ "53200", STORE_EIO },		/* out of memory */
		{ "58030", STORE_EIO },		/* io error */
		{ "42P01", STORE_EIO },		/* no such table */
		{ "XX000", STORE_EIO },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		T_INTEQ(store_db_pg_errcode(c[i].state), c[i].want,
		    "SQLSTATE %s is %s", c[i].state, store_errname(c[i].want));
}

int
main(void)
{
	test_placeholders();
	test_errcode();
	return t_done();
}
