/*
 * store_index.c: the rules senderkeyd decides with, in memory, changed
 * one (recipient, sender) pair at a time (specs/store.md 5.1).  Strings
 * are interned (an atom table with reference counts); a pair is 24
 * octets in a dense array found through an open-addressing hash of u32
 * indices (store_atoms.c's, which grows by degrees); what a pair's rows
 * decide (deny, allow, pins, the deciding row's id) is kept in its
 * flags, and a pair of more than one row or with pins keeps its rows
 * out of line.  The domains with a restrictive pair are counted, so a
 * change costs time proportional to the rows of the pairs it changes,
 * never to the whole store.  Pure: no I/O, no locks (one owner at a
 * time).  What a rule means is verdicts.md 4.2;
 * which rows a pair may hold is store_snap_check_pair's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "store_int.h"

/* What a pair's rows hold (struct ipair.flags). */
#define F_MODE_ALLOW	0x01	/* a mode allow row */
#define F_MODE_DENY	0x02	/* a mode deny row */
#define F_ALLOW		0x04	/* an allow row */
#define F_DENY		0x08	/* a deny row */
#define F_PINNED	0x10	/* an allow row with a pin */
#define F_PLAIN		0x20	/* an allow row without a pin */
#define F_EXT		0x40	/* u.ext holds the rows, else u.id */
#define F_RESTRICT	(F_MODE_DENY | F_DENY | F_PINNED)

#define NOSLOT		SIZE_MAX
#define KIND_PIN	0x80	/* in struct ext's kinds: the row has a pin */

/*
 * The rows of a pair that is more than one plain row: the deciding id,
 * then N ids, N kind octets (enum store_rule_kind, KIND_PIN) and NPINS
 * pins of STORE_FP_LEN octets, in the order the rows were set.
 */
struct ext {
	int64_t		 id;
	uint32_t	 n, npins;
	int64_t		 ids[];
};
#define EXT_KINDS(x)	((unsigned char *)((x)->ids + (x)->n))
#define EXT_PINS(x)	(EXT_KINDS(x) + (x)->n)

/* A pair: 20 octets, in chunks of PCHUNK (never moved by growth). */
struct ipair {
	uint32_t	 rcpt, sender;	/* atoms; sender 0: the mode */
	uint32_t	 flags;
	union {
		int64_t		 id;	/* the one row's */
		struct ext	*ext;	/* F_EXT */
	} u;
} __attribute__((packed, aligned(4)));

#define PCHUNK		4096
#define PAIR(x, i)	(&(x)->pchunk[(i) / PCHUNK][(i) % PCHUNK])

/* A domain with restrictive pairs: the atom of "*@DOMAIN", how many. */
struct sdom {
	uint32_t	 atom, count;
};

struct store_index {
	struct store_atoms a;
	struct ipair	**pchunk;	/* PCHUNK pairs each */
	size_t		  npairs, nchunks;
	struct store_slots pslot;	/* ids: pair index + 1 */
	struct sdom	 *strict;	/* atom 0: empty */
	size_t		  smask, nstrict;
	size_t		  nrows, ext_bytes, npins;
};

static uint64_t
hash_pair(uint32_t r, uint32_t s)
{
	return store_atoms_mix(((uint64_t)r << 32 | s) + 0x9e3779b97f4a7c15ULL);
}

