/*
 * manifest.c: the manifest container (entries, collected errors), what the
 * three format parsers share (dates, key paths, error texts), format
 * detection, and the validation pass over all entries together
 * (specs/manifest.md).  The formats themselves are in mf_csv.c,
 * mf_signers.c and mf_vcard.c.  Pure: no I/O; keys are not decoded here.
 * Entries, their strings and their parsed addresses live in blocks owned
 * by the manifest (blocks that double up to megabytes, advised for huge
 * pages: no allocation per entry); the string blocks hold key data, so
 * they are wiped before they are freed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "lib/addr.h"
#include "lib/owner.h"
#include "bigmem.h"
#include "manifest.h"

#define ERRTEXT_MAX	512	/* one error text */
#define QUOTE_MAX	160	/* input quoted in an error text */
#define ENT_BLOCK	1024	/* entries in the first entry block */
#define ENT_BLOCK_MAX	65536	/* and at most, doubling */
#define STR_BLOCK	65536	/* octets in the first string block */
#define STR_BLOCK_MAX	(8UL << 20)	/* and at most, doubling */

/* A block of entries or of strings; blocks are chained for freeing. */
struct block {
	struct block	*next;
	size_t		 used, cap;	/* octets, or entries */
	union {
		unsigned char		octets[1];
		struct manifest_entry	entries[1];
	} u;
};

struct manifest {
	struct manifest_entry	**ent;
	size_t			  nent, capent;
	struct block		 *eblocks;	/* head: the one in use */
	struct block		 *sblocks;	/* head: the one in use */
	size_t			  ecap, scap;	/* size of the next block */
	char			**err;		/* kept texts */
	size_t			  nerr;		/* kept */
	size_t			  nerrall;	/* found */
	char			**files;
	size_t			  nfiles;
};

struct manifest *
manifest_new(void)
{
	return calloc(1, sizeof(struct manifest));
}

/* blocks_free: free a chain of blocks, wiping string blocks first. */
static void
blocks_free(struct block *b, int wipe)
{
	struct block *next;

	for (; b != NULL; b = next) {
		next = b->next;
		if (wipe)
			OPENSSL_cleanse(b->u.octets, b->used);
		free(b);
	}
}

/*
 * str_alloc: LEN + 1 octets in the manifest's string blocks (freed with
 * the manifest), the last one set to NUL.  NULL when out of memory.
 */
static char *
str_alloc(struct manifest *m, size_t len)
{
	struct block *b = m->sblocks;
	char *s;

	if (len >= SIZE_MAX - sizeof(*b) - STR_BLOCK)
		return NULL;
	if (b == NULL || b->cap - b->used < len + 1) {
		size_t cap;

		if (m->scap == 0)
			m->scap = STR_BLOCK;
		cap = len + 1 > m->scap ? len + 1 : m->scap;
		if ((b = malloc(offsetof(struct block, u) + cap)) == NULL)
			return NULL;
		bigmem_advise(b, offsetof(struct block, u) + cap);
		b->used = 0;
		b->cap = cap;
		if (len + 1 > m->scap && m->sblocks != NULL) {
			/* A big string: keep filling the current block. */
			b->next = m->sblocks->next;
			m->sblocks->next = b;
		} else {
			b->next = m->sblocks;
			m->sblocks = b;
			if (m->scap < STR_BLOCK_MAX)
				m->scap *= 2;
		}
	}
	s = (char *)b->u.octets + b->used;
	s[len] = '\0';
	b->used += len + 1;
	return s;
}

/* str_dup: a NUL-terminated copy of LEN octets at P, as str_alloc. */
static char *
str_dup(struct manifest *m, const void *p, size_t len)
{
	char *s;

	if ((s = str_alloc(m, len)) != NULL)
		memcpy(s, p, len);
	return s;
}

