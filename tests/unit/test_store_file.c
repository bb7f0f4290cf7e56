/*
 * test_store_file: core/store_file.c, the store's file and schema:
 * store_file_perms (world-writable files and directories, symlinks, a
 * missing directory), the versions the reader accepts
 * (store_file_readable), and store_file_migrate: a fresh store runs every
 * step, a schema 1 store is migrated keeping its rules, a newer schema
 * and a file that is no database are refused and left alone, and rules
 * an older senderkey stored under unfolded recipients are moved to the
 * folded mailbox.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store_int.h"
#include "store_t.h"
#include "t.h"

static char dir[] = "/tmp/test_store_file.XXXXXX";

static void
test_perms(void)
{
	char path[256], sub[256], link[256], err[512];
	int exists = -1, fd;

	snprintf(path, sizeof(path), "%s/p.db", dir);
	T_OK(store_file_perms(path, &exists, err, sizeof(err)) == 0 &&
	    exists == 0, "no file yet: fine, and it does not exist");
	fd = open(path, O_WRONLY | O_CREAT, 0640);
	close(fd);
	T_OK(store_file_perms(path, &exists, err, sizeof(err)) == 0 &&
	    exists == 1, "a 0640 file: fine, and it exists");
	chmod(path, 0642);
	T_INTEQ(store_file_perms(path, &exists, err, sizeof(err)), -1,
	    "a world-writable file is refused");
	T_OK(strstr(err, "world-writable (mode 0642): chmod o-w it") != NULL,
	    "the message says how to fix it (%s)", err);
	chmod(path, 0640);
	snprintf(link, sizeof(link), "%s/link.db", dir);
	T_OK(symlink(path, link) == 0 && store_file_perms(link, &exists, err,
	    sizeof(err)) == -1 && exists == 1 && strstr(err,
	    "not a regular file") != NULL, "a symlink is refused (%s)", err);
	T_INTEQ(store_file_perms(dir, &exists, err, sizeof(err)), -1,
	    "a directory is refused (%s)", err);
	snprintf(sub, sizeof(sub), "%s/nodir/p.db", dir);
	T_INTEQ(store_file_perms(sub, &exists, err, sizeof(err)), -2,
	    "a missing directory is -2 (%s)", err);
	snprintf(sub, sizeof(sub), "%s/open", dir);
	mkdir(sub, 0777);
	chmod(sub, 01777);
	snprintf(sub, sizeof(sub), "%s/open/p.db", dir);
	T_INTEQ(store_file_perms(sub, &exists, err, sizeof(err)), -1,
	    "a world-writable directory is refused, sticky or not");
	T_OK(strstr(err, "the store's directory is world-writable") != NULL,
	    "the message says so (%s)", err);
}

static void
test_readable(void)
{
	char err[512];

	T_INTEQ(store_file_readable(1, err, sizeof(err)), 0,
	    "the reader reads schema 1 as it is");
	T_INTEQ(store_file_readable(STORE_VERSION, err, sizeof(err)), 0,
	    "and the current schema");
	T_INTEQ(store_file_readable(0, err, sizeof(err)), -1,
	    "not a new, empty file");
	T_STREQ(err, "schema version 0: not a policy store (create it with "
	    "senderkey policy)", "saying how to make one");
	T_INTEQ(store_file_readable(STORE_VERSION + 1, err, sizeof(err)), -1,
	    "not a newer schema");
	T_OK(strstr(err, "newer than this senderkey") != NULL, "saying so");
	T_INTEQ(store_file_readable(-1, NULL, 0), -1, "not a negative one");
}

/* test_migrate_db: store_file_migrate on a store_db of its own. */
static void
test_migrate_db(void)
{
	struct store_fault f;
	struct store_db *db;
	char path[256];
	long long v = -1;

	memset(&f, 0, sizeof(f));
	snprintf(path, sizeof(path), "%s/m.db", dir);
	if ((db = store_db_open(path, STORE_CREATE, NULL, &f)) == NULL) {
		T_OK(0, "a new database (%s)", f.text);
		return;
	}
	T_INTEQ(store_file_migrate(db, &f), 0, "a new database: every step");
	T_OK(store_db_version(db, &f, &v) == 0 && v == STORE_VERSION,
	    "at the current version");
	T_OK(store_db_int(db, &f, "SELECT count(*) FROM sqlite_master WHERE "
	    "name IN ('mode', 'entry', 'audit')", &v, 0) == 0 && v == 3,
	    "with the three tables");
	T_INTEQ(store_file_migrate(db, &f), 0, "again: nothing to do");
	T_OK(store_db_set_version(db, &f, 7) == 0 &&
	    store_file_migrate(db, &f) == -1 && f.code == STORE_ECORRUPT,
	    "a newer schema is refused (%s)", f.text);
	T_STREQ(f.text, "schema version 7 is not one this senderkey knows "
	    "(0 to 3)", "the message");
	T_OK(!db->in_tx && store_db_begin(db, &f, 1) == 0,
	    "no transaction left open");
	store_db_close(db);
}

