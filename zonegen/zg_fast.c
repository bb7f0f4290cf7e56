/*
 * zg_fast.c: the fast path of zonegen for one CSV manifest of inline
 * ssh-ed25519 keys (zg_fast.h).  Not for anything it cannot reproduce
 * exactly: those inputs go the general way (manifest.c, desired.c,
 * zonegen.c), which also says what is wrong.
 *
 * What a row must be to be taken here, and why that gives the general
 * path's record: one line without '"', CR or NUL (mf_csv.c's plain_rec
 * then splits it at the commas, as done here), as many fields as the
 * header, all empty but address and key; the address an unquoted ASCII
 * dot-atom local part (lib/addr.c's parse_local: atext and single dots),
 * '@' and the zone's domain in any ASCII case (its A-label form is then
 * the domain itself, checked once with addr_parse); the key field
 * "ssh-ed25519 ..." that key_ssh_ed25519_raw takes (desired_build's fast
 * way; the general one would then make the same record).  The canonical
 * local part is the local part with A-Z lowered (ASCII: NFC changes
 * nothing), its SHA-256 the owner label.  Senders appear once each: two
 * rows with the same canonical address (a duplicate, a conflict or a
 * second key) have the same hash and make this path give up.
 *
 * With the dkim option each sender also has its DKIM key record at
 * "sk" + the first 16 hash octets in hex + "._domainkey.DOMAIN.": those
 * names order as the hash octets too, so one sort serves both groups (two
 * senders whose hashes share 16 octets, one DKIM name, give up).  The
 * output is then the apex records before the _domainkey names (SOA, NS),
 * the DKIM records, the rest of the apex (the policy record at
 * _senderkey.DOMAIN.), the _senderkey records: zg_fast_wire walks that
 * merged sequence.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "lib/addr.h"
#include "lib/key.h"
#include "lib/key_ssh.h"
#include "lib/owner.h"
#include "bigmem.h"
#include "zg_fast.h"
#include "zgrec.h"
#include "zonegen.h"

#define ADDR_MAX	254	/* lib/addr.c: a whole address */
#define LOCAL_MAX	64	/* lib/addr.c: a local part */
#define LINE_MAX_OCT	65535	/* mf_csv.c: longer lines, the slow way */
#define NCOLS_MAX	5	/* address, key, not_before, not_after, flags */
#define MIN_ROW		87	/* "a@b.c," + "ssh-ed25519 " + 68 + LF */

/* One sender: 64 octets. */
struct frec {
	uint8_t		hash[HASH_OCTETS];
	uint32_t	loc;		/* its canonical local part in locs */
	uint8_t		key[KEY_ED25519_LEN];
};

struct zg_fast {
	const struct zonegen	*zg;
	const char		*domain;
	size_t			 dlen;
	struct frec		*recs;
	size_t			 n, cap;
	/*
	 * The canonical local parts, each a length octet and the octets:
	 * written in order, read when the records are (not the input, whose
	 * small pages cost a TLB miss each when read out of order).
	 */
	uint8_t			*locs;
	size_t			 nloc, capl;
	uint64_t		*ord;	/* sorted: hash prefix << 32 | index */
	int			 dkim;	/* also the DKIM key records */
	size_t			 napex;	/* the apex records of zg */
	size_t			 nbefore; /* of them before the DKIM records */
	struct zonegen_counts	 counts;
	EVP_MD			*sha256;
	EVP_MD_CTX		*ctx;
	char			 abuf[2][ADDR_MAX + 2];
};

enum col {
	C_ADDRESS,
	C_KEY,
	C_OTHER,	/* not_before, not_after, flags: must be empty */
};

/* atext of RFC 5322 (lib/addr.c's map, ASCII only). */
static const uint64_t atext_map[2] = {
	0xa3ffacfa00000000ULL, 0x7fffffffc7fffffeULL,
};

