/*
 * test_store_index: core/store_index.c, the rules in memory, against a
 * naive model (a flat array of rows, searched by brute force, written
 * from verdicts.md 4.2 and not from the index): random sets and removals
 * of (recipient, sender) pairs with a fixed seed, and after each step
 * store_index_eval for every recipient and sender of the model (and
 * their *@domain forms, and senders and recipients of no rule, and
 * recipients without a mailbox: the strict domains), the count, every
 * has_entry, the atoms still referenced and their octets, and the
 * listing's order.  A second, larger run checks the tables as they grow
 * and shrink, sampling, and checks whole every step that leaves a hash
 * growing (its slots moved a few a set); a third counts the slots each
 * set moves while 30,000 pairs go in.  Out of memory at each allocation
 * of a set in turn: the set fails and the index is as before (glibc's
 * allocator wrapped; skipped under AddressSanitizer).  Also
 * store_snap_check_pair's rules, each error case, and store_index_mem on
 * an empty index.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "core/store_int.h"
#include "t.h"

#define MAXROWS		200000

#if defined(__SANITIZE_ADDRESS__)
#define FAILMALLOC	0	/* ASan has the allocator */
#else
#define FAILMALLOC	1
/*
 * The allocator, failing the FAIL_AT'th call from now (0: none), so
 * that every allocation of a store_index_set can be made to fail.
 */
extern void	*__libc_malloc(size_t);
extern void	*__libc_calloc(size_t, size_t);
extern void	*__libc_realloc(void *, size_t);

static long fail_at;

static int
failing(void)
{
	return fail_at > 0 && --fail_at == 0;
}

void *
malloc(size_t n)
{
	return failing() ? NULL : __libc_malloc(n);
}

void *
calloc(size_t n, size_t sz)
{
	return failing() ? NULL : __libc_calloc(n, sz);
}

void *
realloc(void *p, size_t n)
{
	return failing() ? NULL : __libc_realloc(p, n);
}
#endif

/* ---- the model ---- */

struct mrow {
	const char		*rcpt, *sender;	/* into the universe */
	struct store_irow	 r;
};

static struct mrow model[MAXROWS];
static size_t nmodel;
static uint64_t rng = 0x5eed0017cafe1234ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static const char *
domain_of(const char *t)
{
	const char *at = strrchr(t, '@');

	return at != NULL ? at + 1 : t;
}

static int
restrictive(const struct mrow *m)
{
	return (m->r.kind == STORE_RULE_MODE && m->r.mode == VM_DENY) ||
	    m->r.kind == STORE_RULE_DENY ||
	    (m->r.kind == STORE_RULE_ALLOW && m->r.has_pin);
}

/* model_set: the rows of (RCPT, SENDER) become ROWS (N). */
static void
model_set(const char *rcpt, const char *sender,
    const struct store_irow *rows, size_t n)
{
	size_t i, j;

	for (i = j = 0; i < nmodel; i++)
		if (!same(model[i].rcpt, rcpt) ||
		    !same(model[i].sender, sender))
			model[j++] = model[i];
	nmodel = j;
	for (i = 0; i < n && nmodel < MAXROWS; i++) {
		model[nmodel].rcpt = rcpt;
		model[nmodel].sender = sender;
		model[nmodel++].r = rows[i];
	}
}

static int
model_strict(const char *domain)
{
	size_t i;

	for (i = 0; i < nmodel; i++)
		if (restrictive(&model[i]) && (domain == NULL ||
		    *domain == '\0' || strcmp(domain_of(model[i].rcpt),
		    domain) == 0))
			return 1;
	return 0;
}

static int
model_has(const char *rcpt, const char *sender)
{
	size_t i;

	for (i = 0; i < nmodel; i++)
		if (model[i].sender != NULL && same(model[i].rcpt, rcpt) &&
		    same(model[i].sender, sender))
			return 1;
	return 0;
}

/* model_entries: the entries of (RCPT, SND) into R; 1 when any. */
static int
model_entries(const char *rcpt, const char *snd, struct store_result *r)
{
	const struct store_irow *w;
	int64_t deny = 0, allow = 0;
	int nd = 0, na = 0, plain = 0;
	size_t i, np = 0;

	for (i = 0; i < nmodel; i++) {
		if (model[i].sender == NULL || strcmp(model[i].rcpt, rcpt) ||
		    strcmp(model[i].sender, snd))
			continue;
		w = &model[i].r;
		if (w->kind == STORE_RULE_DENY) {
			deny = nd++ == 0 || w->id < deny ? w->id : deny;
			continue;
		}
		allow = na++ == 0 || w->id < allow ? w->id : allow;
		if (!w->has_pin)
			plain = 1;
		else if (np < STORE_MAX_PINS)
			memcpy(r->pins[np++], w->pin, STORE_FP_LEN);
	}
	if (nd == 0 && na == 0)
		return 0;
	r->list = nd > 0 ? VL_DENY : VL_ALLOW;
	r->beat_allow = nd > 0 && na > 0;
	r->rule_id = nd > 0 ? deny : allow;
	snprintf(r->rule_recipient, sizeof(r->rule_recipient), "%s", rcpt);
	snprintf(r->rule_sender, sizeof(r->rule_sender), "%s", snd);
	r->npins = nd == 0 && !plain ? np : 0;
	if (r->npins == 0)
		memset(r->pins, 0, sizeof(r->pins));
	return 1;
}

