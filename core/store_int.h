/*
 * store_int.h: what the files of the store module share and no other
 * module uses (core/store.h is the module's face): the error record of a
 * write, the SQL layer the rules are read and written through (store_db)
 * and its backends, the SQLite helpers of the journal file, the schema
 * steps, the audit row, the change log's reader and the snapshot's
 * layout.  Included by core/store*.c and their unit tests only.
 */
#ifndef SK_STORE_INT_H
#define SK_STORE_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* SQLite's handle, for the journal file's helpers (store_sql.c): the
   files that call SQLite include sqlite3.h themselves. */
typedef struct sqlite3 sqlite3;

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

/* ---- store_db.c: the SQL layer of the rules, two backends ---- */

/*
 * Every file of the rules side talks SQL only through struct store_db.
 * SQL is written once, in the dialect SQLite and PostgreSQL both accept
 * (INSERT ... ON CONFLICT DO NOTHING / DO UPDATE, no INSERT OR, no rowid),
 * with ?1 ?2 .. placeholders (the PostgreSQL backend rewrites them to
 * $1 $2 ..).  Arguments and results are text (integers too, in decimal);
 * NULL is SQL NULL.  Only the schema steps' DDL differs per backend.
 * Errors set F (code and one line) and are logged by nobody here.
 * (store_dbq_* are in store_dbq.c, for the one-prefix-per-file rule.)
 */
enum store_dbkind {
	STORE_DB_SQLITE,
	STORE_DB_PG,
};

#define STORE_DB_RDONLY		0x04	/* with STORE_CREATE (store.h) */

/*
 * store_db_is_pg: whether SPEC names a PostgreSQL database: it starts
 * with "postgresql://" or "postgres://", or is a libpq "service=NAME"
 * conninfo.  Anything else is an SQLite file path.
 */
int		 store_db_is_pg(const char *spec);

/*
 * store_db_open: open SPEC (a path or a PostgreSQL URI) read-write, or
 * read-only with STORE_DB_RDONLY; STORE_CREATE creates a missing SQLite
 * file (mode 0640).  PASSFILE: libpq's passfile (NULL: libpq's default).
 * SQLite writers: WAL (persistent), synchronous=FULL, busy timeout 5 s.
 * A PostgreSQL server that cannot be reached: STORE_EUNAVAIL.  A new
 * handle, or NULL with F set.
 */
struct store_db	*store_db_open(const char *spec, unsigned flags,
		    const char *passfile, struct store_fault *f);

/* store_db_close: close DB, rolling back an open transaction; NULL ok. */
void		 store_db_close(struct store_db *db);

enum store_dbkind store_db_kind(const struct store_db *db);

/*
 * store_db_begin: open a transaction.  WRITE: SQLite BEGIN IMMEDIATE
 * (waits up to 5 s for another writer); PostgreSQL BEGIN, SET LOCAL
 * lock_timeout 5 s, SELECT pg_advisory_xact_lock(STORE_PG_LOCK) (writers
 * serialised, also before the schema exists, so change-log seqs are
 * committed in seq order).  Read: SQLite BEGIN; PostgreSQL BEGIN
 * ISOLATION LEVEL REPEATABLE READ READ ONLY (one consistent snapshot).
 * 0, or -1 with F (a transaction already open: STORE_EINTERNAL).
 */
int		 store_db_begin(struct store_db *db, struct store_fault *f,
		    int write);

/* store_db_commit: commit; on failure the transaction is rolled back. */
int		 store_db_commit(struct store_db *db, struct store_fault *f);

/* store_db_rollback: roll back the open transaction, if any. */
void		 store_db_rollback(struct store_db *db);

/* store_db_exec: run SQL (no rows, no parameters; one statement or
   several); WHAT names the job in F's text.  0, or -1 with F. */
int		 store_db_exec(struct store_db *db, struct store_fault *f,
		    const char *sql, const char *what);

/*
 * store_db_run: run SQL with the NARGS texts that follow as ?1..; the
 * rows it changed (not counting triggers') are added to *CHANGES when
 * CHANGES is not NULL.  0, or -1 with F ("updating the store").
 */
int		 store_db_run(struct store_db *db, struct store_fault *f,
		    const char *sql, size_t *changes, int nargs, ...);

/*
 * store_db_int: the integer in the first column of the first row of SQL
 * (with NARGS texts as ?1..) in *OUT.  0, or -1 with F (no row, or SQL
 * NULL: STORE_ECORRUPT; write coalesce(..., 0) where NULL may come).
 */
