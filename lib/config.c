/*
 * config.c: the senderkey configuration file (config.h): its schema, the
 * checks of values that conf.c's types do not cover (sockets, forwarders,
 * Postfix actions, octal modes) and the struct config built from it.
 * Every name is documented in man/senderkeyd.conf.5; keep both in step.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "conf.h"
#include "config.h"
#include "rcpt.h"

#define SEC	1000ULL
#define ACTION_MAX	512

static const char *const modes_default[] = { "allow", "deny", NULL };
static const char *const modes_run[] = { "enforce", "monitor", NULL };
static const char *const modes_milter[] = { "both", "verify", "sign", NULL };
static const char *const unreachable[] = { "refuse", "tempfail", NULL };

static const struct {
	const char *name;
	int facility;
} facilities[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};
static const char *const facility_names[] = { "mail", "daemon", "user",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6",
	"local7", NULL };

/* parse_listen: SPEC into *L (strings malloc'd); -1 with WHY. */
static int
parse_listen(const char *spec, struct config_listen *l, char *why,
    size_t whysz)
{
	unsigned char a[16];
	const char *hp, *colon;
	char host[64], *end;
	unsigned long port;
	size_t n;

	memset(l, 0, sizeof(*l));
	if (strcmp(spec, "none") == 0)
		return 0;
	if (strncmp(spec, "unix:", 5) == 0) {
		if (spec[5] != '/' || strlen(spec + 5) > 107) {
			snprintf(why, whysz, "expected unix:/absolute/path "
			    "(at most 107 octets)");
			return -1;
		}
		l->kind = CONFIG_LISTEN_UNIX;
		if ((l->path = strdup(spec + 5)) == NULL)
			goto nomem;
		return 0;
	}
	if (strncmp(spec, "inet:", 5) != 0)
		goto bad;
	hp = spec + 5;
	if (*hp == '[') {
		if ((colon = strstr(hp, "]:")) == NULL)
			goto bad;
		n = (size_t)(colon - hp - 1);
		hp++;
		colon++;
	} else {
		if ((colon = strrchr(hp, ':')) == NULL)
			goto bad;
		n = (size_t)(colon - hp);
	}
	if (n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, hp, n);
	host[n] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 ||
	    port == 0 || port > 65535)
		goto bad;
	if (inet_pton(AF_INET, host, a) == 1) {
		if (a[0] != 127)
			goto notloop;
	} else if (inet_pton(AF_INET6, host, a) == 1) {
		if (strcmp(host, "::1") != 0 && memcmp(a,
		    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) != 0)
			goto notloop;
	} else
		goto bad;
	l->kind = CONFIG_LISTEN_INET;
	l->port = (unsigned)port;
	if ((l->host = strdup(host)) == NULL)
		goto nomem;
	return 0;
notloop:
	snprintf(why, whysz, "expected a loopback address (127.0.0.0/8 or "
	    "[::1])");
	return -1;
bad:
	snprintf(why, whysz, "expected none, unix:/path, inet:127.0.0.1:PORT "
	    "or inet:[::1]:PORT");
	return -1;
nomem:
	snprintf(why, whysz, "out of memory");
	return -1;
}

static int
check_listen(const char *v, char *why, size_t whysz)
{
	struct config_listen l;
	int rc = parse_listen(v, &l, why, whysz);

	free(l.path);
	free(l.host);
	return rc;
}

/* check_client_listen: "none" or unix:/path (peer credentials, 4). */
static int
check_client_listen(const char *v, char *why, size_t whysz)
{
	if (strcmp(v, "none") != 0 && strncmp(v, "unix:", 5) != 0) {
		snprintf(why, whysz, "expected unix:/absolute/path or none "
		    "(never inet: the client socket is for local peers)");
		return -1;
	}
	return check_listen(v, why, whysz);
}

/* check_domain: a domain for ClientDomain: letters, digits, '-', '.'. */
static int
check_domain(const char *s, char *why, size_t whysz)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '.'))
			break;
	if (s[i] == '\0' && i > 0 && i <= 253 && s[0] != '.' && s[0] != '-')
		return 0;
	snprintf(why, whysz, "expected a domain name");
	return -1;
}