/* scopy: SRC into DST of DSTSZ octets, truncated to fit. */
static void
scopy(char *dst, size_t dstsz, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* domain_key: "*@" and the domain of the target RCPT in OUT; 0 or -1. */
static int
domain_key(const char *rcpt, char out[STORE_TARGET_MAX])
{
	const char *at = strrchr(rcpt, '@');
	int n;

	n = snprintf(out, STORE_TARGET_MAX, "*@%s", at != NULL ? at + 1 :
	    rcpt);
	return n < 0 || n >= STORE_TARGET_MAX ? -1 : 0;
}

/* ---- pairs ---- */

static uint64_t
pair_home(const void *arg, uint32_t id)
{
	const struct store_index *x = arg;
	const struct ipair *p = PAIR(x, id - 1);

	return hash_pair(p->rcpt, p->sender);
}

/* A pair sought. */
struct want {
	const struct store_index *x;
	uint32_t	 r, s;
};

static int
is_pair(const void *arg, uint32_t id)
{
	const struct want *w = arg;
	const struct ipair *p = PAIR(w->x, id - 1);

	return p->rcpt == w->r && p->sender == w->s;
}

/* pair_slot: the position of the pair (R, S) in x->pslot, or NOSLOT. */
static size_t
pair_slot(const struct store_index *x, uint32_t r, uint32_t s)
{
	struct want w = { x, r, s };

	return store_atoms_slots_find(&x->pslot, hash_pair(r, s), is_pair,
	    &w);
}

/* pair_at: the pair at position I of x->pslot. */
static struct ipair *
pair_at(const struct store_index *x, size_t i)
{
	return PAIR(x, store_atoms_slots_id(&x->pslot, i) - 1);
}

static const struct ipair *
pair_get(const struct store_index *x, uint32_t r, uint32_t s)
{
	size_t i;

	if (r == 0 || (i = pair_slot(x, r, s)) == NOSLOT)
		return NULL;
	return pair_at(x, i);
}

static int64_t
pair_id(const struct ipair *p)
{
	return p->flags & F_EXT ? p->u.ext->id : p->u.id;
}

static size_t
pair_rows(const struct ipair *p)
{
	return p->flags & F_EXT ? p->u.ext->n : 1;
}

/* ---- the strict domains ---- */

static size_t
strict_slot(const struct store_index *x, uint32_t atom)
{
	size_t i = store_atoms_mix(atom) & x->smask;

	while (x->strict[i].atom != 0) {
		if (x->strict[i].atom == atom)
			return i;
		i = (i + 1) & x->smask;
	}
	return i;
}

/* strict_inc: one more restrictive pair at domain atom D. */
static void
strict_inc(struct store_index *x, uint32_t d)
{
	size_t i = strict_slot(x, d);

	if (x->strict[i].atom == 0) {
		x->strict[i].atom = d;
		store_atoms_ref(&x->a, d);
		x->nstrict++;
	}
	x->strict[i].count++;
}

/* strict_dec: one restrictive pair fewer at the domain of RCPT. */
static void
strict_dec(struct store_index *x, const char *rcpt)
{
	char key[STORE_TARGET_MAX];
	size_t i, j, k;
	uint32_t d;

	if (domain_key(rcpt, key) == -1 ||
	    (d = store_atoms_find(&x->a, key)) == 0)
		return;
	i = strict_slot(x, d);
	if (x->strict[i].atom == 0 || --x->strict[i].count > 0)
		return;
	for (j = i;;) {			/* backward shift: store_atoms_unslot */
		j = (j + 1) & x->smask;
		if (x->strict[j].atom == 0)
			break;
		k = store_atoms_mix(x->strict[j].atom) & x->smask;
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			x->strict[i] = x->strict[j];
			i = j;
		}
	}
	x->strict[i].atom = 0;
	x->strict[i].count = 0;
	x->nstrict--;
	store_atoms_unref(&x->a, d);
}

static int
strict_has(const struct store_index *x, const char *domain)
{
	char key[STORE_TARGET_MAX];
	uint32_t d;
	int n;

	if (domain == NULL || *domain == '\0')
		return x->nstrict > 0;
	n = snprintf(key, sizeof(key), "*@%s", domain);
	if (n < 0 || (size_t)n >= sizeof(key) ||
	    (d = store_atoms_find(&x->a, key)) == 0)
		return 0;
	return x->strict[strict_slot(x, d)].atom == d;
}

/* ---- growth: everything a set may need, before it changes anything ---- */

static int
grow_strict(struct store_index *x)
{
	struct sdom *ns, *old = x->strict;
	size_t i, k, omask = x->smask, nmask = omask * 2 + 1;

	if ((ns = calloc(nmask + 1, sizeof(*ns))) == NULL)
		return -1;
	for (i = 0; i <= omask; i++) {
		if (old[i].atom == 0)
			continue;
		k = store_atoms_mix(old[i].atom) & nmask;
		while (ns[k].atom != 0)
			k = (k + 1) & nmask;
		ns[k] = old[i];
	}
	free(old);
	x->strict = ns;
	x->smask = nmask;
	return 0;
}

