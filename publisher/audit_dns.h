/*
 * audit_dns: the direct queries of "senderkey audit": the domain's
 * authoritative servers (given, or its NS set), each one's SOA serial and
 * each one's answer per sender, asked of all servers at once.  These
 * answers are NOT validated: they only say what each server serves.  The
 * validated lookups are in audit_val.h, the checks in audit.h.
 */
#ifndef SK_AUDIT_DNS_H
#define SK_AUDIT_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "core/lookup.h"
#include "audit.h"

#define AUDIT_DNS_INFLIGHT	64	/* validated lookups in flight */
#define AUDIT_DNS_WALK_MAX	1000000	/* NSEC records followed at most */
#define AUDIT_DNS_WORKERS	16	/* threads asking the servers */

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
 * set resolved through /etc/resolv.conf with checking disabled) and asks
 * every one for the SOA at the same time (ok, serial, error).  Z->domain
 * must be set.  Unreachable servers are recorded in Z, not failures.
 * Returns 0, or -1 with ERR set when nothing could be asked (no name
 * server found, out of memory).
 */
int	audit_dns_zone(struct audit_zone *z, const struct audit_dns_opts *o,
	    char *err, size_t errsz);

/*
 * audit_dns_auth: asks every server of Z that answered its SOA query for
 * each sender's TXT records (AUDIT_DNS_WORKERS threads spread over the
 * servers): stores each server's answer in S[i]->answers (a canonical
 * text: "NXDOMAIN", "NODATA", "RCODE=..." or the sorted records; NULL
 * when the server did not answer).  Returns 0, or -1 when out of memory.
 */
int	audit_dns_auth(const struct audit_zone *z, struct audit_sender **s,
	    size_t n, const struct audit_dns_opts *o);

/*
 * audit_dns_axfr: asks the first server of Z that answered its SOA query
 * for a zone transfer (AXFR, no TSIG: what anyone may do).  When it
 * completes, appends the sender hashes of its TXT records to Z->hashes,
 * puts the DKIM bridge names ("sk" + 32 hex + "._domainkey.DOMAIN.")
 * whose TXT holds a DKIM key record with a usable key in Z->dkim_sels
 * (their 32 hex digits, sorted, each once: what a DKIM verifier reads,
 * DNSSEC or not) and sets Z->axfr and Z->axfr_server.  A refused or broken transfer is
 * not an error (Z->axfr stays 0).  The names are not validated: they only
 * say which senders to look up.  Returns 0, or -1 when out of memory (ERR
 * set).
 */
int	audit_dns_axfr(struct audit_zone *z, const struct audit_dns_opts *o,
	    char *err, size_t errsz);

#endif