static int
is_atext(unsigned char c)
{
	return c < 128 && ((atext_map[c >> 6] >> (c & 63)) & 1) != 0;
}

void
zg_fast_free(struct zg_fast *f)
{
	if (f == NULL)
		return;
	free(f->recs);
	free(f->locs);
	free(f->ord);
	EVP_MD_free(f->sha256);
	EVP_MD_CTX_free(f->ctx);
	free(f);
}

/* plain_line: 1 when the N octets at P hold no '"', CR or NUL. */
static int
plain_line(const char *p, size_t n)
{
	return n < LINE_MAX_OCT && memchr(p, '"', n) == NULL &&
	    memchr(p, '\r', n) == NULL && memchr(p, '\0', n) == NULL;
}

/*
 * header: the header row at P (N octets) into MAP (column kinds) and
 * *NCOLS, as mf_csv.c's read_header would accept it.  0, or -1.
 */
static int
header(const char *p, size_t n, enum col map[NCOLS_MAX], size_t *ncols)
{
	static const char *const name[] = {
		"address", "key", "not_before", "not_after", "flags",
	};
	const char *end = p + n, *c;
	int seen[5] = { 0 }, k;
	size_t nc = 0, fl;

	if (!plain_line(p, n))
		return -1;
	for (;;) {
		if ((c = memchr(p, ',', (size_t)(end - p))) == NULL)
			c = end;
		fl = (size_t)(c - p);
		for (k = 0; k < 5; k++)
			if (strlen(name[k]) == fl &&
			    strncasecmp(p, name[k], fl) == 0)
				break;
		if (k == 5 || seen[k] || nc == NCOLS_MAX)
			return -1;
		seen[k] = 1;
		map[nc++] = k == 0 ? C_ADDRESS : k == 1 ? C_KEY : C_OTHER;
		if (c == end)
			break;
		p = c + 1;
	}
	if (!seen[0] || !seen[1])
		return -1;
	*ncols = nc;
	return 0;
}

enum addr_kind {
	A_OWN,		/* in the zone's domain */
	A_FOREIGN,	/* valid, in another domain */
	A_NO,		/* give up */
};

/*
 * address: classify the address A (N octets) as parse_local and
 * domain_alabel would, and for A_OWN put the canonical local part in
 * LOCAL (LOCAL_MAX + 1 octets) and its length in *LL.
 */
static enum addr_kind
address(const struct zg_fast *f, const char *a, size_t n, int skip_foreign,
    char *local, size_t *ll)
{
	char tmp[ADDR_MAX + 1];
	struct addr *pa;
	size_t i, j;
	unsigned char c;

	if (n == 0 || n > ADDR_MAX || a[0] == '"')
		return A_NO;
	for (i = 0; i < n && a[i] != '@'; i++) {
		c = (unsigned char)a[i];
		if (c == '.') {
			if (i == 0 || i + 1 == n || a[i + 1] == '.' ||
			    a[i + 1] == '@')
				return A_NO;
		} else if (!is_atext(c))
			return A_NO;
		if (i < LOCAL_MAX)
			local[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' :
			    c);
	}
	if (i == n || i == 0 || i > LOCAL_MAX)
		return A_NO;
	*ll = i;
	if (n - i - 1 == f->dlen) {
		for (j = 0; j < f->dlen; j++) {
			c = (unsigned char)a[i + 1 + j];
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c - 'A' + 'a');
			if (c != (unsigned char)f->domain[j])
				break;
		}
		if (j == f->dlen)
			return A_OWN;
	}
	if (!skip_foreign)
		return A_NO;
	/* Another domain: is it one addr_parse takes?  (Rare: its way.) */
	memcpy(tmp, a, n);
	tmp[n] = '\0';
	if ((pa = addr_parse(tmp, NULL, NULL)) == NULL)
		return A_NO;
	j = strcmp(addr_domain(pa), f->domain) != 0;
	addr_free(pa);
	return j ? A_FOREIGN : A_NO;
}