/* grow_chunks: room for pair NEED - 1; 0 or -1. */
static int
grow_chunks(struct store_index *x, size_t need)
{
	struct ipair **nc;

	while (x->nchunks * PCHUNK < need) {
		if (x->nchunks >= SIZE_MAX / sizeof(*nc) - 1 ||
		    (nc = realloc(x->pchunk, (x->nchunks + 1) *
		    sizeof(*nc))) == NULL)
			return -1;
		x->pchunk = nc;
		if ((nc[x->nchunks] = malloc(PCHUNK * sizeof(**nc))) == NULL)
			return -1;
		x->nchunks++;
	}
	return 0;
}

/* reserve: room for one more pair, three more atoms, one more domain. */
static int
reserve(struct store_index *x)
{
	if (x->npairs >= STORE_ATOMS_IDMASK - 1 ||
	    store_atoms_reserve(&x->a, 3) == -1 ||
	    grow_chunks(x, x->npairs + 1) == -1 ||
	    store_atoms_slots_reserve(&x->pslot, 1) == -1 ||
	    ((x->nstrict + 1) * 4 > (x->smask + 1) * 3 && grow_strict(x) == -1))
		return -1;
	return 0;
}

/* ---- the index ---- */

struct store_index *
store_index_new(void)
{
	struct store_index *x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->smask = 7;
	if (store_atoms_init(&x->a) == -1 ||
	    store_atoms_slots_init(&x->pslot, 15, pair_home, x) == -1 ||
	    (x->strict = calloc(x->smask + 1, sizeof(*x->strict))) == NULL) {
		store_index_free(x);
		return NULL;
	}
	return x;
}

void
store_index_free(struct store_index *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->npairs; i++)
		if (PAIR(x, i)->flags & F_EXT)
			free(PAIR(x, i)->u.ext);
	for (i = 0; i < x->nchunks; i++)
		free(x->pchunk[i]);
	store_atoms_fini(&x->a);
	free(x->pchunk);
	store_atoms_slots_fini(&x->pslot);
	free(x->strict);
	free(x);
}

/*
 * build: the flags and the row storage of ROWS (N > 0) into *P; 0, or
 * -1 when memory ran out.
 */
static int
build(struct ipair *p, const struct store_irow *rows, size_t n,
    size_t *npins)
{
	struct ext *e;
	int64_t deny = 0, allow = 0;
	size_t i, pins = 0, sz;
	unsigned char *pin;
	int have_deny = 0, have_allow = 0;

	p->flags = 0;
	for (i = 0; i < n; i++) {
		if (rows[i].kind == STORE_RULE_MODE)
			p->flags |= rows[i].mode == VM_DENY ? F_MODE_DENY :
			    F_MODE_ALLOW;
		else if (rows[i].kind == STORE_RULE_DENY) {
			p->flags |= F_DENY;
			if (!have_deny || rows[i].id < deny)
				deny = rows[i].id;
			have_deny = 1;
		} else {
			p->flags |= rows[i].has_pin ? F_PINNED : F_PLAIN;
			p->flags |= F_ALLOW;
			if (!have_allow || rows[i].id < allow)
				allow = rows[i].id;
			have_allow = 1;
		}
		if (rows[i].kind == STORE_RULE_ALLOW && rows[i].has_pin)
			pins++;
	}
	*npins = pins;
	if (n == 1 && pins == 0) {
		p->u.id = rows[0].id;
		return 0;
	}
	if (n > UINT32_MAX || n > (SIZE_MAX - sizeof(*e)) / 64)
		return -1;
	sz = sizeof(*e) + n * (sizeof(int64_t) + 1) + pins * STORE_FP_LEN;
	if ((e = malloc(sz)) == NULL)
		return -1;
	e->n = (uint32_t)n;
	e->npins = (uint32_t)pins;
	e->id = have_deny ? deny : have_allow ? allow : rows[0].id;
	pin = EXT_PINS(e);
	for (i = 0; i < n; i++) {
		e->ids[i] = rows[i].id;
		EXT_KINDS(e)[i] = (unsigned char)rows[i].kind;
		if (rows[i].kind == STORE_RULE_ALLOW && rows[i].has_pin) {
			EXT_KINDS(e)[i] |= KIND_PIN;
			memcpy(pin, rows[i].pin, STORE_FP_LEN);
			pin += STORE_FP_LEN;
		}
	}
	p->flags |= F_EXT;
	p->u.ext = e;
	return 0;
}

static size_t
ext_size(const struct ipair *p)
{
	const struct ext *e = p->u.ext;

	if (!(p->flags & F_EXT))
		return 0;
	return sizeof(*e) + e->n * (sizeof(int64_t) + 1) +
	    e->npins * STORE_FP_LEN;
}