int		 store_db_int(struct store_db *db, struct store_fault *f,
		    const char *sql, long long *out, int nargs, ...);

/*
 * store_db_query: run SQL (NARGS texts as ?1..) and return its rows, read
 * one by one with store_dbq_next (PostgreSQL: single-row mode).  NULL
 * with F on failure.  Free it before the next statement on DB.
 */
struct store_dbq *store_db_query(struct store_db *db, struct store_fault *f,
		    const char *sql, int nargs, ...);

/* store_dbq_next: 1 a row is there, 0 the end, -1 an error (the F given
   to store_db_query set). */
int		 store_dbq_next(struct store_dbq *q);

/* store_dbq_text: column COL of the current row, or NULL (SQL NULL, or
   no such column); valid until the next store_dbq_next or free. */
const char	*store_dbq_text(struct store_dbq *q, int col);

/* store_dbq_free: Q; NULL ok. */
void		 store_dbq_free(struct store_dbq *q);

/*
 * store_db_listen, store_db_fd, store_db_notified: a reader's wake-up.
 * PostgreSQL: LISTEN on the change log's channel; the connection's
 * descriptor to poll; whether a notification came since the last call
 * (1, 0; -1 with F when the server went away), read without waiting.
 * SQLite: nothing to listen to (0), no descriptor (-1), never (0).
 */
int		 store_db_listen(struct store_db *db, struct store_fault *f);
int		 store_db_fd(const struct store_db *db);
int		 store_db_notified(struct store_db *db, struct store_fault *f);

/*
 * store_db_version, store_db_set_version: the backend's schema version
 * (SQLite PRAGMA user_version; PostgreSQL the one row of table
 * schema_version, 0 when the table does not exist).  0, or -1 with F.
 */
int		 store_db_version(struct store_db *db, struct store_fault *f,
		    long long *v);
int		 store_db_set_version(struct store_db *db,
		    struct store_fault *f, long long v);

/*
 * A backend: one ops table.  ARGS: NARGS texts (NULL = SQL NULL).
 * open sets db->be; when it fails it has released what it made (close is
 * not called).  close releases db->be (rolled back by store_db first).
 * query allocates the store_dbq (it may embed it in a struct of its own)
 * and sets its ops, db, f.  step(V) is the DDL moving the schema from
 * V-1 to V (1..STORE_VERSION), NULL for another V; step 3 leaves
 * store_meta empty (store_file.c inserts its row).
 */
struct store_dbops {
	int		(*open)(struct store_db *db, const char *spec,
			    unsigned flags, const char *passfile,
			    struct store_fault *f);
	void		(*close)(struct store_db *db);
	int		(*begin)(struct store_db *db, struct store_fault *f,
			    int write);
	int		(*commit)(struct store_db *db, struct store_fault *f);
	void		(*rollback)(struct store_db *db);
	int		(*exec)(struct store_db *db, struct store_fault *f,
			    const char *sql, const char *what);
	int		(*run)(struct store_db *db, struct store_fault *f,
			    const char *sql, size_t *changes, int nargs,
			    const char *const *args);
	struct store_dbq *(*query)(struct store_db *db,
			    struct store_fault *f, const char *sql, int nargs,
			    const char *const *args);
	int		(*next)(struct store_dbq *q);
	const char	*(*text)(struct store_dbq *q, int col);
	void		(*qfree)(struct store_dbq *q);
	int		(*version)(struct store_db *db, struct store_fault *f,
			    long long *v);
	int		(*set_version)(struct store_db *db,
			    struct store_fault *f, long long v);
	const char	*(*step)(int version);
	/* a reader's wake-up: store_db_listen, _fd, _notified */
	int		(*listen)(struct store_db *db, struct store_fault *f);
	int		(*fd)(const struct store_db *db);
	int		(*notified)(struct store_db *db,
			    struct store_fault *f);
};

struct store_db {
	const struct store_dbops *ops;
	enum store_dbkind	 kind;
	void			*be;		/* the backend's connection */
	int			 in_tx;		/* store_db.c's bookkeeping */
};

struct store_dbq {
	const struct store_dbops *ops;
	struct store_db		*db;
	struct store_fault	*f;
	void			*be;		/* the backend's statement */
};

/* The most arguments a statement of the store takes. */
#define STORE_DB_MAXARGS	16

extern const struct store_dbops store_db_sqlite_ops, store_db_pg_ops;