/* entry_new: a zeroed entry in the entry blocks, or NULL. */
static struct manifest_entry *
entry_new(struct manifest *m)
{
	struct block *b = m->eblocks;
	struct manifest_entry *e;

	if (b == NULL || b->used == b->cap) {
		if (m->ecap == 0)
			m->ecap = ENT_BLOCK;
		if ((b = malloc(offsetof(struct block, u) +
		    m->ecap * sizeof(struct manifest_entry))) == NULL)
			return NULL;
		bigmem_advise(b, offsetof(struct block, u) +
		    m->ecap * sizeof(struct manifest_entry));
		b->used = 0;
		b->cap = m->ecap;
		if (m->ecap < ENT_BLOCK_MAX)
			m->ecap *= 2;
		b->next = m->eblocks;
		m->eblocks = b;
	}
	e = &b->u.entries[b->used++];
	memset(e, 0, sizeof(*e));
	return e;
}

void
manifest_free(struct manifest *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->ent);	/* entries and their addrs live in the blocks */
	blocks_free(m->eblocks, 0);
	blocks_free(m->sblocks, 1);
	for (i = 0; i < m->nerr; i++)
		free(m->err[i]);
	free(m->err);
	for (i = 0; i < m->nfiles; i++)
		free(m->files[i]);
	free(m->files);
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

