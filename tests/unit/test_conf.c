/*
 * test_conf: the generic reader (every type, every error with its exact
 * FILE:LINE message) and the senderkey configuration built on it
 * (defaults, every name from tests/data/conf/full.conf, the checks of
 * sockets, forwarders, modes and Postfix actions).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "lib/conf.h"
#include "lib/config.h"
#include "t.h"

static const char *const colors[] = { "red", "green", NULL };

static int
check_even(const char *v, char *why, size_t whysz)
{
	if (strlen(v) % 2 == 0)
		return 0;
	snprintf(why, whysz, "expected an even length");
	return -1;
}

static const struct conf_schema sch[] = {
	{ "Str", CONF_STRING, 0, "dflt", 0, 0, NULL, NULL },
	{ "Path", CONF_PATH, 0, NULL, 0, 0, NULL, NULL },
	{ "Num", CONF_UINT, 0, "7", 1, 100, NULL, NULL },
	{ "Size", CONF_SIZE, 0, NULL, 0, 1ULL << 32, NULL, NULL },
	{ "Dur", CONF_DURATION, 0, "5s", 100, 60000, NULL, NULL },
	{ "Flag", CONF_BOOL, 0, "no", 0, 0, NULL, NULL },
	{ "Color", CONF_ENUM, 0, NULL, 0, 0, colors, NULL },
	{ "Items", CONF_LIST, 0, NULL, 0, 0, NULL, NULL },
	{ "Many", CONF_LIST, CONF_REPEAT, NULL, 0, 0, NULL, check_even },
	{ "Even", CONF_STRING, 0, NULL, 0, 0, NULL, check_even },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

static struct conf *
parse(const char *text, char *err, size_t errsz)
{
	return conf_parse(sch, text, strlen(text), "t.conf", err, errsz);
}

static void
bad(const char *text, const char *want, const char *what)
{
	char err[512] = "";
	struct conf *c = parse(text, err, sizeof(err));

	T_OK(c == NULL, "%s: refused", what);
	T_STREQ(err, want, "%s: message", what);
	conf_free(c);
}

static void
test_types(void)
{
	char err[512];
	struct conf *c;
	const char *const *it;
	size_t n;

	c = parse("# comment\n\n   \t\n  Str  hello world # not a comment \n"
	    "path /etc/x\nNUM 42\nSize 3k\nDur 250ms\nFlag yes\n"
	    "Color GREEN\nItems a, b c,,d\nMany aa\nMany bb,cc\n"
	    "Even xy", err, sizeof(err));
	T_OK(c != NULL, "every type parses (%s)", c == NULL ? err : "ok");
	if (c == NULL)
		return;
	T_STREQ(conf_str(c, "str"), "hello world # not a comment",
	    "string: rest of line, '#' kept, blanks trimmed");
	T_INTEQ(conf_line(c, "Str"), 4, "line of a setting");
	T_STREQ(conf_str(c, "Path"), "/etc/x", "names ignore case; path");
	T_INTEQ(conf_uint(c, "Num"), 42, "uint");
	T_INTEQ(conf_uint(c, "Size"), 3072, "size with k");
	T_INTEQ(conf_uint(c, "Dur"), 250, "duration in ms");
	T_INTEQ(conf_uint(c, "Flag"), 1, "bool yes");
	T_INTEQ(conf_enum(c, "Color"), 1, "enum, case ignored");
	n = conf_list(c, "Items", &it);
	T_OK(n == 4 && strcmp(it[0], "a") == 0 && strcmp(it[3], "d") == 0,
	    "list split at commas and blanks (%zu items)", n);
	n = conf_list(c, "Many", &it);
	T_OK(n == 3 && strcmp(it[2], "cc") == 0, "repeatable list adds up");
	T_INTEQ(conf_line(c, "Even"), 14, "last line without LF");
	T_OK(conf_str(c, "Nope") == NULL && conf_enum(c, "Nope") == -1,
	    "unknown accessor name: NULL / -1");
	conf_free(c);

	c = parse("", err, sizeof(err));
	T_OK(c != NULL, "empty text parses");
	T_STREQ(conf_str(c, "Str"), "dflt", "default string");
	T_INTEQ(conf_uint(c, "Num"), 7, "default uint");
	T_INTEQ(conf_uint(c, "Dur"), 5000, "default duration");
	T_INTEQ(conf_line(c, "Num"), 0, "a default has line 0");
	T_OK(!conf_isset(c, "Path") && conf_str(c, "Path") == NULL,
	    "no default: unset");
	T_INTEQ(conf_enum(c, "Color"), -1, "unset enum: -1");
	T_INTEQ(conf_list(c, "Items", &it), 0, "unset list: 0 items");
	T_OK(it == NULL, "unset list: NULL items");
	conf_free(c);
	conf_free(NULL);

	c = parse("Size 4G\nDur 2m\nNum 1\nNum2x 1\n", err, sizeof(err));
	T_OK(c == NULL, "size at the max, duration in m, uint at the min, "
	    "then an unknown name");
	conf_free(c);
	c = parse("Size 4G\nDur 1m\nNum 100\nFlag off\n", err, sizeof(err));
	T_OK(c != NULL && conf_uint(c, "Size") == (1ULL << 32) &&
	    conf_uint(c, "Dur") == 60000 && conf_uint(c, "Num") == 100 &&
	    conf_uint(c, "Flag") == 0, "limits are inclusive");
	conf_free(c);
}

static void
test_errors(void)
{
	char big[CONF_LINE_MAX + 16];

	bad("Str x\nFoo bar\n", "t.conf:2: unknown name 'Foo'",
	    "unknown name");
	bad("Str\n", "t.conf:1: Str: expected a value", "no value");
	bad("Str a\nstr b\n", "t.conf:2: Str: set twice (first on line 1)",
	    "duplicate, other case");
	bad("Path etc/x\n", "t.conf:1: Path: expected an absolute path, got "
	    "'etc/x'", "relative path");
	bad("Num 101\n", "t.conf:1: Num: expected an integer from 1 to 100, "
	    "got '101'", "uint one over");
	bad("Num 0\n", "t.conf:1: Num: expected an integer from 1 to 100, "
	    "got '0'", "uint one under");
	bad("Num -1\n", "t.conf:1: Num: expected an integer from 1 to 100, "
	    "got '-1'", "negative uint");
	bad("Num 99999999999999999999999\n", "t.conf:1: Num: expected an "
	    "integer from 1 to 100, got '99999999999999999999999'",
	    "uint overflow");
	bad("Size 4097M\n", "t.conf:1: Size: expected a size from 0 to "
	    "4294967296 octets (suffix k, m or g allowed), got '4097M'",
	    "size over");
	bad("Size 1T\n", "t.conf:1: Size: expected a size from 0 to "
	    "4294967296 octets (suffix k, m or g allowed), got '1T'",
	    "size unit");
	bad("Dur 99ms\n", "t.conf:1: Dur: expected a duration from 100ms to "
	    "60s (unit ms, s, m, h or d), got '99ms'", "duration one under");
	bad("Dur 60001ms\n", "t.conf:1: Dur: expected a duration from 100ms "
	    "to 60s (unit ms, s, m, h or d), got '60001ms'",
	    "duration one over");
	bad("Dur 5 s\n", "t.conf:1: Dur: expected a duration from 100ms to "
	    "60s (unit ms, s, m, h or d), got '5 s'", "duration with a space");
	bad("Flag maybe\n", "t.conf:1: Flag: expected yes or no, got 'maybe'",
	    "bool");
	bad("Color blue\n", "t.conf:1: Color: expected red or green, got "
	    "'blue'", "enum");
	bad("Items , ,\n", "t.conf:1: Items: expected at least one item",
	    "empty list");
	bad("Items a\nItems b\n", "t.conf:2: Items: set twice (first on line "
	    "1)", "non-repeatable list twice");
	bad("Many aa b\n", "t.conf:1: Many: expected an even length, got 'b'",
	    "check hook on a list item");
	bad("Even abc\n", "t.conf:1: Even: expected an even length, got "
	    "'abc'", "check hook");
	bad("Str \x01\nBad\x01name 1\n", "t.conf:2: unknown name '?'",
	    "control octets are not echoed");
	memset(big, 'x', sizeof(big));
	memcpy(big, "Str ", 4);
	big[CONF_LINE_MAX] = '\0';
	{
		char err[512];
		struct conf *c = parse(big, err, sizeof(err));

		T_OK(c != NULL, "a line of exactly %d octets is read",
		    CONF_LINE_MAX);
		conf_free(c);
	}
	big[CONF_LINE_MAX] = 'x';
	big[CONF_LINE_MAX + 1] = '\0';
	bad(big, "t.conf:1: expected a line of at most 4096 octets",
	    "a line one octet over");
	{
		char err[512];
		struct conf *c = conf_parse(sch, "Str a\0b\n", 8, "t.conf",
		    err, sizeof(err));

		T_OK(c == NULL, "NUL octet refused");
		T_STREQ(err, "t.conf:1: expected text, found a NUL octet",
		    "NUL message");
	}
	{
		static const struct conf_schema bd[] = {
			{ "N", CONF_UINT, 0, "500", 0, 10, NULL, NULL },
			{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
		};
		char err[512];
		struct conf *c = conf_parse(bd, "", 0, "d.conf", err,
		    sizeof(err));

		T_OK(c == NULL, "a bad default is an error");
		T_STREQ(err, "d.conf: (default) N: expected an integer from 0 "
		    "to 10, got '500'", "bad default message");
	}
}

static void
test_config_default(void)
{
	struct config *c = config_default();

	T_OK(c != NULL, "config_default");
	if (c == NULL)
		return;
	T_INTEQ(c->socket.kind, CONFIG_LISTEN_UNIX, "Socket: unix");
	T_STREQ(c->socket.path, "/run/senderkey/senderkeyd.sock",
	    "Socket default path");
	T_STREQ(c->policy_socket.path, "/run/senderkey/policy.sock",
	    "PolicySocket default path");
	T_STREQ(c->trust_anchor_file, "/usr/share/dns/root.key",
	    "TrustAnchorFile default");
	T_INTEQ(c->dns_timeout_ms, 5000, "DNSTimeout default 5s");
	T_INTEQ(c->default_mode, CONFIG_MODE_ALLOW, "DefaultMode allow");
	T_INTEQ(c->mode, CONFIG_ENFORCE, "Mode enforce");
	T_INTEQ(c->max_connections, 1024, "MaxConnections 1024");
	T_INTEQ(c->socket_mode, 0660, "SocketMode 0660");
	T_STREQ(c->socket_group, "senderkey", "SocketGroup senderkey");
	T_INTEQ(c->bogus_ttl, 60, "BogusTTL 60");
	T_INTEQ(c->tempfail_ttl, 10, "TempfailTTL 10");
	T_INTEQ(c->idle_timeout_ms, 330000, "IdleTimeout 330s");
	T_INTEQ(c->request_timeout_ms, 10000, "RequestTimeout 10s");
	T_STREQ(c->action_tempfail, "DEFER_IF_PERMIT 4.7.0 senderkey: "
	    "temporary failure ({reason})", "ActionTempfail default");
	T_STREQ(c->action_untrusted_deny, "PREPEND Sender-Key-Trust: "
	    "{trust}", "ActionUntrustedDeny prepends");
	T_STREQ(c->action_authorized_deny, "PREPEND Sender-Key-Trust: "
	    "{trust}", "ActionAuthorizedDeny prepends");
	T_INTEQ(c->syslog_facility, LOG_MAIL, "SyslogFacility mail");
	T_OK(c->user == NULL && c->unbound_config == NULL &&
	    c->nforwarders == 0 && c->policy_store == NULL &&
	    c->recipient_delimiter == NULL &&
	    c->file == NULL, "unset names are NULL");
	config_free(c);
	config_free(NULL);
}

static void
test_config_full(void)
{
	struct config *c = NULL;
	char err[CONFIG_ERR_MAX] = "";

	T_OK(config_load("tests/data/conf/full.conf", &c, err,
	    sizeof(err)) == 0, "full.conf loads (%s)", err);
	if (c == NULL)
		return;
	T_STREQ(c->socket.path, "/tmp/sk/line.sock", "Socket");
	T_OK(c->policy_socket.kind == CONFIG_LISTEN_INET &&
	    c->policy_socket.port == 10040, "PolicySocket inet port");
	T_STREQ(c->policy_socket.host, "127.0.0.1", "PolicySocket host");
	T_STREQ(c->socket_owner, "skd", "SocketOwner");
	T_STREQ(c->socket_group, "postfix", "SocketGroup");
	T_INTEQ(c->socket_mode, 0640, "SocketMode");
	T_STREQ(c->user, "senderkey", "User");
	T_STREQ(c->pid_file, "/run/senderkey/senderkeyd.pid", "PidFile");
	T_STREQ(c->trust_anchor_file, "/etc/senderkey/root.key",
	    "TrustAnchorFile");
	T_STREQ(c->unbound_config, "/etc/senderkey/unbound.conf",
	    "UnboundConfig");
	T_OK(c->nforwarders == 3 &&
	    strcmp(c->forwarders[1], "2001:db8::1@5353") == 0 &&
	    strcmp(c->forwarders[2], "127.0.0.1@53") == 0,
	    "Forwarders: two lines, three items");
	T_INTEQ(c->dns_timeout_ms, 2500, "DNSTimeout 2500ms");
	T_INTEQ(c->default_mode, CONFIG_MODE_DENY, "DefaultMode deny");
	T_INTEQ(c->mode, CONFIG_MONITOR, "Mode monitor");
	T_INTEQ(c->max_connections, 64, "MaxConnections");
	T_INTEQ(c->request_timeout_ms, 5000, "RequestTimeout");
	T_INTEQ(c->idle_timeout_ms, 300000, "IdleTimeout 5m");
	T_INTEQ(c->write_timeout_ms, 3000, "WriteTimeout");
	T_INTEQ(c->cache_entries, 5000, "CacheEntries");
	T_INTEQ(c->cache_bytes, 8 * 1024 * 1024, "CacheBytes 8M");
	T_INTEQ(c->cache_min_ttl, 30, "CacheMinTTL");
	T_INTEQ(c->cache_max_ttl, 7200, "CacheMaxTTL 2h");
	T_INTEQ(c->bogus_ttl, 30, "BogusTTL");
	T_INTEQ(c->tempfail_ttl, 5, "TempfailTTL");
	T_STREQ(c->action_tempfail, "DEFER 4.7.0 try later ({reason})",
	    "ActionTempfail");
	T_STREQ(c->action_unauthorized, "REJECT 5.7.1 no ({reason})",
	    "ActionUnauthorized");
	T_STREQ(c->action_untrusted, "PREPEND X-SK: untrusted {reason}",
	    "ActionUntrusted");
	T_STREQ(c->action_authorized, "PREPEND X-SK: {tag} {reason}",
	    "ActionAuthorized");
	T_STREQ(c->action_untrusted_deny, "WARN untrusted in deny mode # hash "
	    "kept", "ActionUntrustedDeny keeps '#'");
	T_STREQ(c->action_authorized_deny, "DUNNO", "ActionAuthorizedDeny");
	T_STREQ(c->authserv_id, "mx.example.net", "AuthservID");
	T_INTEQ(c->syslog_facility, LOG_LOCAL3, "SyslogFacility local3");
	T_STREQ(config_facility_name(c->syslog_facility), "local3",
	    "facility name");
	T_STREQ(c->stats_file, "/var/lib/senderkey/senderkeyd.prom",
	    "StatsFile");
	T_STREQ(c->policy_store, "/etc/senderkey/policy", "PolicyStore");
	T_STREQ(c->recipient_delimiter, "+-", "RecipientDelimiter");
	T_STREQ(c->file, "tests/data/conf/full.conf", "file remembered");
	config_free(c);
}

static void
load_bad(const char *file, const char *want, const char *what)
{
	struct config *c = NULL;
	char err[CONFIG_ERR_MAX] = "";

	T_OK(config_load(file, &c, err, sizeof(err)) == -1 && c == NULL,
	    "%s: refused", what);
	T_STREQ(err, want, "%s: message", what);
	config_free(c);
}

static void
cfg_bad(const char *text, const char *want, const char *what)
{
	struct config *c = NULL;
	char err[CONFIG_ERR_MAX] = "";

	T_OK(config_parse(text, strlen(text), "s.conf", &c, err,
	    sizeof(err)) == -1 && c == NULL, "%s: refused", what);
	T_STREQ(err, want, "%s: message", what);
}

/* PolicyStore on PostgreSQL: a URI or a service, not a path; and the
   password file libpq is given (issue 17). */
