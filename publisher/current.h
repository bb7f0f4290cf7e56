/*
 * current: what the primary serves now, for plan.c.  By AXFR (TSIG-signed
 * when a key is given) when the server allows it; otherwise by querying
 * the primary directly (TCP, no recursion) for the TXT and OPENPGPKEY
 * RRsets of the names the caller lists.  Only TXT and OPENPGPKEY records
 * are returned: nothing else is ever planned.  I/O only; no decisions.
 */
#ifndef SK_CURRENT_H
#define SK_CURRENT_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

struct tsig;

#define CURRENT_TIMEOUT_S	10	/* seconds per query or transfer */

/*
 * current_resolver: an ldns resolver that asks ADDR (an IPv4 or IPv6
 * address) on PORT directly: TCP, no recursion, one try, TIMEOUT_S
 * seconds; TSIG-signed with K when K is not NULL (K must outlive it).
 * Owned by the caller (ldns_resolver_deep_free).  NULL on a bad address
 * or out of memory.
 */
ldns_resolver	*current_resolver(const char *addr, uint16_t port,
		    const struct tsig *k, int timeout_s);

enum current_how {
	CURRENT_AXFR,		/* the whole zone */
	CURRENT_QUERY,		/* the names asked for */
};

/*
 * current_fetch: the TXT and OPENPGPKEY records of ZONE at ADDR:PORT.
 * Tries AXFR with K (may be NULL) first; when refused, queries each of
 * the NNAMES owner NAMES (distinct, as plan_names gives them).  Returns
 * a new list (caller frees with ldns_rr_list_deep_free) and *HOW, or NULL
 * with ERR set.
 */
ldns_rr_list	*current_fetch(const ldns_rdf *zone, const char *addr,
		    uint16_t port, const struct tsig *k,
		    const ldns_rdf *const *names, size_t nnames,
		    enum current_how *how, char *err, size_t errsz);

#endif
