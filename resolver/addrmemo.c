/*
 * addrmemo.c: the raw-address memo of senderkeyd (addrmemo.h).  An entry
 * is one allocation: a header, the parsed addr (addr_copy's block), the
 * derived strings, then the key.  The key is the kind (sender or
 * recipient), the form, the delimiter set, a NUL and the raw string:
 * neither the set nor the raw string holds a NUL, so two different
 * inputs never make the same key.  A slot is found by a hash seeded at
 * random per memo and kept only when the whole key matches.  A result
 * that may come from a passing failure (out of memory, a digest error)
 * is answered but not kept, and so is one whose key is too long.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lib/owner.h"
#include "lib/rcpt.h"
#include "core/refusal.h"
#include "addrmemo.h"
#include "log.h"

#define KEY_MAX		(ADDRMEMO_RAW_MAX + 64)
#define LOG_SIZE	64	/* as struct req's sender_s and rcpt_s */
#define NSTR		3

struct ament {
	uint64_t	 h;
	size_t		 size;		/* octets of the allocation */
	uint16_t	 klen;		/* octets of key, at the end */
	uint16_t	 asz;		/* octets of the addr at d, 0: none */
	uint16_t	 str[NSTR];	/* offsets of the strings in d */
	int8_t		 vs, names, refusal;
	_Alignas(8) char d[];
};

struct addrmemo {
	size_t		 nslots;
	uint64_t	 seed, hits;
	size_t		 bytes;
	struct ament	*spare;		/* the last result not kept */
	struct ament	*slot[];
};

struct addrmemo *
addrmemo_new(size_t nslots)
{
	struct addrmemo *m;

	if (nslots == 0 || (nslots & (nslots - 1)) != 0)
		return NULL;
	if ((m = calloc(1, sizeof(*m) + nslots * sizeof(m->slot[0]))) ==
	    NULL)
		return NULL;
	m->nslots = nslots;
	/* a fixed seed only makes collisions easier to aim at */
	if (getrandom(&m->seed, sizeof(m->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(m->seed))
		m->seed = 0x243f6a8885a308d3ULL;
	return m;
}

void
addrmemo_free(struct addrmemo *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nslots; i++)
		free(m->slot[i]);
	free(m->spare);
	free(m);
}

static uint64_t
hash(uint64_t seed, const char *s, size_t n)
{
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL), w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 32);
}

/*
 * key_of: the key of RAW (kind K, FORM, DELIMS) into KEY (KEY_MAX
 * octets).  Returns its length, or 0 when it does not fit.
 */
static size_t
key_of(char k, enum addr_form form, const char *delims, const char *raw,
    char key[KEY_MAX])
{
	size_t dl = delims != NULL ? strlen(delims) : 0, rl = strlen(raw);

	if (rl > ADDRMEMO_RAW_MAX || 3 + dl + rl > KEY_MAX)
		return 0;
	key[0] = k;
	key[1] = (char)form;
	memcpy(key + 2, delims != NULL ? delims : "", dl + 1);
	memcpy(key + 3 + dl, raw, rl);
	return 3 + dl + rl;
}

/* find: the entry of KEY (N octets, hash H), or NULL. */
static struct ament *
find(struct addrmemo *m, const char *key, size_t n, uint64_t h)
{
	struct ament *e = m->slot[h & (m->nslots - 1)];

	if (n == 0 || e == NULL || e->h != h || e->klen != n ||
	    memcmp(e->d + e->size - offsetof(struct ament, d) - n, key,
	    n) != 0)
		return NULL;
	m->hits++;
	return e;
}

/*
 * make: a new entry holding A (NULL: none), the strings S (NSTR of them)
 * and KEY (N octets); kept in its slot when KEEP and N > 0, else as the
 * spare.  NULL when out of memory.
 */
