/*
 * manifest.c: the manifest's public side (manifest.h): its lifetime and
 * getters, format detection, the dispatch to the format readers
 * (mf_csv.c, mf_signers.c, mf_vcard.c, which fill the container of
 * mf_base.c), an entry as one line of text, and the validation pass over
 * all entries together (specs/manifest.md section 5).  Pure: no I/O.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

#include "lib/addr.h"
#include "lib/owner.h"
#include "bigmem.h"
#include "manifest.h"
#include "mf_base.h"
#include "mf_csv.h"
#include "mf_signers.h"
#include "mf_vcard.h"

struct manifest *
manifest_new(void)
{
	return calloc(1, sizeof(struct manifest));
}

void
manifest_free(struct manifest *m)
{
	if (m == NULL)
		return;
	mf_base_release(m);
	free(m);
}

size_t
manifest_count(const struct manifest *m)
{
	return m->nent;
}

const struct manifest_entry *
manifest_entry(const struct manifest *m, size_t i)
{
	return i < m->nent ? m->ent[i] : NULL;
}

size_t
manifest_nerrors(const struct manifest *m)
{
	return m->nerrall;
}

size_t
manifest_nkept(const struct manifest *m)
{
	return m->nerr;
}

const char *
manifest_error(const struct manifest *m, size_t i)
{
	return i < m->nerr ? m->err[i] : NULL;
}

static int
has_suffix(const char *path, const char *suf)
{
	size_t pl = strlen(path), sl = strlen(suf);

	return pl > sl && strcasecmp(path + pl - sl, suf) == 0;
}

enum manifest_format
manifest_detect(const char *path, const char *buf, size_t len)
{
	size_t i = 0, n;

	if (has_suffix(path, ".csv"))
		return MANIFEST_CSV;
	if (has_suffix(path, ".vcf") || has_suffix(path, ".vcard"))
		return MANIFEST_VCARD;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
	    buf[i] == '\n'))
		i++;
	n = len - i;
	if (n >= 11 && strncasecmp(buf + i, "BEGIN:VCARD", 11) == 0)
		return MANIFEST_VCARD;
	if (n >= 8 && strncasecmp(buf + i, "address,", 8) == 0)
		return MANIFEST_CSV;
	if (n >= 4 && strncasecmp(buf + i, "key,", 4) == 0)
		return MANIFEST_CSV;
	return MANIFEST_SIGNERS;
}

const char *
manifest_format_name(enum manifest_format f)
{
	switch (f) {
	case MANIFEST_CSV:
		return "csv";
	case MANIFEST_SIGNERS:
		return "allowed_signers";
	case MANIFEST_VCARD:
		return "vcard";
	}
	return "unknown";
}

int
manifest_parse(struct manifest *m, enum manifest_format fmt,
    const char *path, const char *buf, size_t len)
{
	switch (fmt) {
	case MANIFEST_CSV:
		return mf_csv_parse(m, path, buf, len);
	case MANIFEST_SIGNERS:
		return mf_signers_parse(m, path, buf, len);
	case MANIFEST_VCARD:
		return mf_vcard_parse(m, path, buf, len);
	}
	mf_base_err(m, path, 0, "unknown manifest format");
	return -1;
}

int
manifest_parse_vcard(struct manifest *m, const char *path, const char *buf,
    size_t len)
{
	return mf_vcard_parse(m, path, buf, len);
}

static const char *
keytype_name(enum manifest_keytype t)
{
	switch (t) {
	case MANIFEST_KT_SSH:
		return "ssh";
	case MANIFEST_KT_PEM:
		return "pem";
	case MANIFEST_KT_PGP:
		return "pgp";
	case MANIFEST_KT_NONE:
		break;
	}
	return "none";
}

char *
manifest_entry_format(const struct manifest_entry *e)
{
	char nb[21] = "-", na[21] = "-", *key = NULL, *out = NULL;
	unsigned char md[SHA256_DIGEST_LENGTH];
	const char *flags = "-";

	switch (e->key) {
	case MANIFEST_KEY_NONE:
		key = strdup("none");
		break;
	case MANIFEST_KEY_GENERATE:
		key = strdup("generate");
		break;
	case MANIFEST_KEY_FILE:
		if (asprintf(&key, "file:%s", e->path) == -1)
			key = NULL;
		break;
	case MANIFEST_KEY_DATA:
		SHA256(e->data, e->datalen, md);
		if (asprintf(&key, "%s:%zu:%02x%02x%02x%02x%02x%02x%02x%02x",
		    keytype_name(e->keytype), e->datalen, md[0], md[1], md[2],
		    md[3], md[4], md[5], md[6], md[7]) == -1)
			key = NULL;
		break;
	}
	if (key == NULL)
		return NULL;
	if (e->not_before != 0)
		mf_base_time_format(e->not_before, nb);
	if (e->not_after != 0)
		mf_base_time_format(e->not_after, na);
	if ((e->flags & (MANIFEST_F_TESTING | MANIFEST_F_REVOKED)) ==
	    (MANIFEST_F_TESTING | MANIFEST_F_REVOKED))
		flags = "testing,revoked";
	else if (e->flags & MANIFEST_F_TESTING)
		flags = "testing";
	else if (e->flags & MANIFEST_F_REVOKED)
		flags = "revoked";
	if (asprintf(&out, "%s:%lu %s %s %s not_before=%s not_after=%s "
	    "flags=%s", e->file, e->line, e->address, addr_canon(e->addr), key,
	    nb, na, flags) == -1)
		out = NULL;
	free(key);
	return out;
}

/*
 * Validation.  Entries with the same canonical address are found through
 * a hash table (no sort of a million addresses); only the senders listed
 * more than once are then sorted, by canonical address (the order of
 * their error texts), and their entries by key source and file order, so
 * that duplicates and conflicts are neighbours.
 */