/* check_forwarder: "IP" or "IP@PORT", as libunbound takes it. */
static int
check_forwarder(const char *s, char *why, size_t whysz)
{
	char host[64], *end;
	unsigned char buf[16];
	const char *at = strchr(s, '@');
	size_t n = at != NULL ? (size_t)(at - s) : strlen(s);
	unsigned long port;

	if (n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, s, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, buf) != 1 &&
	    inet_pton(AF_INET6, host, buf) != 1)
		goto bad;
	if (at == NULL)
		return 0;
	errno = 0;
	port = strtoul(at + 1, &end, 10);
	if (at[1] >= '0' && at[1] <= '9' && *end == '\0' && errno == 0 &&
	    port > 0 && port <= 65535)
		return 0;
bad:
	snprintf(why, whysz, "expected an IP address, optionally @PORT");
	return -1;
}

static int
check_mode(const char *s, char *why, size_t whysz)
{
	char *end;
	unsigned long m;

	errno = 0;
	m = strtoul(s, &end, 8);
	if (s[0] != '0' || *end != '\0' || errno != 0 || m > 0777 ||
	    strspn(s, "01234567") != strlen(s)) {
		snprintf(why, whysz, "expected an octal mode like 0660 "
		    "(leading 0, at most 0777)");
		return -1;
	}
	return 0;
}

static int
check_name(const char *s, char *why, size_t whysz)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("._-", s[i]) ||
		    (s[i] == '$' && s[i + 1] == '\0')))
			break;
	if (s[i] == '\0' && i <= 32 && s[0] != '-')
		return 0;
	snprintf(why, whysz, "expected a user or group name");
	return -1;
}

int
config_action_check(const char *action, char *why, size_t whysz)
{
	size_t i, n = strlen(action), w;

	if (n == 0 || n > ACTION_MAX) {
		snprintf(why, whysz, "expected a Postfix action of 1 to %d "
		    "octets", ACTION_MAX);
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)action[i] < 0x20 ||
		    (unsigned char)action[i] == 0x7f) {
			snprintf(why, whysz, "expected no control characters "
			    "in an action");
			return -1;
		}
	w = strcspn(action, " \t");
	if ((w == 2 && strncasecmp(action, "OK", 2) == 0) ||
	    strspn(action, "0123456789") == w ||
	    strncasecmp(action, "permit", 6) == 0) {
		snprintf(why, whysz, "expected an action that accepts no "
		    "more than DUNNO (not OK, an all-numerical result or "
		    "permit*)");
		return -1;
	}
	return 0;
}

/* check_delims: octets that may split an address extension off. */
static int
check_delims(const char *v, char *why, size_t whysz)
{
	if (rcpt_delims_bad(v) == NULL)
		return 0;
	snprintf(why, whysz, "expected delimiter characters, not '@', '\"', "
	    "'\\', white space, control or non-ASCII octets");
	return -1;
}

static int
check_action(const char *v, char *why, size_t whysz)
{
	return config_action_check(v, why, whysz);
}

int
config_store_is_pg(const char *spec)
{
	return strncmp(spec, "postgresql://", 13) == 0 ||
	    strncmp(spec, "postgres://", 11) == 0 ||
	    strncmp(spec, "service=", 8) == 0;
}

int
config_store_has_password(const char *spec)
{
	const char *a, *q;
	size_t n;

	if (!config_store_is_pg(spec) || (a = strstr(spec, "://")) == NULL)
		return 0;
	a += 3;
	n = strcspn(a, "/?");		/* the authority */
	q = memchr(a, '@', n);
	if (q != NULL && memchr(a, ':', (size_t)(q - a)) != NULL)
		return 1;		/* user:password@ */
	for (q = strchr(a, '?'); q != NULL; q = strchr(q, '&'))
		if (strncmp(++q, "password=", 9) == 0)
			return 1;
	return 0;
}

/* check_store: PolicyStore is an absolute path or a PostgreSQL spec,
   without a password: this file is readable by everyone. */
static int
check_store(const char *v, char *why, size_t whysz)
{
	if (config_store_has_password(v)) {
		snprintf(why, whysz, "expected no password in the URI (this "
		    "file is world-readable): put it in "
		    "PolicyStorePasswordFile");
		return -1;
	}
	if (v[0] == '/' || (config_store_is_pg(v) &&
	    strcspn(v, " \t\r\n") == strlen(v) && v[8] != '\0'))
		return 0;
	snprintf(why, whysz, "expected an absolute path, a "
	    "postgresql:// URI or service=NAME");
	return -1;
}

