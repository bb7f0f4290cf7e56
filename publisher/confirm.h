/*
 * confirm: after publish applied a plan, check that the world sees it:
 * every authoritative server of the zone (the NS set, as the primary
 * serves it) answers with the new data, and each changed sender key and
 * policy record validates as secure through a validating resolver
 * (core/lookup.h).  Reports one line per server and per name.  The
 * servers are found once (confirm_new); confirm_round may be repeated
 * (publish --wait) with a fresh resolver context each time.
 */
#ifndef SK_CONFIRM_H
#define SK_CONFIRM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ldns/ldns.h>

struct plan;
struct lookup_opts;

#define CONFIRM_MAX_SERVERS	32

struct confirm_opts {
	const ldns_rdf		 *zone;		/* the zone (a dname) */
	const char		 *primary;	/* where to read the NS set */
	uint16_t		  port;		/* of the primary and every NS */
	const char *const	 *overrides;	/* "NAME=IP", NULL or NOVER */
	size_t			  noverrides;
	const struct lookup_opts *lookup;	/* NULL: no validation check */
};

struct confirm;

/*
 * confirm_new: find the servers for O->zone: the NS RRset and the
 * addresses of its targets (an override "NAME=IP" first, then the A and
 * AAAA records the primary serves, then the system resolver).  P is kept
 * (not copied): it must outlive the result.  Returns a new context
 * (confirm_free), or NULL with ERR set (no NS set, bad override, a target
 * without an address).
 */
struct confirm	*confirm_new(const struct plan *p,
		    const struct confirm_opts *o, char *err, size_t errsz);

/* confirm_free: release C.  NULL is a no-op. */
void		 confirm_free(struct confirm *c);

/*
 * confirm_round: ask every server for every RRset of the plan (added
 * records present with their TTL, deleted ones absent) and, with a
 * lookup config, look up each changed _senderkey name through a new
 * validating context (secure; a key where one is published, none where
 * all were deleted).  With OUT not NULL prints one line per server and
 * name: "confirm: SERVER (ADDR): ok" or what is missing.  Returns the
 * number of servers and names not (yet) as expected (0: all agree), or
 * -1 when out of memory or the resolver cannot start (ERR set).
 */
int		 confirm_round(struct confirm *c, FILE *out, char *err,
		    size_t errsz);

#endif