static void
test_config_pg_store(void)
{
	static const char *const good[] = {
		"postgresql://skd@db.example.net/senderkey",
		"postgres://skd@/senderkey?host=/run/postgresql",
		"service=senderkey",
		"/var/lib/senderkey/policy.db",
	};
	struct config *c = NULL;
	char text[256], err[CONFIG_ERR_MAX] = "";
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "PolicyStore %s\n%s", good[i],
		    i < 3 ? "PolicyStorePasswordFile /etc/senderkey/pgpass\n" :
		    "");
		T_OK(config_parse(text, strlen(text), "s.conf", &c, err,
		    sizeof(err)) == 0, "PolicyStore %s (%s)", good[i], err);
		if (c == NULL)
			continue;
		T_STREQ(c->policy_store, good[i], "PolicyStore %s kept",
		    good[i]);
		if (i < 3)
			T_STREQ(c->policy_store_passfile,
			    "/etc/senderkey/pgpass", "PolicyStorePasswordFile");
		T_INTEQ(config_store_is_pg(c->policy_store), i < 3,
		    "%s is %sPostgreSQL", good[i], i < 3 ? "" : "not ");
		config_free(c);
		c = NULL;
	}
	if ((c = config_default()) != NULL) {
		T_OK(c->policy_store_passfile == NULL,
		    "PolicyStorePasswordFile unset by default");
		config_free(c);
		c = NULL;
	}
	cfg_bad("PolicyStore policy.db\n", "s.conf:1: PolicyStore: expected "
	    "an absolute path, a postgresql:// URI or service=NAME, got "
	    "'policy.db'", "PolicyStore relative");
	cfg_bad("PolicyStore mysql://db/x\n", "s.conf:1: PolicyStore: "
	    "expected an absolute path, a postgresql:// URI or service=NAME, "
	    "got 'mysql://db/x'", "PolicyStore another database");
	cfg_bad("PolicyStore service=\n", "s.conf:1: PolicyStore: expected "
	    "an absolute path, a postgresql:// URI or service=NAME, got "
	    "'service='", "PolicyStore service without a name");
	cfg_bad("PolicyStore postgresql://skd:secret@db/senderkey\n",
	    "s.conf:1: PolicyStore: expected no password in the URI (this "
	    "file is world-readable): put it in PolicyStorePasswordFile, got "
	    "'postgresql://skd:secret@db/senderkey'", "PolicyStore password");
	cfg_bad("PolicyStore postgres://db/s?sslmode=require&password=x\n",
	    "s.conf:1: PolicyStore: expected no password in the URI (this "
	    "file is world-readable): put it in PolicyStorePasswordFile, got "
	    "'postgres://db/s?sslmode=require&password=x'",
	    "PolicyStore password= parameter");
	T_OK(!config_store_has_password("postgresql://skd@[::1]:5432/s?"
	    "host=/run/postgresql"), "no password: a user, an IPv6 host, a "
	    "port");
	T_OK(!config_store_has_password("postgresql:///s?passfile=/x"),
	    "no password: a passfile= parameter");
	T_OK(config_store_has_password("postgresql://u:p@/s"),
	    "a password without a host");
	T_OK(config_store_has_password("postgresql://h/s?password=p"),
	    "a password= parameter first");
	cfg_bad("PolicyStorePasswordFile pgpass\n", "s.conf:1: "
	    "PolicyStorePasswordFile: expected an absolute path, got "
	    "'pgpass'", "PolicyStorePasswordFile relative");
}