static void
test_migrate(void)
{
	char path[256], err[512];
	struct store_writer *db;
	enum store_err e = STORE_OK;
	struct store *s;
	static const char junk[] = "this is not a database, it is a text "
	    "file of more than a hundred octets, so that SQLite reads its "
	    "header and finds no magic string in it.\n";
	int fd;

	/* schema 1, as the first release wrote it */
	snprintf(path, sizeof(path), "%s/v1.db", dir);
	T_OK(sql_exec(path, "CREATE TABLE mode (id INTEGER PRIMARY KEY,"
	    "  recipient TEXT NOT NULL UNIQUE, mode TEXT NOT NULL CHECK "
	    "(mode IN ('allow', 'deny'))); CREATE TABLE entry (id INTEGER "
	    "PRIMARY KEY, recipient TEXT NOT NULL, action TEXT NOT NULL "
	    "CHECK (action IN ('allow', 'deny')), sender TEXT NOT NULL, pin "
	    "TEXT NOT NULL DEFAULT '' CHECK (pin = '' OR length(pin) = 64),"
	    "UNIQUE (recipient, sender, action, pin));"
	    "INSERT INTO mode (recipient, mode) VALUES ('a@x.test', 'deny');"
	    "INSERT INTO entry (recipient, action, sender) VALUES "
	    "('a@x.test', 'allow', 'b@y.test'); PRAGMA user_version = 1;") ==
	    0, "a schema 1 store");
	chmod(path, 0640);
	s = store_open(path, VM_ALLOW, err, sizeof(err));
	T_OK(s != NULL && store_count(s) == 2, "the daemon reads schema 1 "
	    "as it is");
	store_free(s);
	db = store_writer_open(path, 0, &e, err, sizeof(err));
	T_OK(db != NULL, "store_writer_open migrates it (%s)", db ? "" : err);
	store_writer_free(db);
	T_INTEQ(sql_int(path, "PRAGMA user_version"), STORE_VERSION,
	    "to the current version");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM entry WHERE changed = 0"),
	    1, "keeping the entries");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM audit"), 0,
	    "with an audit table");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM store_meta WHERE "
	    "length(store_id) = 32") + sql_int(path, "SELECT count(*) FROM "
	    "change"), 1, "and a change log: a store id, no change yet");
	T_INTEQ(nrules(path), 2, "the rules read back");

	snprintf(path, sizeof(path), "%s/v99.db", dir);
	sql_exec(path, "CREATE TABLE x (y); PRAGMA user_version = 99;");
	chmod(path, 0640);
	db = store_writer_open(path, 0, &e, err, sizeof(err));
	T_OK(db == NULL && e == STORE_ECORRUPT, "a newer schema is "
	    "refused (%s)", err);
	T_INTEQ(sql_int(path, "PRAGMA user_version"), 99, "and not touched");
	T_OK(store_open(path, VM_ALLOW, err, sizeof(err)) == NULL,
	    "the daemon refuses it too (%s)", err);

	snprintf(path, sizeof(path), "%s/junk.db", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0640);
	T_OK(fd != -1 && write(fd, junk, sizeof(junk) - 1) ==
	    (ssize_t)sizeof(junk) - 1,
	    "a junk file");
	close(fd);
	db = store_writer_open(path, 0, &e, err, sizeof(err));
	T_OK(db == NULL && e == STORE_ECORRUPT, "is not a store (%s)",
	    err);
	T_OK(store_open(path, VM_ALLOW, err, sizeof(err)) == NULL,
	    "and the daemon refuses it (%s)", err);
	snprintf(path, sizeof(path), "%s/empty.db", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0640);
	close(fd);
	T_OK(store_open(path, VM_ALLOW, err, sizeof(err)) == NULL,
	    "an empty file is no store for the daemon (%s)", err);
}

