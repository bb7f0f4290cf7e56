/*
 * audit: the checks of "senderkey audit" (specs/audit.md) as pure
 * functions over data collected elsewhere (audit_dns.c collects it from
 * DNS, cmd_audit.c from the manifests).  Pure: no I/O.  Not here: DNS,
 * output formats (audit_out.h).
 *
 * The caller fills a struct audit_zone and one struct audit_sender per
 * sender (from the manifests, and those found by an NSEC walk or AXFR),
 * then audit_check appends findings to a report.  Each finding has a
 * severity, a stable code (specs/audit.md section 3), a subject (the
 * domain, an address or an owner name) and one line of text.
 */
#ifndef SK_AUDIT_H
#define SK_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "core/lookup.h"

#define AUDIT_SCHEMA		"senderkey-audit/1"
#define AUDIT_MAX_KEYS		16	/* keys kept per sender and side */
#define AUDIT_MAX_SERVERS	16	/* name servers compared */
#define AUDIT_MAX_KEYLEN	2048	/* octets of one p= value */

/* Severities, most severe first (specs/audit.md section 2). */
enum audit_sev {
	AUDIT_CRITICAL,
	AUDIT_ERROR,
	AUDIT_WARNING,
	AUDIT_NOTICE,
	AUDIT_INFO,
};
#define AUDIT_NSEV	5

/* Nagios plugin exit codes. */
enum audit_status {
	AUDIT_STATUS_OK = 0,
	AUDIT_STATUS_WARNING = 1,
	AUDIT_STATUS_CRITICAL = 2,
	AUDIT_STATUS_UNKNOWN = 3,
};

/* How the zone proves that names do not exist. */
enum audit_denial {
	AUDIT_DENIAL_UNKNOWN,	/* not probed, or no server answered */
	AUDIT_DENIAL_NONE,	/* no NSEC or NSEC3 in a negative answer */
	AUDIT_DENIAL_NSEC,
	AUDIT_DENIAL_NSEC3,
};

/* One key: expected (manifest) or published (DNS).  Octets owned here. */
struct audit_key {
	int		 alg;		/* enum keyrec_alg */
	unsigned char	*key;		/* p= octets; NULL when revoked */
	size_t		 keylen;
	unsigned	 bits;
	int		 testing;
	int		 revoked;
	int64_t		 not_before;	/* manifest only; 0: none */
	int64_t		 not_after;	/* x= or manifest; 0: none */
};

/* One name server address and what it said about the zone. */
struct audit_server {
	char		*name;		/* NS target, or the address given */
	char		*addr;		/* "IP" or "IP@PORT" */
	int		 ok;		/* answered the SOA query */
	uint32_t	 serial;
	char		*error;		/* when !ok: why */
};

/* The zone-wide data. */
struct audit_zone {
	char			*domain;	/* A-label, no trailing dot */
	enum lookup_state	 state;		/* of the policy lookup */
	char			*reason;	/* its reason, NULL if none */
	int			 probed;	/* state was looked up */
	enum audit_denial	 denial;
	int			 nsec3_iterations; /* -1 unknown */
	int			 nsec3_optout;	/* the probe's denial had an
						   NSEC3 with opt-out set */
	int			 policy_all;	/* a secure policy=all record */
	int			 walked;	/* an NSEC walk ran */
	int			 walk_complete;	/* it came back to the apex */
	char			**hashes;	/* sender hashes it found */
	size_t			 nhashes;
	int			 axfr;		/* a zone transfer succeeded */
	size_t			 axfr_server;	/* from this server */
	char			**dkim_sels;	/* the transfer's DKIM bridge
						   names with a usable key:
						   their 32 hex digits, sorted,
						   each once */
	size_t			 ndkim_sels;
	struct audit_server	 servers[AUDIT_MAX_SERVERS];
	size_t			 nservers;
	int64_t			 soa_sig_expire; /* earliest; 0 unknown */
};

