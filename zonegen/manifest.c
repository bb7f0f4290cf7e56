/*
 * manifest.c: the manifest container (entries, collected errors), what the
 * three format parsers share (dates, key paths, error texts), format
 * detection, and the validation pass over all entries together
 * (specs/manifest.md).  The formats themselves are in mf_csv.c,
 * mf_signers.c and mf_vcard.c.  Pure: no I/O; keys are not decoded here.
 * Entries and their strings live in blocks owned by the manifest (one
 * allocation per thousand entries, not four per entry); the string blocks
 * hold key data, so they are wiped before they are freed.
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

#include "addr.h"
#include "manifest.h"
#include "owner.h"

#define ERRTEXT_MAX	512	/* one error text */
#define QUOTE_MAX	160	/* input quoted in an error text */
#define ENT_BLOCK	1024	/* entries per entry block */
#define STR_BLOCK	65536	/* octets per string block (or one string) */

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
		size_t cap = len + 1 > STR_BLOCK ? len + 1 : STR_BLOCK;

		if ((b = malloc(offsetof(struct block, u) + cap)) == NULL)
			return NULL;
		b->used = 0;
		b->cap = cap;
		if (len + 1 > STR_BLOCK && m->sblocks != NULL) {
			/* A big string: keep filling the current block. */
			b->next = m->sblocks->next;
			m->sblocks->next = b;
		} else {
			b->next = m->sblocks;
			m->sblocks = b;
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
		if ((b = malloc(offsetof(struct block, u) +
		    ENT_BLOCK * sizeof(struct manifest_entry))) == NULL)
			return NULL;
		b->used = 0;
		b->cap = ENT_BLOCK;
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
	for (i = 0; i < m->nent; i++)
		addr_free((struct addr *)m->ent[i]->addr);
	free(m->ent);
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
	struct addr *a = NULL;
	char *s = NULL, q[QUOTE_MAX];
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
	if ((s = str_dup(m, address, addrlen)) == NULL)
		goto nomem;
	if ((a = addr_parse(s, &aerr, &pos)) == NULL) {
		if (aerr == ADDR_OK)
			goto nomem;
		goto bad;
	}
	if (m->nent == m->capent) {
		size_t cap = m->capent ? m->capent * 2 : 64;

		if ((n = reallocarray(m->ent, cap, sizeof(*n))) == NULL)
			goto nomem;
		m->ent = n;
		m->capent = cap;
	}
	if ((e = entry_new(m)) == NULL)
		goto nomem;
	e->file = file;
	e->line = e->key_line = line;
	e->address = s;
	e->addr = a;
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

/* days_from_civil: days since 1970-01-01 (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, unsigned mo, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= mo <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
digits(const char *s, size_t n, unsigned *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

int
manifest_time_parse(const char *s, size_t len, int64_t *out)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
		31, 30, 31 };
	unsigned y, mo, d, h = 0, mi = 0, se = 0, dim;
	int64_t t;

	if (len != 10 && len != 20)
		return -1;
	if (digits(s, 4, &y) == -1 || s[4] != '-' ||
	    digits(s + 5, 2, &mo) == -1 || s[7] != '-' ||
	    digits(s + 8, 2, &d) == -1)
		return -1;
	if (len == 20 && (s[10] != 'T' || digits(s + 11, 2, &h) == -1 ||
	    s[13] != ':' || digits(s + 14, 2, &mi) == -1 || s[16] != ':' ||
	    digits(s + 17, 2, &se) == -1 || s[19] != 'Z'))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 ||
	    se > 59)
		return -1;
	dim = mdays[mo - 1];
	if (mo == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		dim = 29;
	if (d > dim)
		return -1;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	if (t <= 0)
		return -1;
	*out = t;
	return 0;
}

void
manifest_time_format(int64_t t, char out[21])
{
	int64_t z, era, doe, yoe, y, doy, mp, d, m, s;

	if (t < 0)
		t = 0;
	if (t > INT64_C(253402300799))		/* 9999-12-31T23:59:59Z */
		t = INT64_C(253402300799);
	s = t % 86400;
	z = t / 86400 + 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ",
	    (unsigned)y % 10000, (unsigned)m % 100, (unsigned)d % 100,
	    (unsigned)(s / 3600) % 100, (unsigned)(s / 60 % 60),
	    (unsigned)(s % 60));
}

