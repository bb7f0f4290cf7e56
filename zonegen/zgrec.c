/*
 * zgrec.c: names, RDATA and order of zonegen's compact records (zgrec.h).
 *
 * Every hashed owner is 56 lowercase hex digits and a suffix shared by
 * its group ("_senderkey.DOMAIN."): hex digits of equal length order as
 * the octets they spell, so within a group the canonical order is the
 * order of the hash octets, and the groups order as their suffixes.  The
 * sort is a radix sort on eight hash octets; runs of equal octets (keys
 * of one sender, duplicates) are sorted by the full comparison, and the
 * few apex records are placed by binary search with the general
 * comparison of names (RFC 4034 section 6.1).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/keyrec.h"
#include "bigmem.h"
#include "radix.h"
#include "zgrec.h"

static const char hexpair[] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";


/*
 * owner_key: the sort key of wire name W (LEN octets) in OUT (2 * LEN
 * octets), its length: the order of keys (memcmp, then length) is the
 * canonical DNS order of names (RFC 4034 section 6.1).  The labels from
 * the root, lowercased, each followed by 0x00, with 0x00 and 0x01 inside
 * a label escaped as 0x01 0x01 and 0x01 0x02: an ancestor's key is a
 * prefix of its descendants' keys, so it sorts first.
 */
static size_t
owner_key(const uint8_t *w, size_t len, uint8_t *out)
{
	size_t lab[128], nl = 0, p = 0, o = 0, j;
	uint8_t c;

	while (p < len && w[p] != 0 && nl < 128) {
		lab[nl++] = p;
		p += 1 + w[p];
	}
	while (nl > 0) {
		p = lab[--nl];
		for (j = 1; j <= w[p]; j++) {
			c = w[p + j];
			if (c >= 'A' && c <= 'Z')
				c = (uint8_t)(c - 'A' + 'a');
			if (c <= 1) {
				out[o++] = 1;
				out[o++] = (uint8_t)(c + 1);
			} else
				out[o++] = c;
		}
		out[o++] = 0;
	}
	return o;
}

/* zgrec_namecmp: through the sort keys of owner_key. */
int
zgrec_namecmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t ka[2 * (LDNS_MAX_DOMAINLEN + 1)], kb[sizeof(ka)];
	size_t la = owner_key(a, alen, ka), lb = owner_key(b, blen, kb);
	int x;

	if ((x = memcmp(ka, kb, la < lb ? la : lb)) != 0)
		return x < 0 ? -1 : 1;
	return la == lb ? 0 : la < lb ? -1 : 1;
}

/* Building names and RDATA from the compact records. */
const uint8_t *
zgrec_owner(const struct zonegen *zg, const struct rec *r, uint8_t *buf,
    size_t *len)
{
	size_t i;

	if (r->group == G_OTHER) {
		*len = r->ownlen;
		return zg->arena + r->u.off.owner;
	}
	if (r->group == G_DKIM) {
		buf[0] = OWNER_DKIM_SEL_LEN;
		buf[1] = 's';
		buf[2] = 'k';
		for (i = 0; i < DKIM_OCTETS; i++)
			memcpy(buf + 3 + 2 * i, hexpair + 2 * r->hash[i], 2);
		memcpy(buf + 1 + OWNER_DKIM_SEL_LEN, zg->suffix[G_DKIM],
		    zg->sufflen[G_DKIM]);
		*len = 1 + OWNER_DKIM_SEL_LEN + zg->sufflen[G_DKIM];
		return buf;
	}
	buf[0] = OWNER_HASH_LEN;
	for (i = 0; i < HASH_OCTETS; i++)
		memcpy(buf + 1 + 2 * i, hexpair + 2 * r->hash[i], 2);
	memcpy(buf + 1 + OWNER_HASH_LEN, zg->suffix[r->group],
	    zg->sufflen[r->group]);
	*len = 1 + OWNER_HASH_LEN + zg->sufflen[r->group];
	return buf;
}

const uint8_t *
zgrec_rdata(const struct zonegen *zg, const struct rec *r, uint8_t *buf,
    size_t *len)
{
	struct keyrec_fields f;
	size_t n;

	if (r->form == F_RDATA) {
		*len = r->rdlen;
		return zg->arena + r->u.off.rdata;
	}
	/*
	 * F_ED25519: the record keyrec_encode writes for the key alone, one
	 * character-string.  It cannot fail: a 32-octet key, no notes, and
	 * a text of 64 octets; *LEN 0 would say it had.  F_DKIM_ED25519:
	 * the same through keyrec_dkim_encode_buf (90 octets).
	 */
	memset(&f, 0, sizeof(f));
	f.alg = KEYREC_ED25519;
	f.key = r->u.key;
	f.keylen = KEY_ED25519_LEN;
	if ((r->form == F_DKIM_ED25519 ? keyrec_dkim_encode_buf(&f,
	    (char *)buf + 1, ZONEGEN_RDBUF - 1, &n, NULL) :
	    keyrec_encode_buf(&f, (char *)buf + 1, ZONEGEN_RDBUF - 1, &n,
	    NULL)) == -1 || n > 255) {
		*len = 0;
		return buf;
	}
	buf[0] = (uint8_t)n;
	*len = 1 + n;
	return buf;
}