const char *
manifest_quote(const char *s, size_t len, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (outsz == 0)
		return out;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o + 8 >= outsz) {
			if (o + 4 <= outsz) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

void
manifest_err(struct manifest *m, const char *file, unsigned long line,
    const char *fmt, ...)
{
	char msg[ERRTEXT_MAX], text[ERRTEXT_MAX + 64], q[ERRTEXT_MAX];
	va_list ap;
	char **n;

	m->nerrall++;
	if (m->nerr >= MANIFEST_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	manifest_quote(msg, strlen(msg), q, sizeof(q));
	if (line > 0)
		snprintf(text, sizeof(text), "%s:%lu: %s", file, line, q);
	else
		snprintf(text, sizeof(text), "%s: %s", file, q);
	if ((n = reallocarray(m->err, m->nerr + 1, sizeof(*n))) == NULL)
		return;
	m->err = n;
	if ((m->err[m->nerr] = strdup(text)) != NULL)
		m->nerr++;
}

const char *
manifest_file_name(struct manifest *m, const char *path)
{
	char **n, *s;

	if ((n = reallocarray(m->files, m->nfiles + 1, sizeof(*n))) == NULL)
		return NULL;
	m->files = n;
	if ((s = strdup(path)) == NULL)
		return NULL;
	m->files[m->nfiles++] = s;
	return s;
}

struct manifest_entry *
manifest_add(struct manifest *m, const char *file, unsigned long line,
    const char *address, size_t addrlen)
{
	struct manifest_entry *e = NULL, **n;
	struct addr *a = NULL, *kept;
	char *s = NULL, *ab, q[QUOTE_MAX], tmp[512];
	const char *in = tmp, *as;
	enum addr_err aerr = ADDR_OK;
	size_t pos = 0;

	if (addrlen > MANIFEST_FIELD_MAX) {
		manifest_err(m, file, line, "address is too long");
		return NULL;
	}
	if (memchr(address, '\0', addrlen) != NULL) {
		aerr = ADDR_ELOCAL_CHAR;
		goto bad;
	}
	/* Parsed from a copy on the stack; kept only if not canonical. */
	if (addrlen < sizeof(tmp)) {
		memcpy(tmp, address, addrlen);
		tmp[addrlen] = '\0';
	} else if ((in = s = str_dup(m, address, addrlen)) == NULL)
		goto nomem;
	if ((a = addr_parse(in, &aerr, &pos)) == NULL) {
		if (aerr == ADDR_OK)
			goto nomem;
		goto bad;
	}
	/* The addr moves into the blocks (2-octet aligned), freed with them. */
	if ((ab = str_alloc(m, addr_size(a))) == NULL)
		goto nomem;
	if ((uintptr_t)ab & 1)
		ab++;
	kept = addr_copy(a, ab);
	addr_free(a);
	a = NULL;
	as = s;
	if (as == NULL && strcmp(addr_canon(kept), tmp) == 0)
		as = addr_canon(kept);
	else if (as == NULL && (as = str_dup(m, address, addrlen)) == NULL)
		goto nomem;
	if (m->nent == m->capent) {
		size_t cap = m->capent ? m->capent * 2 : 64;

		if ((n = reallocarray(m->ent, cap, sizeof(*n))) == NULL)
			goto nomem;
		bigmem_advise(n, cap * sizeof(*n));
		m->ent = n;
		m->capent = cap;
	}
	if ((e = entry_new(m)) == NULL)
		goto nomem;
	e->file = file;
	e->line = e->key_line = line;
	e->address = as;
	e->addr = kept;
	m->ent[m->nent++] = e;
	return e;
bad:
	manifest_err(m, file, line, "bad address \"%s\": %s",
	    manifest_quote(address, addrlen, q, sizeof(q)),
	    addr_strerror(aerr));
	return NULL;
nomem:
	manifest_err(m, file, line, "out of memory");
	addr_free(a);
	return NULL;
}

int
manifest_set_path(struct manifest *m, struct manifest_entry *e,
    const char *rel, size_t len)
{
	const char *slash;
	size_t dlen = 0, i;
	char *p;

	for (i = 0; i < len; i++)
		if ((unsigned char)rel[i] < 0x20 || rel[i] == 0x7f) {
			manifest_err(m, e->file, e->key_line,
			    "key path has a control character");
			return -1;
		}
	if (len == 0 || len > MANIFEST_FIELD_MAX) {
		manifest_err(m, e->file, e->key_line, "bad key path length");
		return -1;
	}
	if (rel[0] != '/' && (slash = strrchr(e->file, '/')) != NULL)
		dlen = (size_t)(slash - e->file) + 1;
	if ((p = str_alloc(m, dlen + len)) == NULL) {
		manifest_err(m, e->file, e->key_line, "out of memory");
		return -1;
	}
	memcpy(p, e->file, dlen);
	memcpy(p + dlen, rel, len);
	e->path = p;	/* an earlier path stays in the blocks, unused */
	e->key = MANIFEST_KEY_FILE;
	return 0;
}

int
manifest_set_data(struct manifest *m, struct manifest_entry *e,
    enum manifest_keytype type, const void *data, size_t len)
{
	unsigned char *p;

	if ((p = (unsigned char *)str_dup(m, data, len)) == NULL) {
		manifest_err(m, e->file, e->key_line, "out of memory");
		return -1;
	}
	e->key = MANIFEST_KEY_DATA;
	e->keytype = type;
	e->data = p;
	e->datalen = len;
	return 0;
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
		manifest_time_format(e->not_before, t1);
		manifest_time_format(e->not_after, t2);
		manifest_err(m, e->file, e->line,
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
		manifest_err(m, e->file, e->line,
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
		manifest_err(m, e->file, e->line,
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
			manifest_err(m, b->file, b->line,
			    "duplicate entry for %s (first at %s:%lu)",
			    canon, a->file, a->line);
		else
			manifest_err(m, b->file, b->line,
			    "conflicting entries for %s with the same "
			    "key (other at %s:%lu)", canon, a->file,
			    a->line);
	}
	if (nkeys > MANIFEST_MAX_KEYS)
		manifest_err(m, v[0].e->file, v[0].e->line,
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
		manifest_err(m, "manifest", 0, "too many entries");
		goto done;
	}
	if (m->nent > 0 && ((pub = malloc(m->nent)) == NULL ||
	    (next = reallocarray(NULL, m->nent, sizeof(*next))) == NULL)) {
		manifest_err(m, "manifest", 0, "out of memory");
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
		manifest_err(m, "manifest", 0, "out of memory");
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
					manifest_err(m, "manifest", 0,
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