/* is_ed_line: the key field K (N octets) is "ssh-ed25519 ...". */
static int
is_ed_line(const char *k, size_t n)
{
	return n > 12 && memcmp(k, "ssh-ed25519 ", 12) == 0;
}

/*
 * ed_key: the raw key of the key field K (N > 12 octets, "ssh-ed25519 "
 * and no NUL or LF), as key_ssh_ed25519_raw gives it.  The usual field,
 * "ssh-ed25519 " then 68 base64 characters (the first 24 always the same)
 * then the end or a space and a comment, by hand as its own fast branch
 * does (decode the 44 characters after the 24); else through it.  0 or -1.
 */
static int
ed_key(const char *k, size_t n, uint8_t raw[KEY_ED25519_LEN])
{
	static const char head[] = "AAAAC3NzaC1lZDI1NTE5AAAA";
	const char *t = k + 12;
	unsigned char tail[36];
	char c;

	if (n >= 80 && memcmp(t, head, 24) == 0) {
		c = n == 80 ? ' ' : k[80];
		if ((c == ' ' || c == '\t' || c == '\v' || c == '\f') &&
		    memchr(t + 24, '=', 44) == NULL &&
		    EVP_DecodeBlock(tail, (const unsigned char *)t + 24, 44) ==
		    33 && tail[0] == KEY_ED25519_LEN) {
			memcpy(raw, tail + 1, KEY_ED25519_LEN);
			return 0;
		}
	}
	return key_ssh_ed25519_raw(k, n, raw);
}

/* add: a record for LOCAL (LL octets) and KEY; 0 or -1. */
static int
add(struct zg_fast *f, const char *local, size_t ll, const uint8_t *key)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct frec *r;

	if (f->n == f->cap) {
		size_t cap = f->cap * 2 + 1024;

		if ((r = reallocarray(f->recs, cap, sizeof(*r))) == NULL)
			return -1;
		bigmem_advise(r, cap * sizeof(*r));
		f->recs = r;
		f->cap = cap;
	}
	if (!EVP_DigestInit_ex2(f->ctx, f->sha256, NULL) ||
	    !EVP_DigestUpdate(f->ctx, local, ll) ||
	    !EVP_DigestFinal_ex(f->ctx, md, &mdlen) || mdlen < HASH_OCTETS)
		return -1;
	if (f->nloc + 1 + ll > f->capl)
		return -1;	/* cannot be: locals are shorter than rows */
	r = &f->recs[f->n++];
	memcpy(r->hash, md, HASH_OCTETS);
	memcpy(r->key, key, KEY_ED25519_LEN);
	r->loc = (uint32_t)f->nloc;
	f->locs[f->nloc] = (uint8_t)ll;
	memcpy(f->locs + f->nloc + 1, local, ll);
	f->nloc += 1 + ll;
	return 0;
}

/* row: one data row at P (N octets); 0, or -1 to give up. */
static int
row(struct zg_fast *f, const char *p, size_t n,
    const enum col map[NCOLS_MAX], size_t ncols, int skip_foreign)
{
	const char *end = p + n, *c, *a = NULL, *k = NULL;
	size_t nf = 0, al = 0, kl = 0, ll = 0;
	uint8_t raw[KEY_ED25519_LEN];
	char local[LOCAL_MAX + 1];

	if (!plain_line(p, n))
		return -1;
	for (;;) {
		if (nf == ncols)
			return -1;
		if ((c = memchr(p, ',', (size_t)(end - p))) == NULL)
			c = end;
		switch (map[nf++]) {
		case C_ADDRESS:
			a = p;
			al = (size_t)(c - p);
			break;
		case C_KEY:
			k = p;
			kl = (size_t)(c - p);
			break;
		case C_OTHER:
			if (c != p)
				return -1;
			break;
		}
		if (c == end)
			break;
		p = c + 1;
	}
	if (nf != ncols || !is_ed_line(k, kl))
		return -1;
	switch (address(f, a, al, skip_foreign, local, &ll)) {
	case A_FOREIGN:
		return 0;	/* skipped; its key is not read */
	case A_NO:
		return -1;
	case A_OWN:
		break;
	}
	if (ed_key(k, kl, raw) == -1)
		return -1;
	return add(f, local, ll, raw);
}