/*
 * pg_only: the settings that exist for a PostgreSQL PolicyStore alone are
 * refused with any other (a SQLite store is on this host's disk: there is
 * nothing to copy, nothing out of reach).  0, or -1 with ERR set.
 */
static int
pg_only(const struct conf *cf, const struct config *c, const char *file,
    char *err, size_t errsz)
{
	static const char *const names[] = { "PolicyStoreCopy",
	    "PolicyStorePasswordFile", "PolicyStoreUnreachable" };
	size_t i;

	if (c->policy_store != NULL && config_store_is_pg(c->policy_store))
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (conf_line(cf, names[i]) != 0) {
			snprintf(err, errsz, "%s:%u: %s: expected a "
			    "PostgreSQL PolicyStore (postgresql:// or "
			    "service=NAME)%s", file != NULL ? file :
			    "(default)", conf_line(cf, names[i]), names[i],
			    c->policy_store == NULL ? ", and there is no "
			    "PolicyStore" : "; this one is a file on this "
			    "host");
			return -1;
		}
	return 0;
}

#define T_STR(n, d)	{ n, CONF_STRING, 0, d, 0, 0, NULL, NULL }
#define T_PATH(n, d)	{ n, CONF_PATH, 0, d, 0, 0, NULL, NULL }
#define T_DUR(n, d, lo, hi) { n, CONF_DURATION, 0, d, lo, hi, NULL, NULL }
#define T_ACT(n, d)	{ n, CONF_STRING, 0, d, 0, 0, NULL, check_action }