/* model_eval: verdicts.md 4.2, by brute force over the model. */
static void
model_eval(enum verdict_mode dm, const struct addr *snd,
    const struct addr *rc, const char *domain, struct store_result *r)
{
	char rl[2][STORE_TARGET_MAX], sp[2][STORE_TARGET_MAX];
	struct store_result tmp;
	size_t i, j, k;

	memset(r, 0, sizeof(*r));
	r->mode = dm;
	r->list = VL_NONE;
	r->sender_invalid = snd == NULL;
	if (rc == NULL) {
		r->recipient_invalid = 1;
		r->strict = model_strict(domain) || dm == VM_DENY;
		r->mode = r->strict ? VM_DENY : VM_ALLOW;
		return;
	}
	snprintf(rl[0], sizeof(rl[0]), "%s", addr_canon(rc));
	snprintf(rl[1], sizeof(rl[1]), "*@%s", addr_domain(rc));
	for (i = 0; i < 2 && r->mode_level == STORE_LEVEL_NONE; i++)
		for (k = 0; k < nmodel; k++)
			if (model[k].sender == NULL &&
			    strcmp(model[k].rcpt, rl[i]) == 0) {
				r->mode = model[k].r.mode;
				r->mode_id = model[k].r.id;
				r->mode_level = i == 0 ? STORE_LEVEL_ADDRESS :
				    STORE_LEVEL_DOMAIN;
			}
	if (snd == NULL)
		return;
	snprintf(sp[0], sizeof(sp[0]), "%s", addr_canon(snd));
	snprintf(sp[1], sizeof(sp[1]), "*@%s", addr_domain(snd));
	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++) {
			if (!model_entries(rl[i], sp[j], r))
				continue;
			r->list_level = i == 0 ? STORE_LEVEL_ADDRESS :
			    STORE_LEVEL_DOMAIN;
			r->by_domain = j == 1;
			memset(&tmp, 0, sizeof(tmp));
			r->beat_domain = j == 0 &&
			    model_entries(rl[i], sp[1], &tmp);
			return;
		}
}

static int
cmp_pin(const void *a, const void *b)
{
	return memcmp(a, b, STORE_FP_LEN);
}

/* differ: the first field where A and B differ, or NULL (pins as sets). */
static const char *
differ(struct store_result *a, struct store_result *b)
{
	qsort(a->pins, a->npins, STORE_FP_LEN, cmp_pin);
	qsort(b->pins, b->npins, STORE_FP_LEN, cmp_pin);
	if (a->mode != b->mode || a->mode_level != b->mode_level ||
	    a->mode_id != b->mode_id)
		return "mode";
	if (a->list != b->list || a->list_level != b->list_level ||
	    a->rule_id != b->rule_id || a->by_domain != b->by_domain)
		return "list";
	if (strcmp(a->rule_recipient, b->rule_recipient) != 0 ||
	    strcmp(a->rule_sender, b->rule_sender) != 0)
		return "rule strings";
	if (a->beat_allow != b->beat_allow || a->beat_domain != b->beat_domain)
		return "beat";
	if (a->recipient_invalid != b->recipient_invalid ||
	    a->strict != b->strict || a->sender_invalid != b->sender_invalid)
		return "invalid/strict";
	if (a->npins != b->npins || memcmp(a->pins, b->pins,
	    a->npins * STORE_FP_LEN) != 0)
		return "pins";
	return NULL;
}

/* ---- the universe of a run ---- */

struct uni {
	char		**rcpt, **snd;		/* rule targets */
	size_t		  nrcpt, nsnd;
	struct addr	**ea, **es;		/* eval recipients, senders */
	size_t		  nea, nes;
	char		**dom;			/* eval domains */
	size_t		  ndom;
};

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

static void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);

	if (p == NULL)
		abort();
	return p;
}

/*
 * uni_make: NR recipient addresses over ND domains (and each *@domain),
 * NS sender addresses over NE domains (and each *@domain), some targets
 * in both roles; eval forms: every address, one more per domain, and
 * the domains.
 */