/* drop: the storage of P's rows, uncounted. */
static void
drop(struct store_index *x, struct ipair *p)
{
	x->nrows -= pair_rows(p);
	if (p->flags & F_EXT) {
		x->ext_bytes -= ext_size(p);
		x->npins -= p->u.ext->npins;
		free(p->u.ext);
	}
}

/* pair_remove: the pair in slot I goes (its atoms lose a reference). */
static void
pair_remove(struct store_index *x, size_t i)
{
	size_t k = store_atoms_slots_id(&x->pslot, i) - 1, j;
	struct ipair *p = PAIR(x, k), *last;

	if (p->flags & F_RESTRICT)
		strict_dec(x, store_atoms_str(&x->a, p->rcpt));
	drop(x, p);
	store_atoms_unref(&x->a, p->rcpt);
	store_atoms_unref(&x->a, p->sender);
	store_atoms_slots_del(&x->pslot, i);
	last = PAIR(x, x->npairs - 1);
	if (p != last) {
		j = pair_slot(x, last->rcpt, last->sender);
		*p = *last;
		store_atoms_slots_reid(&x->pslot, j, (uint32_t)(k + 1));
	}
	x->npairs--;
	/* a chunk to spare, not more: memory goes back as pairs do */
	if (x->nchunks > 1 && x->npairs + 2 * PCHUNK <= x->nchunks * PCHUNK)
		free(x->pchunk[--x->nchunks]);
}

/*
 * step: a growing hash moves a few more of its slots, after a set that
 * took (so a failing set changes nothing, and no position is held).
 */
static void
step(struct store_index *x)
{
	store_atoms_slots_step(&x->a.h, STORE_ATOMS_STEP);
	store_atoms_slots_step(&x->pslot, STORE_ATOMS_STEP);
}

/* intern: the atom of S, or 0 with a copy of S in *COPY; -1 no memory. */
static int
intern(const struct store_index *x, const char *s, uint32_t *id,
    char **copy)
{
	*copy = NULL;
	if ((*id = store_atoms_find(&x->a, s)) != 0)
		return 0;
	return (*copy = strdup(s)) == NULL ? -1 : 0;
}

int
store_index_set(struct store_index *x, const char *rcpt, const char *sender,
    const struct store_irow *rows, size_t n)
{
	struct ipair np, *p;
	char key[STORE_TARGET_MAX], *cr = NULL, *cs = NULL, *cd = NULL;
	uint32_t ra, sa = 0, da = 0, was = 0;
	size_t i = NOSLOT, npins = 0;

	if (n == 0) {
		ra = store_atoms_find(&x->a, rcpt);
		sa = sender != NULL ? store_atoms_find(&x->a, sender) : 0;
		if (ra != 0 && (sender == NULL || sa != 0) &&
		    (i = pair_slot(x, ra, sa)) != NOSLOT)
			pair_remove(x, i);
		step(x);
		return 0;
	}
	memset(&np, 0, sizeof(np));
	if (build(&np, rows, n, &npins) == -1)
		return -1;
	/* reserve first: it may move the slots */
	if (reserve(x) == -1 ||
	    intern(x, rcpt, &ra, &cr) == -1 ||
	    (sender != NULL && intern(x, sender, &sa, &cs) == -1))
		goto nomem;
	if (ra != 0 && (sender == NULL || sa != 0))
		i = pair_slot(x, ra, sa);
	if ((np.flags & F_RESTRICT) && domain_key(rcpt, key) == 0 &&
	    intern(x, key, &da, &cd) == -1)
		goto nomem;
	/*
	 * Nothing can fail from here on.  The strings may be one string
	 * (a recipient naming itself, "*@dom" as sender and domain): each
	 * new one is looked for again, so it becomes one atom.
	 */
	if (cr != NULL)
		ra = store_atoms_add(&x->a, cr);
	if (cs != NULL && (sa = store_atoms_find(&x->a, cs)) != 0)
		free(cs);
	else if (cs != NULL)
		sa = store_atoms_add(&x->a, cs);
	if (cd != NULL && (da = store_atoms_find(&x->a, cd)) != 0)
		free(cd);
	else if (cd != NULL)
		da = store_atoms_add(&x->a, cd);
	if (i != NOSLOT) {
		p = pair_at(x, i);
		was = p->flags & F_RESTRICT;
		drop(x, p);
	} else {
		p = PAIR(x, x->npairs);
		p->rcpt = ra;
		p->sender = sa;
		store_atoms_ref(&x->a, ra);
		if (sa != 0)
			store_atoms_ref(&x->a, sa);
		store_atoms_slots_put(&x->pslot, (uint32_t)++x->npairs,
		    hash_pair(ra, sa));
	}
	p->u = np.u;
	p->flags = np.flags;
	x->nrows += n;
	x->npins += npins;
	x->ext_bytes += ext_size(p);
	if ((np.flags & F_RESTRICT) && !was && da != 0)
		strict_inc(x, da);
	else if (!(np.flags & F_RESTRICT) && was)
		strict_dec(x, rcpt);
	step(x);
	return 0;
nomem:
	if (np.flags & F_EXT)
		free(np.u.ext);
	free(cr);
	free(cs);
	free(cd);
	return -1;
}

