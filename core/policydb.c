/*
 * policydb.c: the write side of the recipient policy store: the SQLite
 * schema and its migrations (specs/store.md section 2), permission checks,
 * and the changes the CLI makes, each inside one transaction with its
 * audit row.  Not here: reading the rules for decisions (core/store.c)
 * or printing them (cli/cmd_policy.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "lib/addr.h"
#include "lib/errstr.h"
#include "lib/key.h"
#include "lib/rcpt.h"
#include "policydb.h"

#define BUSY_TIMEOUT_MS	5000

struct policydb {
	sqlite3			*db;
	int			 in_tx;
	enum policydb_err	 code;
	char			 err[POLICYDB_ERR_MAX];
};

/*
 * The schema, one step per version: step I moves user_version I to I+1.
 * A fresh store runs every step.  Never edit a step that has shipped; add
 * one.
 */
static const char *const migrations[POLICYDB_VERSION] = {
	/* 0 -> 1: modes and entries */
	"CREATE TABLE mode ("
	"  id INTEGER PRIMARY KEY,"
	"  recipient TEXT NOT NULL UNIQUE,"
	"  mode TEXT NOT NULL CHECK (mode IN ('allow', 'deny')));"
	"CREATE TABLE entry ("
	"  id INTEGER PRIMARY KEY,"
	"  recipient TEXT NOT NULL,"
	"  action TEXT NOT NULL CHECK (action IN ('allow', 'deny')),"
	"  sender TEXT NOT NULL,"
	"  pin TEXT NOT NULL DEFAULT '' CHECK (pin = '' OR length(pin) = 64),"
	"  UNIQUE (recipient, sender, action, pin));",
	/* 1 -> 2: change times and the audit trail */
	"ALTER TABLE mode ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE entry ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  user TEXT NOT NULL,"
	"  what TEXT NOT NULL);",
};

/* classify: an SQLite result code as a policydb_err. */
static enum policydb_err
classify(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
		return POLICYDB_EIO;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
	case SQLITE_CANTOPEN:
		return POLICYDB_EPERM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_SCHEMA:
		return POLICYDB_ECORRUPT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return POLICYDB_EBUSY;
	case SQLITE_CONSTRAINT:
	case SQLITE_TOOBIG:
		return POLICYDB_EDATA;
	default:
		return POLICYDB_EINTERNAL;
	}
}

/* dberr: record SQLite's error for RC while doing WHAT; returns -1. */
static int
dberr(struct policydb *p, int rc, const char *what)
{
	p->code = classify(rc);
	snprintf(p->err, sizeof(p->err), "%s: %s%s", what,
	    rc == SQLITE_FULL ? "" : sqlite3_errmsg(p->db),
	    rc == SQLITE_FULL ? "disk full (database or disk is full)" : "");
	return -1;
}

static int
fail(struct policydb *p, enum policydb_err code, const char *msg)
{
	p->code = code;
	snprintf(p->err, sizeof(p->err), "%s", msg);
	return -1;
}

/*
 * put_canon: A's canonical address into OUT (POLICYDB_TARGET_MAX octets),
 * A freed; -1 with ERR naming IN when it does not fit.
 */
static int
put_canon(struct addr *a, const char *in, char *out, char *err,
    size_t errsz)
{
	if (strlen(addr_canon(a)) + 1 > POLICYDB_TARGET_MAX) {
		addr_free(a);
		errstr_set(err, errsz, "%s: address too long", in);
		return -1;
	}
	snprintf(out, POLICYDB_TARGET_MAX, "%s", addr_canon(a));
	addr_free(a);
	return 0;
}

int
policydb_canon(const char *in, char *out, char *err, size_t errsz)
{
	enum addr_err ae = ADDR_OK;
	struct addr *a = NULL;
	char *dom;
	size_t pos = 0;

	if (in[0] == '*' && in[1] == '@') {
		if ((dom = addr_domain_parse(in + 2, &ae)) == NULL) {
			errstr_set(err, errsz, "%s: bad domain: %s", in,
			    addr_strerror(ae));
			return -1;
		}
		if (strlen(dom) + 3 > POLICYDB_TARGET_MAX) {
			free(dom);
			errstr_set(err, errsz, "%s: domain too long", in);
			return -1;
		}
		snprintf(out, POLICYDB_TARGET_MAX, "*@%s", dom);
		free(dom);
		return POLICYDB_T_DOMAIN;
	}
	if ((a = addr_parse(in, &ae, &pos)) == NULL) {
		errstr_set(err, errsz,
		    "%s: at octet %zu: %s (expected an address "
		    "or *@domain)", in, pos, addr_strerror(ae));
		return -1;
	}
	if (put_canon(a, in, out, err, errsz) == -1)
		return -1;
	return POLICYDB_T_ADDR;
}