/*
 * The settings of a PostgreSQL store alone (issue 17): refused, with
 * their line, beside a SQLite store or without a store, where they
 * would be silently ignored; PolicyStoreUnreachable defaults to refuse.
 */
static void
test_config_pg_only(void)
{
	struct config *c = NULL;
	char err[CONFIG_ERR_MAX] = "";
	const char *t = "PolicyStore service=senderkey\n"
	    "PolicyStoreCopy /var/lib/senderkey/copy.db\n"
	    "PolicyStoreUnreachable TempFail\n";

	if ((c = config_default()) != NULL) {
		T_INTEQ(c->policy_store_tempfail, 0,
		    "PolicyStoreUnreachable refuse by default");
		config_free(c);
		c = NULL;
	}
	T_OK(config_parse(t, strlen(t), "s.conf", &c, err, sizeof(err)) ==
	    0, "copy and tempfail with a PostgreSQL store (%s)", err);
	if (c != NULL) {
		T_INTEQ(c->policy_store_tempfail, 1,
		    "PolicyStoreUnreachable tempfail");
		T_STREQ(c->policy_store_copy, "/var/lib/senderkey/copy.db",
		    "PolicyStoreCopy");
		config_free(c);
		c = NULL;
	}
	cfg_bad("PolicyStore /var/lib/senderkey/policy.db\n"
	    "PolicyStoreCopy /var/lib/senderkey/copy.db\n", "s.conf:2: "
	    "PolicyStoreCopy: expected a PostgreSQL PolicyStore "
	    "(postgresql:// or service=NAME); this one is a file on this "
	    "host", "PolicyStoreCopy beside a SQLite store");
	cfg_bad("\nPolicyStoreUnreachable tempfail\n", "s.conf:2: "
	    "PolicyStoreUnreachable: expected a PostgreSQL PolicyStore "
	    "(postgresql:// or service=NAME), and there is no PolicyStore",
	    "PolicyStoreUnreachable without a store");
	cfg_bad("PolicyStore /x.db\nPolicyStorePasswordFile /etc/pgpass\n",
	    "s.conf:2: PolicyStorePasswordFile: expected a PostgreSQL "
	    "PolicyStore (postgresql:// or service=NAME); this one is a file "
	    "on this host", "PolicyStorePasswordFile beside a SQLite store");
	cfg_bad("PolicyStore service=s\nPolicyStoreUnreachable wait\n",
	    "s.conf:2: PolicyStoreUnreachable: expected refuse or "
	    "tempfail, got 'wait'", "PolicyStoreUnreachable unknown value");
}

