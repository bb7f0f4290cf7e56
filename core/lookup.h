/*
 * lookup: DNSSEC-validated lookups of sender key records and domain policy
 * records through libunbound.  This module is the only user of libunbound
 * in senderkey.
 *
 * The answer is decided by lookup_classify, a pure function of libunbound's
 * secure/bogus flags, the rcode and the TXT texts (never the AD bit, never
 * havedata alone):
 *
 *   bogus                                  -> LOOKUP_BOGUS      why_bogus
 *   rcode neither NOERROR nor NXDOMAIN     -> LOOKUP_TEMPFAIL   rcode name
 *   NXDOMAIN, or NOERROR without TXT data  -> LOOKUP_SECURE_NOKEY
 *                                             "NXDOMAIN" / "NODATA"
 *   TXT data: records not starting with "v=SK1" are skipped (other TXT at
 *   the same name is not ours); the others are parsed (one holding a NUL
 *   octet is malformed, error "syntax"):
 *     more than LOOKUP_MAX_KEY_RECORDS     -> LOOKUP_PERMERROR
 *                                             "too-many-records"
 *     at least one usable key              -> LOOKUP_SECURE_KEY (usable keys)
 *     every v=SK1 record malformed         -> LOOKUP_PERMERROR  keyrec error
 *     only revoked / expired keys          -> LOOKUP_SECURE_NOKEY
 *                                             "revoked" / "expired"
 *     no v=SK1 record                      -> LOOKUP_SECURE_NOKEY "no-record"
 *   SECURE_NOKEY (and INSECURE without keys) also says why in
 *   lookup_answer.nokey: REVOKED, EXPIRED, else ABSENT; a key answer of
 *   malformed records only names the first one's error in
 *   lookup_answer.keyerr.  The reason text is for logs only.
 *   any row from NXDOMAIN down when the answer is not secure (an
 *   unsigned zone)                         -> LOOKUP_INSECURE, same reason
 *                                             and keys, trusted = 0
 *   no answer before the deadline          -> LOOKUP_TEMPFAIL   "timeout"
 *
 * DKIM key lookups (<selector>._domainkey.<domain>, the DKIM bridge) read
 * like key lookups, except that every TXT record at the name is read as a
 * DKIM key record (keyrec_dkim_parse; DKIM has no required v=): one that
 * fails is malformed, and the record cap counts every TXT record.  The
 * keys are the same struct keyrec as SK1's (fingerprints compare).
 *
 * Policy lookups (_senderkey.<domain>) use the same states: SECURE_KEY then
 * means "exactly one v=SK1 record, and valid" (lookup_answer.policy); two
 * or more v=SK1 records are LOOKUP_PERMERROR "multiple-records".
 */
#ifndef SK_LOOKUP_H
#define SK_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/keyrec.h"
#include "lib/policyrec.h"

#define LOOKUP_DEFAULT_ANCHOR	"/usr/share/dns/root.key"
#define LOOKUP_DEFAULT_TIMEOUT	5000	/* milliseconds */
#define LOOKUP_MAX_KEY_RECORDS	KEYREC_MAX_PER_NAME	/* more: PERMERROR */

enum lookup_state {
	LOOKUP_SECURE_KEY,	/* validated, at least one usable key */
	LOOKUP_SECURE_NOKEY,	/* validated, no usable key (or no name) */
	LOOKUP_INSECURE,	/* the zone is unsigned: nothing is proven */
	LOOKUP_BOGUS,		/* validation failed */
	LOOKUP_TEMPFAIL,	/* SERVFAIL, REFUSED, timeout...: try later */
	LOOKUP_PERMERROR,	/* validated, but every record malformed */
};

/* What is looked up (always TXT). */
enum lookup_kind {
	LOOKUP_KEY,		/* <hash>._senderkey.<domain>: keyrec */
	LOOKUP_POLICY,		/* _senderkey.<domain>: policyrec */
	LOOKUP_DKIM,		/* <selector>._domainkey.<domain>: DKIM key
				   records (keyrec_dkim_parse) */
};

