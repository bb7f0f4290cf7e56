/*
 * plan.c: desired against current, per RRset (plan.h).  Both sides are
 * sorted (owner in canonical order, type, RDATA), each record once, and
 * walked together.  Pure.  Not here: sending (update.c), fetching
 * (current.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

struct plan {
	struct plan_rrset	*sets;
	size_t			 n, cap;
	struct plan_counts	 c;
};

/* starts: a TXT record whose joined text starts with PFX (<= 8 octets). */
static int
starts(const ldns_rr *rr, const char *pfx)
{
	char buf[8];
	size_t i, n, got = 0, len, want = strlen(pfx);
	const ldns_rdf *f;

	for (i = 0; i < ldns_rr_rd_count(rr) && got < want; i++) {
		f = ldns_rr_rdf(rr, i);
		if (ldns_rdf_size(f) < 1)
			continue;
		len = ldns_rdf_data(f)[0];
		for (n = 0; n < len && got < want; n++)
			buf[got++] = (char)ldns_rdf_data(f)[1 + n];
	}
	return got == want && memcmp(buf, pfx, want) == 0;
}

/* is_sk1: a TXT record whose joined text starts with "v=SK1". */
static int
is_sk1(const ldns_rr *rr)
{
	return starts(rr, "v=SK1");
}

/*
 * bridge_label: 1 when OWNER's first label is a DKIM bridge selector,
 * "sk" and 32 lowercase hex digits (record-format.md 2.3).
 */
static int
bridge_label(const ldns_rdf *owner)
{
	const uint8_t *w = ldns_rdf_data(owner);
	size_t i;

	if (ldns_rdf_size(owner) < 1 + 34 || w[0] != 34 || w[1] != 's' ||
	    w[2] != 'k')
		return 0;
	for (i = 3; i < 35; i++)
		if (!((w[i] >= '0' && w[i] <= '9') ||
		    (w[i] >= 'a' && w[i] <= 'f')))
			return 0;
	return 1;
}

/* is_name: OWNER is LABEL.DOMAIN, or (EXTRA) one label below it. */
static int
is_name(const ldns_rdf *owner, const char *label, const ldns_rdf *domain,
    int extra)
{
	ldns_rdf *l = NULL, *base = NULL;
	int ok = 0;

	if (ldns_dname_label_count(owner) !=
	    ldns_dname_label_count(domain) + 1 + (unsigned)extra)
		return 0;
	if ((l = ldns_dname_new_frm_str(label)) == NULL)
		return 0;
	if ((base = ldns_dname_cat_clone(l, domain)) != NULL)
		ok = extra ? ldns_dname_is_subdomain(owner, base) :
		    ldns_dname_compare(owner, base) == 0;
	ldns_rdf_deep_free(l);
	ldns_rdf_deep_free(base);
	return ok;
}

int
plan_managed(const ldns_rr *rr, const ldns_rdf *domain)
{
	const ldns_rdf *o = ldns_rr_owner(rr);

	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
		return 0;
	switch (ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_TXT:
		if (starts(rr, "v=DKIM1"))
			return bridge_label(o) &&
			    is_name(o, "_domainkey", domain, 1);
		return is_sk1(rr) && (is_name(o, "_senderkey", domain, 0) ||
		    is_name(o, "_senderkey", domain, 1));
	case LDNS_RR_TYPE_OPENPGPKEY:
		return is_name(o, "_openpgpkey", domain, 1);
	default:
		return 0;
	}
}

static int
cmp_set(const ldns_rr *a, const ldns_rr *b)
{
	int c = ldns_dname_compare(ldns_rr_owner(a), ldns_rr_owner(b));

	if (c != 0)
		return c;
	if (ldns_rr_get_type(a) != ldns_rr_get_type(b))
		return ldns_rr_get_type(a) < ldns_rr_get_type(b) ? -1 : 1;
	return 0;
}

static int
cmp_rr(const void *pa, const void *pb)
{
	const ldns_rr *a = *(const ldns_rr *const *)pa;
	const ldns_rr *b = *(const ldns_rr *const *)pb;
	int c = cmp_set(a, b);

	return c != 0 ? c : ldns_rr_compare(a, b);
}

/*
 * sorted: the records of L (not copies), sorted, each once: a record given
 * twice (e.g. a name read twice from the primary) would count twice toward
 * the brake and become a repeated prerequisite, which BIND refuses.
 */