/* The senderkey-milter settings (man/senderkey-milter.8). */
static void
test_config_milter(void)
{
	struct config *c = NULL;
	char err[CONFIG_ERR_MAX] = "";
	const char *t = "MilterSocket inet:127.0.0.1:8891\n"
	    "MilterMode sign\nMilterUser skmilter\n"
	    "KeyTable /etc/senderkey/keytable\nMilterDaemonTimeout 3s\n"
	    "MilterDkim yes\n";

	if ((c = config_default()) != NULL) {
		T_STREQ(c->milter_socket.path, "/run/senderkey/milter.sock",
		    "MilterSocket default");
		T_INTEQ(c->milter_mode, CONFIG_MILTER_BOTH,
		    "MilterMode default both");
		T_OK(c->milter_user == NULL && c->key_table == NULL,
		    "MilterUser, KeyTable unset by default");
		T_INTEQ(c->milter_timeout_ms, 10000,
		    "MilterDaemonTimeout default 10s");
		T_INTEQ(c->milter_dkim, 0, "MilterDkim default no");
		config_free(c);
		c = NULL;
	} else
		T_OK(0, "config_default");
	T_OK(config_parse(t, strlen(t), "m.conf", &c, err, sizeof(err)) == 0,
	    "milter settings parse (%s)", err);
	if (c != NULL) {
		T_OK(c->milter_socket.kind == CONFIG_LISTEN_INET &&
		    c->milter_socket.port == 8891, "MilterSocket inet");
		T_STREQ(c->milter_socket.spec, "inet:127.0.0.1:8891",
		    "MilterSocket spec kept");
		T_INTEQ(c->milter_mode, CONFIG_MILTER_SIGN, "MilterMode sign");
		T_STREQ(c->milter_user, "skmilter", "MilterUser");
		T_STREQ(c->key_table, "/etc/senderkey/keytable", "KeyTable");
		T_INTEQ(c->milter_timeout_ms, 3000, "MilterDaemonTimeout 3s");
		T_INTEQ(c->milter_dkim, 1, "MilterDkim yes");
		config_free(c);
	}
	cfg_bad("MilterMode inbound\n", "s.conf:1: MilterMode: expected both "
	    "or verify or sign, got 'inbound'", "MilterMode inbound");
	cfg_bad("KeyTable /k\nMilterDkim rsa\n", "s.conf:2: MilterDkim: "
	    "expected yes or no, got 'rsa'", "MilterDkim rsa");
	cfg_bad("KeyTable keytable\n", "s.conf:1: KeyTable: expected an "
	    "absolute path, got 'keytable'", "KeyTable relative");
	cfg_bad("MilterSocket unix:relative\n", "s.conf:1: MilterSocket: "
	    "expected unix:/absolute/path (at most 107 octets), got "
	    "'unix:relative'", "MilterSocket relative");
}