/*
 * reccmp: canonical order of records (owner, type, then as ldns_rr_compare
 * the shorter RDATA first, then its octets); 0 for the same record.
 */
static int
reccmp(const struct zonegen *zg, const struct rec *a, const struct rec *b)
{
	uint8_t oa[LDNS_MAX_DOMAINLEN + 1], ob[sizeof(oa)];
	uint8_t ra[ZONEGEN_RDBUF], rb[ZONEGEN_RDBUF];
	const uint8_t *pa, *pb;
	size_t la, lb;
	int x;

	if (a->group != G_OTHER && b->group != G_OTHER) {
		if (a->group != b->group)
			return zg->rank[a->group] < zg->rank[b->group] ? -1 : 1;
		if ((x = memcmp(a->hash, b->hash, HASH_OCTETS)) != 0)
			return x < 0 ? -1 : 1;
	} else {
		pa = zgrec_owner(zg, a, oa, &la);
		pb = zgrec_owner(zg, b, ob, &lb);
		if ((x = zgrec_namecmp(pa, la, pb, lb)) != 0)
			return x;
	}
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->form == b->form && a->form != F_RDATA)
		return memcmp(a->u.key, b->u.key, KEY_ED25519_LEN);
	pa = zgrec_rdata(zg, a, ra, &la);
	pb = zgrec_rdata(zg, b, rb, &lb);
	if (la != lb)
		return la < lb ? -1 : 1;
	return memcmp(pa, pb, la);
}

/* itemcmp: reccmp, then the order of insertion (stable). */
static int
itemcmp(const void *va, const void *vb, void *arg)
{
	const struct radix_item *a = va, *b = vb;
	const struct zonegen *zg = arg;
	int x;

	if ((x = reccmp(zg, &zg->recs[a->idx], &zg->recs[b->idx])) != 0)
		return x;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* hashkey: the first 8 hash octets of R as a big-endian number. */
static uint64_t
hashkey(const struct rec *r)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | r->hash[i];
	return v;
}

/*
 * sort_hashed: sort the N items of one group at V by their records
 * (radix sort on 8 hash octets, with TMP as room, then runs of equal
 * octets by itemcmp).
 */
static int
sort_hashed(struct zonegen *zg, struct radix_item *v, struct radix_item *tmp,
    size_t n)
{
	size_t i, j;

	if (radix_sort(v, tmp, n) == -1)
		return -1;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[j].key == v[i].key; j++)
			;
		if (j - i > 1)
			qsort_r(v + i, j - i, sizeof(*v), itemcmp, zg);
	}
	return 0;
}

/*
 * zgrec_sort: the records stay where they are (moving a million of them
 * about costs more than reading them through the index).  The few
 * records of G_OTHER are sorted by itemcmp and put in place by binary
 * search among the sorted hashed records.  One block of memory serves as
 * items, radix room, merged items and finally the index.  0 or -1.
 */
int
zgrec_sort(struct zonegen *zg)
{
	struct radix_item *v, *out;
	size_t cnt[G_N] = { 0 }, start[G_N], i, o, h, lo, hi, mid, nh, no;
	size_t *ord;
	int byrank[G_N], g;

	if (zg->n == 0)
		return 0;
	for (i = 0; i < zg->n; i++)
		cnt[zg->recs[i].group]++;
	/* The hashed groups one after the other, in the order of rank. */
	for (g = G_SENDERKEY; g < G_N; g++)
		byrank[zg->rank[g]] = g;
	start[G_OTHER] = 0;
	for (o = cnt[G_OTHER], i = 0; i < G_N - 1; i++) {
		start[byrank[i]] = o;
		o += cnt[byrank[i]];
	}
	if ((v = reallocarray(NULL, zg->n, 2 * sizeof(*v))) == NULL)
		return -1;
	bigmem_advise(v, zg->n * 2 * sizeof(*v));
	out = v + zg->n;
	for (i = 0; i < zg->n; i++) {
		o = start[zg->recs[i].group]++;
		v[o].key = hashkey(&zg->recs[i]);
		v[o].idx = i;
	}
	no = cnt[G_OTHER];
	nh = zg->n - no;
	qsort_r(v, no, sizeof(*v), itemcmp, zg);
	for (o = no, i = 0; i < G_N - 1; i++) {
		if (sort_hashed(zg, v + o, out, cnt[byrank[i]]) == -1) {
			free(v);
			return -1;
		}
		o += cnt[byrank[i]];
	}
	/* Merge: each G_OTHER record before the first hashed one above it. */
	for (i = 0, h = 0, o = 0; i < no; i++) {
		lo = h;
		hi = nh;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (itemcmp(&v[no + mid], &v[i], zg) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		memcpy(out + o, v + no + h, (lo - h) * sizeof(*v));
		o += lo - h;
		h = lo;
		out[o++] = v[i];
	}
	memcpy(out + o, v + no + h, (nh - h) * sizeof(*v));
	/* The index, over the items (8 octets written per 16 read). */
	ord = (size_t *)(void *)v;
	for (i = 0, o = 0; i < zg->n; i++) {
		if (o > 0 && reccmp(zg, &zg->recs[ord[o - 1]],
		    &zg->recs[out[i].idx]) == 0)
			continue;	/* the same record listed twice */
		ord[o++] = out[i].idx;
	}
	zg->ord = ord;
	zg->nord = o;
	return 0;
}
