/*
 * mf_csv.c: the CSV manifest (specs/manifest.md section 2): RFC 4180
 * records (quoted fields, "" inside quotes, CRLF or LF, a UTF-8 BOM
 * tolerated), a header row naming the columns address, key, not_before,
 * not_after and flags in any order.  Only splits and classifies; addresses
 * go through addr_parse (mf_base_add), keys are located, not decoded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mf_base.h"
#include "mf_csv.h"

#define CSV_MAX_FIELDS	16

enum col {
	COL_ADDRESS,
	COL_KEY,
	COL_NOT_BEFORE,
	COL_NOT_AFTER,
	COL_FLAGS,
	COL_N,
};

static const char *const colname[COL_N] = {
	"address", "key", "not_before", "not_after", "flags",
};

/* One record: fields unquoted into buf, NUL-separated. */
struct rec {
	char		*buf;
	size_t		 len, cap;
	size_t		 off[CSV_MAX_FIELDS];
	size_t		 flen[CSV_MAX_FIELDS];
	size_t		 n;
	unsigned long	 line;		/* where the record starts */
};

static int
rec_put(struct rec *r, char c)
{
	char *n;

	if (r->len + 1 >= r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;

		if ((n = realloc(r->buf, cap)) == NULL)
			return -1;
		r->buf = n;
		r->cap = cap;
	}
	r->buf[r->len++] = c;
	return 0;
}