/* ---- store_sql.c: SQLite calls shared by the backend and the journal ---- */

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
int		 store_file_migrate(struct store_db *db, struct store_fault *f);

/* ---- the change log (schema 3; specs/store.md 2.1) ---- */

#define STORE_CHANGE_DAYS	7	/* change rows kept, days */
#define STORE_DELTA_MAX		4096	/* pairs a delta reads at most:
					   the loop applies it in one go */

struct store_irow;		/* store_index.c section */
struct store_index;

/* ---- store_src.c: the rules read per pair, in full or changes ---- */

/*
 * store_pair_cb: gets each pair's rows (SENDER NULL: the recipient's
 * mode), checked (store_snap_check_pair), all rows of a pair in one call,
 * N == 0 for a pair that has none now; strings valid during the call.  A
 * nonzero return stops the read (the read returns -1).
 */
typedef int	(*store_pair_cb)(void *arg, const char *rcpt,
		    const char *sender, const struct store_irow *rows,
		    size_t n);

/*
 * store_src_full: in one read transaction, every pair of DB (recipients
 * an older senderkey stored unfolded are merged into their folded
 * mailbox's pairs: such a pair may come twice, the last call holding its
 * rows) and the change-log position of that snapshot (the
 * highest seq, or store_meta.pruned when higher; seq 0 and store_id ""
 * for a schema 1 or 2 store) in *POS.  0, or -1 with F (a bad pair:
 * STORE_ECORRUPT, and the caller drops what it got).
 */
int		 store_src_full(struct store_db *db, store_pair_cb cb,
		    void *arg, struct store_pos *pos, struct store_fault *f);

/*
 * store_src_changes: in one read transaction, the current rows of every
 * pair named by change rows after FROM (N == 0 for a pair that is gone),
 * and the new position in *TO.  Returns 0; 1 when a full read is needed
 * instead (nothing is passed to CB then): a schema 1 or 2 store, another
 * store_id, FROM->seq below store_meta.pruned, the log behind FROM, more
 * than STORE_DELTA_MAX pairs, or a changed recipient stored unfolded;
 * -1 with F.
 */
int		 store_src_changes(struct store_db *db,
		    const struct store_pos *from, store_pair_cb cb, void *arg,
		    struct store_pos *to, struct store_fault *f);

/* ---- store.c and store_reader.c: what the reader shares ---- */

/*
 * store_make: a store deciding with IDX (taken over when it returns a
 * store; on NULL, out of memory, IDX stays the caller's), DEFAULT_MODE,
 * of schema VERSION.
 */
struct store	*store_make(struct store_index *idx,
		    enum verdict_mode default_mode, int version);

/* store_get_index: S's index, to change it (its listing is dropped). */
struct store_index *store_get_index(struct store *s);

/*
 * store_reader_stream: one full read of R's store in one read
 * transaction, each pair to CB(ARG, ...), and the position it is of in
 * *POS (R continues from there).  0, or -1 (store_reader_error).
 */
int		 store_reader_stream(struct store_reader *r, store_pair_cb cb,
		    void *arg, struct store_pos *pos);

/* store_delta_new: an empty delta (store_delta_free), or NULL. */
struct store_delta *store_delta_new(void);

/*
 * store_delta_add: the store_pair_cb that fills a delta (ARG): a copy of
 * the pair's rows.  0, or -1 when memory ran out.
 */
int		 store_delta_add(void *arg, const char *rcpt,
		    const char *sender, const struct store_irow *rows,
		    size_t n);

/* store_delta_each: CB(ARG, ...) for each pair of D; -1 when CB fails. */
int		 store_delta_each(const struct store_delta *d,
		    store_pair_cb cb, void *arg);

/* ---- store_audit.c ---- */

/*
 * store_audit_append: inside the open transaction of DB, append the
 * audit row WHAT by the calling user (real uid and name), now.  0, or -1
 * with F set.
 */
int		 store_audit_append(struct store_db *db, struct store_fault *f,
		    const char *what);

/* ---- store_atoms.c: interned strings for store_index.c ---- */

#define STORE_ATOMS_CHUNK	4096	/* atoms allocated at once */
/* A slot of a hash (atoms', pairs'): an id below 2^28, 4 bits of hash. */
#define STORE_ATOMS_TAGSHIFT	28
#define STORE_ATOMS_IDMASK	0x0fffffffU
/* The old slots a change visits (and at most moves) while a hash grows. */
#define STORE_ATOMS_STEP	64