/* prefix: the first 4 hash octets of R as a big-endian number. */
static uint64_t
prefix(const struct frec *r)
{
	return (uint64_t)r->hash[0] << 24 | (uint64_t)r->hash[1] << 16 |
	    (uint64_t)r->hash[2] << 8 | r->hash[3];
}

/*
 * sort: the records by hash into F->ord, 8 octets per record: an LSD
 * radix sort on the first 4 hash octets (4 passes, the order of equal
 * prefixes kept), then runs of equal prefixes (a hundred in a million) by
 * the rest.  -1 (give up) for equal hashes, or when out of memory.
 */
static int
sort(struct zg_fast *f)
{
	size_t (*cnt)[256], i, k, sum, t;
	uint64_t *v, *tmp, *src, *dst, *x, y;
	unsigned d;
	int c;

	if (f->n == 0)
		return 0;
	if ((cnt = calloc(4, sizeof(*cnt))) == NULL)
		return -1;
	if ((v = reallocarray(NULL, f->n, 2 * sizeof(*v))) == NULL) {
		free(cnt);
		return -1;
	}
	bigmem_advise(v, f->n * 2 * sizeof(*v));
	f->ord = v;
	tmp = v + f->n;
	for (i = 0; i < f->n; i++) {
		y = prefix(&f->recs[i]);
		v[i] = y << 32 | i;
		for (d = 0; d < 4; d++)
			cnt[d][(y >> (8 * d)) & 0xff]++;
	}
	src = v;
	dst = tmp;
	for (d = 0; d < 4; d++) {
		for (i = 0, sum = 0; i < 256; i++) {
			t = cnt[d][i];
			cnt[d][i] = sum;
			sum += t;
		}
		for (i = 0; i < f->n; i++)
			dst[cnt[d][(src[i] >> (32 + 8 * d)) & 0xff]++] = src[i];
		x = src;
		src = dst;
		dst = x;
	}
	free(cnt);
	/* Four passes: the result is back in V. */
	for (i = 1; i < f->n; i++) {
		if (v[i] >> 32 != v[i - 1] >> 32)
			continue;
		for (k = i; k > 0 && v[k] >> 32 == v[k - 1] >> 32; k--) {
			c = memcmp(f->recs[(uint32_t)v[k - 1]].hash,
			    f->recs[(uint32_t)v[k]].hash, HASH_OCTETS);
			if (c == 0 || (f->dkim &&
			    memcmp(f->recs[(uint32_t)v[k - 1]].hash,
			    f->recs[(uint32_t)v[k]].hash, DKIM_OCTETS) == 0))
				return -1;
			if (c < 0)
				break;
			y = v[k];
			v[k] = v[k - 1];
			v[k - 1] = y;
		}
	}
	return 0;
}

/*
 * dkim_rec: the DKIM key record of sender record FR into *R (as
 * zonegen.c's add_dkim keeps a plain Ed25519 one).
 */
static void
dkim_rec(const struct frec *fr, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->hash, fr->hash, DKIM_OCTETS);
	memcpy(r->u.key, fr->key, KEY_ED25519_LEN);
	r->type = LDNS_RR_TYPE_TXT;
	r->kind = ZONEGEN_DKIM;
	r->group = G_DKIM;
	r->form = F_DKIM_ED25519;
}

