/*
 * plan: what publish must change at the primary: the desired records
 * (zonegen's) against the current ones (what the primary serves), per
 * RRset (owner and type).  Only records publish manages are ever deleted:
 * TXT records starting "v=SK1" at _senderkey.<domain> (the policy record)
 * and at <label>._senderkey.<domain>, OPENPGPKEY records at
 * <label>._openpgpkey.<domain>, and TXT records starting "v=DKIM1" at a
 * DKIM bridge name sk<32 hex>._domainkey.<domain> that plan_dkim_scope
 * kept (publish --dkim: the names it plans or wrote before).  Anything else the primary holds, even at
 * those names, is left alone but kept in the RRset's old contents so that
 * update.c can use it as a prerequisite.  Pure: no I/O.
 */
#ifndef SK_PLAN_H
#define SK_PLAN_H

#include <stddef.h>

#include <ldns/ldns.h>

#define PLAN_BRAKE_PERCENT	30	/* more deleted or changed: --force */

enum plan_op {
	PLAN_ADD,	/* records added, none removed */
	PLAN_DELETE,	/* records removed, none added */
	PLAN_CHANGE,	/* both: a replaced record, a new TTL */
};

/* One RRset to change.  The lists belong to the plan. */
struct plan_rrset {
	enum plan_op	 op;
	const ldns_rdf	*owner;
	ldns_rr_type	 type;
	ldns_rr_list	*old;	/* the whole current RRset (may be empty) */
	ldns_rr_list	*del;	/* managed records to delete */
	ldns_rr_list	*add;	/* records to add */
};

struct plan_counts {
	size_t	managed;	/* distinct current records publish manages */
	size_t	unchanged;	/* of those, kept as they are */
	size_t	adds;		/* records added */
	size_t	deletes;	/* records deleted */
	size_t	rrsets;		/* RRsets touched */
};

struct plan;

/*
 * plan_managed: 1 when RR is a record publish manages for DOMAIN (a
 * dname rdf), else 0.
 */
int		 plan_managed(const ldns_rr *rr, const ldns_rdf *domain);

/*
 * plan_dkim_scope: the records of CURRENT without those at names under
 * _domainkey.DOMAIN that this run does not manage: such a name stays only
 * when one of the NOWN lists OWN (with --dkim: the desired records and the
 * state file's applied records; NULL entries are skipped) has a managed
 * DKIM record at it.  NOWN 0 (no --dkim) drops every name under
 * _domainkey, so that nothing there is ever planned.  Returns a new list
 * of copies (caller frees with ldns_rr_list_deep_free), or NULL when out
 * of memory.
 */
ldns_rr_list	*plan_dkim_scope(const ldns_rr_list *current,
		    const ldns_rr_list *const *own, size_t nown,
		    const ldns_rdf *domain);

/*
 * plan_dkim_records: copies of the managed DKIM key records of L (v=DKIM1
 * TXT at sk<32 hex>._domainkey.DOMAIN): what a run without --dkim keeps
 * in the state file, untouched.  A new list (caller frees), or NULL when
 * out of memory.
 */
ldns_rr_list	*plan_dkim_records(const ldns_rr_list *l,
		    const ldns_rdf *domain);

/*
 * plan_new: the plan from DESIRED (records publish wants; each must be a
 * managed record of DOMAIN) to CURRENT (records the primary serves: the
 * zone, or the RRsets of the names publish manages).  Both are sets: a
 * record given twice (same owner, type, class and RDATA) counts once, is
 * deleted once and appears once in an RRset's old contents.  Neither list
 * is kept or changed; the plan holds copies.  Returns the plan (plan_free),
 * or NULL with ERR set (a desired record that publish would not manage,
 * out of memory).
 */
struct plan	*plan_new(const ldns_rr_list *desired,
		    const ldns_rr_list *current, const ldns_rdf *domain,
		    char *err, size_t errsz);

/* plan_free: release P.  NULL is a no-op. */
void		 plan_free(struct plan *p);

/* plan_count: the number of RRsets to change (0: nothing to do). */
size_t		 plan_count(const struct plan *p);

/* plan_rrset: RRset I (I < plan_count), in canonical order. */
const struct plan_rrset *plan_rrset(const struct plan *p, size_t i);

/* plan_counts: the totals of P. */
void		 plan_counts(const struct plan *p, struct plan_counts *c);

/*
 * plan_names: the distinct owner names of the records of A and B (either
 * may be NULL), sorted in canonical order, each once: the names publish
 * reads one by one when the primary refuses AXFR (the manifest's and the
 * state file's).  Returns a new array of *N pointers into the records of A
 * and B (valid while they are; free the array with free()), or NULL when
 * out of memory.
 */
const ldns_rdf	**plan_names(const ldns_rr_list *a, const ldns_rr_list *b,
		    size_t *n);

/*
 * plan_brake: 1 when more than PERCENT percent of the managed records
 * would be deleted or replaced (the brake that needs --force), else 0.
 */
int		 plan_brake(const struct plan *p, unsigned percent);

#endif