/* Why an answer holds no usable key (LOOKUP_KEY, LOOKUP_DKIM answers). */
enum lookup_nokey {
	LOOKUP_NOKEY_NONE,	/* there are usable keys, or not a key answer
				   of SECURE_NOKEY / INSECURE */
	LOOKUP_NOKEY_ABSENT,	/* NXDOMAIN, NODATA, no v=SK1 record */
	LOOKUP_NOKEY_REVOKED,	/* only revoked (and expired) keys */
	LOOKUP_NOKEY_EXPIRED,	/* only expired keys */
};

/*
 * An answer, owned by whoever received it (lookup_answer_free).  Read-only
 * for everyone else.
 */
struct lookup_answer {
	enum lookup_state	 state;
	enum lookup_kind	 kind;
	char			*reason;	/* NULL, or see the table: for
						   logs, never compared */
	enum lookup_nokey	 nokey;		/* SECURE_NOKEY, INSECURE */
	enum keyrec_err		 keyerr;	/* a key answer whose every
						   v=SK1 record is malformed
						   (PERMERROR, INSECURE): the
						   first one's error; else
						   KEYREC_OK */
	int			 rcode;		/* DNS rcode, -1 if none */
	uint32_t		 ttl;		/* for caching (negative TTL too) */
	int			 trusted;	/* 1 only when DNSSEC-secure */
	size_t			 nkeys;		/* usable keys (LOOKUP_KEY,
						   LOOKUP_DKIM) */
	struct keyrec		**keys;
	size_t			 nbad;		/* records of ours skipped as
						   malformed */
	enum policyrec_policy	 policy;	/* LOOKUP_POLICY, 0 if none */
};

/* One TXT record, its strings already joined (txt_join). */
struct lookup_txt {
	const char	*text;
	size_t		 len;
};

/* The inputs of lookup_classify: plain values, no libunbound types. */
struct lookup_input {
	enum lookup_kind	 kind;
	int			 secure;	/* ub_result.secure */
	int			 bogus;		/* ub_result.bogus */
	const char		*why_bogus;	/* may be NULL */
	int			 rcode;
	uint32_t		 ttl;
	const struct lookup_txt	*txt;		/* the TXT records */
	size_t			 ntxt;
	int64_t			 now;		/* Unix time, for x= */
};

struct lookup_opts {
	const char		*trust_anchor_file; /* NULL: default */
	const char		*unbound_config;    /* NULL: none */
	const char *const	*forwarders;	/* "IP" or "IP@PORT" */
	size_t			 nforwarders;
	unsigned		 timeout_ms;	/* lookup_sync; 0: default */
	/*
	 * With bound_cache set, nothing stays in libunbound's caches
	 * (messages, RRsets, validated keys, negative answers) longer than
	 * cache_max_ttl seconds: its cache-max-ttl and
	 * cache-max-negative-ttl, lowered to this when the config file
	 * says more.  Always, whatever the config file says: cache-min-ttl
	 * 0, and serve-expired and serve-original-ttl off (either would
	 * let an answer outlive its TTL or the bound).
	 */
	int			 bound_cache;
	unsigned		 cache_max_ttl;	/* seconds */
};

/*
 * A context: one libunbound context with its own cache.  Use it from one
 * thread (the one polling lookup_fd).
 */
struct lookup;

/*
 * lookup_cb: receives a finished query.  The callee owns ANS and frees it
 * with lookup_answer_free; ANS is NULL only when memory ran out.  ID is
 * the one lookup_start returned; libunbound reuses ids once a query has
 * finished, so forget it here.  A callback may start or cancel queries but
 * must not call lookup_free.
 */
typedef void (*lookup_cb)(void *arg, int id, struct lookup_answer *ans);

/*
 * lookup_classify: the answer for IN (see the table above), or NULL when
 * memory ran out.  Pure.  The caller owns the answer.
 */
struct lookup_answer	*lookup_classify(const struct lookup_input *in);

/*
 * lookup_answer_tempfail: a LOOKUP_TEMPFAIL answer with REASON (copied),
 * or NULL when memory ran out.
 */
struct lookup_answer	*lookup_answer_tempfail(enum lookup_kind kind,
			    const char *reason);