/* decide: the entries of pair P (recipient RCPT, sender SND) into R. */
static void
decide(const struct ipair *p, const char *rcpt, const char *snd,
    struct store_result *r)
{
	const struct ext *e;
	size_t k;

	r->list = p->flags & F_DENY ? VL_DENY : VL_ALLOW;
	r->beat_allow = (p->flags & F_DENY) && (p->flags & F_ALLOW);
	r->rule_id = pair_id(p);
	scopy(r->rule_recipient, sizeof(r->rule_recipient), rcpt);
	scopy(r->rule_sender, sizeof(r->rule_sender), snd);
	if ((p->flags & (F_DENY | F_PLAIN | F_PINNED)) != F_PINNED)
		return;
	e = p->u.ext;
	k = e->npins < STORE_MAX_PINS ? e->npins : STORE_MAX_PINS;
	memcpy(r->pins, EXT_PINS(e), k * STORE_FP_LEN);
	r->npins = k;
}

/* level_atom: the atom of "*@" and the domain of A, or 0. */
static uint32_t
level_atom(const struct store_index *x, const struct addr *a)
{
	char key[STORE_TARGET_MAX];
	const char *d = addr_domain(a);
	size_t n = strlen(d);

	if (n + 3 > sizeof(key))	/* "*@", the domain, its NUL */
		return 0;
	key[0] = '*';
	key[1] = '@';
	memcpy(key + 2, d, n + 1);	/* per request: no snprintf */
	return store_atoms_find(&x->a, key);
}

void
store_index_eval(const struct store_index *x, enum verdict_mode default_mode,
    const struct addr *sender, const struct addr *recipient,
    const char *domain, struct store_result *r)
{
	const struct ipair *p;
	uint32_t ra[2], sa[2];
	size_t i, j;

	memset(r, 0, sizeof(*r));
	r->mode = default_mode;
	r->list = VL_NONE;
	if (sender == NULL)
		r->sender_invalid = 1;
	if (recipient == NULL) {
		/* the strictest outcome its domain's rules allow */
		r->recipient_invalid = 1;
		r->strict = strict_has(x, domain) || default_mode == VM_DENY;
		r->mode = r->strict ? VM_DENY : VM_ALLOW;
		return;
	}
	ra[0] = store_atoms_find(&x->a, addr_canon(recipient));
	ra[1] = level_atom(x, recipient);
	for (i = 0; i < 2; i++) {
		if ((p = pair_get(x, ra[i], 0)) == NULL)
			continue;
		r->mode = p->flags & F_MODE_DENY ? VM_DENY : VM_ALLOW;
		r->mode_id = pair_id(p);
		r->mode_level = i == 0 ? STORE_LEVEL_ADDRESS :
		    STORE_LEVEL_DOMAIN;
		break;
	}
	if (sender == NULL || (ra[0] == 0 && ra[1] == 0))
		return;		/* no rule names the recipient */
	sa[0] = store_atoms_find(&x->a, addr_canon(sender));
	sa[1] = level_atom(x, sender);
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 2; j++) {
			if (sa[j] == 0 || (p = pair_get(x, ra[i], sa[j])) ==
			    NULL)
				continue;
			decide(p, store_atoms_str(&x->a, ra[i]),
			    store_atoms_str(&x->a, sa[j]), r);
			r->list_level = i == 0 ? STORE_LEVEL_ADDRESS :
			    STORE_LEVEL_DOMAIN;
			r->by_domain = j == 1;
			r->beat_domain = j == 0 && sa[1] != 0 &&
			    pair_get(x, ra[i], sa[1]) != NULL;
			return;
		}
	}
}

