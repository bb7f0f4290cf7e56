/*
 * store_int.h: what the files of the store module share and no other
 * module uses (core/store.h is the module's face): the error record of a
 * write, the SQLite helpers, the schema steps, the audit row and the
 * snapshot's layout.  Included by core/store*.c and their unit tests only.
 */
#ifndef SK_STORE_INT_H
#define SK_STORE_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store.h"

/* The last error of a write: its kind and one line of text. */
struct store_fault {
	enum store_err	 code;
	char		 text[STORE_ERR_MAX];
};

/* The journal file's handle (store_journal.c, store_uentry.c). */
struct store_journal {
	sqlite3			*db;
	int			 rdonly;
	int			 version;	/* the file's schema */
	uint64_t		 rcpt_max;	/* 0: no bound per recipient */
	struct store_fault	 f;
};

/* ---- store_sql.c: SQLite calls shared by the reader and the writer ---- */

/* store_sql_errcode: an SQLite result code as a store_err. */
enum store_err	 store_sql_errcode(int rc);

/*
 * store_sql_fault: record in F SQLite's error RC of DB while doing WHAT
 * ("WHAT: message"; a full disk says so); returns -1.
 */
int		 store_sql_fault(struct store_fault *f, sqlite3 *db, int rc,
		    const char *what);

/* store_sql_refuse: record CODE and the text FMT in F; returns -1. */
int		 store_sql_refuse(struct store_fault *f, enum store_err code,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * store_sql_create: a new, empty file PATH (a store or a journal) of mode
 * 0640 whatever the umask, never through a symlink; 0, or -1 with F
 * (STORE_ECREATE) and nothing left behind.
 */
int		 store_sql_create(struct store_fault *f, const char *path);

/* store_sql_exec: run SQL (no rows, no parameters); 0, or -1 with F. */
int		 store_sql_exec(sqlite3 *db, struct store_fault *f,
		    const char *sql, const char *what);

/*
 * store_sql_run: prepare SQL, bind the NARGS texts that follow (NULL: SQL
 * NULL) as ?1.., step to the end, and add the rows changed to *CHANGES
 * (when not NULL).  0, or -1 with F set ("updating the store").
 */
int		 store_sql_run(sqlite3 *db, struct store_fault *f,
		    const char *sql, size_t *changes, int nargs, ...);

/*
 * store_sql_int: the integer in the first column of the first row of SQL
 * (a PRAGMA, a count), with the NARGS texts that follow bound as ?1..,
 * in *OUT.  Returns SQLITE_OK, or the SQLite error (DB's message says
 * more).
 */
int		 store_sql_int(sqlite3 *db, const char *sql, long long *out,
		    int nargs, ...);

/* ---- store_file.c: the schema ---- */

/*
 * store_file_readable: 0 when the reader can use a store of schema
 * version V (it never migrates), else -1 with ERR saying why.
 */
int		 store_file_readable(long long v, char *err, size_t errsz);

/*
 * store_file_migrate: in one transaction of its own, bring the schema of
 * DB to STORE_VERSION, step by step, and move the rules of recipients an
 * older senderkey did not case-fold to their mailbox (one audit row
 * each).  0, or -1 with F set and nothing changed.
 */
int		 store_file_migrate(sqlite3 *db, struct store_fault *f);

/* ---- store_audit.c ---- */

/*
 * store_audit_append: inside the open transaction of DB, append the
 * audit row WHAT by the calling user (real uid and name), now.  0, or -1
 * with F set.
 */
int		 store_audit_append(sqlite3 *db, struct store_fault *f,
		    const char *what);

/* ---- store_snap.c: a snapshot of the rules ---- */

struct store_snap {
	struct store_rule	*modes;		/* sorted by recipient */
	size_t			 nmodes;
	struct store_rule	*entries;	/* by recipient, sender */
	size_t			 nentries;
	/*
	 * The domains with a restrictive rule (a deny mode, a deny entry or
	 * a pin, at the domain or at any of its addresses), sorted and
	 * unique: a recipient that cannot be put into its mailbox form gets
	 * the strictest outcome when its domain is here (verdicts.md 4.2).
	 */
	char			**strict;
	size_t			 nstrict;
};

/*
 * store_snap_load: every rule of DB, read in one read transaction and
 * checked (a store whose rules cannot be trusted is refused), into a new
 * snapshot.  *VERSION gets the schema version, *DATA_VERSION the PRAGMA
 * data_version the snapshot is of.  NULL with ERR set on failure.
 */
struct store_snap *store_snap_load(sqlite3 *db, int *version,
		    long long *data_version, char *err, size_t errsz);

/* store_snap_free: SN and its strings; NULL is a no-op. */
void		 store_snap_free(struct store_snap *sn);

/*
 * store_snap_find: the index in A (N rules, sorted by recipient then
 * sender) of the first rule of RCPT (and SENDER, when not NULL), or N.
 */
size_t		 store_snap_find(const struct store_rule *a, size_t n,
		    const char *rcpt, const char *sender);

/*
 * store_snap_strict: whether DOMAIN has a restrictive rule; DOMAIN ""
 * or NULL (unknown): whether any domain has.
 */
int		 store_snap_strict(const struct store_snap *sn,
		    const char *domain);

#endif