static const struct conf_schema schema[] = {
	{ "Socket", CONF_STRING, 0, "unix:/run/senderkey/senderkeyd.sock",
	    0, 0, NULL, check_listen },
	{ "PolicySocket", CONF_STRING, 0, "unix:/run/senderkey/policy.sock",
	    0, 0, NULL, check_listen },
	{ "ClientSocket", CONF_STRING, 0, "none", 0, 0, NULL,
	    check_client_listen },
	{ "ClientSocketGroup", CONF_STRING, 0, NULL, 0, 0, NULL, check_name },
	{ "ClientDomain", CONF_STRING, 0, NULL, 0, 0, NULL, check_domain },
	{ "ClientUser", CONF_STRING, 0, NULL, 0, 0, NULL, check_name },
	{ "SocketOwner", CONF_STRING, 0, NULL, 0, 0, NULL, check_name },
	{ "SocketGroup", CONF_STRING, 0, "senderkey", 0, 0, NULL, check_name },
	{ "SocketMode", CONF_STRING, 0, "0660", 0, 0, NULL, check_mode },
	{ "User", CONF_STRING, 0, NULL, 0, 0, NULL, check_name },
	T_PATH("PidFile", NULL),
	T_PATH("TrustAnchorFile", "/usr/share/dns/root.key"),
	T_PATH("UnboundConfig", NULL),
	{ "Forwarders", CONF_LIST, CONF_REPEAT, NULL, 0, 0, NULL,
	    check_forwarder },
	T_DUR("DNSTimeout", "5s", 100, 60 * SEC),
	{ "DefaultMode", CONF_ENUM, 0, "allow", 0, 0, modes_default, NULL },
	{ "Mode", CONF_ENUM, 0, "enforce", 0, 0, modes_run, NULL },
	{ "MaxConnections", CONF_UINT, 0, "1024", 1, 65536, NULL, NULL },
	T_DUR("RequestTimeout", "10s", 100, 600 * SEC),
	T_DUR("IdleTimeout", "330s", 1 * SEC, 86400 * SEC),
	T_DUR("WriteTimeout", "10s", 100, 600 * SEC),
	{ "CacheEntries", CONF_UINT, 0, "100000", 0, 100000000, NULL, NULL },
	{ "CacheBytes", CONF_SIZE, 0, "64m", 0, 1ULL << 40, NULL, NULL },
	T_DUR("CacheMinTTL", "0s", 0, 86400 * SEC),
	T_DUR("CacheMaxTTL", "1d", 0, 7 * 86400 * SEC),
	T_DUR("BogusTTL", "60s", 0, 60 * SEC),
	T_DUR("TempfailTTL", "10s", 0, 10 * SEC),
	T_ACT("ActionTempfail",
	    "DEFER_IF_PERMIT 4.7.0 senderkey: temporary failure ({reason})"),
	T_ACT("ActionUnauthorized",
	    "REJECT 5.7.1 {text}"),
	T_ACT("ActionUntrusted",
	    "PREPEND Sender-Key-Trust: {trust}"),
	T_ACT("ActionAuthorized",
	    "PREPEND Sender-Key-Trust: {trust}"),
	T_ACT("ActionUntrustedDeny",
	    "PREPEND Sender-Key-Trust: {trust}"),
	T_ACT("ActionAuthorizedDeny",
	    "PREPEND Sender-Key-Trust: {trust}"),
	T_STR("AuthservID", NULL),
	{ "SyslogFacility", CONF_ENUM, 0, "mail", 0, 0, facility_names, NULL },
	T_PATH("StatsFile", NULL),
	{ "PolicyStore", CONF_STRING, 0, NULL, 0, 0, NULL, check_store },
	T_PATH("PolicyStorePasswordFile", NULL),
	T_PATH("PolicyStoreCopy", NULL),
	{ "PolicyStoreUnreachable", CONF_ENUM, 0, "refuse", 0, 0,
	    unreachable, NULL },
	{ "RecipientDelimiter", CONF_STRING, 0, NULL, 0, 0, NULL,
	    check_delims },
	T_PATH("JournalFile", NULL),
	{ "JournalDays", CONF_UINT, 0, "30", 0, 3660, NULL, NULL },
	{ "JournalMaxRows", CONF_UINT, 0, "1000000", 1, 1000000000, NULL,
	    NULL },
	T_DUR("JournalFlush", "5s", 100, 300 * SEC),
	{ "JournalRecipientRows", CONF_UINT, 0, "10000", 0, 1000000000, NULL,
	    NULL },
	{ "UserEntries", CONF_UINT, 0, "1000", 0, 1000000000, NULL,
	    NULL },
	{ "LearnOutbound", CONF_BOOL, 0, "no", 0, 1, NULL, NULL },
	{ "MilterSocket", CONF_STRING, 0, "unix:/run/senderkey/milter.sock",
	    0, 0, NULL, check_listen },
	{ "MilterMode", CONF_ENUM, 0, "both", 0, 0, modes_milter, NULL },
	{ "MilterUser", CONF_STRING, 0, NULL, 0, 0, NULL, check_name },
	T_PATH("KeyTable", NULL),
	{ "MilterDkim", CONF_BOOL, 0, "no", 0, 1, NULL, NULL },
	T_DUR("MilterDaemonTimeout", "10s", 100, 300 * SEC),
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

void
config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->file);
	free(c->socket.spec);
	free(c->socket.path);
	free(c->socket.host);
	free(c->policy_socket.spec);
	free(c->policy_socket.path);
	free(c->policy_socket.host);
	free(c->client_socket.spec);
	free(c->client_socket.path);
	free(c->client_socket.host);
	free(c->client_socket_group);
	free(c->client_domain);
	free(c->client_user);
	free(c->socket_owner);
	free(c->socket_group);
	free(c->user);
	free(c->pid_file);
	free(c->trust_anchor_file);
	free(c->unbound_config);
	for (i = 0; i < c->nforwarders; i++)
		free(c->forwarders[i]);
	free(c->forwarders);
	free(c->action_tempfail);
	free(c->action_unauthorized);
	free(c->action_untrusted);
	free(c->action_authorized);
	free(c->action_untrusted_deny);
	free(c->action_authorized_deny);
	free(c->authserv_id);
	free(c->stats_file);
	free(c->policy_store);
	free(c->policy_store_passfile);
	free(c->policy_store_copy);
	free(c->recipient_delimiter);
	free(c->journal_file);
	free(c->milter_socket.spec);
	free(c->milter_socket.path);
	free(c->milter_socket.host);
	free(c->milter_user);
	free(c->key_table);
	free(c->lines);
	free(c);
}

unsigned
config_line(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; c->lines != NULL && schema[i].name != NULL; i++)
		if (strcasecmp(schema[i].name, name) == 0)
			return c->lines[i];
	return 0;
}