/*
 * lookup_answer_free: frees A, its reason and its keys.  NULL is a no-op.
 * Not for a copy made by lookup_answer_flat_copy.
 */
void			 lookup_answer_free(struct lookup_answer *a);

/*
 * lookup_answer_flat_size: the octets lookup_answer_flat_copy needs for A
 * (a multiple of 8).
 */
size_t			 lookup_answer_flat_size(
			    const struct lookup_answer *a);

/*
 * lookup_answer_flat_copy: a copy of A laid out in BUF
 * (lookup_answer_flat_size(A) octets, 8-aligned): the answer, its key
 * array, its keys (keyrec_flat_copy) and its reason in that one block,
 * so that reading it costs one cache miss, not four (the daemon's cache
 * keeps its answers so).  The copy reads as A does; it belongs to whoever
 * owns BUF and goes with it: never lookup_answer_free it, nor its keys.
 * A is unchanged (its owner still frees it).  Returns the copy (at BUF).
 */
struct lookup_answer	*lookup_answer_flat_copy(const struct lookup_answer *a,
			    void *buf);

/* lookup_version: the libunbound version string (static). */
const char		*lookup_version(void);

/* lookup_nokey_name: "-", "absent", "revoked", "expired" ("?" else). */
const char		*lookup_nokey_name(enum lookup_nokey n);

/* lookup_state_name: "secure-key", "secure-nokey", "insecure", "bogus",
 * "tempfail", "permerror" ("?" for anything else). */
const char		*lookup_state_name(enum lookup_state s);

/*
 * lookup_new: a resolver context with OPTS (NULL: all defaults): reads the
 * unbound config file, sets the forwarders, then the trust anchor file (it
 * must exist and be readable: no anchor, no context).  Async mode: call it
 * after any fork.  Returns the context (caller frees with lookup_free) or
 * NULL with a message in ERR (ERRSZ bytes).
 */
struct lookup		*lookup_new(const struct lookup_opts *opts, char *err,
			    size_t errsz);

/*
 * lookup_free: cancels the pending queries (their callbacks are not
 * called) and frees the context.  NULL is a no-op.
 */
void			 lookup_free(struct lookup *lk);

/* lookup_fd: the descriptor to poll for reading; then lookup_process. */
int			 lookup_fd(const struct lookup *lk);

/*
 * lookup_start: starts looking up QNAME (TXT) as KIND.  CB(ARG, id, answer)
 * runs later from lookup_process (never from lookup_start).  Stores the
 * query id in *ID when ID is not NULL.  Returns 0, or -1 when the query
 * could not be started (nothing will be called).
 */
int			 lookup_start(struct lookup *lk, const char *qname,
			    enum lookup_kind kind, lookup_cb cb, void *arg,
			    int *id);

/*
 * lookup_process: handles what is ready on lookup_fd and runs the
 * callbacks of finished queries.  Returns 0, or -1 on a libunbound error.
 */
int			 lookup_process(struct lookup *lk);

/* lookup_pending: the number of queries started and not yet answered. */
size_t			 lookup_pending(const struct lookup *lk);

/*
 * lookup_cancel: drops pending query ID; its callback will not be called.
 * Unknown or finished ids are ignored.
 */
void			 lookup_cancel(struct lookup *lk, int id);

/*
 * lookup_sync: looks up QNAME as KIND and waits at most the context's
 * timeout (other queries of LK keep running).  Stores a new answer in
 * *OUT (caller frees); at the deadline the query is cancelled and the
 * answer is LOOKUP_TEMPFAIL "timeout".  Returns 0, or -1 when out of
 * memory or when the query could not be started (*OUT is then NULL).
 */
int			 lookup_sync(struct lookup *lk, const char *qname,
			    enum lookup_kind kind, struct lookup_answer **out);

/*
 * lookup_fg: lookup_sync's answer without a deadline and without
 * libunbound's background thread: QNAME is resolved in the calling thread
 * (ub_resolve) for as long as libunbound takes (about 17 s against a
 * server that never answers, then SERVFAIL).  For a one-shot process that
 * bounds the wait itself (senderkey query ends itself at its deadline
 * with lookup_sync's "timeout" answer): no thread to start, hand the
 * answer over through a pipe and stop.  Use it on a context whose
 * lookup_start was never called.  Returns 0 with a new answer in *OUT
 * (caller frees), or -1 when out of memory (*OUT is then NULL).
 */