/* rec_putn: append N octets at P to R.  Returns 0 or -1. */
static int
rec_putn(struct rec *r, const char *p, size_t n)
{
	char *nb;

	if (r->len + n >= r->cap) {
		size_t cap = r->cap ? r->cap : 256;

		while (r->len + n >= cap)
			cap *= 2;
		if ((nb = realloc(r->buf, cap)) == NULL)
			return -1;
		r->buf = nb;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
	return 0;
}

/*
 * run_len: how many octets from BUF[I] (of LEN) are plain field text, at
 * most ROOM: inside quotes anything but '"', LF and NUL; outside also not
 * ',' or CR.  The special octets go through read_rec's checks one by one.
 */
static size_t
run_len(const char *buf, size_t i, size_t len, size_t room, int quoted)
{
	/* The special octets, all below 64, as bit masks. */
	const uint64_t stop = (1ULL << '"') | (1ULL << '\n') | 1ULL |
	    (quoted ? 0 : (1ULL << ',') | (1ULL << '\r'));
	size_t j = i, end = len - i > room ? i + room : len;
	unsigned char c;

	while (j < end) {
		c = (unsigned char)buf[j];
		if (c < 64 && ((stop >> c) & 1) != 0)
			break;
		j++;
	}
	return j - i;
}

/*
 * plain_rec: the common record, read with a few memchr scans instead of
 * octet by octet: one line without '"', CR or NUL (so no quoting and no
 * error), shorter than MF_FIELD_MAX, at most CSV_MAX_FIELDS fields.
 * Then its fields are the text between commas, as read_rec would find
 * them: stores them in R, sets *POS past the LF and returns 1.  Returns 0
 * (nothing changed) for any other record, -1 when out of memory.
 */
static int
plain_rec(const char *buf, size_t len, size_t *pos, struct rec *r)
{
	const char *p = buf + *pos, *eol, *lim, *c;
	size_t seg;

	eol = memchr(p, '\n', len - *pos);
	lim = eol != NULL ? eol : buf + len;
	seg = (size_t)(lim - p);
	if (seg >= MF_FIELD_MAX || memchr(p, '"', seg) != NULL ||
	    memchr(p, '\r', seg) != NULL || memchr(p, '\0', seg) != NULL)
		return 0;
	for (;;) {
		if (r->n == CSV_MAX_FIELDS) {
			r->len = 0;
			r->n = 0;
			return 0;	/* read_rec reports it */
		}
		if ((c = memchr(p, ',', (size_t)(lim - p))) == NULL)
			c = lim;
		r->off[r->n] = r->len;
		r->flen[r->n] = (size_t)(c - p);
		if (rec_putn(r, p, (size_t)(c - p)) == -1 ||
		    rec_put(r, '\0') == -1)
			return -1;
		r->n++;
		if (c == lim)
			break;
		p = c + 1;
	}
	*pos = eol != NULL ? (size_t)(eol - buf) + 1 : len;
	return 1;
}

enum rd {
	RD_OK,
	RD_EOF,
	RD_ERR,		/* error reported, record skipped */
	RD_FATAL,	/* error reported, rest of file unreadable */
};

/*
 * read_rec: the record at *POS into R, advancing *POS past its end and
 * *LINE past its line ends.
 */
static enum rd
read_rec(struct manifest *m, const char *file, const char *buf, size_t len,
    size_t *pos, unsigned long *line, struct rec *r)
{
	size_t i = *pos, start, run;
	int quoted, err = 0;
	const char *why = NULL;

	if (i >= len)
		return RD_EOF;
	r->len = 0;
	r->n = 0;
	r->line = *line;
	switch (plain_rec(buf, len, pos, r)) {
	case 1:
		if (*pos <= len && buf[*pos - 1] == '\n')
			(*line)++;
		return RD_OK;
	case -1:
		goto nomem;
	}
	for (;;) {
		if (r->n == CSV_MAX_FIELDS) {
			why = "more than 16 fields";
			err = 1;
		}
		start = r->len;
		quoted = i < len && buf[i] == '"';
		if (quoted)
			i++;
		for (;;) {
			if (i >= len) {
				if (quoted) {
					mf_base_err(m, file, r->line,
					    "quoted field not closed before "
					    "the end of the file");
					*pos = i;
					return RD_FATAL;
				}
				break;
			}
			if (quoted && buf[i] == '"') {
				if (i + 1 < len && buf[i + 1] == '"') {
					i += 2;
					if (!err && rec_put(r, '"') == -1)
						goto nomem;
					continue;
				}
				i++;
				if (i < len && buf[i] != ',' && buf[i] != '\n' &&
				    buf[i] != '\r' && !err) {
					why = "text after a closing quote";
					err = 1;
				}
				quoted = 0;
				continue;
			}
			if (!err && r->len - start < MF_FIELD_MAX &&
			    (run = run_len(buf, i, len, MF_FIELD_MAX -
			    (r->len - start), quoted)) > 0) {
				if (rec_putn(r, buf + i, run) == -1)
					goto nomem;
				i += run;
				continue;
			}
			if (!quoted && (buf[i] == ',' || buf[i] == '\n' ||
			    buf[i] == '\r'))
				break;
			if (buf[i] == '\n')
				(*line)++;
			if (!err && buf[i] == '\0') {
				why = "NUL octet";
				err = 1;
			} else if (!err && !quoted && buf[i] == '"') {
				why = "quote in an unquoted field";
				err = 1;
			} else if (!err && r->len - start >= MF_FIELD_MAX) {
				why = "field too long";
				err = 1;
			}
			if (!err && rec_put(r, buf[i]) == -1)
				goto nomem;
			i++;
		}
		if (!err) {
			r->off[r->n] = start;
			r->flen[r->n] = r->len - start;
			r->n++;
			if (rec_put(r, '\0') == -1)
				goto nomem;
		}
		if (i < len && buf[i] == ',') {
			i++;
			continue;
		}
		break;
	}
	/* End of record: LF, CRLF, or the end of the buffer. */
	if (i < len && buf[i] == '\r') {
		if (i + 1 < len && buf[i + 1] == '\n')
			i++;
		else if (!err) {
			why = "CR not followed by LF";
			err = 1;
		}
	}
	if (i < len) {
		i++;
		(*line)++;
	}
	*pos = i;
	if (err) {
		mf_base_err(m, file, r->line, "%s", why);
		return RD_ERR;
	}
	return RD_OK;
nomem:
	mf_base_err(m, file, r->line, "out of memory");
	return RD_FATAL;
}

static const char *
fld(const struct rec *r, size_t i)
{
	return r->buf + r->off[i];
}

/* read_header: map the columns; returns 0 or -1 (error reported). */
static int
read_header(struct manifest *m, const char *file, const struct rec *r,
    int map[CSV_MAX_FIELDS], int have[COL_N])
{
	char q[128];
	size_t i;
	int c, rc = 0;

	for (c = 0; c < COL_N; c++)
		have[c] = -1;
	for (i = 0; i < r->n; i++) {
		for (c = 0; c < COL_N; c++)
			if (strlen(fld(r, i)) == r->flen[i] &&
			    strcasecmp(fld(r, i), colname[c]) == 0)
				break;
		if (c == COL_N) {
			mf_base_err(m, file, r->line,
			    "unknown column \"%s\" (expected address, key, "
			    "not_before, not_after, flags)",
			    mf_base_quote(fld(r, i), r->flen[i], q, sizeof(q)));
			rc = -1;
			continue;
		}
		if (have[c] != -1) {
			mf_base_err(m, file, r->line, "column %s twice",
			    colname[c]);
			rc = -1;
		}
		have[c] = (int)i;
		map[i] = c;
	}
	if (rc == 0 && (have[COL_ADDRESS] == -1 || have[COL_KEY] == -1)) {
		mf_base_err(m, file, r->line,
		    "the header row must name the columns address and key");
		rc = -1;
	}
	return rc;
}

static int
is_ssh_type(const char *s, size_t len)
{
	static const char *const pfx[] = { "ssh-", "ecdsa-sha2-", "sk-" };
	size_t i, n;

	for (i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++) {
		n = strlen(pfx[i]);
		if (len > n && strncmp(s, pfx[i], n) == 0)
			return 1;
	}
	return 0;
}

/* set_key: classify the key column (section 2.2). */
static int
set_key(struct manifest *m, struct manifest_entry *e, const char *s,
    size_t len)
{
	const char *sp;

	if (len == 0) {
		mf_base_err(m, e->file, e->line, "the key column is empty");
		return -1;
	}
	if (len == 8 && strcmp(s, "generate") == 0) {
		e->key = MANIFEST_KEY_GENERATE;
		return 0;
	}
	if (len > 36 &&
	    strncmp(s, "-----BEGIN PGP PUBLIC KEY BLOCK-----", 36) == 0)
		return mf_base_set_data(m, e, MANIFEST_KT_PGP, s, len);
	if (len > 11 && strncmp(s, "-----BEGIN ", 11) == 0)
		return mf_base_set_data(m, e, MANIFEST_KT_PEM, s, len);
	if ((sp = memchr(s, ' ', len)) != NULL && is_ssh_type(s, (size_t)(sp -
	    s)))
		return mf_base_set_data(m, e, MANIFEST_KT_SSH, s, len);
	return mf_base_set_path(m, e, s, len);
}

static int
set_flags(struct manifest *m, struct manifest_entry *e, const char *s,
    size_t len)
{
	char q[128];
	size_t i = 0, j;
	int rc = 0;

	while (i < len) {
		if (s[i] == ' ' || s[i] == ';') {
			i++;
			continue;
		}
		for (j = i; j < len && s[j] != ' ' && s[j] != ';'; j++)
			;
		if (j - i == 7 && strncmp(s + i, "testing", 7) == 0)
			e->flags |= MANIFEST_F_TESTING;
		else if (j - i == 7 && strncmp(s + i, "revoked", 7) == 0)
			e->flags |= MANIFEST_F_REVOKED;
		else {
			mf_base_err(m, e->file, e->line,
			    "unknown flag \"%s\" (expected testing, revoked)",
			    mf_base_quote(s + i, j - i, q, sizeof(q)));
			rc = -1;
		}
		i = j;
	}
	return rc;
}

/* data_row: one record after the header; errors are reported. */
static void
data_row(struct manifest *m, const char *file, const struct rec *r,
    const int map[CSV_MAX_FIELDS], const int have[COL_N], size_t ncols)
{
	struct manifest_entry *e;
	int64_t nb = 0, na = 0;
	size_t i, a, k;
	int bad = 0;

	if (r->n != ncols) {
		mf_base_err(m, file, r->line,
		    "expected %zu fields as in the header, found %zu", ncols,
		    r->n);
		return;
	}
	a = (size_t)have[COL_ADDRESS];
	k = (size_t)have[COL_KEY];
	for (i = 0; i < r->n; i++) {
		if (r->flen[i] == 0)
			continue;
		if (map[i] == COL_NOT_BEFORE &&
		    mf_base_date(m, file, r->line, "not_before", fld(r, i),
		    r->flen[i], &nb) == -1)
			bad = 1;
		if (map[i] == COL_NOT_AFTER &&
		    mf_base_date(m, file, r->line, "not_after", fld(r, i),
		    r->flen[i], &na) == -1)
			bad = 1;
	}
	if ((e = mf_base_add(m, file, r->line, fld(r, a), r->flen[a])) ==
	    NULL)
		return;
	e->not_before = nb;
	e->not_after = na;
	if (set_key(m, e, fld(r, k), r->flen[k]) == -1)
		bad = 1;
	if (have[COL_FLAGS] != -1 && set_flags(m, e, fld(r,
	    (size_t)have[COL_FLAGS]), r->flen[have[COL_FLAGS]]) == -1)
		bad = 1;
	if (!bad && e->key == MANIFEST_KEY_GENERATE &&
	    (e->flags & MANIFEST_F_REVOKED)) {
		mf_base_err(m, file, r->line,
		    "a key to generate cannot be revoked; name the key file");
		bad = 1;
	}
	(void)bad;	/* the entry stays; the errors fail the run */
}

int
mf_csv_parse(struct manifest *m, const char *path, const char *buf,
    size_t len)
{
	struct rec r;
	int map[CSV_MAX_FIELDS], have[COL_N], header = 0;
	size_t pos = 0, before = mf_base_nerrors(m), ncols = 0;
	unsigned long line = 1;
	const char *file;
	enum rd rd;

	memset(&r, 0, sizeof(r));
	if ((file = mf_base_file(m, path)) == NULL) {
		mf_base_err(m, path, 0, "out of memory");
		return -1;
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while ((rd = read_rec(m, file, buf, len, &pos, &line, &r)) != RD_EOF) {
		if (rd == RD_FATAL)
			break;
		if (rd == RD_ERR) {
			if (!header)
				break;
			continue;
		}
		if (r.n == 1 && r.flen[0] == 0)
			continue;	/* empty line */
		if (!header) {
			if (read_header(m, file, &r, map, have) == -1)
				break;
			header = 1;
			ncols = r.n;
			continue;
		}
		data_row(m, file, &r, map, have, ncols);
	}
	if (!header && mf_base_nerrors(m) == before)
		mf_base_err(m, file, 0, "no header row (address,key,...)");
	free(r.buf);
	return mf_base_nerrors(m) == before ? 0 : -1;
}