/* copy_str: a copy of NAME's value into *OUT (NULL stays NULL); -1 on ENOMEM. */
static int
copy_str(const struct conf *cf, const char *name, char **out)
{
	const char *v = conf_str(cf, name);

	*out = NULL;
	if (v == NULL)
		return 0;
	return (*out = strdup(v)) == NULL ? -1 : 0;
}

static int
build(const struct conf *cf, const char *file, struct config **out, char *err,
    size_t errsz)
{
	struct config *c;
	const char *const *items;
	char why[128];
	size_t i, n;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto nomem;
	if (file != NULL && (c->file = strdup(file)) == NULL)
		goto nomem;
	for (n = 0; schema[n].name != NULL; n++)
		;
	if ((c->lines = calloc(n, sizeof(*c->lines))) == NULL)
		goto nomem;
	for (i = 0; i < n; i++)
		c->lines[i] = conf_line(cf, schema[i].name);
	if (parse_listen(conf_str(cf, "Socket"), &c->socket, why,
	    sizeof(why)) == -1 ||
	    parse_listen(conf_str(cf, "PolicySocket"), &c->policy_socket, why,
	    sizeof(why)) == -1 ||
	    parse_listen(conf_str(cf, "MilterSocket"), &c->milter_socket, why,
	    sizeof(why)) == -1 ||
	    parse_listen(conf_str(cf, "ClientSocket"), &c->client_socket, why,
	    sizeof(why)) == -1)
		goto nomem;	/* checked by the schema: only ENOMEM */
	if (copy_str(cf, "Socket", &c->socket.spec) == -1 ||
	    copy_str(cf, "PolicySocket", &c->policy_socket.spec) == -1 ||
	    copy_str(cf, "ClientSocket", &c->client_socket.spec) == -1 ||
	    copy_str(cf, "ClientSocketGroup", &c->client_socket_group) ==
	    -1 ||
	    copy_str(cf, "ClientDomain", &c->client_domain) == -1 ||
	    copy_str(cf, "ClientUser", &c->client_user) == -1 ||
	    copy_str(cf, "SocketOwner", &c->socket_owner) == -1 ||
	    copy_str(cf, "SocketGroup", &c->socket_group) == -1 ||
	    copy_str(cf, "User", &c->user) == -1 ||
	    copy_str(cf, "PidFile", &c->pid_file) == -1 ||
	    copy_str(cf, "TrustAnchorFile", &c->trust_anchor_file) == -1 ||
	    copy_str(cf, "UnboundConfig", &c->unbound_config) == -1 ||
	    copy_str(cf, "ActionTempfail", &c->action_tempfail) == -1 ||
	    copy_str(cf, "ActionUnauthorized", &c->action_unauthorized) == -1 ||
	    copy_str(cf, "ActionUntrusted", &c->action_untrusted) == -1 ||
	    copy_str(cf, "ActionAuthorized", &c->action_authorized) == -1 ||
	    copy_str(cf, "ActionUntrustedDeny", &c->action_untrusted_deny) == -1 ||
	    copy_str(cf, "ActionAuthorizedDeny", &c->action_authorized_deny) ==
	    -1 ||
	    copy_str(cf, "AuthservID", &c->authserv_id) == -1 ||
	    copy_str(cf, "StatsFile", &c->stats_file) == -1 ||
	    copy_str(cf, "PolicyStore", &c->policy_store) == -1 ||
	    copy_str(cf, "PolicyStorePasswordFile",
	    &c->policy_store_passfile) == -1 ||
	    copy_str(cf, "PolicyStoreCopy", &c->policy_store_copy) == -1 ||
	    copy_str(cf, "RecipientDelimiter", &c->recipient_delimiter) ==
	    -1 ||
	    copy_str(cf, "JournalFile", &c->journal_file) == -1 ||
	    copy_str(cf, "MilterSocket", &c->milter_socket.spec) == -1 ||
	    copy_str(cf, "MilterUser", &c->milter_user) == -1 ||
	    copy_str(cf, "KeyTable", &c->key_table) == -1)
		goto nomem;
	c->socket_mode = (unsigned)strtoul(conf_str(cf, "SocketMode"), NULL,
	    8);
	n = conf_list(cf, "Forwarders", &items);
	if (n > 0 && (c->forwarders = calloc(n, sizeof(char *))) == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		if ((c->forwarders[i] = strdup(items[i])) == NULL)
			goto nomem;
		c->nforwarders++;
	}
	c->dns_timeout_ms = (unsigned)conf_uint(cf, "DNSTimeout");
	c->default_mode = conf_enum(cf, "DefaultMode") == 1 ?
	    CONFIG_MODE_DENY : CONFIG_MODE_ALLOW;
	c->mode = conf_enum(cf, "Mode") == 1 ? CONFIG_MONITOR :
	    CONFIG_ENFORCE;
	c->max_connections = (unsigned)conf_uint(cf, "MaxConnections");
	c->journal_days = (unsigned)conf_uint(cf, "JournalDays");
	c->journal_max_rows = conf_uint(cf, "JournalMaxRows");
	c->journal_flush_ms = (unsigned)conf_uint(cf, "JournalFlush");
	c->journal_rcpt_rows = conf_uint(cf, "JournalRecipientRows");
	c->user_entries = conf_uint(cf, "UserEntries");
	c->learn_outbound = conf_uint(cf, "LearnOutbound") != 0;
	c->milter_mode = (enum config_milter_mode)conf_enum(cf, "MilterMode");
	c->milter_dkim = conf_uint(cf, "MilterDkim") != 0;
	c->milter_timeout_ms = (unsigned)conf_uint(cf,
	    "MilterDaemonTimeout");
	c->request_timeout_ms = (unsigned)conf_uint(cf, "RequestTimeout");
	c->idle_timeout_ms = (unsigned)conf_uint(cf, "IdleTimeout");
	c->write_timeout_ms = (unsigned)conf_uint(cf, "WriteTimeout");
	c->cache_entries = conf_uint(cf, "CacheEntries");
	c->cache_bytes = conf_uint(cf, "CacheBytes");
	c->cache_min_ttl = (unsigned)(conf_uint(cf, "CacheMinTTL") / SEC);
	c->cache_max_ttl = (unsigned)(conf_uint(cf, "CacheMaxTTL") / SEC);
	c->bogus_ttl = (unsigned)(conf_uint(cf, "BogusTTL") / SEC);
	c->tempfail_ttl = (unsigned)(conf_uint(cf, "TempfailTTL") / SEC);
	c->syslog_facility = facilities[conf_enum(cf, "SyslogFacility")]
	    .facility;
	c->policy_store_tempfail = conf_enum(cf, "PolicyStoreUnreachable") ==
	    1;
	if (c->cache_min_ttl > c->cache_max_ttl) {
		snprintf(err, errsz, "%s:%u: CacheMinTTL: expected at most "
		    "CacheMaxTTL", file != NULL ? file : "(default)",
		    conf_line(cf, "CacheMinTTL"));
		config_free(c);
		return -1;
	}
	if (pg_only(cf, c, file, err, errsz) == -1) {
		config_free(c);
		return -1;
	}
	*out = c;
	return 0;
nomem:
	snprintf(err, errsz, "out of memory");
	config_free(c);
	return -1;
}