static struct ament *
make(struct addrmemo *m, const struct addr *a, const char *const s[NSTR],
    const char *key, size_t n, uint64_t h, int keep)
{
	size_t asz = a != NULL ? addr_size(a) : 0, off, len[NSTR], i, size;
	struct ament *e, **where;

	off = (asz + 1) & ~(size_t)1;
	size = offsetof(struct ament, d) + off;
	for (i = 0; i < NSTR; i++) {
		len[i] = strlen(s[i]);
		size += len[i] + 1;
	}
	size += n;
	if (asz > UINT16_MAX || size > UINT16_MAX ||
	    (e = malloc(size)) == NULL)
		return NULL;
	e->h = h;
	e->size = size;
	e->klen = (uint16_t)n;
	e->asz = (uint16_t)asz;
	if (a != NULL)
		addr_copy(a, e->d);
	for (i = 0; i < NSTR; i++) {
		e->str[i] = (uint16_t)off;
		memcpy(e->d + off, s[i], len[i] + 1);
		off += len[i] + 1;
	}
	memcpy(e->d + off, key, n);
	where = keep && n > 0 ? &m->slot[h & (m->nslots - 1)] : &m->spare;
	if (*where != NULL)
		m->bytes -= (*where)->size;
	free(*where);
	*where = e;
	m->bytes += size;
	return e;
}

int
addrmemo_sender(struct addrmemo *m, const char *raw, enum addr_form form,
    EVP_MD_CTX *ctx, const EVP_MD *md, struct addrmemo_sender *out)
{
	char key[KEY_MAX], kn[OWNER_NAME_MAX], pn[OWNER_NAME_MAX];
	char lg[LOG_SIZE];
	const char *s[NSTR];
	struct ament *e;
	struct addr *a;
	enum addr_err err = ADDR_OK;
	size_t n;
	uint64_t h;
	int names = -1, keep;

	n = key_of('s', form, NULL, raw, key);
	h = hash(m->seed, key, n);
	if ((e = find(m, key, n, h)) == NULL) {
		kn[0] = pn[0] = '\0';
		a = addr_parse_form(raw, form, &err, NULL);
		if (a != NULL && owner_name_ctx(ctx, md, a, OWNER_SENDERKEY,
		    kn, sizeof(kn)) == 0 && owner_policy_name(addr_domain(a),
		    pn, sizeof(pn)) == 0)
			names = 0;
		/* NULL without an error: out of memory, not the address */
		keep = a != NULL ? names == 0 : err != ADDR_OK;
		s[0] = kn;
		s[1] = pn;
		s[2] = log_value(raw, lg, sizeof(lg));
		e = make(m, a, s, key, n, h, keep);
		if (e != NULL) {
			e->vs = a != NULL ? VS_OK : VS_INVALID;
			e->names = (int8_t)names;
		}
		addr_free(a);
		if (e == NULL)
			return -1;
	}
	out->vs = (enum verdict_sender)e->vs;
	out->addr = e->asz > 0 ? (const struct addr *)(void *)e->d : NULL;
	out->names = e->names;
	out->keyname = e->d + e->str[0];
	out->polname = e->d + e->str[1];
	out->log = e->d + e->str[2];
	return 0;
}

int
addrmemo_rcpt(struct addrmemo *m, const char *raw, enum addr_form form,
    const char *delims, struct addrmemo_rcpt *out)
{
	char key[KEY_MAX], dom[256], lg[LOG_SIZE];	/* rcpt_mailbox: 254 */
	const char *s[NSTR];
	struct ament *e;
	struct addr *mb;
	enum addr_err err = ADDR_OK;
	size_t n;
	uint64_t h;

	n = key_of('r', form, delims, raw, key);
	h = hash(m->seed, key, n);
	if ((e = find(m, key, n, h)) == NULL) {
		dom[0] = '\0';
		mb = rcpt_mailbox(raw, form, delims, dom, sizeof(dom), &err);
		s[0] = dom;
		s[1] = log_value(raw, lg, sizeof(lg));
		s[2] = "";
		e = make(m, mb, s, key, n, h, mb != NULL || err != ADDR_OK);
		if (e != NULL)
			e->refusal = (int8_t)refusal_recipient(raw);
		addr_free(mb);
		if (e == NULL)
			return -1;
	}
	out->mb = e->asz > 0 ? (const struct addr *)(void *)e->d : NULL;
	out->dom = e->d + e->str[0];
	out->log = e->d + e->str[1];
	out->refusal = e->refusal;
	return 0;
}

uint64_t
addrmemo_hits(const struct addrmemo *m)
{
	return m->hits;
}

size_t
addrmemo_bytes(const struct addrmemo *m)
{
	return sizeof(*m) + m->nslots * sizeof(m->slot[0]) + m->bytes;
}