static ldns_rr **
sorted(const ldns_rr_list *l, size_t *n)
{
	ldns_rr **v;
	size_t i, k;

	*n = ldns_rr_list_rr_count(l);
	if ((v = calloc(*n + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < *n; i++)
		v[i] = ldns_rr_list_rr(l, i);
	qsort(v, *n, sizeof(*v), cmp_rr);
	for (i = k = 0; i < *n; i++)
		if (k == 0 || cmp_rr(&v[k - 1], &v[i]) != 0)
			v[k++] = v[i];
	*n = k;
	return v;
}

static int
cmp_name(const void *pa, const void *pb)
{
	return ldns_dname_compare(*(const ldns_rdf *const *)pa,
	    *(const ldns_rdf *const *)pb);
}

const ldns_rdf **
plan_names(const ldns_rr_list *a, const ldns_rr_list *b, size_t *n)
{
	const ldns_rr_list *ls[2] = { a, b };
	const ldns_rdf **v;
	size_t i, k, na, nb;
	int j;

	na = a != NULL ? ldns_rr_list_rr_count(a) : 0;
	nb = b != NULL ? ldns_rr_list_rr_count(b) : 0;
	*n = 0;
	if ((v = calloc(na + nb + 1, sizeof(*v))) == NULL)
		return NULL;
	for (j = 0; j < 2; j++)
		for (i = 0; ls[j] != NULL && i < ldns_rr_list_rr_count(ls[j]);
		    i++)
			v[(*n)++] = ldns_rr_owner(ldns_rr_list_rr(ls[j], i));
	qsort(v, *n, sizeof(*v), cmp_name);
	for (i = k = 0; i < *n; i++)
		if (k == 0 || ldns_dname_compare(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	*n = k;
	return v;
}

static int
push(ldns_rr_list *l, const ldns_rr *rr)
{
	ldns_rr *c;

	if ((c = ldns_rr_clone(rr)) == NULL)
		return -1;
	if (!ldns_rr_list_push_rr(l, c)) {
		ldns_rr_free(c);
		return -1;
	}
	return 0;
}

ldns_rr_list *
plan_dkim_scope(const ldns_rr_list *current, const ldns_rr_list *const *own,
    size_t nown, const ldns_rdf *domain)
{
	const ldns_rdf **names = NULL, *o;
	ldns_rdf *l = NULL, *dk = NULL;
	ldns_rr_list *out = NULL;
	const ldns_rr *rr;
	size_t i, j, n = 0, cap = 0;

	for (j = 0; j < nown; j++)
		cap += own[j] != NULL ? ldns_rr_list_rr_count(own[j]) : 0;
	if ((names = calloc(cap + 1, sizeof(*names))) == NULL ||
	    (l = ldns_dname_new_frm_str("_domainkey")) == NULL ||
	    (dk = ldns_dname_cat_clone(l, domain)) == NULL ||
	    (out = ldns_rr_list_new()) == NULL)
		goto fail;
	for (j = 0; j < nown; j++)
		for (i = 0; own[j] != NULL &&
		    i < ldns_rr_list_rr_count(own[j]); i++) {
			rr = ldns_rr_list_rr(own[j], i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT &&
			    starts(rr, "v=DKIM1") && plan_managed(rr, domain))
				names[n++] = ldns_rr_owner(rr);
		}
	qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < ldns_rr_list_rr_count(current); i++) {
		rr = ldns_rr_list_rr(current, i);
		o = ldns_rr_owner(rr);
		if ((ldns_dname_is_subdomain(o, dk) ||
		    ldns_dname_compare(o, dk) == 0) && (n == 0 ||
		    bsearch(&o, names, n, sizeof(*names), cmp_name) == NULL))
			continue;
		if (push(out, rr) == -1)
			goto fail;
	}
	free(names);
	ldns_rdf_deep_free(l);
	ldns_rdf_deep_free(dk);
	return out;
fail:
	free(names);
	ldns_rdf_deep_free(l);
	ldns_rdf_deep_free(dk);
	ldns_rr_list_deep_free(out);
	return NULL;
}

ldns_rr_list *
plan_dkim_records(const ldns_rr_list *l, const ldns_rdf *domain)
{
	ldns_rr_list *out;
	const ldns_rr *rr;
	size_t i;

	if ((out = ldns_rr_list_new()) == NULL)
		return NULL;
	for (i = 0; l != NULL && i < ldns_rr_list_rr_count(l); i++) {
		rr = ldns_rr_list_rr(l, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT &&
		    starts(rr, "v=DKIM1") && plan_managed(rr, domain) &&
		    push(out, rr) == -1) {
			ldns_rr_list_deep_free(out);
			return NULL;
		}
	}
	return out;
}

static void
set_free(struct plan_rrset *s)
{
	ldns_rr_list_deep_free(s->old);
	ldns_rr_list_deep_free(s->add);
	ldns_rr_list_deep_free(s->del);
}

/*
 * one_set: compare desired D[0..nd) and current C[0..nc), one RRset each
 * (either may be empty), and append an RRset to P when they differ.
 */
static int
one_set(struct plan *p, ldns_rr **d, size_t nd, ldns_rr **c, size_t nc,
    const ldns_rdf *domain)
{
	struct plan_rrset s;
	size_t i, j;
	int found;

	memset(&s, 0, sizeof(s));
	if ((s.old = ldns_rr_list_new()) == NULL ||
	    (s.add = ldns_rr_list_new()) == NULL ||
	    (s.del = ldns_rr_list_new()) == NULL)
		goto fail;
	for (j = 0; j < nc; j++) {
		if (push(s.old, c[j]) == -1)
			goto fail;
		if (!plan_managed(c[j], domain))
			continue;
		p->c.managed++;
		for (found = 0, i = 0; i < nd && !found; i++)
			found = ldns_rr_compare(d[i], c[j]) == 0 &&
			    ldns_rr_ttl(d[i]) == ldns_rr_ttl(c[j]);
		if (found)
			p->c.unchanged++;
		else if (push(s.del, c[j]) == -1)
			goto fail;
	}
	for (i = 0; i < nd; i++) {
		for (found = 0, j = 0; j < nc && !found; j++)
			found = ldns_rr_compare(d[i], c[j]) == 0 &&
			    ldns_rr_ttl(d[i]) == ldns_rr_ttl(c[j]) &&
			    plan_managed(c[j], domain);
		if (!found && push(s.add, d[i]) == -1)
			goto fail;
	}
	if (ldns_rr_list_rr_count(s.add) == 0 &&
	    ldns_rr_list_rr_count(s.del) == 0) {
		set_free(&s);
		return 0;
	}
	if (p->n == p->cap) {
		size_t ncap = p->cap == 0 ? 64 : p->cap * 2;
		struct plan_rrset *ns;

		if (ncap < p->cap || (ns = reallocarray(p->sets, ncap,
		    sizeof(*ns))) == NULL)
			goto fail;
		p->sets = ns;
		p->cap = ncap;
	}
	s.op = ldns_rr_list_rr_count(s.del) == 0 ? PLAN_ADD :
	    ldns_rr_list_rr_count(s.add) == 0 ? PLAN_DELETE : PLAN_CHANGE;
	s.owner = ldns_rr_owner(nd > 0 ? d[0] : c[0]);
	s.type = ldns_rr_get_type(nd > 0 ? d[0] : c[0]);
	/* OWNER must point into the plan's copies. */
	if (ldns_rr_list_rr_count(s.add) > 0)
		s.owner = ldns_rr_owner(ldns_rr_list_rr(s.add, 0));
	else
		s.owner = ldns_rr_owner(ldns_rr_list_rr(s.del, 0));
	p->c.adds += ldns_rr_list_rr_count(s.add);
	p->c.deletes += ldns_rr_list_rr_count(s.del);
	p->c.rrsets++;
	p->sets[p->n++] = s;
	return 0;
fail:
	set_free(&s);
	return -1;
}

struct plan *
plan_new(const ldns_rr_list *desired, const ldns_rr_list *current,
    const ldns_rdf *domain, char *err, size_t errsz)
{
	struct plan *p = NULL;
	ldns_rr **d = NULL, **c = NULL;
	size_t nd, nc, i = 0, j = 0, ie, je;
	int k;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (d = sorted(desired, &nd)) == NULL ||
	    (c = sorted(current, &nc)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	for (i = 0; i < nd; i++) {
		if (!plan_managed(d[i], domain)) {
			char *s = ldns_rdf2str(ldns_rr_owner(d[i]));

			snprintf(err, errsz, "%s: not a record publish "
			    "manages (only v=SK1 TXT under _senderkey, "
			    "OPENPGPKEY under _openpgpkey and v=DKIM1 TXT at "
			    "sk<hex>._domainkey)", s != NULL ? s : "?");
			free(s);
			goto fail;
		}
	}
	i = 0;
	while (i < nd || j < nc) {
		if (i < nd && j < nc)
			k = cmp_set(d[i], c[j]);
		else
			k = i < nd ? -1 : 1;
		ie = i;
		je = j;
		if (k <= 0)
			for (ie = i + 1; ie < nd && cmp_set(d[i], d[ie]) == 0;
			    ie++)
				;
		if (k >= 0)
			for (je = j + 1; je < nc && cmp_set(c[j], c[je]) == 0;
			    je++)
				;
		/* Only RRsets that could hold managed records matter. */
		if ((k <= 0 || ldns_rr_get_type(c[j]) == LDNS_RR_TYPE_TXT ||
		    ldns_rr_get_type(c[j]) == LDNS_RR_TYPE_OPENPGPKEY) &&
		    one_set(p, d + i, ie - i, c + j, je - j, domain) == -1) {
			snprintf(err, errsz, "out of memory");
			goto fail;
		}
		i = ie;
		j = je;
	}
	free(d);
	free(c);
	return p;
fail:
	free(d);
	free(c);
	plan_free(p);
	return NULL;
}

void
plan_free(struct plan *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		set_free(&p->sets[i]);
	free(p->sets);
	free(p);
}

size_t
plan_count(const struct plan *p)
{
	return p->n;
}

const struct plan_rrset *
plan_rrset(const struct plan *p, size_t i)
{
	return i < p->n ? &p->sets[i] : NULL;
}

void
plan_counts(const struct plan *p, struct plan_counts *c)
{
	*c = p->c;
}

int
plan_brake(const struct plan *p, unsigned percent)
{
	return p->c.deletes * 100 > (size_t)percent * p->c.managed;
}