int			 lookup_fg(struct lookup *lk, const char *qname,
			    enum lookup_kind kind, struct lookup_answer **out);

/* lookup_timeout_ms: LK's deadline for one lookup, in milliseconds. */
unsigned		 lookup_timeout_ms(const struct lookup *lk);

/* --- validated answer packets (additive; the daemon does not use them) --- */

/* ldns's packet type, without making every includer include ldns. */
struct ldns_struct_pkt;

/* The DNSSEC state of a packet answer (libunbound's secure/bogus flags). */
enum lookup_dnssec {
	LOOKUP_DNSSEC_SECURE,	/* validated */
	LOOKUP_DNSSEC_INSECURE,	/* provably unsigned, or not validated */
	LOOKUP_DNSSEC_BOGUS,	/* validation failed: the data is suspect */
	LOOKUP_DNSSEC_FAILED,	/* no answer (resolver error, timeout) */
};

/*
 * A packet answer, owned by whoever received it (lookup_packet_free).
 * PKT is libunbound's answer_packet parsed by ldns (answer, authority
 * and additional sections with their RRSIGs, NSEC and NSEC3 records), or
 * NULL when FAILED or unparsable.  Its contents are proven only when
 * DNSSEC is LOOKUP_DNSSEC_SECURE: a BOGUS packet holds whatever the
 * servers sent (fail closed: callers may use it to explain a failure,
 * never to trust anything).  ANSWER is set for TXT queries only: the
 * classification lookup_start would give for the same query and KIND.
 */
struct lookup_packet {
	int			 rrtype;
	enum lookup_dnssec	 dnssec;
	char			*why;		/* why_bogus, or error */
	int			 rcode;		/* -1 when FAILED */
	struct ldns_struct_pkt	*pkt;
	struct lookup_answer	*answer;	/* TXT only, else NULL */
};

/*
 * lookup_packet_cb: receives a finished packet query; the callee owns P
 * (lookup_packet_free).  P is NULL only when memory ran out.  The rules of
 * lookup_cb apply (ids, what a callback may do).
 */
typedef void (*lookup_packet_cb)(void *arg, int id, struct lookup_packet *p);

/*
 * lookup_packet_start: starts a validated query for QNAME, type RRTYPE
 * (class IN); KIND classifies a TXT answer (ignored for other types).
 * CB(ARG, id, packet) runs later from lookup_process.  Shares the
 * context's pending list with lookup_start: lookup_pending counts it and
 * lookup_cancel drops it.  Returns 0, or -1 when the query could not be
 * started (nothing will be called).
 */
int			 lookup_packet_start(struct lookup *lk,
			    const char *qname, int rrtype,
			    enum lookup_kind kind, lookup_packet_cb cb,
			    void *arg, int *id);

/*
 * lookup_packet_sync: lookup_packet_start and wait at most the context's
 * timeout; at the deadline the query is cancelled and *OUT is FAILED
 * "timeout".  Stores a new packet answer in *OUT (caller frees).  Returns
 * 0, or -1 when out of memory or not started (*OUT is then NULL).
 */
int			 lookup_packet_sync(struct lookup *lk,
			    const char *qname, int rrtype,
			    enum lookup_kind kind,
			    struct lookup_packet **out);

/*
 * lookup_packet_failed: a FAILED packet answer for RRTYPE with WHY
 * (copied), or NULL when out of memory.
 */
struct lookup_packet	*lookup_packet_failed(int rrtype, const char *why);

/* lookup_packet_free: frees P, its packet, answer and why; NULL: no-op. */
void			 lookup_packet_free(struct lookup_packet *p);

/*
 * lookup_packet_dnssec_name: "secure", "insecure", "bogus", "failed" or
 * "?".
 */
const char		*lookup_packet_dnssec_name(enum lookup_dnssec d);

#endif