static void
test_config_errors(void)
{
	struct config *c = NULL;
	char err[CONFIG_ERR_MAX];
	const char *t;

	load_bad("tests/data/conf/unknown.conf",
	    "tests/data/conf/unknown.conf:4: unknown name 'Bogus'",
	    "unknown.conf");
	load_bad("tests/data/conf/duplicate.conf",
	    "tests/data/conf/duplicate.conf:3: DNSTimeout: set twice (first "
	    "on line 1)", "duplicate.conf");
	load_bad("tests/data/conf/action-ok.conf",
	    "tests/data/conf/action-ok.conf:1: ActionUnauthorized: expected "
	    "an action that accepts no more than DUNNO (not OK, an "
	    "all-numerical result or permit*), got 'OK fine'",
	    "action-ok.conf");
	load_bad("tests/data/conf/socket-public.conf",
	    "tests/data/conf/socket-public.conf:1: Socket: expected a "
	    "loopback address (127.0.0.0/8 or [::1]), got "
	    "'inet:192.0.2.1:25'", "socket-public.conf");
	load_bad("tests/data/conf/nul.conf",
	    "tests/data/conf/nul.conf:1: expected text, found a NUL octet",
	    "nul.conf");
	load_bad("tests/data/conf/missing.conf",
	    "tests/data/conf/missing.conf: No such file or directory",
	    "a missing file given by name");
	load_bad("tests/data/conf", "tests/data/conf: not a regular file",
	    "a directory");
	T_OK(config_load("tests/data/conf/crlf.conf", &c, err,
	    sizeof(err)) == 0 && c->default_mode == CONFIG_MODE_DENY,
	    "CR LF line ends");
	config_free(c);

	cfg_bad("ActionTempfail ok\n", "s.conf:1: ActionTempfail: expected an "
	    "action that accepts no more than DUNNO (not OK, an "
	    "all-numerical result or permit*), got 'ok'", "lowercase ok");
	cfg_bad("ActionUntrusted 250 fine\n", "s.conf:1: ActionUntrusted: "
	    "expected an action that accepts no more than DUNNO (not OK, an "
	    "all-numerical result or permit*), got '250 fine'",
	    "all-numerical action");
	cfg_bad("ActionAuthorized permit_mynetworks\n", "s.conf:1: "
	    "ActionAuthorized: expected an action that accepts no more than "
	    "DUNNO (not OK, an all-numerical result or permit*), got "
	    "'permit_mynetworks'", "permit restriction");
	T_OK(config_parse("ActionAuthorized OKAY_NOT\n", 26, "s.conf", &c,
	    err, sizeof(err)) == 0, "a word merely starting with OK is not "
	    "the OK action");
	config_free(c);
	c = NULL;
	T_OK(config_action_check("DUNNO", err, sizeof(err)) == 0 &&
	    config_action_check("REJECT 5.7.1 x", err, sizeof(err)) == 0 &&
	    config_action_check("OK", err, sizeof(err)) == -1 &&
	    config_action_check("Ok then", err, sizeof(err)) == -1 &&
	    config_action_check("200", err, sizeof(err)) == -1 &&
	    config_action_check("", err, sizeof(err)) == -1 &&
	    config_action_check("DUNNO\tx", err, sizeof(err)) == -1,
	    "config_action_check");
	cfg_bad("Socket tcp:1.2.3.4:5\n", "s.conf:1: Socket: expected none, "
	    "unix:/path, inet:127.0.0.1:PORT or inet:[::1]:PORT, got "
	    "'tcp:1.2.3.4:5'", "socket scheme");
	cfg_bad("Socket unix:relative\n", "s.conf:1: Socket: expected "
	    "unix:/absolute/path (at most 107 octets), got 'unix:relative'",
	    "relative unix socket");
	cfg_bad("PolicySocket inet:127.0.0.1:0\n", "s.conf:1: PolicySocket: "
	    "expected none, unix:/path, inet:127.0.0.1:PORT or "
	    "inet:[::1]:PORT, got 'inet:127.0.0.1:0'", "port 0");
	cfg_bad("PolicySocket inet:[::2]:25\n", "s.conf:1: PolicySocket: "
	    "expected a loopback address (127.0.0.0/8 or [::1]), got "
	    "'inet:[::2]:25'", "non-loopback IPv6");
	t = "PolicySocket inet:[::1]:10040\nSocket none\n";
	T_OK(config_parse(t, strlen(t), "s.conf", &c, err, sizeof(err)) ==
	    0 && c->policy_socket.kind == CONFIG_LISTEN_INET &&
	    strcmp(c->policy_socket.host, "::1") == 0 &&
	    c->socket.kind == CONFIG_LISTEN_NONE, "inet:[::1] and none");
	config_free(c);
	c = NULL;
	cfg_bad("Forwarders 192.0.2.1 dns.example\n", "s.conf:1: Forwarders: "
	    "expected an IP address, optionally @PORT, got 'dns.example'",
	    "forwarder name");
	cfg_bad("Forwarders 192.0.2.1@0\n", "s.conf:1: Forwarders: expected "
	    "an IP address, optionally @PORT, got '192.0.2.1@0'",
	    "forwarder port 0");
	cfg_bad("SocketMode 660\n", "s.conf:1: SocketMode: expected an octal "
	    "mode like 0660 (leading 0, at most 0777), got '660'",
	    "mode without leading 0");
	cfg_bad("SocketMode 0778\n", "s.conf:1: SocketMode: expected an octal "
	    "mode like 0660 (leading 0, at most 0777), got '0778'",
	    "mode not octal");
	cfg_bad("User bad/user\n", "s.conf:1: User: expected a user or group "
	    "name, got 'bad/user'", "user name");
	cfg_bad("BogusTTL 61s\n", "s.conf:1: BogusTTL: expected a duration "
	    "from 0s to 60s (unit ms, s, m, h or d), got '61s'",
	    "BogusTTL over 60 s (verdicts.md 2.4)");
	cfg_bad("TempfailTTL 11s\n", "s.conf:1: TempfailTTL: expected a "
	    "duration from 0s to 10s (unit ms, s, m, h or d), got '11s'",
	    "TempfailTTL over 10 s (verdicts.md 2.4)");
	cfg_bad("CacheMaxTTL 10s\nCacheMinTTL 20s\n", "s.conf:2: CacheMinTTL: "
	    "expected at most CacheMaxTTL", "CacheMinTTL over CacheMaxTTL");
	cfg_bad("MaxConnections 0\n", "s.conf:1: MaxConnections: expected an "
	    "integer from 1 to 65536, got '0'", "MaxConnections 0");
	cfg_bad("DefaultMode reject\n", "s.conf:1: DefaultMode: expected "
	    "allow or deny, got 'reject'", "DefaultMode");
	cfg_bad("SyslogFacility kern\n", "s.conf:1: SyslogFacility: expected "
	    "mail or daemon or user or local0 or local1 or local2 or local3 "
	    "or local4 or local5 or local6 or local7, got 'kern'",
	    "SyslogFacility");
	cfg_bad("RecipientDelimiter + -\n", "s.conf:1: RecipientDelimiter: "
	    "expected delimiter characters, not '@', '\"', '\\', white "
	    "space, control or non-ASCII octets, got '+ -'",
	    "RecipientDelimiter with a space");
	cfg_bad("PolicyStore /x\nRecipientDelimiter +@\n", "s.conf:2: "
	    "RecipientDelimiter: expected delimiter characters, not '@', "
	    "'\"', '\\', white space, control or non-ASCII octets, got "
	    "'+@'", "RecipientDelimiter with '@'");
	cfg_bad("RecipientDelimiter \"+\"\n", "s.conf:1: RecipientDelimiter: "
	    "expected delimiter characters, not '@', '\"', '\\', white "
	    "space, control or non-ASCII octets, got '\"+\"'",
	    "RecipientDelimiter quoted");
	cfg_bad("RecipientDelimiter \xc3\xa9\n", "s.conf:1: "
	    "RecipientDelimiter: expected delimiter characters, not '@', "
	    "'\"', '\\', white space, control or non-ASCII octets, got "
	    "'\xc3\xa9'", "RecipientDelimiter non-ASCII");
	cfg_bad("TrustAnchorFile root.key\n", "s.conf:1: TrustAnchorFile: "
	    "expected an absolute path, got 'root.key'", "relative anchor");
}

/* config_line: the line that set a directive, 0 for a default. */
static void
test_config_line(void)
{
	static const char text[] = "# comment\n\nUser nobody\n"
	    "socketgroup postfix\nPolicyStore /x/p.db\n";
	struct config *c = NULL;
	char err[CONFIG_ERR_MAX];

	T_INTEQ(config_parse(text, sizeof(text) - 1, "l.conf", &c, err,
	    sizeof(err)), 0, "config_line: parses");
	if (c == NULL)
		return;
	T_INTEQ(config_line(c, "User"), 3, "User on line 3");
	T_INTEQ(config_line(c, "SocketGroup"), 4, "SocketGroup on line 4 "
	    "(written in another case)");
	T_INTEQ(config_line(c, "policystore"), 5, "any case in the query");
	T_INTEQ(config_line(c, "Socket"), 0, "a default: 0");
	T_INTEQ(config_line(c, "NoSuchSetting"), 0, "no such setting: 0");
	config_free(c);
}

int
main(void)
{
	test_types();
	test_errors();
	test_config_default();
	test_config_full();
	test_config_errors();
	test_config_milter();
	test_config_pg_store();
	test_config_pg_only();
	test_config_line();
	return t_done();
}