/*
 * split: where the DKIM records go among the apex records, in
 * F->nbefore: after those whose names sort before the first DKIM name.
 * The others must sort after the last one (SOA and NS at the domain come
 * before, the policy record at _senderkey.DOMAIN. after).  0, or -1 to
 * give up when one does not.
 */
static int
split(struct zg_fast *f)
{
	uint8_t first[LDNS_MAX_DOMAINLEN + 1], last[sizeof(first)];
	const uint8_t *pf, *pl;
	struct zonegen_wire w;
	size_t lf, ll, i;
	struct rec r;

	f->nbefore = f->napex;
	if (!f->dkim || f->n == 0)
		return 0;
	dkim_rec(&f->recs[(uint32_t)f->ord[0]], &r);
	pf = zgrec_owner(f->zg, &r, first, &lf);
	dkim_rec(&f->recs[(uint32_t)f->ord[f->n - 1]], &r);
	pl = zgrec_owner(f->zg, &r, last, &ll);
	for (i = 0; i < f->napex; i++) {
		zonegen_wire(f->zg, i, &w);
		if (zgrec_namecmp(w.owner, w.ownlen, pf, lf) < 0) {
			if (f->nbefore != f->napex)
				return -1;	/* cannot be: sorted */
			continue;
		}
		if (zgrec_namecmp(w.owner, w.ownlen, pl, ll) <= 0)
			return -1;
		if (f->nbefore == f->napex)
			f->nbefore = i;
	}
	return 0;
}

