/*
 * mf_base.c: the manifest container the format parsers fill (mf_base.h):
 * entries and their strings in blocks that double up to megabytes, advised
 * for huge pages (no allocation per entry; the string blocks hold key
 * data, so they are wiped before they are freed), the collected error
 * texts, key paths and inline key data, and the ISO 8601 dates the
 * formats share.  Pure: no I/O; keys are not decoded here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "lib/addr.h"
#include "bigmem.h"
#include "mf_base.h"

#define ERRTEXT_MAX	512	/* one error text */
#define QUOTE_MAX	160	/* input quoted in an error text */
#define ENT_BLOCK	1024	/* entries in the first entry block */
#define ENT_BLOCK_MAX	65536	/* and at most, doubling */
#define STR_BLOCK	65536	/* octets in the first string block */
#define STR_BLOCK_MAX	(8UL << 20)	/* and at most, doubling */

/* A block of entries or of strings; blocks are chained for freeing. */
struct mf_block {
	struct mf_block	*next;
	size_t		 used, cap;	/* octets, or entries */
	union {
		unsigned char		octets[1];
		struct manifest_entry	entries[1];
	} u;
};

/* blocks_free: free a chain of blocks, wiping string blocks first. */
static void
blocks_free(struct mf_block *b, int wipe)
{
	struct mf_block *next;

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
	struct mf_block *b = m->sblocks;
	char *s;

	if (len >= SIZE_MAX - sizeof(*b) - STR_BLOCK)
		return NULL;
	if (b == NULL || b->cap - b->used < len + 1) {
		size_t cap;

		if (m->scap == 0)
			m->scap = STR_BLOCK;
		cap = len + 1 > m->scap ? len + 1 : m->scap;
		if ((b = malloc(offsetof(struct mf_block, u) + cap)) == NULL)
			return NULL;
		bigmem_advise(b, offsetof(struct mf_block, u) + cap);
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
	struct mf_block *b = m->eblocks;
	struct manifest_entry *e;

	if (b == NULL || b->used == b->cap) {
		if (m->ecap == 0)
			m->ecap = ENT_BLOCK;
		if ((b = malloc(offsetof(struct mf_block, u) +
		    m->ecap * sizeof(struct manifest_entry))) == NULL)
			return NULL;
		bigmem_advise(b, offsetof(struct mf_block, u) +
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
mf_base_release(struct manifest *m)
{
	size_t i;

	free(m->ent);	/* entries and their addrs live in the blocks */
	blocks_free(m->eblocks, 0);
	blocks_free(m->sblocks, 1);
	for (i = 0; i < m->nerr; i++)
		free(m->err[i]);
	free(m->err);
	for (i = 0; i < m->nfiles; i++)
		free(m->files[i]);
	free(m->files);
}

size_t
mf_base_nerrors(const struct manifest *m)
{
	return m->nerrall;
}

const char *
mf_base_quote(const char *s, size_t len, char *out, size_t outsz)
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
mf_base_err(struct manifest *m, const char *file, unsigned long line,
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
	mf_base_quote(msg, strlen(msg), q, sizeof(q));
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
mf_base_file(struct manifest *m, const char *path)
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
mf_base_add(struct manifest *m, const char *file, unsigned long line,
    const char *address, size_t addrlen)
{
	struct manifest_entry *e = NULL, **n;
	struct addr *a = NULL, *kept;
	char *s = NULL, *ab, q[QUOTE_MAX], tmp[512];
	const char *in = tmp, *as;
	enum addr_err aerr = ADDR_OK;
	size_t pos = 0;

	if (addrlen > MF_FIELD_MAX) {
		mf_base_err(m, file, line, "address is too long");
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
	mf_base_err(m, file, line, "bad address \"%s\": %s",
	    mf_base_quote(address, addrlen, q, sizeof(q)),
	    addr_strerror(aerr));
	return NULL;
nomem:
	mf_base_err(m, file, line, "out of memory");
	addr_free(a);
	return NULL;
}

int
mf_base_set_path(struct manifest *m, struct manifest_entry *e,
    const char *rel, size_t len)
{
	const char *slash;
	size_t dlen = 0, i;
	char *p;

	for (i = 0; i < len; i++)
		if ((unsigned char)rel[i] < 0x20 || rel[i] == 0x7f) {
			mf_base_err(m, e->file, e->key_line,
			    "key path has a control character");
			return -1;
		}
	if (len == 0 || len > MF_FIELD_MAX) {
		mf_base_err(m, e->file, e->key_line, "bad key path length");
		return -1;
	}
	if (rel[0] != '/' && (slash = strrchr(e->file, '/')) != NULL)
		dlen = (size_t)(slash - e->file) + 1;
	if ((p = str_alloc(m, dlen + len)) == NULL) {
		mf_base_err(m, e->file, e->key_line, "out of memory");
		return -1;
	}
	memcpy(p, e->file, dlen);
	memcpy(p + dlen, rel, len);
	e->path = p;	/* an earlier path stays in the blocks, unused */
	e->key = MANIFEST_KEY_FILE;
	return 0;
}

int
mf_base_set_data(struct manifest *m, struct manifest_entry *e,
    enum manifest_keytype type, const void *data, size_t len)
{
	unsigned char *p;

	if ((p = (unsigned char *)str_dup(m, data, len)) == NULL) {
		mf_base_err(m, e->file, e->key_line, "out of memory");
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
mf_base_time_parse(const char *s, size_t len, int64_t *out)
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
mf_base_time_format(int64_t t, char out[21])
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
mf_base_date(struct manifest *m, const char *file, unsigned long line,
    const char *what, const char *s, size_t len, int64_t *out)
{
	char q[QUOTE_MAX];

	if (mf_base_time_parse(s, len, out) == 0)
		return 0;
	mf_base_err(m, file, line,
	    "bad %s \"%s\": expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", what,
	    mf_base_quote(s, len, q, sizeof(q)));
	return -1;
}
