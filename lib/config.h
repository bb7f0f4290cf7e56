/*
 * config: THE senderkey configuration, /etc/senderkey/senderkeyd.conf,
 * read by senderkeyd and by every CLI command that validates (resolver
 * settings).  The names, types and defaults are documented in
 * man/senderkeyd.conf.5; the syntax is conf.h's.  config_parse is pure;
 * config_load reads the file.  Not here: acting on the settings.
 */
#ifndef SK_CONFIG_H
#define SK_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONFIG_DEFAULT_PATH	"/etc/senderkey/senderkeyd.conf"
#define CONFIG_ERR_MAX		512	/* a good ERRSZ */

enum config_listen_kind {
	CONFIG_LISTEN_NONE,	/* "none": no such socket */
	CONFIG_LISTEN_UNIX,	/* unix:/absolute/path */
	CONFIG_LISTEN_INET,	/* inet:127.0.0.1:PORT, inet:[::1]:PORT */
};

struct config_listen {
	enum config_listen_kind	 kind;
	char			*spec;	/* as written, e.g. "unix:/run/x" */
	char			*path;	/* UNIX: the path; else NULL */
	char			*host;	/* INET: "127.0.0.1" or "::1" */
	unsigned		 port;	/* INET: 1-65535 */
};

enum config_default_mode {
	CONFIG_MODE_ALLOW,
	CONFIG_MODE_DENY,
};

enum config_run_mode {
	CONFIG_ENFORCE,		/* answer verdicts' actions */
	CONFIG_MONITOR,		/* log the verdict, answer DUNNO */
};

enum config_milter_mode {
	CONFIG_MILTER_BOTH,	/* "both": sign for {auth_authen}, else verify */
	CONFIG_MILTER_VERIFY,	/* "verify": inbound only */
	CONFIG_MILTER_SIGN,	/* "sign": submission only */
};

/* All strings malloc'd and owned by the config; NULL when unset. */
struct config {
	char			*file;		/* read from; NULL: defaults */
	struct config_listen	 socket;	/* Socket (line protocol) */
	struct config_listen	 policy_socket;	/* PolicySocket (Postfix) */
	char			*socket_owner;	/* SocketOwner; NULL: User */
	char			*socket_group;	/* SocketGroup */
	unsigned		 socket_mode;	/* SocketMode, e.g. 0660 */
	char			*user;		/* User; NULL: stay */
	char			*pid_file;	/* PidFile */
	char			*trust_anchor_file; /* TrustAnchorFile */
	char			*unbound_config; /* UnboundConfig */
	char			**forwarders;	/* Forwarders: IP[@PORT] */
	size_t			 nforwarders;
	unsigned		 dns_timeout_ms; /* DNSTimeout */
	enum config_default_mode default_mode;	/* DefaultMode */
	enum config_run_mode	 mode;		/* Mode */
	unsigned		 max_connections; /* MaxConnections */
	unsigned		 request_timeout_ms; /* RequestTimeout */
	unsigned		 idle_timeout_ms; /* IdleTimeout */
	unsigned		 write_timeout_ms; /* WriteTimeout */
	uint64_t		 cache_entries;	/* CacheEntries */
	uint64_t		 cache_bytes;	/* CacheBytes */
	unsigned		 cache_min_ttl;	/* CacheMinTTL, seconds */
	unsigned		 cache_max_ttl;	/* CacheMaxTTL, seconds */
	unsigned		 bogus_ttl;	/* BogusTTL, seconds */
	unsigned		 tempfail_ttl;	/* TempfailTTL, seconds */
	/* Postfix policy actions (protocol.md 2.4); never NULL. */
	char			*action_tempfail;	 /* ActionTempfail */
	char			*action_unauthorized;	 /* ActionUnauthorized */
	char			*action_untrusted;	 /* ActionUntrusted */
	char			*action_authorized;	 /* ActionAuthorized */
	char			*action_untrusted_deny;	 /* ActionUntrustedDeny */
	char			*action_authorized_deny; /* ActionAuthorizedDeny */
	char			*authserv_id;	/* AuthservID; NULL: hostname */
	int			 syslog_facility; /* SyslogFacility: LOG_* */
	char			*stats_file;	/* StatsFile (Prometheus) */
	char			*policy_store;	/* PolicyStore: a path, or
						   PostgreSQL's (see
						   config_store_is_pg) */
	char			*policy_store_passfile; /* PolicyStore-
						   PasswordFile; NULL:
						   libpq's default */
	char			*policy_store_copy; /* PolicyStoreCopy:
						   the local copy of a
						   PostgreSQL store, or
						   NULL */
	int			 policy_store_tempfail; /* PolicyStore-
						   Unreachable tempfail:
						   start without rules */
	char			*recipient_delimiter; /* RecipientDelimiter:
						   a set of octets; NULL:
						   none (rcpt_mailbox) */
	char			*journal_file;	/* JournalFile; NULL: beside
						   PolicyStore */
	unsigned		 journal_days;	/* JournalDays; 0: off */
	uint64_t		 journal_max_rows; /* JournalMaxRows */
	unsigned		 journal_flush_ms; /* JournalFlush */
	uint64_t		 journal_rcpt_rows; /* JournalRecipientRows;
						   0: no bound */
	uint64_t		 user_entries;	/* UserEntries: pairs per
						   recipient; 0: no bound */
	int			 learn_outbound; /* LearnOutbound: 1 yes */
	/* the mail client's socket (protocol.md 4, MOVE) */
	struct config_listen	 client_socket;	/* ClientSocket; unix or none */
	char			*client_socket_group; /* ClientSocketGroup;
						   NULL: SocketGroup */
	char			*client_domain;	/* ClientDomain; NULL: none */
	char			*client_user;	/* ClientUser: the only peer,
						   with root, MOVE is taken
						   from; NULL: root only */
	/* senderkey-milter (man/senderkey-milter.8) */
	struct config_listen	 milter_socket;	/* MilterSocket */
	enum config_milter_mode	 milter_mode;	/* MilterMode */
	char			*milter_user;	/* MilterUser; NULL: stay */
	char			*key_table;	/* KeyTable; NULL: no signing */
	int			 milter_dkim;	/* MilterDkim: 1 the DKIM bridge
						   field too (sign mode) */
	unsigned		 milter_timeout_ms; /* MilterDaemonTimeout */
	unsigned		*lines;		/* config_line's table */
};

