/*
 * audit_val: the validated half of "senderkey audit": every lookup that
 * decides a finding goes through libunbound (core/lookup.h packet
 * answers), many in flight: each sender's TXT RRset (state, keys, and the
 * earliest RRSIG expiry of the validated answer), the zone's policy name
 * (the zone's DNSSEC state), its SOA (the SOA RRSIG expiry), a name that
 * does not exist (NSEC or NSEC3 in the validated denial) and the NSEC
 * walk.  Fail closed: nothing read from a bogus answer is trusted; from
 * one, only signatures already past their expiration are kept, to explain
 * the failure.  Not here: direct queries to the servers (audit_dns.h),
 * the checks (audit.h).
 */
#ifndef SK_AUDIT_VAL_H
#define SK_AUDIT_VAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/lookup.h"
#include "audit.h"
#include "audit_dns.h"

/*
 * audit_val_sig_expire: the earliest expiration of the RRSIGs covering
 * TYPE in the answer section of packet P (an ldns_pkt), 0 when none.
 * Pure.
 */
int64_t	audit_val_sig_expire(const struct ldns_struct_pkt *p, int type);

/*
 * audit_val_denial: the denial type shown by the authority section of P
 * (an ldns_pkt; NULL: AUDIT_DENIAL_UNKNOWN); stores the NSEC3 iterations
 * in *ITER when NSEC3 and ITER is not NULL.  Pure.
 */
enum audit_denial audit_val_denial(const struct ldns_struct_pkt *p,
	    int *iter);

/*
 * audit_val_optout: 1 when the authority section of P (an ldns_pkt) holds
 * an NSEC3 record whose flags have the opt-out bit (RFC 5155 3.1.2.1)
 * set, 0 otherwise (also for P NULL).  Pure.
 */
int	audit_val_optout(const struct ldns_struct_pkt *p);

/*
 * audit_val_dkim: the TXT records in the answer section of P (an ldns_pkt;
 * NULL: none) read as DKIM key records (keyrec_dkim_parse) into S:
 * dkim_nrec, dkim_nbad, dkim_keyerr and the usable (not revoked) keys in
 * dkim / ndkim (at most AUDIT_MAX_KEYS).  Nothing about DNSSEC.  Pure.
 */
void	audit_val_dkim(const struct ldns_struct_pkt *p, struct audit_sender *s);

/*
 * audit_val_dkim_owner: the DKIM bridge name of the sender owner name
 * OWNER ("<56 hex>._senderkey.<domain>."): "sk", its first 32 hex digits,
 * "._domainkey.<domain>." (record-format.md 2.3), malloc'd; NULL when
 * OWNER is not of that form or memory ran out.  Pure.
 */
char	*audit_val_dkim_owner(const char *owner);

/*
 * audit_val_zone: validated lookups through LK, concurrently, of Z's
 * policy name (Z->state, Z->reason, Z->probed, Z->policy_all from a
 * secure record), SOA (Z->soa_sig_expire) and a name that does not exist
 * (Z->denial, Z->nsec3_iterations, from a secure answer only, and
 * Z->nsec3_optout from a secure or insecure one: an NXDOMAIN in an
 * opt-out span is insecure; then Z->denial is NSEC3 too); then, for a
 * secure NSEC zone when O->walk and no zone transfer succeeded
 * (Z->axfr), the NSEC walk (Z->walked, Z->walk_complete, Z->hashes),
 * each step a validated NSEC query (a step that is not secure ends the walk,
 * incomplete).  Z->domain must be set.  Returns 0, or -1 on a libunbound
 * or memory error (ERR set).
 */
int	audit_val_zone(struct lookup *lk, struct audit_zone *z,
	    const struct audit_dns_opts *o, char *err, size_t errsz);

/*
 * audit_val_senders: validated lookups through LK of the N senders'
 * owner names, at most O->inflight at a time, each cancelled after
 * O->lookup_timeout_ms (TEMPFAIL "timeout").  Fills each sender's state,
 * reason, published keys, nbad and sig_expire; and looks up each one's
 * DKIM bridge name too (audit_val_dkim_owner), filling the dkim_ fields.  Returns 0, or -1 on a
 * libunbound or memory error (ERR set).
 */
int	audit_val_senders(struct lookup *lk, struct audit_sender **s,
	    size_t n, const struct audit_dns_opts *o, char *err,
	    size_t errsz);

#endif
