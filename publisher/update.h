/*
 * update: send a plan to a primary as RFC 2136 UPDATE messages over TCP,
 * TSIG-signed (RFC 8945), the response's TSIG verified.  Each RRset
 * changed carries a prerequisite (RFC 2136 2.4.2 "RRset exists, value
 * dependent" with the whole RRset seen when planning, or 2.4.3 "RRset
 * does not exist"), so a change made by someone else since the plan makes
 * the server refuse the message (YXRRSET/NXRRSET) instead of losing it.
 * RRsets are packed into messages of at most UPDATE_MSG_MAX octets; each
 * message is atomic at the server.  Errors become one-line hints.
 */
#ifndef SK_UPDATE_H
#define SK_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

#define UPDATE_MSG_MAX		60000	/* octets, below TCP's 65535 */
#define UPDATE_TIMEOUT_S	10

struct plan;
struct tsig;

enum update_status {
	UPDATE_OK,
	UPDATE_PREREQ,		/* YXRRSET/NXRRSET: changed since the plan */
	UPDATE_BADSIG,		/* TSIG: wrong secret (or algorithm) */
	UPDATE_BADKEY,		/* TSIG: key name unknown to the server */
	UPDATE_BADTIME,		/* TSIG: clocks differ */
	UPDATE_REFUSED,		/* REFUSED: no update-policy / ACL */
	UPDATE_NOTAUTH,		/* NOTAUTH: not authoritative for the zone */
	UPDATE_UNSIGNED,	/* the response's TSIG is missing or wrong */
	UPDATE_NET,		/* no answer, connection refused, ... */
	UPDATE_OTHER,		/* any other rcode */
};

/*
 * update_apply: send every RRset of P for ZONE (a dname) to the primary
 * ADDR (an IPv4 or IPv6 address) at PORT, signed with K.  Stops at the
 * first message that fails (the earlier ones stay applied).  *SENT gets
 * the number of messages the server accepted.  Returns UPDATE_OK, or the
 * failure with a one-line hint in ERR (what the server said and what to
 * check: key name, trailing dot, algorithm, clock, update-policy).
 */
enum update_status update_apply(const struct plan *p, const ldns_rdf *zone,
		    const char *addr, uint16_t port, const struct tsig *k,
		    size_t *sent, char *err, size_t errsz);

/* update_status_name: "ok", "prereq", "badsig", ... (static). */
const char	*update_status_name(enum update_status s);

#endif
