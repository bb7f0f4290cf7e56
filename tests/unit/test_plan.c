/*
 * test_plan: publisher/plan.c turns desired and current records into
 * adds, deletes and changes; never touches records it does not manage;
 * applies the 30% brake.
 */
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "publisher/plan.h"
#include "t.h"

#define D	"example.test."
#define H1	"2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db"
#define H2	"c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6"

static ldns_rr_list *
rrs(const char *const *lines)
{
	ldns_rr_list *l = ldns_rr_list_new();
	ldns_rr *rr;

	for (; *lines != NULL; lines++) {
		if (ldns_rr_new_frm_str(&rr, *lines, 3600, NULL, NULL) !=
		    LDNS_STATUS_OK) {
			printf("# bad test RR: %s\n", *lines);
			abort();
		}
		ldns_rr_list_push_rr(l, rr);
	}
	return l;
}

static struct plan *
mk(const char *const *des, const char *const *cur, struct plan_counts *c)
{
	ldns_rr_list *d = rrs(des), *u = rrs(cur);
	ldns_rdf *dom = ldns_dname_new_frm_str(D);
	char err[256] = "";
	struct plan *p = plan_new(d, u, dom, err, sizeof(err));

	if (p == NULL)
		printf("# plan_new: %s\n", err);
	else
		plan_counts(p, c);
	ldns_rr_list_deep_free(d);
	ldns_rr_list_deep_free(u);
	ldns_rdf_deep_free(dom);
	return p;
}

#define K1 H1 "._senderkey." D " 3600 IN TXT \"v=SK1; k=ed25519; p=AAAA\""
#define K1B H1 "._senderkey." D " 3600 IN TXT \"v=SK1; k=ed25519; p=BBBB\""
#define K2 H2 "._senderkey." D " 3600 IN TXT \"v=SK1; k=ed25519; p=CCCC\""
#define OTHER H1 "._senderkey." D " 3600 IN TXT \"not ours\""
#define POL "_senderkey." D " 3600 IN TXT \"v=SK1; policy=all\""
#define PGP H1 "._openpgpkey." D " 3600 IN TYPE61 \\# 3 010203"
/* Sender N's key at its own name (N a digit), its OpenPGP key. */
#define S(n) "s" #n "._senderkey." D " 3600 IN TXT \"v=SK1; p=" #n "\""
#define P(n) "s" #n "._openpgpkey." D " 3600 IN TYPE61 \\# 1 0" #n