/*
 * A hash of u32 slots (an id and its tag; 0 empty), linear probing, at
 * most three quarters full, that grows by degrees: a doubling allocates
 * the new slots, and each store_atoms_slots_step moves at most
 * STORE_ATOMS_STEP of the old ones into them, from the end of a run
 * down, so nothing else moves; lookups read both while a move is on.
 * HOME(ARG, ID) is the hash of entry ID.  A position (a slot of either
 * array) is what find returns, SIZE_MAX for none.
 */
struct store_slots {
	uint32_t	 *slot, *old;	/* old: being emptied, or NULL */
	size_t		  mask, omask;	/* slots - 1 */
	size_t		  live, olive;	/* entries in slot, in old */
	size_t		  cur;		/* the old slot moved next */
	size_t		  moved;	/* entries moved, ever */
	uint64_t	(*home)(const void *arg, uint32_t id);
	const void	 *arg;
};

/* store_atoms_slots_init: T empty, MASK + 1 slots; 0, or -1 (fini it). */
int		 store_atoms_slots_init(struct store_slots *t, size_t mask,
		    uint64_t (*home)(const void *arg, uint32_t id),
		    const void *arg);

/* store_atoms_slots_fini: T's arrays freed. */
void		 store_atoms_slots_fini(struct store_slots *t);

/*
 * store_atoms_slots_reserve: room for MORE entries (a doubling begins
 * when the entries of both arrays would pass three quarters of the new
 * one's; one still going is finished first); 0, or -1 (T as it was).
 */
int		 store_atoms_slots_reserve(struct store_slots *t, size_t more);

/* store_atoms_slots_put: ID (hash H, not there yet) into T.  Reserved. */
void		 store_atoms_slots_put(struct store_slots *t, uint32_t id,
		    uint64_t h);

/*
 * store_atoms_slots_find: the position of the entry of hash H for which
 * IS(ARG, ID) holds, or SIZE_MAX.
 */
size_t		 store_atoms_slots_find(const struct store_slots *t,
		    uint64_t h, int (*is)(const void *arg, uint32_t id),
		    const void *arg);

/* store_atoms_slots_id: the id at position POS. */
uint32_t	 store_atoms_slots_id(const struct store_slots *t, size_t pos);

/* store_atoms_slots_reid: the entry at POS names ID now (same hash). */
void		 store_atoms_slots_reid(struct store_slots *t, size_t pos,
		    uint32_t id);

/* store_atoms_slots_del: the entry at POS goes (its run moves back). */
void		 store_atoms_slots_del(struct store_slots *t, size_t pos);

/* store_atoms_slots_step: at most BOUND old slots visited and moved. */
void		 store_atoms_slots_step(struct store_slots *t, size_t bound);

/* store_atoms_slots_mem: the octets of T's arrays (both while growing). */
size_t		 store_atoms_slots_mem(const struct store_slots *t);

/* The strings: an id each (u32; 0 is none), reference counted. */
struct store_atom;
struct store_atoms {
	struct store_atom **chunk;	/* STORE_ATOMS_CHUNK atoms each */
	uint32_t	  nchunks, next, free, live;
	struct store_slots h;		/* the hash of ids */
	size_t		  bytes;	/* the strings with their NULs */
};

/* store_atoms_init: A empty; 0, or -1 (no memory; fini it anyway). */
int		 store_atoms_init(struct store_atoms *a);

/* store_atoms_fini: every string and table of A freed. */
void		 store_atoms_fini(struct store_atoms *a);

/* store_atoms_find: the id of S, or 0. */
uint32_t	 store_atoms_find(const struct store_atoms *a, const char *s);

/*
 * store_atoms_reserve: room for MORE new atoms, so that as many
 * store_atoms_add cannot fail; 0, or -1 (A as it was).
 */
int		 store_atoms_reserve(struct store_atoms *a, uint32_t more);

/*
 * store_atoms_add: S (a copy A now owns; not there yet) as a new atom of
 * no references (store_atoms_ref adds them); its id.  Reserved.
 */
uint32_t	 store_atoms_add(struct store_atoms *a, char *s);

/* store_atoms_str: the string of atom ID (valid while it is there). */
const char	*store_atoms_str(const struct store_atoms *a, uint32_t id);

/* store_atoms_ref: one reference of ID more. */
void		 store_atoms_ref(struct store_atoms *a, uint32_t id);

/* store_atoms_unref: one reference of ID fewer; the last frees it. */
void		 store_atoms_unref(struct store_atoms *a, uint32_t id);