struct vent {
	uint64_t			 pfx[2]; /* canon's first 16 octets */
	const char			*canon;	/* addr_canon(e->addr) */
	const struct manifest_entry	*e;
	size_t				 seq;
};

/* A slot of the table: the first entry of a sender, plus one; 0: empty. */
struct vslot {
	uint32_t	 first;
	uint32_t	 hash;		/* the hash: skips most strcmp calls */
};

#define NOENT	UINT32_MAX

/*
 * strhash: a 64-bit hash of the NUL-terminated S, eight octets at a time
 * (only to spread addresses over the table; equality is strcmp's).
 */
static uint64_t
strhash(const char *s)
{
	const uint64_t k1 = 0x9e3779b97f4a7c15ULL, k2 = 0xc2b2ae3d27d4eb4fULL;
	size_t n = strlen(s), i;
	uint64_t h = n * k1, w;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ (w * k2)) * k1;
		h ^= h >> 29;
	}
	if (i < n) {
		w = 0;
		memcpy(&w, s + i, n - i);
		h = (h ^ (w * k2)) * k1;
		h ^= h >> 29;
	}
	h ^= h >> 32;
	return h * k2;
}

/*
 * prefix16: the first 16 octets of S (NUL-padded) as two big-endian
 * numbers in OUT: they compare as strcmp compares the strings' first 16
 * octets.
 */
static void
prefix16(const char *s, uint64_t out[2])
{
	uint64_t v = 0;
	size_t i;
	int end = 0;

	for (i = 0; i < 16; i++) {
		if (!end && s[i] == '\0')
			end = 1;
		v = v << 8 | (end ? 0 : (unsigned char)s[i]);
		if (i == 7) {
			out[0] = v;
			v = 0;
		}
	}
	out[1] = v;
}

/* ssh_key_len: the "type base64" prefix of an OpenSSH key line. */
static size_t
ssh_key_len(const unsigned char *p, size_t len)
{
	size_t i = 0;

	while (i < len && p[i] != ' ' && p[i] != '\t')
		i++;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (i < len && p[i] != ' ' && p[i] != '\t' && p[i] != '\r' &&
	    p[i] != '\n')
		i++;
	return i;
}

/* keycmp: order key sources; 0 when they name the same key. */
static int
keycmp(const struct manifest_entry *a, const struct manifest_entry *b)
{
	size_t la, lb;
	int c;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	switch (a->key) {
	case MANIFEST_KEY_NONE:
	case MANIFEST_KEY_GENERATE:
		return 0;
	case MANIFEST_KEY_FILE:
		return strcmp(a->path, b->path);
	case MANIFEST_KEY_DATA:
		if (a->keytype != b->keytype)
			return a->keytype < b->keytype ? -1 : 1;
		la = a->datalen;
		lb = b->datalen;
		if (a->keytype == MANIFEST_KT_SSH) {
			la = ssh_key_len(a->data, la);
			lb = ssh_key_len(b->data, lb);
		}
		if ((c = memcmp(a->data, b->data, la < lb ? la : lb)) != 0)
			return c;
		return la == lb ? 0 : la < lb ? -1 : 1;
	}
	return 0;
}