static void
uni_make(struct uni *u, size_t nr, size_t nd, size_t ns, size_t ne)
{
	char buf[STORE_TARGET_MAX];
	size_t i;

	memset(u, 0, sizeof(*u));
	u->rcpt = xcalloc(nr + nd, sizeof(char *));
	u->snd = xcalloc(ns + ne + 2, sizeof(char *));
	u->ea = xcalloc(nr + nd + 1, sizeof(struct addr *));
	u->es = xcalloc(ns + ne + 4, sizeof(struct addr *));
	u->dom = xcalloc(nd + ne + 3, sizeof(char *));
	for (i = 0; i < nr; i++) {
		snprintf(buf, sizeof(buf), "u%zu@r%zu.test", i, i % nd);
		u->rcpt[u->nrcpt++] = xstrdup(buf);
		u->ea[u->nea++] = addr_parse(buf, NULL, NULL);
	}
	for (i = 0; i < nd; i++) {
		snprintf(buf, sizeof(buf), "*@r%zu.test", i);
		u->rcpt[u->nrcpt++] = xstrdup(buf);
		snprintf(buf, sizeof(buf), "other@r%zu.test", i);
		u->ea[u->nea++] = addr_parse(buf, NULL, NULL);
		snprintf(buf, sizeof(buf), "r%zu.test", i);
		u->dom[u->ndom++] = xstrdup(buf);
	}
	u->ea[u->nea++] = addr_parse("nobody@nowhere.test", NULL, NULL);
	for (i = 0; i < ns; i++) {
		snprintf(buf, sizeof(buf), "s%zu@q%zu.test", i, i % ne);
		u->snd[u->nsnd++] = xstrdup(buf);
		u->es[u->nes++] = addr_parse(buf, NULL, NULL);
	}
	for (i = 0; i < ne; i++) {
		snprintf(buf, sizeof(buf), "*@q%zu.test", i);
		u->snd[u->nsnd++] = xstrdup(buf);
		snprintf(buf, sizeof(buf), "other@q%zu.test", i);
		u->es[u->nes++] = addr_parse(buf, NULL, NULL);
		snprintf(buf, sizeof(buf), "q%zu.test", i);
		u->dom[u->ndom++] = xstrdup(buf);
	}
	/* targets in both roles: atoms shared by recipients and senders */
	u->snd[u->nsnd++] = xstrdup(u->rcpt[0]);
	u->snd[u->nsnd++] = xstrdup(u->rcpt[nr]);
	u->es[u->nes++] = addr_parse(u->rcpt[0], NULL, NULL);
	u->es[u->nes++] = addr_parse("nobody@nowhere.test", NULL, NULL);
	u->dom[u->ndom++] = xstrdup("nowhere.test");
	u->dom[u->ndom++] = xstrdup("");
	for (i = 0; i < u->nea; i++)
		if (u->ea[i] == NULL)
			abort();
	for (i = 0; i < u->nes; i++)
		if (u->es[i] == NULL)
			abort();
}

static void
uni_free(struct uni *u)
{
	size_t i;

	for (i = 0; i < u->nrcpt; i++)
		free(u->rcpt[i]);
	for (i = 0; i < u->nsnd; i++)
		free(u->snd[i]);
	for (i = 0; i < u->nea; i++)
		addr_free(u->ea[i]);
	for (i = 0; i < u->nes; i++)
		addr_free(u->es[i]);
	for (i = 0; i < u->ndom; i++)
		free(u->dom[i]);
	free(u->rcpt);
	free(u->snd);
	free(u->ea);
	free(u->es);
	free(u->dom);
}

/* ---- random row sets, always valid (store_snap_check_pair) ---- */

static int64_t next_id = 1;

static void
pin_row(struct store_irow *w)
{
	memset(w->pin, 0, STORE_FP_LEN);
	w->pin[0] = (unsigned char)(rnd() % 8);	/* some pins repeat */
	w->pin[31] = (unsigned char)rnd();
	w->has_pin = 1;
}

/* gen: a random row set of a pair (SENDER NULL: a mode) in ROWS; N. */
static size_t
gen(const char *sender, struct store_irow *rows)
{
	size_t n = 0, i, k, t;
	struct store_irow tmp;
	int pinnable = sender != NULL && sender[0] != '*';

	memset(rows, 0, 20 * sizeof(*rows));
	if (sender == NULL) {
		if (rnd() % 3 == 0)
			return 0;
		rows[0].kind = STORE_RULE_MODE;
		rows[0].mode = rnd() % 2 ? VM_DENY : VM_ALLOW;
		rows[0].id = next_id++;
		return 1;
	}
	t = rnd() % 7;
	if (t == 0)
		return 0;
	if (t == 1 || t == 4 || t == 5)
		rows[n++].kind = STORE_RULE_DENY;
	if (t == 2 || t == 4 || t == 6 || ((t == 3 || t == 5) && !pinnable))
		rows[n++].kind = STORE_RULE_ALLOW;
	else if (t == 3 || t == 5) {
		k = rnd() % 10 == 0 ? STORE_MAX_PINS : 1 + rnd() % 3;
		for (i = 0; i < k; i++) {
			rows[n].kind = STORE_RULE_ALLOW;
			pin_row(&rows[n++]);
			rows[n - 1].pin[30] = (unsigned char)i;	/* distinct */
		}
	}
	for (i = 0; i < n; i++)
		rows[i].id = next_id++;
	for (i = n; i > 1; i--) {		/* any order */
		k = rnd() % i;
		tmp = rows[i - 1];
		rows[i - 1] = rows[k];
		rows[k] = tmp;
	}
	return n;
}

/* ---- the checks ---- */

struct tally {
	size_t		 evals, bad_eval, bad_has, bad_count, bad_mem,
			 bad_list, bad_check, bad_set;
	char		 first[512];
};