/* store_atoms_mem: the octets of A's tables (not the strings). */
size_t		 store_atoms_mem(const struct store_atoms *a);

/* store_atoms_mix: a 64-bit finaliser, for hashing ids. */
uint64_t	 store_atoms_mix(uint64_t h);

/* ---- store_index.c ---- (the rules in memory, changed a pair at a time) */

/* One row of a pair. */
struct store_irow {
	int64_t			 id;		/* mode.id or entry.id */
	enum store_rule_kind	 kind;		/* MODE iff sender is NULL */
	enum verdict_mode	 mode;		/* MODE rows */
	int			 has_pin;	/* ALLOW rows */
	unsigned char		 pin[STORE_FP_LEN];
};

struct store_index;

/* store_index_new: an empty index (caller frees), or NULL (no memory). */
struct store_index *store_index_new(void);

/* store_index_free: IDX, its pairs and strings; NULL is a no-op. */
void		 store_index_free(struct store_index *idx);

/*
 * store_index_set: ROWS (N) become every row of (RCPT, SENDER); SENDER
 * NULL: the recipient's mode.  N == 0: the pair goes.  The pair's rows
 * must already be checked (store_snap_check_pair).  The only change: a
 * full load is a set per pair, a change from the log a set per changed
 * pair; it costs time proportional to N, never to the whole index.  0,
 * or -1 (out of memory: IDX unchanged).
 */
int		 store_index_set(struct store_index *idx, const char *rcpt,
		    const char *sender, const struct store_irow *rows,
		    size_t n);

/*
 * store_index_eval: store_eval's contract (core/store.h) on IDX, with
 * DEFAULT_MODE the server's DefaultMode.  One hash lookup per string
 * (the recipient's two levels, the sender's two forms) and one per
 * pair tried.
 */
void		 store_index_eval(const struct store_index *idx,
		    enum verdict_mode default_mode, const struct addr *sender,
		    const struct addr *recipient, const char *domain,
		    struct store_result *r);

/*
 * store_index_has_entry: whether IDX holds an entry of RCPT naming
 * SENDER (NULL: 0).
 */
int		 store_index_has_entry(const struct store_index *idx,
		    const char *rcpt, const char *sender);

/* store_index_count: the rows of IDX. */
size_t		 store_index_count(const struct store_index *idx);

/*
 * What an index holds and what it costs: RULES rows in PAIRS pairs and
 * ATOMS strings; TABLE_BYTES the tables and the pairs' rows out of line
 * but for their pins (allocated sizes, not malloc's own overhead),
 * PIN_BYTES 32 a pin, STRING_BYTES the strings with their NULs.
 * MIGRATING the hashes (of atoms, of pairs) growing now, both arrays
 * counted in TABLE_BYTES; MOVED the slots their growths moved, ever.
 */
struct store_imem {
	size_t	rules, pairs, atoms, table_bytes, pin_bytes, string_bytes;
	size_t	migrating, moved;
};

/* store_index_mem: IDX's figures into *M. */
void		 store_index_mem(const struct store_index *idx,
		    struct store_imem *m);

/*
 * store_index_list: every row, modes first, then entries, sorted as
 * store_rule documents (recipient, sender, allow before deny, unpinned
 * first, pin, id), in a new array of *N (caller frees the array only:
 * the strings point into IDX, valid until the next set or free).  NULL
 * when memory ran out.
 */
struct store_rule *store_index_list(const struct store_index *idx,
		    size_t *n);

/* ---- store_snap.c: the rules a pair's rows must keep ---- */

/*
 * store_snap_check_pair: whether ROWS (N) may be every row of (RCPT,
 * SENDER), by the rules of specs/store.md 2: canonical targets; SENDER
 * NULL: at most one row, a mode; else allow and deny entries, pins only
 * on allow entries naming an address, at most STORE_MAX_PINS, pinned and
 * unpinned allow entries never together.  0, or -1 with ERR naming the
 * first bad row.  Pure.  Every reader calls it on every pair it reads:
 * one bad pair fails the whole load or change.
 */
int		 store_snap_check_pair(const char *rcpt, const char *sender,
		    const struct store_irow *rows, size_t n, char *err,
		    size_t errsz);

/*
 * store_snap_find: the index in A (N rules, sorted by recipient then
 * sender, as store_index_list gives them) of the first rule of RCPT (and
 * SENDER, when not NULL), or N.
 */
size_t		 store_snap_find(const struct store_rule *a, size_t n,
		    const char *rcpt, const char *sender);

#endif
