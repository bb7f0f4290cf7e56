/*
 * audit_dns: collects what "senderkey audit" checks, from DNS.  Two
 * paths: validated lookups of every sender (and of the zone's policy name,
 * whose state is the zone's DNSSEC state) through resolver/lookup.h, many
 * in flight at once; and direct, unvalidated ldns queries to each
 * authoritative server for what a validating resolver does not hand out:
 * SOA serials, RRSIG expiry times, the denial type (NSEC or NSEC3), the
 * NSEC walk and each server's answer per sender.  Not here: the checks
 * (audit.h) or output.
 */
#ifndef SK_AUDIT_DNS_H
#define SK_AUDIT_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "lookup.h"

#define AUDIT_DNS_INFLIGHT	64	/* validated lookups in flight */
#define AUDIT_DNS_WALK_MAX	1000000	/* NSEC records followed at most */

struct audit_dns_opts {
	const char *const *servers;	/* "IP[@PORT]"; NULL: the NS set */
	size_t		 nservers;
	unsigned	 timeout_ms;	/* per direct query; 0: 3000 */
	unsigned	 lookup_timeout_ms; /* per validated lookup; 0:
					   LOOKUP_DEFAULT_TIMEOUT */
	size_t		 inflight;	/* 0: AUDIT_DNS_INFLIGHT */
	int		 walk;		/* walk an NSEC zone */
};

/*
 * audit_dns_zone: fills Z's servers (the given ones, or the domain's NS
 * set resolved through /etc/resolv.conf with checking disabled), their
 * SOA serials and the earliest SOA RRSIG expiry, the denial type, and,
 * for an NSEC zone when O->walk, the sender hashes found by walking it.
 * Z->domain must be set.  Unreachable servers are recorded in Z, not
 * failures.  Returns 0, or -1 with ERR set when nothing could be asked
 * (no name server found, out of memory).
 */
int	audit_dns_zone(struct audit_zone *z, const struct audit_dns_opts *o,
	    char *err, size_t errsz);

/*
 * audit_dns_auth: asks every server of Z for each sender's TXT records
 * with DNSSEC records: stores each server's answer in S[i]->answers (a
 * canonical text: "NXDOMAIN", "NODATA", "RCODE=..." or the sorted
 * records) and the earliest RRSIG expiry in S[i]->sig_expire.  Returns 0,
 * or -1 when out of memory.
 */
int	audit_dns_auth(const struct audit_zone *z, struct audit_sender **s,
	    size_t n, const struct audit_dns_opts *o);

/*
 * audit_dns_lookup: validated lookups through LK of every sender's owner
 * name and, when Z is not NULL, of Z's policy name (Z->state, Z->reason,
 * Z->probed): at most O->inflight at a time.  Fills each sender's state,
 * reason, published keys and nbad.  Returns 0, or -1 on a libunbound or
 * memory error (ERR set).
 */
int	audit_dns_lookup(struct lookup *lk, struct audit_zone *z,
	    struct audit_sender **s, size_t n, const struct audit_dns_opts *o,
	    char *err, size_t errsz);

#endif
