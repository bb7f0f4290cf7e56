/*
 * pqlib.h: libpq, loaded when a PostgreSQL store is first opened rather
 * than linked into every program.  libpq brings about twenty libraries
 * (Kerberos, LDAP, GnuTLS, ...) that the dynamic loader maps and
 * relocates at every start of every program, while only a store named
 * "postgresql:..." needs it: a one-shot "senderkey query" paid for them
 * in every process.  Included by core/store_db_pg.c and pqlib.c only.
 *
 * store_db_pg.c calls libpq by its own names (PQexec, ...): with
 * PQLIB_CALLS defined before this header, each name becomes the entry of
 * the loaded table.  pqlib_load must have succeeded first.
 */
#ifndef SK_PQLIB_H
#define SK_PQLIB_H

#include <stddef.h>

#include <libpq-fe.h>

/* The soname loaded: the one Debian's libpq5 ships. */
#define PQLIB_SONAME	"libpq.so.5"

/* Every libpq function the store calls. */
#define PQLIB_FUNCS(X)							\
	X(PQclear) X(PQcmdStatus) X(PQcmdTuples) X(PQconnectdbParams)	\
	X(PQconnectionNeedsPassword) X(PQconnectionUsedPassword)	\
	X(PQconsumeInput) X(PQerrorMessage) X(PQexec) X(PQexecParams)	\
	X(PQfinish) X(PQfreemem) X(PQftype) X(PQgetResult)		\
	X(PQgetisnull) X(PQgetvalue) X(PQnfields) X(PQnotifies)	\
	X(PQntuples) X(PQresultErrorField) X(PQresultStatus)		\
	X(PQsendQueryParams) X(PQsetNoticeProcessor)			\
	X(PQsetSingleRowMode) X(PQsocket) X(PQstatus)			\
	X(PQtransactionStatus)

/* The table: one pointer per function, of the function's own type. */
struct pqlib {
#define PQLIB_MEMBER(f)	__typeof__(f) *f;
	PQLIB_FUNCS(PQLIB_MEMBER)
#undef PQLIB_MEMBER
};

/*
 * pqlib_load: load libpq (PQLIB_SONAME) and every function of
 * PQLIB_FUNCS, once per process (thread-safe; later calls only report
 * the first outcome).  0, or -1 with ERR (the loader's reason) when the
 * library or one of its functions is missing.
 */
int		 pqlib_load(char *err, size_t errsz);

/* pqlib_get: the table pqlib_load filled (only after it returned 0). */
const struct pqlib *pqlib_get(void);

#ifdef PQLIB_CALLS
#define PQclear			(pqlib_get()->PQclear)
#define PQcmdStatus		(pqlib_get()->PQcmdStatus)
#define PQcmdTuples		(pqlib_get()->PQcmdTuples)
#define PQconnectdbParams	(pqlib_get()->PQconnectdbParams)
#define PQconnectionNeedsPassword (pqlib_get()->PQconnectionNeedsPassword)
#define PQconnectionUsedPassword (pqlib_get()->PQconnectionUsedPassword)
#define PQconsumeInput		(pqlib_get()->PQconsumeInput)
#define PQerrorMessage		(pqlib_get()->PQerrorMessage)
#define PQexec			(pqlib_get()->PQexec)
#define PQexecParams		(pqlib_get()->PQexecParams)
#define PQfinish		(pqlib_get()->PQfinish)
#define PQfreemem		(pqlib_get()->PQfreemem)
#define PQftype			(pqlib_get()->PQftype)
#define PQgetResult		(pqlib_get()->PQgetResult)
#define PQgetisnull		(pqlib_get()->PQgetisnull)
#define PQgetvalue		(pqlib_get()->PQgetvalue)
#define PQnfields		(pqlib_get()->PQnfields)
#define PQnotifies		(pqlib_get()->PQnotifies)
#define PQntuples		(pqlib_get()->PQntuples)
#define PQresultErrorField	(pqlib_get()->PQresultErrorField)
#define PQresultStatus		(pqlib_get()->PQresultStatus)
#define PQsendQueryParams	(pqlib_get()->PQsendQueryParams)
#define PQsetNoticeProcessor	(pqlib_get()->PQsetNoticeProcessor)
#define PQsetSingleRowMode	(pqlib_get()->PQsetSingleRowMode)
#define PQsocket		(pqlib_get()->PQsocket)
#define PQstatus		(pqlib_get()->PQstatus)
#define PQtransactionStatus	(pqlib_get()->PQtransactionStatus)
#endif

#endif