/* setup: F for APEX, or -1 when its domain is not one this path takes. */
static int
setup(struct zg_fast *f, const struct zonegen *apex, size_t len)
{
	char probe[ADDR_MAX + 8];
	struct addr *pa;
	int ok;

	f->zg = apex;
	f->domain = zonegen_domain(apex);
	f->dlen = strlen(f->domain);
	f->counts = *zonegen_counts(apex);
	f->dkim = apex->o.dkim != 0;
	f->napex = zonegen_count(apex);
	/* The names must fit, as zonegen.c's hash_local and validation ask. */
	if (len > UINT32_MAX || len > ZG_FAST_INPUT_MAX ||
	    apex->sufflen[G_SENDERKEY] == 0 ||
	    1 + OWNER_HASH_LEN + apex->sufflen[G_SENDERKEY] >
	    LDNS_MAX_DOMAINLEN ||
	    !owner_name_fits(f->domain, OWNER_SENDERKEY) ||
	    f->dlen + 3 > ADDR_MAX)
		return -1;
	if (f->dkim && (apex->sufflen[G_DKIM] == 0 ||
	    1 + OWNER_DKIM_SEL_LEN + apex->sufflen[G_DKIM] >
	    LDNS_MAX_DOMAINLEN || !owner_name_fits(f->domain, OWNER_DKIM)))
		return -1;
	/* An address in the domain parses, and its domain is the domain. */
	snprintf(probe, sizeof(probe), "a@%s", f->domain);
	if ((pa = addr_parse(probe, NULL, NULL)) == NULL)
		return -1;
	ok = strcmp(addr_domain(pa), f->domain) == 0;
	addr_free(pa);
	if (!ok)
		return -1;
	if ((f->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
	    (f->ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	/*
	 * Room for as many rows as the input can hold (no copy as it grows;
	 * only the pages used are ever touched), and for their local parts
	 * (each shorter than its row).
	 */
	f->cap = len / MIN_ROW + 16;
	f->capl = len + 1;
	if ((f->recs = reallocarray(NULL, f->cap, sizeof(*f->recs))) == NULL ||
	    (f->locs = malloc(f->capl)) == NULL)
		return -1;
	bigmem_advise(f->recs, f->cap * sizeof(*f->recs));
	bigmem_advise(f->locs, f->capl);
	return 0;
}

struct zg_fast *
zg_fast_csv(const struct zonegen *apex, const char *buf, size_t len,
    int skip_foreign)
{
	struct zg_fast *f;
	enum col map[NCOLS_MAX];
	const char *eol;
	size_t pos = 0, n, ncols = 0;
	int have_header = 0;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	if (setup(f, apex, len) == -1)
		goto giveup;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		if ((eol = memchr(buf + pos, '\n', len - pos)) == NULL)
			eol = buf + len;
		n = (size_t)(eol - (buf + pos));
		/* The input's small pages: fetched ahead of the reading. */
		__builtin_prefetch(buf + pos + 2048);
		__builtin_prefetch(buf + pos + 2048 + 64);
		if (n == 0)
			;	/* an empty line: mf_csv.c skips it */
		else if (!have_header) {
			if (header(buf + pos, n, map, &ncols) == -1)
				goto giveup;
			have_header = 1;
		} else if (row(f, buf + pos, n, map, ncols, skip_foreign) == -1)
			goto giveup;
		pos += n + 1;
	}
	if (!have_header || sort(f) == -1 || split(f) == -1)
		goto giveup;
	f->counts.senders += f->n;
	f->counts.keys += f->n;
	f->counts.records += f->n;
	if (f->dkim) {
		f->counts.dkim += f->n;
		f->counts.records += f->n;
	}
	return f;
giveup:
	zg_fast_free(f);
	return NULL;
}

size_t
zg_fast_count(const struct zg_fast *f)
{
	return f->napex + (f->dkim ? 2 : 1) * f->n;
}

const struct zonegen_counts *
zg_fast_counts(const struct zg_fast *f)
{
	return &f->counts;
}

/*
 * zg_fast_wire: record I of the merged sequence (the file's comment):
 * apex records [0, nbefore), DKIM records (nd of them), the other apex
 * records, then the _senderkey records.
 */
void
zg_fast_wire(void *arg, size_t i, struct zonegen_wire *w)
{
	struct zg_fast *f = arg;
	size_t nd = f->dkim ? f->n : 0, j;
	const struct frec *fr;
	const uint8_t *l;
	char *o = f->abuf[i & 1];
	struct rec r;

	if (i < f->nbefore || (i >= f->nbefore + nd && i < f->napex + nd)) {
		zonegen_wire(f->zg, i < f->nbefore ? i : i - nd, w);
		return;
	}
	j = i < f->napex + nd ? i - f->nbefore : i - f->napex - nd;
	fr = &f->recs[(uint32_t)f->ord[j]];
	/* Walked in order: fetch the records and local parts ahead early. */
	if (j + 8 < f->n)
		__builtin_prefetch(&f->recs[(uint32_t)f->ord[j + 8]]);
	if (j + 4 < f->n)
		__builtin_prefetch(f->locs +
		    f->recs[(uint32_t)f->ord[j + 4]].loc);
	if (i < f->napex + nd) {
		dkim_rec(fr, &r);
	} else {
		memset(&r, 0, sizeof(r));
		memcpy(r.hash, fr->hash, HASH_OCTETS);
		memcpy(r.u.key, fr->key, KEY_ED25519_LEN);
		r.type = LDNS_RR_TYPE_TXT;
		r.kind = ZONEGEN_KEY;
		r.group = G_SENDERKEY;
		r.form = F_ED25519;
	}
	w->owner = zgrec_owner(f->zg, &r, w->ownbuf, &w->ownlen);
	w->type = LDNS_RR_TYPE_TXT;
	w->ttl = zonegen_ttl(f->zg);
	w->rdata = zgrec_rdata(f->zg, &r, w->rdbuf, &w->rdlen);
	w->kind = (enum zonegen_kind)r.kind;
	w->plain = f->zg->plain[r.group];
	/* The canonical address: the canonical local part, '@', the domain. */
	l = f->locs + fr->loc;
	memcpy(o, l + 1, l[0]);
	o[l[0]] = '@';
	memcpy(o + l[0] + 1, f->domain, f->dlen + 1);
	w->address = o;
}