int
config_parse(const char *text, size_t len, const char *filename,
    struct config **out, char *err, size_t errsz)
{
	struct conf *cf;
	int rc;

	*out = NULL;
	if ((cf = conf_parse(schema, text, len, filename, err, errsz)) ==
	    NULL)
		return -1;
	rc = build(cf, filename, out, err, errsz);
	conf_free(cf);
	return rc;
}

struct config *
config_default(void)
{
	struct config *c = NULL;
	char err[CONFIG_ERR_MAX];

	if (config_parse("", 0, "(default)", &c, err, sizeof(err)) == -1)
		return NULL;
	free(c->file);
	c->file = NULL;
	return c;
}

int
config_load(const char *path, struct config **out, char *err, size_t errsz)
{
	struct conf *cf;
	int rc;

	*out = NULL;
	errno = 0;
	cf = conf_load(schema, path != NULL ? path : CONFIG_DEFAULT_PATH, err,
	    errsz);
	if (cf == NULL) {
		if (path == NULL && errno == ENOENT &&
		    (*out = config_default()) != NULL)
			return 0;
		return -1;
	}
	rc = build(cf, path != NULL ? path : CONFIG_DEFAULT_PATH, out, err,
	    errsz);
	conf_free(cf);
	return rc;
}

const char *
config_facility_name(int facility)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (facilities[i].facility == facility)
			return facilities[i].name;
	return "?";
}