/* config_default: a config with every default; NULL when out of memory. */
struct config	*config_default(void);

/*
 * config_parse: the config in LEN octets of TEXT; FILENAME for errors.
 * Returns 0 and a new config in *OUT (caller frees), or -1 with
 * "FILE:LINE: what was expected" in ERR (ERRSZ octets).
 */
int		 config_parse(const char *text, size_t len,
		    const char *filename, struct config **out, char *err,
		    size_t errsz);

/*
 * config_load: read PATH.  PATH NULL means CONFIG_DEFAULT_PATH, and then
 * a missing file gives the defaults; a PATH given must exist.  Returns 0
 * and *OUT, or -1 with the reason in ERR.
 */
int		 config_load(const char *path, struct config **out, char *err,
		    size_t errsz);

/*
 * config_line: the line of C's file that set NAME (any case), for
 * messages "FILE:LINE: ..."; 0 when NAME has its default (or is no
 * setting).
 */
unsigned	 config_line(const struct config *c, const char *name);

/* config_free: frees C and its strings.  NULL is a no-op. */
void		 config_free(struct config *c);

/*
 * config_store_is_pg: whether the PolicyStore SPEC names a PostgreSQL
 * database (a "postgresql://" or "postgres://" URI, or a libpq
 * "service=NAME"), not a file.
 */
int		 config_store_is_pg(const char *spec);

/*
 * config_store_has_password: whether the PostgreSQL URI SPEC carries a
 * password (user:password@, or a password= parameter), which would be
 * shown wherever the store is named (configuration, logs, messages,
 * ps); the password belongs in a passfile.
 */
int		 config_store_has_password(const char *spec);

/*
 * config_action_check: 0 when ACTION may be configured as a Postfix
 * policy action: non-empty, at most 512 octets, printable (no control
 * octets), and accepting no more than DUNNO: not OK, not all-numerical
 * (Postfix treats those as OK), not a permit_* restriction.  Else -1 with
 * what was expected in WHY (WHYSZ octets).
 */
int		 config_action_check(const char *action, char *why,
		    size_t whysz);

/* config_facility_name: "mail" for LOG_MAIL...; "?" when unknown. */
const char	*config_facility_name(int facility);

#endif