int
policydb_canon_rcpt(const char *in, const char *delims, char *out,
    int *changed, char *err, size_t errsz)
{
	enum addr_err ae = ADDR_OK;
	struct addr *a, *plain;
	char dom[POLICYDB_TARGET_MAX];

	if (changed != NULL)
		*changed = 0;
	if (in[0] == '*' && in[1] == '@')
		return policydb_canon(in, out, err, errsz);
	if ((a = rcpt_mailbox(in, ADDR_FORM_SMTP, delims, dom, sizeof(dom),
	    &ae)) == NULL) {
		/* a syntax error: say where, as policydb_canon does */
		if (ae != ADDR_EROUTE && ae != ADDR_ENOAT &&
		    policydb_canon(in, out, err, errsz) == -1)
			return -1;
		errstr_set(err, errsz, "%s: cannot tell the mailbox it is "
		    "delivered to: %s (expected an address or *@domain)", in,
		    addr_strerror(ae));
		return -1;
	}
	if (put_canon(a, in, out, err, errsz) == -1)
		return -1;
	if (changed != NULL) {
		plain = addr_parse(in, NULL, NULL);
		*changed = plain == NULL || strcmp(addr_canon(plain), out) != 0;
		addr_free(plain);
	}
	return POLICYDB_T_ADDR;
}

int
policydb_pin_parse(const char *in, char out[POLICYDB_PIN_HEX])
{
	unsigned char fp[KEY_SHA256_LEN];
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (key_fingerprint_parse(in, fp) == -1)
		return -1;
	for (i = 0; i < KEY_SHA256_LEN; i++) {
		out[2 * i] = hex[fp[i] >> 4];
		out[2 * i + 1] = hex[fp[i] & 15];
	}
	out[2 * KEY_SHA256_LEN] = '\0';
	return 0;
}