int
main(void)
{
	struct plan_counts c;
	struct plan *p;
	const struct plan_rrset *s;

	{
		const char *d[] = { K1, K2, POL, PGP, NULL };
		const char *u[] = { D " 300 IN SOA ns. h. 1 2 3 4 5",
		    D " 300 IN NS ns." D, NULL };

		p = mk(d, u, &c);
		T_OK(p != NULL, "first publish: planned");
		T_INTEQ(plan_count(p), 4, "first publish: 4 RRsets added");
		T_INTEQ(c.adds, 4, "first publish: 4 records added");
		T_INTEQ(c.deletes, 0, "first publish: nothing deleted");
		T_INTEQ(c.managed, 0, "first publish: nothing managed yet");
		T_OK(!plan_brake(p, PLAN_BRAKE_PERCENT),
		    "first publish: no brake");
		s = plan_rrset(p, 0);
		T_OK(s != NULL && s->op == PLAN_ADD &&
		    ldns_rr_list_rr_count(s->old) == 0,
		    "first publish: ADD with an empty old RRset");
		plan_free(p);
	}
	{
		const char *d[] = { K1, K2, POL, NULL };
		const char *u[] = { POL, K2, K1, OTHER, NULL };

		p = mk(d, u, &c);
		T_INTEQ(plan_count(p), 0, "in sync: nothing to do");
		T_INTEQ(c.managed, 3, "in sync: 3 managed, the other TXT not");
		T_INTEQ(c.unchanged, 3, "in sync: 3 unchanged");
		plan_free(p);
	}
	{
		const char *d[] = { K1B, K2, NULL };
		const char *u[] = { K1, OTHER, K2, NULL };

		p = mk(d, u, &c);
		T_INTEQ(plan_count(p), 1, "rotation: one RRset");
		s = plan_rrset(p, 0);
		T_OK(s != NULL && s->op == PLAN_CHANGE, "rotation: CHANGE");
		T_INTEQ(ldns_rr_list_rr_count(s->del), 1,
		    "rotation: the old key deleted, not the unmanaged TXT");
		T_INTEQ(ldns_rr_list_rr_count(s->add), 1, "rotation: one add");
		T_INTEQ(ldns_rr_list_rr_count(s->old), 2,
		    "rotation: old RRset holds both TXT (prerequisite)");
		T_OK(plan_brake(p, PLAN_BRAKE_PERCENT),
		    "rotation: 1 of 2 replaced (50%%) trips the brake");
		plan_free(p);
	}
	{
		const char *d[] = { K1, NULL };
		const char *u[] = { K1, OTHER, POL, PGP, K2,
		    "www." D " 300 IN TXT \"v=SK1; unrelated owner\"",
		    "x._openpgpkey.other.test. 300 IN TYPE61 \\# 1 00",
		    NULL };

		p = mk(d, u, &c);
		T_INTEQ(c.managed, 4, "removal: K1 POL PGP K2 are managed");
		T_INTEQ(c.deletes, 3, "removal: 3 deleted");
		T_INTEQ(plan_count(p), 3, "removal: 3 RRsets (POL, K2, PGP)");
		T_OK(plan_brake(p, PLAN_BRAKE_PERCENT), "removal: 75%% brakes");
		T_OK(!plan_brake(p, 80), "removal: under an 80%% limit, no brake");
		plan_free(p);
	}
	{
		const char *d[] = { H1 "._senderkey." D
		    " 60 IN TXT \"v=SK1; k=ed25519; p=AAAA\"", NULL };
		const char *u[] = { K1, NULL };

		p = mk(d, u, &c);
		s = p != NULL ? plan_rrset(p, 0) : NULL;
		T_OK(s != NULL && s->op == PLAN_CHANGE,
		    "a new TTL is a CHANGE");
		plan_free(p);
	}
	{
		const char *d[] = { "www." D " 300 IN A 192.0.2.1", NULL };
		const char *u[] = { NULL };
		ldns_rr_list *dl = rrs(d), *ul = rrs(u);
		ldns_rdf *dom = ldns_dname_new_frm_str(D);
		char err[256] = "";

		p = plan_new(dl, ul, dom, err, sizeof(err));
		T_OK(p == NULL && strstr(err, "www.example.test.") != NULL,
		    "a desired record publish would not manage is refused");
		plan_free(p);
		ldns_rr_list_deep_free(dl);
		ldns_rr_list_deep_free(ul);
		ldns_rdf_deep_free(dom);
	}
	{
		ldns_rdf *dom = ldns_dname_new_frm_str(D);
		ldns_rr *rr;

		ldns_rr_new_frm_str(&rr, "a.b._senderkey." D
		    " 300 IN TXT \"v=SK1; p=\"", 0, NULL, NULL);
		T_OK(!plan_managed(rr, dom),
		    "two labels below _senderkey: not managed");
		ldns_rr_free(rr);
		ldns_rdf_deep_free(dom);
	}
	{
		/*
		 * Five senders; two leave.  Without AXFR publish read the
		 * manifest's names and then the state file's, so the three
		 * that stay came back twice, not next to each other.  Each
		 * record counts once: 2 of 5 deleted trips the 30% brake.
		 */
		const char *d[] = { S(1), S(2), S(3), NULL };
		const char *u[] = { S(1), S(2), S(3), S(4), S(5), S(1), S(2),
		    S(3), NULL };

		p = mk(d, u, &c);
		T_INTEQ(c.managed, 5, "read twice: 5 distinct managed records");
		T_INTEQ(c.deletes, 2, "read twice: 2 deleted");
		T_INTEQ(c.unchanged, 3, "read twice: 3 unchanged");
		T_OK(plan_brake(p, PLAN_BRAKE_PERCENT),
		    "read twice: 2 of 5 (40%%) trips the brake");
		plan_free(p);
	}
	{
		/* The same RRset read twice: each old record once (BIND
		 * answers NXRRSET to a repeated prerequisite). */
		const char *d[] = { K1B, NULL };
		const char *u[] = { K1, OTHER, K2, K1, OTHER, NULL };
		size_t i, j;
		int dup = 0;

		p = mk(d, u, &c);
		s = p != NULL ? plan_rrset(p, 0) : NULL;
		T_OK(s != NULL && s->op == PLAN_CHANGE, "read twice: CHANGE");
		T_INTEQ(s != NULL ? ldns_rr_list_rr_count(s->old) : 0, 2,
		    "read twice: the prerequisite holds each record once");
		T_INTEQ(s != NULL ? ldns_rr_list_rr_count(s->del) : 0, 1,
		    "read twice: the old key deleted once");
		for (i = 0; s != NULL && i < ldns_rr_list_rr_count(s->old);
		    i++)
			for (j = i + 1; j < ldns_rr_list_rr_count(s->old); j++)
				dup |= ldns_rr_compare(
				    ldns_rr_list_rr(s->old, i),
				    ldns_rr_list_rr(s->old, j)) == 0;
		T_OK(!dup, "read twice: no record repeated in the old RRset");
		T_INTEQ(c.managed, 2, "read twice: K1 and K2 managed, once");
		plan_free(p);
	}
	{
		/* Desired given twice (two manifests): added once. */
		const char *d[] = { K1, K2, K1, NULL };
		const char *u[] = { NULL };

		p = mk(d, u, &c);
		T_INTEQ(c.adds, 2, "desired twice: each record added once");
		plan_free(p);
	}
	{
		/* The names to read: manifest's and state file's, each once. */
		const char *w[] = { S(3), S(1), P(1), S(2), NULL };
		const char *st[] = { S(1), S(2), S(3), S(4), P(1), S(5),
		    NULL };
		ldns_rr_list *wl = rrs(w), *sl = rrs(st);
		const ldns_rdf **v;
		size_t n, i;
		int order = 1;

		v = plan_names(wl, sl, &n);
		T_OK(v != NULL, "plan_names: an array");
		T_INTEQ(n, 6, "plan_names: 6 distinct names of 10 records");
		for (i = 1; v != NULL && i < n; i++)
			order &= ldns_dname_compare(v[i - 1], v[i]) < 0;
		T_OK(order, "plan_names: strictly increasing (each once)");
		free(v);
		v = plan_names(wl, NULL, &n);
		T_INTEQ(v != NULL ? n : 0, 4, "plan_names: no state file");
		free(v);
		v = plan_names(NULL, NULL, &n);
		T_OK(v != NULL && n == 0, "plan_names: nothing, no names");
		free(v);
		ldns_rr_list_deep_free(wl);
		ldns_rr_list_deep_free(sl);
	}
	{
		/* The DKIM bridge (publish --dkim): what is managed. */
		const char *l[] = {
		    "sk2bd806c97f0e00af1a1fc3328fa763a9._domainkey." D
		    " 300 IN TXT \"v=DKIM1; k=ed25519; p=AAAA\"",
		    "mail._domainkey." D " 300 IN TXT \"v=DKIM1; p=AAAA\"",
		    "sk2bd806c97f0e00af1a1fc3328fa763a9._domainkey." D
		    " 300 IN TXT \"not a key\"",
		    "sk2BD806c97f0e00af1a1fc3328fa763a9._domainkey." D
		    " 300 IN TXT \"v=DKIM1; p=AAAA\"",
		    "x.sk2bd806c97f0e00af1a1fc3328fa763a9._domainkey." D
		    " 300 IN TXT \"v=DKIM1; p=AAAA\"",
		    NULL };
		ldns_rr_list *ll = rrs(l);
		ldns_rdf *dom = ldns_dname_new_frm_str(D);

		T_OK(plan_managed(ldns_rr_list_rr(ll, 0), dom),
		    "v=DKIM1 at sk<32 hex>._domainkey: managed");
		T_OK(!plan_managed(ldns_rr_list_rr(ll, 1), dom),
		    "v=DKIM1 at an operator's selector: not managed");
		T_OK(!plan_managed(ldns_rr_list_rr(ll, 2), dom),
		    "other TXT at a bridge name: not managed");
		T_OK(!plan_managed(ldns_rr_list_rr(ll, 3), dom),
		    "a selector with capital hex: not a bridge name");
		T_OK(!plan_managed(ldns_rr_list_rr(ll, 4), dom),
		    "a name below a bridge name: not managed");
		ldns_rr_list_deep_free(ll);
		ldns_rdf_deep_free(dom);
	}
	{
		/* plan_dkim_scope: only the _domainkey names of OWN stay. */
#define DK(h, t) "sk" h "._domainkey." D " 300 IN TXT \"" t "\""
#define HA "2bd806c97f0e00af1a1fc3328fa763a9"
#define HB "c93f1e400f26708f98cb19d936620da3"
		const char *cur[] = { DK(HA, "v=DKIM1; p=OLD"),
		    DK(HA, "unrelated"), DK(HB, "v=DKIM1; p=B"),
		    "mail._domainkey." D " 300 IN TXT \"v=DKIM1; p=M\"",
		    K1, NULL };
		const char *want[] = { DK(HA, "v=DKIM1; p=NEW"), K1, NULL };
		ldns_rr_list *cl = rrs(cur), *wl = rrs(want), *sc;
		const ldns_rr_list *own[2] = { wl, NULL };
		ldns_rdf *dom = ldns_dname_new_frm_str(D);

		sc = plan_dkim_scope(cl, own, 2, dom);
		T_INTEQ(sc != NULL ? ldns_rr_list_rr_count(sc) : 0, 3,
		    "scope --dkim: the desired DKIM name's RRset and K1 stay");
		p = sc != NULL ? plan_new(wl, sc, dom, NULL, 0) : NULL;
		if (p != NULL)
			plan_counts(p, &c);
		T_OK(p != NULL && plan_count(p) == 1 && c.deletes == 1 &&
		    c.adds == 1, "scope --dkim: one DKIM record replaced, "
		    "the other bridge name and the operator's left alone");
		plan_free(p);
		ldns_rr_list_deep_free(sc);
		own[1] = cl;	/* the state file lists HB: it is managed */
		sc = plan_dkim_scope(cl, own, 2, dom);
		T_INTEQ(sc != NULL ? ldns_rr_list_rr_count(sc) : 0, 4,
		    "scope: a name of the state file stays too");
		ldns_rr_list_deep_free(sc);
		sc = plan_dkim_scope(cl, own, 0, dom);
		T_INTEQ(sc != NULL ? ldns_rr_list_rr_count(sc) : 0, 1,
		    "scope without --dkim: nothing under _domainkey stays");
		ldns_rr_list_deep_free(sc);
		sc = plan_dkim_records(cl, dom);
		T_INTEQ(sc != NULL ? ldns_rr_list_rr_count(sc) : 0, 2,
		    "plan_dkim_records: the two bridge records, not the "
		    "unrelated TXT, the operator's selector or K1");
		ldns_rr_list_deep_free(sc);
		ldns_rr_list_deep_free(cl);
		ldns_rr_list_deep_free(wl);
		ldns_rdf_deep_free(dom);
	}
	plan_free(NULL);
	return t_done();
}