static void note(struct tally *t, size_t *ctr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* note: one more failure in *CTR; the first of the run is kept. */
static void
note(struct tally *t, size_t *ctr, const char *fmt, ...)
{
	va_list ap;

	if ((*ctr)++ > 0 || t->first[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(t->first, sizeof(t->first), fmt, ap);
	va_end(ap);
}

static void
check_eval(struct store_index *idx, enum verdict_mode dm,
    const struct addr *snd, const struct addr *rc, const char *dom,
    struct tally *t)
{
	struct store_result a, b;
	const char *d;

	store_index_eval(idx, dm, snd, rc, dom, &a);
	model_eval(dm, snd, rc, dom, &b);
	t->evals++;
	if ((d = differ(&a, &b)) != NULL)
		note(t, &t->bad_eval, "eval %s -> %s: %s differs",
		    snd ? addr_canon(snd) : "<>", rc ? addr_canon(rc) :
		    (dom ? dom : "(null)"), d);
}

static int
cmp_model(const void *a, const void *b)
{
	const struct mrow *p = a, *q = b;
	int c;

	if ((p->sender == NULL) != (q->sender == NULL))
		return p->sender == NULL ? -1 : 1;
	if ((c = strcmp(p->rcpt, q->rcpt)) != 0)
		return c;
	if (p->sender != NULL && (c = strcmp(p->sender, q->sender)) != 0)
		return c;
	if (p->r.kind != q->r.kind)	/* allow, then deny */
		return p->r.kind == STORE_RULE_ALLOW ? -1 : 1;
	if (p->r.has_pin != q->r.has_pin)
		return p->r.has_pin ? 1 : -1;
	if ((c = memcmp(p->r.pin, q->r.pin, STORE_FP_LEN)) != 0)
		return c;
	return p->r.id < q->r.id ? -1 : p->r.id > q->r.id;
}

static struct mrow sorted[MAXROWS];

/* sorted_model: the model in store_rule's order, after memcpy and sort. */
static struct mrow *
sorted_model(void)
{
	return sorted;
}

static void
check_list(struct store_index *idx, struct tally *t)
{
	struct store_rule *l;
	size_t i, n;

	if ((l = store_index_list(idx, &n)) == NULL || n != nmodel) {
		note(t, &t->bad_list, "list: %s rows", l ? "other" : "no");
		free(l);
		return;
	}
	for (i = 0; i < n; i++)
		if (l[i].id != sorted[i].r.id ||
		    l[i].kind != sorted[i].r.kind ||
		    strcmp(l[i].recipient, sorted[i].rcpt) != 0 ||
		    !same(l[i].sender, sorted[i].sender) ||
		    l[i].has_pin != sorted[i].r.has_pin ||
		    (l[i].has_pin && memcmp(l[i].pin, sorted[i].r.pin,
		    STORE_FP_LEN) != 0) ||
		    (l[i].kind == STORE_RULE_MODE &&
		    l[i].mode != sorted[i].r.mode)) {
			note(t, &t->bad_list, "list: row %zu (%s -> %s) out of "
			    "place or wrong", i, sorted[i].sender ?
			    sorted[i].sender : "(mode)", sorted[i].rcpt);
			break;
		}
	free(l);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * check_whole: the count; has_entry of every pair of U (ALL) or of the
 * model's pairs and a sample; pairs, atoms and string octets.
 */
static void
check_whole(struct store_index *idx, const struct uni *u, int all,
    struct tally *t)
{
	static const char *strs[3 * MAXROWS];
	static char keys[MAXROWS][STORE_TARGET_MAX];
	struct store_imem m;
	const char *s;
	size_t i, j, n = 0, nk = 0, bytes = 0, atoms = 0, pairs = 0;

	if (store_index_count(idx) != nmodel)
		note(t, &t->bad_count, "count %zu, the model %zu",
		    store_index_count(idx), nmodel);
	for (i = 0; i < u->nrcpt; i++)
		for (j = 0; j <= u->nsnd; j++) {
			if (!all && rnd() % 64 != 0)
				continue;
			s = j < u->nsnd ? u->snd[j] : NULL;
			if (store_index_has_entry(idx, u->rcpt[i], s) !=
			    model_has(u->rcpt[i], s))
				note(t, &t->bad_has, "has_entry %s -> %s",
				    s ? s : "(null)", u->rcpt[i]);
		}
	/* the pairs, and the strings still referenced (strict domains') */
	memcpy(sorted_model(), model, nmodel * sizeof(*model));
	qsort(sorted_model(), nmodel, sizeof(*model), cmp_model);
	for (i = 0; i < nmodel; i++) {
		const struct mrow *w = &sorted_model()[i], *v = w - 1;

		if (i == 0 || !same(v->rcpt, w->rcpt) ||
		    !same(v->sender, w->sender))
			pairs++;
		if (w->sender != NULL && !store_index_has_entry(idx, w->rcpt,
		    w->sender))
			note(t, &t->bad_has, "has_entry %s -> %s", w->sender,
			    w->rcpt);
		strs[n++] = w->rcpt;
		if (w->sender != NULL)
			strs[n++] = w->sender;
		if (restrictive(w)) {
			snprintf(keys[nk], sizeof(keys[nk]), "*@%s",
			    domain_of(w->rcpt));
			strs[n++] = keys[nk++];
		}
	}
	qsort(strs, n, sizeof(*strs), cmp_str);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(strs[i - 1], strs[i]) != 0) {
			atoms++;
			bytes += strlen(strs[i]) + 1;
		}
	store_index_mem(idx, &m);
	if (m.rules != nmodel || m.pairs != pairs || m.atoms != atoms ||
	    m.string_bytes != bytes)
		note(t, &t->bad_mem, "mem: rules, pairs, atoms or octets");
	check_list(idx, t);
}

/* step: one random set of a random pair of U, in both. */
static void
step(struct store_index *idx, const struct uni *u, struct tally *t,
    const char **rcpt, const char **snd)
{
	struct store_irow rows[20];
	char err[256];
	size_t n;

	*rcpt = u->rcpt[rnd() % u->nrcpt];
	*snd = rnd() % 5 == 0 ? NULL : u->snd[rnd() % u->nsnd];
	n = gen(*snd, rows);
	if (store_snap_check_pair(*rcpt, *snd, rows, n, err,
	    sizeof(err)) != 0)
		note(t, &t->bad_check, "check_pair refused %s -> %s: %s",
		    *snd ? *snd : "(mode)", *rcpt, err);
	if (store_index_set(idx, *rcpt, *snd, rows, n) != 0)
		note(t, &t->bad_set, "set %s -> %s", *snd ? *snd : "(mode)",
		    *rcpt);
	model_set(*rcpt, *snd, rows, n);
}

static void
report(const struct tally *t, const char *run)
{
	T_OK(t->bad_set == 0 && t->bad_check == 0, "%s: every set taken, "
	    "every generated pair passes store_snap_check_pair", run);
	T_OK(t->bad_eval == 0, "%s: store_index_eval as the model, %zu "
	    "evaluations (%zu differ) %s", run, t->evals, t->bad_eval,
	    t->first);
	T_OK(t->bad_count == 0 && t->bad_has == 0, "%s: count and "
	    "has_entry as the model %s", run, t->first);
	T_OK(t->bad_mem == 0, "%s: pairs, atoms and string octets as the "
	    "model references them %s", run, t->first);
	T_OK(t->bad_list == 0, "%s: store_index_list: every row, in "
	    "store_rule's order %s", run, t->first);
}

/* drain: every pair of U removed; nothing may remain. */
static void
drain(struct store_index *idx, const struct uni *u, const char *run)
{
	struct store_imem m;
	size_t i, j;

	for (i = 0; i < u->nrcpt; i++)
		for (j = 0; j <= u->nsnd; j++)
			store_index_set(idx, u->rcpt[i], j < u->nsnd ?
			    u->snd[j] : NULL, NULL, 0);
	nmodel = 0;
	store_index_mem(idx, &m);
	T_OK(m.rules == 0 && m.pairs == 0 && m.atoms == 0 &&
	    m.string_bytes == 0 && m.pin_bytes == 0, "%s: all removed: no "
	    "rule, pair, atom, string or pin left (%zu %zu %zu %zu %zu)", run,
	    m.rules, m.pairs, m.atoms, m.string_bytes, m.pin_bytes);
}

/* small: every evaluation and every check after every step. */
static void
small(void)
{
	struct store_index *idx = store_index_new();
	struct tally t;
	struct uni u;
	const char *rc, *sn;
	size_t s, i, j, k;

	memset(&t, 0, sizeof(t));
	uni_make(&u, 6, 3, 6, 3);
	for (s = 0; idx != NULL && s < 2000; s++) {
		enum verdict_mode dm = s % 2 ? VM_DENY : VM_ALLOW;

		step(idx, &u, &t, &rc, &sn);
		for (i = 0; i < u.nea; i++) {
			for (j = 0; j < u.nes; j++)
				check_eval(idx, dm, u.es[j], u.ea[i], NULL, &t);
			check_eval(idx, dm, NULL, u.ea[i], NULL, &t);
		}
		for (k = 0; k < u.ndom; k++)
			check_eval(idx, dm, u.es[0], NULL, u.dom[k], &t);
		check_eval(idx, dm, u.es[0], NULL, NULL, &t);
		check_whole(idx, &u, 1, &t);
	}
	T_OK(idx != NULL, "store_index_new");
	report(&t, "small");
	drain(idx, &u, "small");
	store_index_free(idx);
	uni_free(&u);
}

/*
 * nomem: sets on a growing index, each first with its 1st, 2nd, ...
 * allocation failing until it succeeds: a failed set returns -1 and
 * leaves the index as the model still has it.
 */
static void
nomem(void)
{
#if FAILMALLOC
	struct store_index *idx = store_index_new();
	struct store_irow rows[20];
	struct tally t;
	struct uni u;
	const char *rc, *sn;
	size_t s, i, fails = 0, n;
	long k;
	int rv;

	memset(&t, 0, sizeof(t));
	uni_make(&u, 60, 6, 40, 5);
	nmodel = 0;
	for (s = 0; idx != NULL && s < 400; s++) {
		rc = u.rcpt[rnd() % u.nrcpt];
		sn = rnd() % 5 == 0 ? NULL : u.snd[rnd() % u.nsnd];
		n = gen(sn, rows);
		for (k = 1; k < 64; k++) {
			fail_at = k;
			rv = store_index_set(idx, rc, sn, rows, n);
			fail_at = 0;
			if (rv == 0)
				break;
			fails++;
			for (i = 0; i < 8; i++)
				check_eval(idx, VM_ALLOW, u.es[rnd() % u.nes],
				    u.ea[rnd() % u.nea], NULL, &t);
			check_eval(idx, VM_ALLOW, NULL, NULL, u.dom[rnd() %
			    u.ndom], &t);
			check_whole(idx, &u, 0, &t);
		}
		model_set(rc, sn, rows, n);
	}
	check_whole(idx, &u, 1, &t);
	T_OK(fails > 0 && t.bad_eval == 0 && t.bad_count == 0 &&
	    t.bad_has == 0 && t.bad_mem == 0 && t.bad_list == 0,
	    "out of memory: %zu sets failed, each leaving the index as it "
	    "was %s", fails, t.first);
	store_index_free(idx);
	uni_free(&u);
	nmodel = 0;
#else
	T_SKIP("out of memory: a failed set changes nothing",
	    "AddressSanitizer owns the allocator");
#endif
}

/* halve: every pair of every other recipient of U goes, in both. */
static void
halve(struct store_index *idx, const struct uni *u)
{
	size_t i, j, k;

	for (i = 0; i < u->nrcpt; i += 2)
		for (j = 0; j <= u->nsnd; j++)
			store_index_set(idx, u->rcpt[i], j < u->nsnd ?
			    u->snd[j] : NULL, NULL, 0);
	for (i = j = 0; i < nmodel; i++) {
		for (k = 0; k < u->nrcpt && u->rcpt[k] != model[i].rcpt; k++)
			;
		if (k % 2 != 0)
			model[j++] = model[i];
	}
	nmodel = j;
}

/* large: tables grow and shrink; samples after each step. */
static void
large(void)
{
	struct store_index *idx = store_index_new();
	struct store_imem m;
	struct tally t;
	struct uni u;
	const char *rc, *sn;
	size_t s, k, mid = 0, whole = 0, bad = 0, bad_mid = 0, moved = 0,
	    most = 0;

	memset(&t, 0, sizeof(t));
	uni_make(&u, 400, 40, 150, 30);
	for (s = 0; idx != NULL && s < 4000; s++) {
		step(idx, &u, &t, &rc, &sn);
		store_index_mem(idx, &m);
		if (m.moved - moved > most)
			most = m.moved - moved;
		moved = m.moved;
		if (m.migrating > 0) {
			mid++;
			bad = t.bad_eval + t.bad_has + t.bad_count +
			    t.bad_mem + t.bad_list;
		}
		for (k = 0; k < 2; k++)
			check_eval(idx, VM_ALLOW, u.es[rnd() % u.nes],
			    u.ea[rnd() % u.nea], NULL, &t);
		check_eval(idx, VM_ALLOW, NULL, NULL, u.dom[rnd() % u.ndom],
		    &t);
		if (s % 1000 == 999 || m.migrating > 0) {
			check_whole(idx, &u, 0, &t);
			whole += m.migrating > 0;
		}
		if (m.migrating > 0 && t.bad_eval + t.bad_has + t.bad_count +
		    t.bad_mem + t.bad_list > bad)
			bad_mid++;
		if (s == 2000) {
			halve(idx, &u);
			store_index_mem(idx, &m);
			moved = m.moved;
		}
	}
	check_whole(idx, &u, 0, &t);
	report(&t, "large");
	T_OK(mid >= 50 && whole == mid && bad_mid == 0, "large: %zu of the "
	    "checked steps in the middle of a hash's growth (%zu of them "
	    "checked whole), every check right there too", mid, whole);
	T_OK(moved > 0 && most <= 2 * STORE_ATOMS_STEP, "large: no set "
	    "moved more than %d slots (at most %zu, %zu in all)",
	    2 * STORE_ATOMS_STEP, most, moved);
	drain(idx, &u, "large");
	store_index_free(idx);
	uni_free(&u);
}

/*
 * grow: a hash that outgrows its size moves a few slots a set, never
 * all at once: each set of 30,000 new pairs (each a new sender, so both
 * hashes grow; and on until a growth is left going on) moves at most
 * STORE_ATOMS_STEP slots of each; a growth
 * spans many sets; every pair is found in the middle of one; while one
 * goes on, both arrays are counted, and the old one's octets go when it
 * ends (sets that replace one pair's row drive it to the end).
 */
static void
grow(void)
{
	struct store_index *idx = store_index_new();
	struct store_irow row;
	struct store_imem m;
	char r[64], snd[64];
	size_t i, j, most = 0, moved = 0, mid = 0, lost = 0, ends = 0,
	    kept = 0, before;
	int ok = 1;

	memset(&row, 0, sizeof(row));
	memset(&m, 0, sizeof(m));
	row.kind = STORE_RULE_ALLOW;
	/* 30000 pairs, and more until a growth is left going on */
	for (i = 0; idx != NULL && (i < 30000 || (m.migrating == 0 &&
	    i < 100000)); i++) {
		snprintf(r, sizeof(r), "r%zu@x.test", i % 300);
		snprintf(snd, sizeof(snd), "s%zu@y.test", i);
		row.id = (int64_t)i + 1;
		ok &= store_index_set(idx, r, snd, &row, 1) == 0;
		store_index_mem(idx, &m);
		if (m.moved - moved > most)
			most = m.moved - moved;
		moved = m.moved;
		if (m.migrating == 0)
			continue;
		mid++;
		if (mid % 64 != 0)
			continue;
		for (j = 0; j <= i; j += 1 + j % 7) {
			snprintf(r, sizeof(r), "r%zu@x.test", j % 300);
			snprintf(snd, sizeof(snd), "s%zu@y.test", j);
			lost += !store_index_has_entry(idx, r, snd);
		}
	}
	T_OK(idx != NULL && ok && m.migrating > 0, "grow: %zu sets taken, "
	    "the last left a growth going on", i);
	T_OK(most > 0 && most <= 2 * STORE_ATOMS_STEP, "grow: no set moved "
	    "more than %d slots (at most %zu, %zu in all)",
	    2 * STORE_ATOMS_STEP, most, moved);
	T_OK(mid >= 1000, "grow: %zu sets left a growth going on", mid);
	T_OK(lost == 0, "grow: every pair found in the middle of a growth "
	    "(%zu lost)", lost);
	/* drive what still grows to its end, replacing one pair's row */
	for (i = 0; idx != NULL && i < 200000; i++) {
		store_index_mem(idx, &m);
		if (m.migrating == 0)
			break;
		before = m.table_bytes;
		store_index_set(idx, "r0@x.test", "s0@y.test", &row, 1);
		store_index_mem(idx, &m);
		if (m.table_bytes < before)
			ends++;
		else if (m.table_bytes == before)
			kept++;
	}
	T_OK(idx != NULL && m.migrating == 0 && ends > 0 && kept + ends == i,
	    "grow: the old slots counted while they are moved, freed at "
	    "the end (%zu sets, %zu ends)", i, ends);
	store_index_free(idx);
}

/* check_pair: the rules of specs/store.md 2 for one pair's rows. */
static void
check_pair(void)
{
	static const struct {
		const char	*rcpt, *sender;
		int		 kind[3], pin[3], n, ok;
		const char	*what;
	} c[] = {
		{ "b@x.test", NULL, { 0 }, { 0 }, 1, 1, "a mode" },
		{ "*@x.test", NULL, { 0, 0 }, { 0 }, 2, 0, "two mode rows" },
		{ "b@x.test", "c@y.test", { 0 }, { 0 }, 1, 0,
		  "a mode row with a sender" },
		{ "b@x.test", NULL, { 1 }, { 0 }, 1, 0,
		  "an allow row without a sender" },
		{ "B@x.test", NULL, { 0 }, { 0 }, 1, 0,
		  "a recipient not canonical" },
		{ "b@x.test", "c@Y.test", { 1 }, { 0 }, 1, 0,
		  "a sender not canonical" },
		{ "b@x.test", "c@y.test", { 2, 1 }, { 0, 0 }, 2, 1,
		  "deny and allow" },
		{ "b@x.test", "c@y.test", { 2, 1 }, { 0, 1 }, 2, 1,
		  "deny and a pinned allow" },
		{ "b@x.test", "c@y.test", { 2 }, { 1 }, 1, 0,
		  "a pin on a deny" },
		{ "b@x.test", NULL, { 0 }, { 1 }, 1, 0, "a pin on a mode" },
		{ "b@x.test", "*@y.test", { 1 }, { 1 }, 1, 0,
		  "a pin on a *@domain sender" },
		{ "b@x.test", "c@y.test", { 1, 1 }, { 0, 1 }, 2, 0,
		  "pinned and unpinned allow" },
		{ "b@x.test", "c@y.test", { 0 }, { 0 }, 0, 1,
		  "no rows: the pair goes" },
	};
	struct store_irow rows[STORE_MAX_PINS + 1];
	char err[256];
	size_t i;
	int k, rc;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(rows, 0, sizeof(rows));
		for (k = 0; k < c[i].n; k++) {
			rows[k].id = 10 + k;
			rows[k].kind = (enum store_rule_kind)c[i].kind[k];
			rows[k].mode = VM_DENY;
			rows[k].has_pin = c[i].pin[k];
		}
		err[0] = '\0';
		rc = store_snap_check_pair(c[i].rcpt, c[i].sender, rows,
		    (size_t)c[i].n, err, sizeof(err));
		T_OK(c[i].ok ? rc == 0 : rc == -1 && strstr(err, "rule 1") !=
		    NULL, "check_pair: %s %s (%s)", c[i].what, c[i].ok ?
		    "accepted" : "refused, naming the row", err);
	}
	memset(rows, 0, sizeof(rows));
	for (k = 0; k <= STORE_MAX_PINS; k++) {
		rows[k].id = k + 1;
		rows[k].kind = STORE_RULE_ALLOW;
		rows[k].has_pin = 1;
		rows[k].pin[0] = (unsigned char)k;
	}
	T_OK(store_snap_check_pair("b@x.test", "c@y.test", rows,
	    STORE_MAX_PINS, err, sizeof(err)) == 0, "check_pair: %d pins",
	    STORE_MAX_PINS);
	T_OK(store_snap_check_pair("b@x.test", "c@y.test", rows,
	    STORE_MAX_PINS + 1, err, sizeof(err)) == -1 &&
	    strstr(err, "rule 17: more pins") != NULL, "check_pair: %d pins "
	    "refused (%s)", STORE_MAX_PINS + 1, err);
}

/*
 * same_strings: new strings that are one string in a set (a recipient
 * naming itself; "*@dom" as the sender and as the recipient's strict
 * domain) become one atom, found by every lookup.
 */
static void
same_strings(struct store_index *idx)
{
	struct store_irow row;
	struct store_result r;
	struct store_imem m;
	struct addr *a = addr_parse("bob@x.test", NULL, NULL);
	struct addr *b = addr_parse("a@y.test", NULL, NULL);

	memset(&row, 0, sizeof(row));
	row.id = 4;
	row.kind = STORE_RULE_DENY;
	T_OK(store_index_set(idx, "bob@x.test", "bob@x.test", &row, 1) ==
	    0 && store_index_set(idx, "a@y.test", "*@y.test", &row, 1) == 0,
	    "same strings: two sets on an empty index");
	store_index_mem(idx, &m);
	/* bob@x.test, *@x.test (its strict domain), a@y.test, *@y.test */
	T_OK(m.atoms == 4, "same strings: one atom each (%zu)", m.atoms);
	T_OK(store_index_has_entry(idx, "bob@x.test", "bob@x.test") &&
	    store_index_has_entry(idx, "a@y.test", "*@y.test"),
	    "same strings: both pairs found");
	store_index_eval(idx, VM_ALLOW, a, a, NULL, &r);
	T_OK(r.list == VL_DENY, "same strings: a recipient naming itself");
	store_index_eval(idx, VM_ALLOW, b, b, NULL, &r);
	T_OK(r.list == VL_DENY && r.by_domain, "same strings: *@y.test");
	store_index_eval(idx, VM_ALLOW, b, NULL, "y.test", &r);
	T_OK(r.strict, "same strings: y.test is strict");
	store_index_set(idx, "bob@x.test", "bob@x.test", NULL, 0);
	store_index_set(idx, "a@y.test", "*@y.test", NULL, 0);
	store_index_mem(idx, &m);
	T_OK(m.atoms == 0, "same strings: all freed (%zu)", m.atoms);
	addr_free(a);
	addr_free(b);
}

/* basics: an empty index; a set that replaces; what a pair decides. */
static void
basics(void)
{
	struct store_index *idx = store_index_new();
	struct store_irow rows[3];
	struct store_result r;
	struct store_imem m;
	struct addr *snd, *rc;

	if (idx == NULL) {
		T_OK(0, "store_index_new");
		return;
	}
	store_index_mem(idx, &m);
	T_OK(m.rules == 0 && m.pairs == 0 && m.atoms == 0 &&
	    m.table_bytes > 0, "empty: no rules, some table");
	T_INTEQ(store_index_count(idx), 0, "empty: count 0");
	T_OK(!store_index_has_entry(idx, "b@x.test", "c@y.test"),
	    "empty: no entry");
	snd = addr_parse("c@y.test", NULL, NULL);
	rc = addr_parse("b@x.test", NULL, NULL);
	memset(rows, 0, sizeof(rows));
	rows[0].id = 7;
	rows[0].kind = STORE_RULE_ALLOW;
	rows[1].id = 3;
	rows[1].kind = STORE_RULE_DENY;
	T_OK(store_index_set(idx, "b@x.test", "c@y.test", rows, 2) == 0 &&
	    store_index_set(idx, "*@x.test", NULL, &(struct store_irow){
	    .id = 2, .kind = STORE_RULE_MODE, .mode = VM_DENY }, 1) == 0,
	    "two sets");
	store_index_eval(idx, VM_ALLOW, snd, rc, NULL, &r);
	T_OK(r.list == VL_DENY && r.rule_id == 3 && r.beat_allow &&
	    r.mode == VM_DENY && r.mode_id == 2 &&
	    r.mode_level == STORE_LEVEL_DOMAIN, "deny beats allow; the "
	    "domain's mode");
	T_OK(store_index_set(idx, "b@x.test", "c@y.test", rows, 1) == 0,
	    "a set replaces the pair's rows");
	store_index_eval(idx, VM_ALLOW, snd, rc, NULL, &r);
	T_OK(r.list == VL_ALLOW && r.rule_id == 7 && !r.beat_allow,
	    "now the allow decides");
	T_INTEQ(store_index_count(idx), 2, "count: two rows");
	store_index_eval(idx, VM_ALLOW, snd, NULL, "x.test", &r);
	T_OK(r.recipient_invalid && r.strict && r.mode == VM_DENY,
	    "x.test has a deny mode: strict");
	store_index_eval(idx, VM_ALLOW, snd, NULL, "y.test", &r);
	T_OK(!r.strict && r.mode == VM_ALLOW, "y.test is not strict");
	T_OK(store_index_set(idx, "*@x.test", NULL, NULL, 0) == 0 &&
	    store_index_set(idx, "b@x.test", "c@y.test", NULL, 0) == 0 &&
	    store_index_set(idx, "b@x.test", "c@y.test", NULL, 0) == 0,
	    "removals, twice");
	store_index_eval(idx, VM_ALLOW, snd, NULL, NULL, &r);
	T_OK(!r.strict, "nothing strict left");
	store_index_mem(idx, &m);
	T_OK(m.rules == 0 && m.atoms == 0 && m.string_bytes == 0,
	    "every atom freed");
	same_strings(idx);
	addr_free(snd);
	addr_free(rc);
	store_index_free(idx);
	store_index_free(NULL);
}

int
main(void)
{
	basics();
	check_pair();
	small();
	large();
	grow();
	nomem();
	return t_done();
}