int
policydb_check_perms(const char *path, int *exists, char *err, size_t errsz)
{
	struct stat st;
	char dir[PATH_MAX];
	const char *slash;
	size_t n;

	*exists = 0;
	if (lstat(path, &st) == 0) {
		*exists = 1;
		if (!S_ISREG(st.st_mode)) {
			errstr_set(err, errsz, "%s: not a regular file", path);
			return -1;
		}
		if (st.st_mode & S_IWOTH) {
			errstr_set(err, errsz,
			    "%s: world-writable (mode %04o): "
			    "chmod o-w it", path, (unsigned)st.st_mode & 07777);
			return -1;
		}
	} else if (errno != ENOENT) {
		errstr_set(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((slash = strrchr(path, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else {
		n = (size_t)(slash - path);
		if (n >= sizeof(dir)) {
			errstr_set(err, errsz, "%s: path too long", path);
			return -1;
		}
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if (stat(dir, &st) == -1) {
		errstr_set(err, errsz, "%s: %s", dir, strerror(errno));
		return errno == ENOENT ? -2 : -1;
	}
	/* A sticky world-writable directory (/tmp) still lets others
	   replace nothing of ours, but is no place for a store either. */
	if (st.st_mode & S_IWOTH) {
		errstr_set(err, errsz, "%s: the store's directory is "
		    "world-writable (mode %04o)", dir,
		    (unsigned)st.st_mode & 07777);
		return -1;
	}
	return 0;
}

static int
exec(struct policydb *p, const char *sql, const char *what)
{
	int rc;

	if ((rc = sqlite3_exec(p->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return dberr(p, rc, what);
	return 0;
}

/* int_pragma: the integer a "PRAGMA x" returns. */
static int
int_pragma(struct policydb *p, const char *sql, long long *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(p->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return dberr(p, rc, "reading the store");
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return dberr(p, rc, "reading the store");
	}
	*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int	run(struct policydb *, const char *, size_t *, int, ...);

/* audit: append the audit row WHAT, by the calling user. */
static int
audit(struct policydb *p, const char *what)
{
	struct passwd pw, *res = NULL;
	char buf[4096], uid[32], user[64];
	uid_t u = getuid();

	snprintf(uid, sizeof(uid), "%lu", (unsigned long)u);
	if (getpwuid_r(u, &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
		snprintf(user, sizeof(user), "%s", pw.pw_name);
	else
		snprintf(user, sizeof(user), "uid %s", uid);
	return run(p, "INSERT INTO audit (at, uid, user, what) VALUES "
	    "(strftime('%s', 'now'), CAST(?1 AS INTEGER), ?2, ?3)", NULL, 3,
	    uid, user, what);
}

/* rekey_one: the rules of recipient FROM become TO's (see rekey). */
static int
rekey_one(struct policydb *p, const char *from, const char *to)
{
	char what[2 * POLICYDB_TARGET_MAX + 80];

	snprintf(what, sizeof(what), "rekey %s as %s (non-ASCII case folded "
	    "as the MTA delivers it)", from, to);
	if (run(p, "UPDATE mode SET mode = 'deny' WHERE recipient = ?2 AND "
	    "EXISTS (SELECT 1 FROM mode WHERE recipient = ?1 AND "
	    "mode = 'deny')", NULL, 2, from, to) == -1 ||
	    run(p, "DELETE FROM mode WHERE recipient = ?1 AND EXISTS "
	    "(SELECT 1 FROM mode WHERE recipient = ?2)", NULL, 2, from,
	    to) == -1 ||
	    run(p, "UPDATE mode SET recipient = ?2 WHERE recipient = ?1",
	    NULL, 2, from, to) == -1 ||
	    run(p, "UPDATE OR IGNORE entry SET recipient = ?2 WHERE "
	    "recipient = ?1", NULL, 2, from, to) == -1 ||
	    run(p, "DELETE FROM entry WHERE recipient = ?1", NULL, 1,
	    from) == -1)
		return -1;
	return audit(p, what);
}

/*
 * rekey: inside the open transaction, move the rules stored under a
 * recipient whose local part an older senderkey did not case-fold
 * ("\xc3\x89mile@example.net") to the mailbox it is delivered to
 * ("\xc3\xa9mile@example.net", rcpt_fold; specs/record-format.md 1.3),
 * one audit row each.  Entries are merged (an identical one is kept
 * once); when both have a mode, deny (the stricter) is kept.  Only keys
 * with a non-ASCII octet can change; a key rcpt_fold refuses is left.
 */
static int
rekey(struct policydb *p)
{
	sqlite3_stmt *st = NULL;
	char (*keys)[POLICYDB_TARGET_MAX] = NULL, (*k)[POLICYDB_TARGET_MAX];
	char to[POLICYDB_TARGET_MAX];
	const unsigned char *s;
	size_t n = 0, i;
	int rc;

	if ((rc = sqlite3_prepare_v2(p->db, "SELECT recipient FROM mode "
	    "WHERE length(recipient) <> length(CAST(recipient AS BLOB)) "
	    "UNION SELECT recipient FROM entry WHERE length(recipient) <> "
	    "length(CAST(recipient AS BLOB))", -1, &st, NULL)) != SQLITE_OK)
		return dberr(p, rc, "reading recipients");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s = sqlite3_column_text(st, 0);
		if (s == NULL || strlen((const char *)s) >= sizeof(to) ||
		    rcpt_fold((const char *)s, to, sizeof(to), NULL) == -1 ||
		    strcmp((const char *)s, to) == 0)
			continue;
		if ((k = realloc(keys, (n + 1) * sizeof(*keys))) == NULL) {
			fail(p, POLICYDB_EINTERNAL, "out of memory");
			goto fail;
		}
		keys = k;
		memcpy(keys[n++], s, strlen((const char *)s) + 1);
	}
	if (rc != SQLITE_DONE) {
		dberr(p, rc, "reading recipients");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	for (i = 0; i < n; i++)
		if (rcpt_fold(keys[i], to, sizeof(to), NULL) == -1 ||
		    rekey_one(p, keys[i], to) == -1)
			goto fail;
	free(keys);
	return 0;
fail:
	sqlite3_finalize(st);
	free(keys);
	return -1;
}

static int
migrate(struct policydb *p)
{
	long long v = 0;
	char sql[64];
	int i;

	if (exec(p, "BEGIN IMMEDIATE", "locking the store") == -1)
		return -1;
	if (int_pragma(p, "PRAGMA user_version", &v) == -1)
		goto fail;
	if (v < 0 || v > POLICYDB_VERSION) {
		p->code = POLICYDB_ECORRUPT;
		snprintf(p->err, sizeof(p->err), "schema version %lld is not "
		    "one this senderkey knows (0 to %d)", v, POLICYDB_VERSION);
		goto fail;
	}
	for (i = (int)v; i < POLICYDB_VERSION; i++)
		if (exec(p, migrations[i], "migrating the schema") == -1)
			goto fail;
	if (v != POLICYDB_VERSION) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		    POLICYDB_VERSION);
		if (exec(p, sql, "migrating the schema") == -1)
			goto fail;
	}
	if (rekey(p) == -1)
		goto fail;
	if (exec(p, "COMMIT", "migrating the schema") == -1)
		goto fail;
	return 0;
fail:
	sqlite3_exec(p->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

struct policydb *
policydb_open(const char *path, unsigned flags, enum policydb_err *e,
    char *err, size_t errsz)
{
	struct policydb *p = NULL;
	sqlite3_stmt *st = NULL;
	int exists, fd, rc, on = 1;
	const unsigned char *jm;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		if (e != NULL)
			*e = POLICYDB_EINTERNAL;
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	if ((rc = policydb_check_perms(path, &exists, p->err,
	    sizeof(p->err))) != 0) {
		p->code = rc == -1 ? POLICYDB_EPERM : (flags & POLICYDB_CREATE) ?
		    POLICYDB_ECREATE : POLICYDB_ENOENT;
		goto fail;
	}
	if (!exists && !(flags & POLICYDB_CREATE)) {
		fail(p, POLICYDB_ENOENT, "no such store");
		goto fail;
	}
	if (!exists) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		    O_NOFOLLOW, 0640);
		if (fd == -1 || fchmod(fd, 0640) == -1) {
			snprintf(p->err, sizeof(p->err), "cannot create: %s",
			    strerror(errno));
			p->code = POLICYDB_ECREATE;
			if (fd != -1) {
				close(fd);
				unlink(path);
			}
			goto fail;
		}
		close(fd);
	} else if (access(path, R_OK | W_OK) == -1) {
		snprintf(p->err, sizeof(p->err), "%s", strerror(errno));
		p->code = POLICYDB_EPERM;
		goto fail;
	}
	rc = sqlite3_open_v2(path, &p->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		dberr(p, rc, "opening");
		goto fail;
	}
	sqlite3_extended_result_codes(p->db, 0);
	sqlite3_busy_timeout(p->db, BUSY_TIMEOUT_MS);
	/* Keep the -wal and -shm files, so that a reader without write
	   access to the directory (senderkeyd) can always open the store. */
	sqlite3_file_control(p->db, NULL, SQLITE_FCNTL_PERSIST_WAL, &on);
	if ((rc = sqlite3_prepare_v2(p->db, "PRAGMA journal_mode = WAL", -1,
	    &st, NULL)) != SQLITE_OK || (rc = sqlite3_step(st)) != SQLITE_ROW) {
		dberr(p, rc, "setting WAL mode");
		goto fail;
	}
	jm = sqlite3_column_text(st, 0);
	if (jm == NULL || strcmp((const char *)jm, "wal") != 0) {
		fail(p, POLICYDB_EIO, "cannot switch the store to WAL mode");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (exec(p, "PRAGMA synchronous = FULL", "setting synchronous") == -1)
		goto fail;
	if (migrate(p) == -1)
		goto fail;
	return p;
fail:
	sqlite3_finalize(st);
	if (e != NULL)
		*e = p->code;
	errstr_set(err, errsz, "%s: %s", path, p->err);
	policydb_free(p);
	return NULL;
}

void
policydb_free(struct policydb *p)
{
	if (p == NULL)
		return;
	if (p->in_tx)
		sqlite3_exec(p->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close_v2(p->db);
	free(p);
}

int
policydb_begin(struct policydb *p)
{
	if (p->in_tx)
		return fail(p, POLICYDB_EINTERNAL, "a change is already open");
	if (exec(p, "BEGIN IMMEDIATE", "locking the store") == -1)
		return -1;
	p->in_tx = 1;
	return 0;
}

void
policydb_rollback(struct policydb *p)
{
	if (p == NULL || !p->in_tx)
		return;
	sqlite3_exec(p->db, "ROLLBACK", NULL, NULL, NULL);
	p->in_tx = 0;
}

/* run: prepare SQL, bind the texts (NULL: SQL NULL), step to the end. */
static int
run(struct policydb *p, const char *sql, size_t *changes, int nargs, ...)
{
	sqlite3_stmt *st = NULL;
	const char *s;
	va_list ap;
	int i, rc;

	if ((rc = sqlite3_prepare_v2(p->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return dberr(p, rc, "updating the store");
	va_start(ap, nargs);
	for (i = 1; i <= nargs; i++) {
		s = va_arg(ap, const char *);
		rc = s == NULL ? sqlite3_bind_null(st, i) :
		    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
		if (rc != SQLITE_OK)
			break;
	}
	va_end(ap);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK) {
		sqlite3_finalize(st);
		return dberr(p, rc, "updating the store");
	}
	sqlite3_finalize(st);
	if (changes != NULL)
		*changes += (size_t)sqlite3_changes(p->db);
	return 0;
}

static int
need_tx(struct policydb *p)
{
	if (!p->in_tx)
		return fail(p, POLICYDB_EINTERNAL, "no change open "
		    "(policydb_begin)");
	return 0;
}

/* check_target: TARGET must already be canonical. */
static int
check_target(struct policydb *p, const char *target, int *kind)
{
	char canon[POLICYDB_TARGET_MAX], why[256];
	int k;

	if ((k = policydb_canon(target, canon, why, sizeof(why))) == -1 ||
	    strcmp(canon, target) != 0) {
		p->code = POLICYDB_EDATA;
		snprintf(p->err, sizeof(p->err), "%s: not a canonical address "
		    "or *@domain", target);
		return -1;
	}
	if (kind != NULL)
		*kind = k;
	return 0;
}

int
policydb_set_mode(struct policydb *p, const char *rcpt, const char *mode,
    size_t *n)
{
	size_t dummy = 0;

	if (n == NULL)
		n = &dummy;
	*n = 0;
	if (need_tx(p) == -1 || check_target(p, rcpt, NULL) == -1)
		return -1;
	if (mode == NULL)
		return run(p, "DELETE FROM mode WHERE recipient = ?1", n, 1,
		    rcpt);
	if (strcmp(mode, "allow") != 0 && strcmp(mode, "deny") != 0)
		return fail(p, POLICYDB_EDATA, "mode must be allow or deny");
	return run(p, "INSERT INTO mode (recipient, mode, changed) "
	    "VALUES (?1, ?2, strftime('%s', 'now')) "
	    "ON CONFLICT (recipient) DO UPDATE SET mode = ?2, "
	    "changed = strftime('%s', 'now') WHERE mode <> ?2", n, 2, rcpt,
	    mode);
}

static int
count_pins(struct policydb *p, const char *rcpt, const char *sender,
    long long *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(p->db, "SELECT count(*) FROM entry "
	    "WHERE recipient = ?1 AND sender = ?2 AND action = 'allow' "
	    "AND pin <> ''", -1, &st, NULL)) != SQLITE_OK)
		return dberr(p, rc, "reading the store");
	sqlite3_bind_text(st, 1, rcpt, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sender, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return dberr(p, rc, "reading the store");
	}
	*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int
add(struct policydb *p, const char *rcpt, enum policydb_action act,
    const char *sender, const char *pin, size_t *n)
{
	char canon[POLICYDB_PIN_HEX];
	size_t dummy = 0, ins = 0;
	long long npins = 0;
	int kind;

	if (n == NULL)
		n = &dummy;
	*n = 0;
	if (need_tx(p) == -1 || check_target(p, rcpt, NULL) == -1 ||
	    check_target(p, sender, &kind) == -1)
		return -1;
	if (pin != NULL) {
		if (act != POLICYDB_ALLOW)
			return fail(p, POLICYDB_EDATA, "a pin is only allowed "
			    "on an allow entry");
		if (kind != POLICYDB_T_ADDR)
			return fail(p, POLICYDB_EDATA, "a pin needs a sender "
			    "address, not *@domain");
		if (policydb_pin_parse(pin, canon) == -1 ||
		    strcmp(canon, pin) != 0)
			return fail(p, POLICYDB_EDATA, "a pin is 64 lowercase "
			    "hex digits");
	}
	if (act == POLICYDB_DENY)
		return run(p, "INSERT OR IGNORE INTO entry (recipient, action, "
		    "sender, pin, changed) VALUES (?1, 'deny', ?2, '', "
		    "strftime('%s', 'now'))", n, 2, rcpt, sender);
	if (pin == NULL) {
		if (run(p, "DELETE FROM entry WHERE recipient = ?1 AND "
		    "sender = ?2 AND action = 'allow' AND pin <> ''", n, 2,
		    rcpt, sender) == -1)
			return -1;
		return run(p, "INSERT OR IGNORE INTO entry (recipient, action, "
		    "sender, pin, changed) VALUES (?1, 'allow', ?2, '', "
		    "strftime('%s', 'now'))", n, 2, rcpt, sender);
	}
	if (run(p, "DELETE FROM entry WHERE recipient = ?1 AND sender = ?2 "
	    "AND action = 'allow' AND pin = ''", n, 2, rcpt, sender) == -1)
		return -1;
	if (run(p, "INSERT OR IGNORE INTO entry (recipient, action, sender, "
	    "pin, changed) VALUES (?1, 'allow', ?2, ?3, "
	    "strftime('%s', 'now'))", &ins, 3, rcpt, sender, pin) == -1)
		return -1;
	*n += ins;
	if (ins > 0) {
		if (count_pins(p, rcpt, sender, &npins) == -1)
			return -1;
		if (npins > POLICYDB_MAX_PINS) {
			p->code = POLICYDB_EDATA;
			snprintf(p->err, sizeof(p->err), "%s already has %d "
			    "pinned keys for %s", sender, POLICYDB_MAX_PINS,
			    rcpt);
			return -1;
		}
	}
	return 0;
}

int
policydb_add(struct policydb *p, const char *rcpt, enum policydb_action act,
    const char *sender, const char *pin, size_t *n)
{
	size_t dummy = 0;

	if (n == NULL)
		n = &dummy;
	*n = 0;
	if (need_tx(p) == -1 ||
	    exec(p, "SAVEPOINT policydb_add", "updating the store") == -1)
		return -1;
	if (add(p, rcpt, act, sender, pin, n) == -1) {
		/* Undo this call only: the transaction stays usable. */
		sqlite3_exec(p->db, "ROLLBACK TO policydb_add; "
		    "RELEASE policydb_add", NULL, NULL, NULL);
		*n = 0;
		return -1;
	}
	return exec(p, "RELEASE policydb_add", "updating the store");
}

int
policydb_remove(struct policydb *p, const char *rcpt, const char *sender,
    const char *pin, size_t *n)
{
	size_t dummy = 0;

	if (n == NULL)
		n = &dummy;
	*n = 0;
	if (need_tx(p) == -1 || check_target(p, rcpt, NULL) == -1 ||
	    check_target(p, sender, NULL) == -1)
		return -1;
	if (pin != NULL)
		return run(p, "DELETE FROM entry WHERE recipient = ?1 AND "
		    "sender = ?2 AND action = 'allow' AND pin = ?3", n, 3, rcpt,
		    sender, pin);
	return run(p, "DELETE FROM entry WHERE recipient = ?1 AND sender = ?2",
	    n, 2, rcpt, sender);
}

int
policydb_commit(struct policydb *p, const char *what)
{
	if (need_tx(p) == -1)
		return -1;
	if (audit(p, what) == -1)
		goto fail;
	if (exec(p, "COMMIT", "committing") == -1)
		goto fail;
	p->in_tx = 0;
	return 0;
fail:
	policydb_rollback(p);
	return -1;
}

enum policydb_err
policydb_errcode(const struct policydb *p)
{
	return p->code;
}

const char *
policydb_error(const struct policydb *p)
{
	return p->err;
}

const char *
policydb_errname(enum policydb_err e)
{
	static const char *const names[] = {
		"ok", "enoent", "eperm", "ecreate", "eio", "ecorrupt",
		"ebusy", "edata", "einternal",
	};

	if ((size_t)e < sizeof(names) / sizeof(names[0]))
		return names[e];
	return "?";
}