/*
 * test_rekey: rules an older senderkey stored under a recipient whose
 * non-ASCII letters were not folded are moved to the folded mailbox when
 * the store is opened: merged, the stricter mode kept, audited once.
 */
static void
test_rekey(void)
{
	char path[256], err[512];
	struct store_writer *db;

	snprintf(path, sizeof(path), "%s/rekey.db", dir);
	db = store_writer_open(path, STORE_CREATE, NULL, err, sizeof(err));
	T_OK(db != NULL, "a new store (%s)", db ? "" : err);
	store_writer_free(db);
	T_OK(sql_exec(path, "INSERT INTO mode (recipient, mode) VALUES "
	    "('Émile@example.net', 'deny'), ('émile@example.net', 'allow'), "
	    "('Jörg@example.net', 'deny'), ('carol@example.net', 'deny'), "
	    "('*@example.net', 'allow');"
	    "INSERT INTO entry (recipient, action, sender) VALUES "
	    "('Émile@example.net', 'allow', 'a@y.test'), "
	    "('émile@example.net', 'allow', 'a@y.test'), "
	    "('Émile@example.net', 'deny', 'b@y.test'), "
	    "('STRAẞE@example.net', 'allow', 'c@y.test'), "
	    "('carol@example.net', 'allow', 'Émile@example.net');") == 0,
	    "rules stored as an older senderkey stored them");
	db = store_writer_open(path, 0, NULL, err, sizeof(err));
	T_OK(db != NULL, "opened (%s)", db ? "" : err);
	store_writer_free(db);
	T_INTEQ(sql_int(path, "SELECT count(*) FROM mode WHERE recipient = "
	    "'émile@example.net' AND mode = 'deny'"), 1,
	    "two modes for one mailbox: deny, the stricter, is kept");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM mode WHERE recipient = "
	    "'jörg@example.net' AND mode = 'deny'"), 1,
	    "a mode moved to the folded mailbox");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM mode"), 4,
	    "no other mode added or lost");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM entry WHERE recipient = "
	    "'émile@example.net'"), 2,
	    "entries merged, the identical one kept once");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM entry WHERE recipient = "
	    "'strasse@example.net'"), 1, "a capital sharp s: strasse");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM entry WHERE sender = "
	    "'Émile@example.net'"), 1, "senders are not folded");
	T_INTEQ(sql_int(path, "SELECT (SELECT count(*) FROM mode WHERE "
	    "recipient IN ('Émile@example.net', 'Jörg@example.net')) + "
	    "(SELECT count(*) FROM entry WHERE recipient IN "
	    "('Émile@example.net', 'STRAẞE@example.net'))"), 0,
	    "nothing left under the old keys");
	T_INTEQ(sql_int(path, "SELECT count(*) FROM audit WHERE what LIKE "
	    "'rekey %'"), 3, "one audit row for each old key");
	T_INTEQ(nrules(path), 8, "the daemon reads the rules");
	db = store_writer_open(path, 0, NULL, err, sizeof(err));
	store_writer_free(db);
	T_INTEQ(sql_int(path, "SELECT count(*) FROM audit"), 3,
	    "opening again changes nothing");
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_perms();
	test_readable();
	test_migrate_db();
	test_migrate();
	test_rekey();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