/* One sender (or one owner name found by a walk). */
struct audit_sender {
	char			*address;	/* canonical; NULL: walk only */
	char			*owner;		/* <hash>._senderkey.<dom>. */
	char			*origin;	/* "FILE:LINE" or NULL */
	int			 listed;	/* in a manifest */
	struct audit_key	 expected[AUDIT_MAX_KEYS];
	size_t			 nexpected;
	char			*expect_error;	/* a key the audit could not
						   load: FILE:LINE: why */
	/* the validated lookup */
	int			 looked_up;
	enum lookup_state	 state;
	enum lookup_nokey	 nokey;		/* as lookup_answer's */
	enum keyrec_err		 keyerr;	/* as lookup_answer's */
	char			*reason;	/* for messages only */
	struct audit_key	 published[AUDIT_MAX_KEYS];
	size_t			 npublished;
	size_t			 nbad;		/* malformed v=SK1 records */
	/* the authoritative servers (index as audit_zone.servers) */
	int64_t			 sig_expire;	/* earliest RRSIG; 0 unknown */
	char			*answers[AUDIT_MAX_SERVERS]; /* NULL: none */
	/*
	 * the DKIM bridge record at sk<hash[0:32]>._domainkey.<dom>.
	 * (audit.md 3): SECURE_KEY with usable keys; SECURE_NOKEY when
	 * there is no DKIM record (dkim_nrec 0) or only revoked ones;
	 * PERMERROR when every record is malformed; INSECURE, BOGUS,
	 * TEMPFAIL as for the sender's own lookup
	 */
	char			*dkim_owner;
	int			 dkim_looked_up;
	enum lookup_state	 dkim_state;
	char			*dkim_reason;	/* for messages only */
	size_t			 dkim_nrec;	/* TXT records at the name */
	size_t			 dkim_nbad;	/* of those, malformed */
	enum keyrec_err		 dkim_keyerr;	/* the first malformed one's */
	struct audit_key	 dkim[AUDIT_MAX_KEYS];	/* its usable keys */
	size_t			 ndkim;
};

/* Thresholds and the clock. */
struct audit_opts {
	int64_t		 now;
	int64_t		 warn_expiry;	/* seconds; default 14 days */
	int64_t		 crit_expiry;	/* seconds; default 3 days */
	int		 have_manifest;	/* senders not listed are news */
	int		 dkim;		/* --dkim: every sender has a DKIM
					   bridge record */
};

struct audit_finding {
	enum audit_sev	 sev;
	const char	*code;		/* static, specs/audit.md */
	char		*subject;
	char		*message;
};

struct audit_report;

/* audit_report_new: an empty report, or NULL when out of memory. */
struct audit_report *audit_report_new(void);
/* audit_report_free: frees R and its findings; NULL is a no-op. */
void		 audit_report_free(struct audit_report *r);

/*
 * audit_report_add: append a finding (SUBJECT and the formatted message
 * are copied).  CODE must be a static string.  Returns 0, or -1 when out
 * of memory.
 */
int		 audit_report_add(struct audit_report *r, enum audit_sev sev,
		    const char *code, const char *subject, const char *fmt,
		    ...) __attribute__((format(printf, 5, 6)));

/* audit_report_count: the findings; audit_report_get: the I-th or NULL. */
size_t		 audit_report_count(const struct audit_report *r);
const struct audit_finding *audit_report_get(const struct audit_report *r,
		    size_t i);
/* audit_report_nsev: the number of findings of severity SEV. */
size_t		 audit_report_nsev(const struct audit_report *r,
		    enum audit_sev sev);

/*
 * audit_report_status: the Nagios status: CRITICAL when any CRITICAL or
 * ERROR finding, else WARNING when any WARNING, else OK.  UNKNOWN is
 * decided by the caller (the audit could not run).
 */
enum audit_status audit_report_status(const struct audit_report *r);

/*
 * audit_check: run every check of specs/audit.md over Z and the N senders
 * S, appending findings to R in a stable order (zone first, then senders
 * in the order given, then cross-sender checks: duplicate keys, DKIM
 * bridge names of Z->dkim_sels that match no sender of S).  Returns 0, or
 * -1 when out of memory.
 */
int		 audit_check(const struct audit_zone *z,
		    struct audit_sender *const *s, size_t n,
		    const struct audit_opts *o, struct audit_report *r);

/* audit_sender_new: a zeroed sender, or NULL.  audit_sender_free: frees
 * it, its strings and keys; NULL is a no-op. */
struct audit_sender *audit_sender_new(void);
void		 audit_sender_free(struct audit_sender *s);

/* audit_zone_clear: frees what Z points to and zeroes it. */
void		 audit_zone_clear(struct audit_zone *z);

/*
 * audit_key_set: fill K from its parts (copies KEY, LEN octets; KEY NULL
 * or LEN 0 means revoked).  Returns 0, or -1 when out of memory or LEN is
 * over AUDIT_MAX_KEYLEN.  audit_key_clear: frees K's octets.
 */
int		 audit_key_set(struct audit_key *k, int alg,
		    const unsigned char *key, size_t len, unsigned bits,
		    int testing);
void		 audit_key_clear(struct audit_key *k);

/* audit_sev_name: "CRITICAL" ... "INFO"; audit_status_name: "OK" ...
 * "UNKNOWN"; audit_denial_name: "unknown", "none", "nsec", "nsec3". */
const char	*audit_sev_name(enum audit_sev s);
const char	*audit_status_name(enum audit_status s);
const char	*audit_denial_name(enum audit_denial d);

/*
 * audit_time: T as "YYYY-MM-DDTHH:MM:SSZ" in OUT (21 bytes).
 */
void		 audit_time(int64_t t, char out[21]);

#endif