static int
ventcmp(const void *va, const void *vb)
{
	const struct vent *a = va, *b = vb;
	int c;

	if (a->pfx[0] != b->pfx[0])
		return a->pfx[0] < b->pfx[0] ? -1 : 1;
	if (a->pfx[1] != b->pfx[1])
		return a->pfx[1] < b->pfx[1] ? -1 : 1;
	if ((c = strcmp(a->canon, b->canon)) != 0)
		return c;
	if ((c = keycmp(a->e, b->e)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
same_data(const struct manifest_entry *a, const struct manifest_entry *b)
{
	return a->not_before == b->not_before &&
	    a->not_after == b->not_after && a->flags == b->flags &&
	    strcmp(addr_local(a->addr), addr_local(b->addr)) == 0;
}

/* check_entry: the checks on one entry alone; returns 0 or -1. */
static int
check_entry(struct manifest *m, struct manifest_entry *e, const char *domain,
    const int fits[2], unsigned vflags, struct manifest_stats *st)
{
	char t1[21], t2[21];
	const char *canon = addr_canon(e->addr);
	int rc = 0, pgp;

	if (e->not_before != 0 && e->not_after != 0 &&
	    e->not_before >= e->not_after) {
		mf_base_time_format(e->not_before, t1);
		mf_base_time_format(e->not_after, t2);
		mf_base_err(m, e->file, e->line,
		    "%s: not_before %s is not before not_after %s", canon, t1,
		    t2);
		rc = -1;
	}
	if (strcmp(addr_domain(e->addr), domain) != 0) {
		if (vflags & MANIFEST_V_SKIP_FOREIGN) {
			e->foreign = 1;
			st->foreign++;
			return rc;
		}
		mf_base_err(m, e->file, e->line,
		    "%s is not in the domain %s (use --skip-foreign to skip it)",
		    canon, domain);
		return -1;
	}
	pgp = e->key == MANIFEST_KEY_FILE ||
	    (e->key == MANIFEST_KEY_DATA && e->keytype == MANIFEST_KT_PGP);
	/*
	 * Only the length matters here: no digest (zonegen makes the names),
	 * and the entry's domain is DOMAIN, whose FITS[kind] were found once.
	 */
	if (!fits[OWNER_SENDERKEY] || (pgp && !fits[OWNER_OPENPGPKEY])) {
		mf_base_err(m, e->file, e->line,
		    "%s: owner name over 255 octets (the domain is too long)",
		    canon);
		rc = -1;
	}
	if (e->key == MANIFEST_KEY_NONE)
		st->nokey++;
	return rc;
}

/*
 * report_sender: the checks on the N (> 1) entries of one sender at V:
 * duplicates, conflicts, too many keys.
 */
static void
report_sender(struct manifest *m, struct vent *v, size_t n)
{
	const struct manifest_entry *a, *b;
	const char *canon = v[0].canon;
	size_t j, k, nkeys = 0;

	qsort(v, n, sizeof(*v), ventcmp);
	for (j = 0; j < n; j++) {
		if (v[j].e->key != MANIFEST_KEY_NONE &&
		    (j == 0 || keycmp(v[j].e, v[j - 1].e) != 0))
			nkeys++;
		if (j == 0 || keycmp(v[j].e, v[j - 1].e) != 0)
			continue;
		/* Same key as an earlier entry: find the first. */
		for (k = j; k > 0 && keycmp(v[k - 1].e, v[j].e) == 0; k--)
			;
		a = v[k].e;
		b = v[j].e;
		if (same_data(a, b))
			mf_base_err(m, b->file, b->line,
			    "duplicate entry for %s (first at %s:%lu)",
			    canon, a->file, a->line);
		else
			mf_base_err(m, b->file, b->line,
			    "conflicting entries for %s with the same "
			    "key (other at %s:%lu)", canon, a->file,
			    a->line);
	}
	if (nkeys > MANIFEST_MAX_KEYS)
		mf_base_err(m, v[0].e->file, v[0].e->line,
		    "%s has %zu keys; at most %d are allowed", canon,
		    nkeys, MANIFEST_MAX_KEYS);
}

static int
multicmp(const void *va, const void *vb, void *arg)
{
	const struct manifest *m = arg;
	const uint32_t *a = va, *b = vb;

	return strcmp(addr_canon(m->ent[*a]->addr),
	    addr_canon(m->ent[*b]->addr));
}

/*
 * group: the entries to publish by sender.  NEXT[i] links entry I to the
 * next entry of its sender; *MULTI lists (*NMULTI) the first entries of
 * the senders with more than one.  Counts the senders in ST.  0 or -1.
 */
static int
group(struct manifest *m, const uint8_t *pub, uint32_t *next,
    uint32_t **multi, size_t *nmulti, struct manifest_stats *st)
{
	struct vslot *tab;
	uint32_t *last = NULL, *mv = NULL, i;
	size_t size = 16, mask, slot, nm = 0, cm = 0;
	const char *canon;
	uint32_t h;
	int rc = -1;

	while (size < 2 * m->nent)
		size *= 2;
	mask = size - 1;
	if ((tab = calloc(size, sizeof(*tab))) == NULL ||
	    (last = reallocarray(NULL, m->nent, sizeof(*last))) == NULL)
		goto done;
	bigmem_advise(tab, size * sizeof(*tab));
	/*
	 * The hashes first (in LAST, as it is free yet), so that the slot of
	 * an entry a few ahead can be fetched while this one is placed: the
	 * table is far larger than the caches.
	 */
	for (i = 0; i < m->nent; i++)
		if (pub[i])
			last[i] = (uint32_t)strhash(
			    addr_canon(m->ent[i]->addr));
	for (i = 0; i < m->nent; i++) {
		next[i] = NOENT;
		if (i + 16 < m->nent && pub[i + 16])
			__builtin_prefetch(&tab[last[i + 16] & mask]);
		if (!pub[i])
			continue;
		canon = addr_canon(m->ent[i]->addr);
		h = last[i];
		for (slot = h & mask; tab[slot].first != 0;
		    slot = (slot + 1) & mask)
			if (tab[slot].hash == h &&
			    strcmp(addr_canon(m->ent[tab[slot].first -
			    1]->addr), canon) == 0)
				break;
		if (tab[slot].first == 0) {
			tab[slot].first = i + 1;
			tab[slot].hash = h;
			last[i] = i;
			st->senders++;
			continue;
		}
		if (next[tab[slot].first - 1] == NOENT) {
			if (nm == cm) {
				uint32_t *n2;

				cm = cm ? cm * 2 : 64;
				if ((n2 = reallocarray(mv, cm,
				    sizeof(*mv))) == NULL)
					goto done;
				mv = n2;
			}
			mv[nm++] = tab[slot].first - 1;
		}
		next[last[tab[slot].first - 1]] = i;
		last[tab[slot].first - 1] = i;
	}
	*multi = mv;
	*nmulti = nm;
	mv = NULL;
	rc = 0;
done:
	free(tab);
	free(last);
	free(mv);
	return rc;
}

int
manifest_validate(struct manifest *m, const char *domain, unsigned vflags,
    struct manifest_stats *stp)
{
	struct manifest_stats st;
	struct vent *v = NULL;
	uint32_t *next = NULL, *multi = NULL, j;
	uint8_t *pub = NULL;
	size_t i, n, nmulti = 0, cap = 0;
	int fits[2];

	memset(&st, 0, sizeof(st));
	st.entries = m->nent;
	if (m->nent >= NOENT) {
		mf_base_err(m, "manifest", 0, "too many entries");
		goto done;
	}
	if (m->nent > 0 && ((pub = malloc(m->nent)) == NULL ||
	    (next = reallocarray(NULL, m->nent, sizeof(*next))) == NULL)) {
		mf_base_err(m, "manifest", 0, "out of memory");
		goto done;
	}
	fits[OWNER_SENDERKEY] = owner_name_fits(domain, OWNER_SENDERKEY);
	fits[OWNER_OPENPGPKEY] = owner_name_fits(domain, OWNER_OPENPGPKEY);
	for (i = 0; i < m->nent; i++) {
		m->ent[i]->foreign = 0;
		pub[i] = check_entry(m, m->ent[i], domain, fits, vflags,
		    &st) == 0 && !m->ent[i]->foreign;
	}
	if (m->nent == 0)
		goto done;
	if (group(m, pub, next, &multi, &nmulti, &st) == -1) {
		mf_base_err(m, "manifest", 0, "out of memory");
		goto done;
	}
	if (nmulti > 1)
		qsort_r(multi, nmulti, sizeof(*multi), multicmp, m);
	for (i = 0; i < nmulti; i++) {
		for (n = 0, j = multi[i]; j != NOENT; j = next[j]) {
			if (n == cap) {
				struct vent *v2;

				cap = cap ? cap * 2 : 32;
				if ((v2 = reallocarray(v, cap,
				    sizeof(*v))) == NULL) {
					mf_base_err(m, "manifest", 0,
					    "out of memory");
					goto done;
				}
				v = v2;
			}
			v[n].e = m->ent[j];
			v[n].canon = addr_canon(m->ent[j]->addr);
			prefix16(v[n].canon, v[n].pfx);
			v[n].seq = j;
			n++;
		}
		report_sender(m, v, n);
	}
done:
	free(v);
	free(next);
	free(multi);
	free(pub);
	if (stp != NULL)
		*stp = st;
	return m->nerrall == 0 ? 0 : -1;
}