int
manifest_date(struct manifest *m, const char *file, unsigned long line,
    const char *what, const char *s, size_t len, int64_t *out)
{
	char q[QUOTE_MAX];

	if (manifest_time_parse(s, len, out) == 0)
		return 0;
	manifest_err(m, file, line,
	    "bad %s \"%s\": expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", what,
	    manifest_quote(s, len, q, sizeof(q)));
	return -1;
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
		return manifest_parse_csv(m, path, buf, len);
	case MANIFEST_SIGNERS:
		return manifest_parse_signers(m, path, buf, len);
	case MANIFEST_VCARD:
		return manifest_parse_vcard(m, path, buf, len);
	}
	manifest_err(m, path, 0, "unknown manifest format");
	return -1;
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
		manifest_time_format(e->not_before, nb);
	if (e->not_after != 0)
		manifest_time_format(e->not_after, na);
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
 * Validation.  Entries are sorted by canonical address, then key source,
 * then file order, so that duplicates and conflicts are neighbours.
 */
struct vent {
	uint64_t			 pfx[2]; /* canon's first 16 octets */
	const char			*canon;	/* addr_canon(e->addr) */
	const struct manifest_entry	*e;
	size_t				 seq;
};

/*
 * prefix16: the first 16 octets of S (NUL-padded) as two big-endian
 * numbers in OUT: they compare as strcmp compares the strings' first 16
 * octets, so most comparisons of a million addresses (sorted for the
 * duplicate checks) need not touch the strings, which are far apart.
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
    unsigned vflags, struct manifest_stats *st)
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
	/* Only the length matters here: no digest (zonegen makes the names). */
	if (!owner_name_fits(addr_domain(e->addr), OWNER_SENDERKEY) ||
	    (pgp && !owner_name_fits(addr_domain(e->addr), OWNER_OPENPGPKEY))) {
		manifest_err(m, e->file, e->line,
		    "%s: owner name over 255 octets (the domain is too long)",
		    canon);
		rc = -1;
	}
	if (e->key == MANIFEST_KEY_NONE)
		st->nokey++;
	return rc;
}

int
manifest_validate(struct manifest *m, const char *domain, unsigned vflags,
    struct manifest_stats *stp)
{
	struct manifest_stats st;
	struct vent *v = NULL;
	size_t i, j, n = 0, k, nkeys;
	const struct manifest_entry *a, *b;

	memset(&st, 0, sizeof(st));
	st.entries = m->nent;
	if (m->nent > 0 && (v = calloc(m->nent, sizeof(*v))) == NULL) {
		manifest_err(m, "manifest", 0, "out of memory");
		goto done;
	}
	for (i = 0; i < m->nent; i++) {
		m->ent[i]->foreign = 0;
		if (check_entry(m, m->ent[i], domain, vflags, &st) == 0 &&
		    !m->ent[i]->foreign) {
			v[n].e = m->ent[i];
			v[n].canon = addr_canon(m->ent[i]->addr);
			prefix16(v[n].canon, v[n].pfx);
			v[n].seq = i;
			n++;
		}
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), ventcmp);
	for (i = 0; i < n; i = j) {
		const char *canon = v[i].canon;

		st.senders++;
		nkeys = 0;
		for (j = i; j < n && v[j].pfx[0] == v[i].pfx[0] &&
		    v[j].pfx[1] == v[i].pfx[1] &&
		    strcmp(canon, v[j].canon) == 0; j++) {
			if (v[j].e->key != MANIFEST_KEY_NONE &&
			    (j == i || keycmp(v[j].e, v[j - 1].e) != 0))
				nkeys++;
			if (j == i || keycmp(v[j].e, v[j - 1].e) != 0)
				continue;
			/* Same key as an earlier entry: find the first. */
			for (k = j; k > i && keycmp(v[k - 1].e, v[j].e) == 0;
			    k--)
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
			manifest_err(m, v[i].e->file, v[i].e->line,
			    "%s has %zu keys; at most %d are allowed", canon,
			    nkeys, MANIFEST_MAX_KEYS);
	}
done:
	free(v);
	if (stp != NULL)
		*stp = st;
	return m->nerrall == 0 ? 0 : -1;
}
