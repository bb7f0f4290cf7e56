/*
 * audit_orphan: DKIM bridge records left behind: a DKIM key record at
 * "sk<32 hex>._domainkey.DOMAIN." (record-format.md 2.3) whose selector
 * is no sender's keeps its key good for every DKIM verifier.  One of
 * audit_check's cross-sender checks (audit.h); pure, no I/O.
 */
#ifndef SK_AUDIT_ORPHAN_H
#define SK_AUDIT_ORPHAN_H

#include <stddef.h>

#include "audit.h"

/*
 * audit_orphan_dkim: for every entry of Z->dkim_sels (the zone transfer's
 * bridge names with a usable key, audit_dns_axfr) whose 32 hex digits
 * begin the owner name of none of the N senders S (listed or found), an
 * ERROR dkim-orphan finding in R, its subject the DKIM owner name, in the
 * order of Z->dkim_sels.  Returns 0, or -1 when out of memory.
 */
int	audit_orphan_dkim(const struct audit_zone *z,
	    struct audit_sender *const *s, size_t n, struct audit_report *r);

#endif