int
store_index_has_entry(const struct store_index *x, const char *rcpt,
    const char *sender)
{
	uint32_t sa;

	if (sender == NULL || (sa = store_atoms_find(&x->a, sender)) == 0)
		return 0;
	return pair_get(x, store_atoms_find(&x->a, rcpt), sa) != NULL;
}

size_t
store_index_count(const struct store_index *x)
{
	return x->nrows;
}

void
store_index_mem(const struct store_index *x, struct store_imem *m)
{
	m->rules = x->nrows;
	m->pairs = x->npairs;
	m->atoms = x->a.live;
	m->table_bytes = sizeof(*x) + store_atoms_mem(&x->a) +
	    x->nchunks * (PCHUNK * sizeof(struct ipair) +
	    sizeof(*x->pchunk)) +
	    store_atoms_slots_mem(&x->pslot) +
	    (x->smask + 1) * sizeof(*x->strict) +
	    x->ext_bytes - x->npins * STORE_FP_LEN;
	m->pin_bytes = x->npins * STORE_FP_LEN;
	m->string_bytes = x->a.bytes;
	m->migrating = (x->a.h.old != NULL) + (x->pslot.old != NULL);
	m->moved = x->a.h.moved + x->pslot.moved;
}

/* cmp_rule: store_rule's order (core/store.h); the SELECTs' of old. */
static int
cmp_rule(const void *a, const void *b)
{
	const struct store_rule *p = a, *q = b;
	int c;

	if ((p->kind == STORE_RULE_MODE) != (q->kind == STORE_RULE_MODE))
		return p->kind == STORE_RULE_MODE ? -1 : 1;
	if ((c = strcmp(p->recipient, q->recipient)) != 0)
		return c;
	if (p->kind != STORE_RULE_MODE &&
	    (c = strcmp(p->sender, q->sender)) != 0)
		return c;
	if (p->kind != q->kind)
		return p->kind < q->kind ? -1 : 1;
	if (p->has_pin != q->has_pin)
		return p->has_pin ? 1 : -1;
	if (p->has_pin && (c = memcmp(p->pin, q->pin, STORE_FP_LEN)) != 0)
		return c;
	return p->id < q->id ? -1 : p->id > q->id;
}

struct store_rule *
store_index_list(const struct store_index *x, size_t *n)
{
	struct store_rule *out, *o;
	const struct ipair *p;
	const struct ext *e;
	const unsigned char *pin;
	size_t i, k;

	*n = 0;
	if ((out = calloc(x->nrows > 0 ? x->nrows : 1, sizeof(*out))) == NULL)
		return NULL;
	o = out;
	for (i = 0; i < x->npairs; i++) {
		p = PAIR(x, i);
		if (!(p->flags & F_EXT)) {
			o->id = p->u.id;
			o->kind = p->flags & (F_MODE_ALLOW | F_MODE_DENY) ?
			    STORE_RULE_MODE : p->flags & F_DENY ?
			    STORE_RULE_DENY : STORE_RULE_ALLOW;
			o->mode = p->flags & F_MODE_DENY ? VM_DENY : VM_ALLOW;
			o->recipient = store_atoms_str(&x->a, p->rcpt);
			o->sender = p->sender != 0 ?
			    store_atoms_str(&x->a, p->sender) : NULL;
			o++;
			continue;
		}
		e = p->u.ext;
		pin = EXT_PINS(e);
		for (k = 0; k < e->n; k++, o++) {
			o->id = e->ids[k];
			o->kind = (enum store_rule_kind)(EXT_KINDS(e)[k] &
			    ~KIND_PIN);
			o->mode = p->flags & F_MODE_DENY ? VM_DENY : VM_ALLOW;
			o->recipient = store_atoms_str(&x->a, p->rcpt);
			o->sender = p->sender != 0 ?
			    store_atoms_str(&x->a, p->sender) : NULL;
			if (EXT_KINDS(e)[k] & KIND_PIN) {
				o->has_pin = 1;
				memcpy(o->pin, pin, STORE_FP_LEN);
				pin += STORE_FP_LEN;
			}
		}
	}
	qsort(out, x->nrows, sizeof(*out), cmp_rule);
	*n = x->nrows;
	return out;
}
