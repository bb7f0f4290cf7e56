/*
 * msg.c: header/body splitting and the From: mailbox (see msg.h).  The
 * header is read line by line from a CRLF text; fields are (pointer,
 * length) pairs into it.  The mailbox reader knows RFC 5322 quoted
 * strings, comments and angle addresses, and hands the addr-spec to
 * addr_parse; it does not accept obsolete syntax (routes, CFWS inside the
 * addr-spec).  Not here: canonicalisation, signatures.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "addr.h"
#include "msg.h"

struct msg {
	char			*copy;		/* CRLF copy, or NULL */
	const char		*text;
	size_t			 len;
	struct msg_field	*fields;
	size_t			 nfields;
	size_t			 cap;
	const char		*body;
	size_t			 bodylen;
};

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* is_ftext: a field name character (RFC 5322: %d33-57 / %d59-126). */
static int
is_ftext(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 33 && u <= 126 && u != ':';
}

static int
set_err(enum msg_err e, size_t line, enum msg_err *err, size_t *linep)
{
	if (err != NULL)
		*err = e;
	if (linep != NULL)
		*linep = line;
	return -1;
}

/* to_crlf: a copy of BUF with each bare LF made CRLF; NULL on ENOMEM. */
static char *
to_crlf(const char *buf, size_t len, size_t nbare, size_t *outlen)
{
	char *out;
	size_t i, o = 0;

	if ((out = malloc(len + nbare + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))
			out[o++] = '\r';
		out[o++] = buf[i];
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

static int
add_field(struct msg *m, const char *start, size_t namelen)
{
	struct msg_field *nf;
	size_t ncap;

	if (m->nfields == m->cap) {
		ncap = m->cap == 0 ? 16 : m->cap * 2;
		if ((nf = reallocarray(m->fields, ncap, sizeof(*nf))) == NULL)
			return -1;
		m->fields = nf;
		m->cap = ncap;
	}
	nf = &m->fields[m->nfields++];
	nf->raw = start;
	nf->rawlen = 0;
	nf->namelen = namelen;
	nf->value = NULL;
	nf->valuelen = 0;
	return 0;
}

/*
 * count_bare_lf: how many LFs of the LEN octets at BUF do not follow a
 * CR.  SSE2: 16 octets a step, each compared with its predecessor, to
 * see whether there is any; memchr from LF to LF counts them (and does
 * the tail, and all without SSE2).
 */
static size_t
count_bare_lf(const char *buf, size_t len)
{
	const char *p;
	size_t i = 1, n = 0;

	if (len == 0)
		return 0;
	if (buf[0] == '\n')
		n++;
#ifdef __SSE2__
	{
		const __m128i vlf = _mm_set1_epi8('\n');
		const __m128i vcr = _mm_set1_epi8('\r');
		__m128i acc = _mm_setzero_si128(), lf, cr;
		size_t start = i;

		/* bare LFs are rare: gather them, count only if there are */
		for (; len - i >= 16; i += 16) {
			lf = _mm_loadu_si128((const void *)(buf + i));
			cr = _mm_loadu_si128((const void *)(buf + i - 1));
			lf = _mm_cmpeq_epi8(lf, vlf);
			cr = _mm_cmpeq_epi8(cr, vcr);
			acc = _mm_or_si128(acc, _mm_andnot_si128(cr, lf));
		}
		if (_mm_movemask_epi8(acc) != 0)
			i = start;	/* the memchr loop below counts them */
	}
#endif
	for (p = memchr(buf + i, '\n', len - i); p != NULL;
	    p = memchr(p + 1, '\n', len - (size_t)(p + 1 - buf)))
		if (p[-1] != '\r')
			n++;
	return n;
}

struct msg *
msg_parse(const char *buf, size_t len, enum msg_err *err, size_t *linep)
{
	struct msg *m = NULL;
	struct msg_field *cur = NULL;
	const char *p, *eol, *end;
	size_t i, nbare = 0, line = 0, n;

	if (err != NULL)
		*err = MSG_OK;
	if (len > MSG_MAX_SIZE) {
		set_err(MSG_ETOOBIG, 0, err, linep);
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		goto nomem;
	nbare = count_bare_lf(buf, len);
	if (nbare > 0) {
		if ((m->copy = to_crlf(buf, len, nbare, &m->len)) == NULL)
			goto nomem;
		m->text = m->copy;
	} else {
		m->text = buf;
		m->len = len;
	}
	p = m->text;
	end = m->text + m->len;
	m->body = end;
	while (p < end) {
		line++;
		/*
		 * Every LF of the text follows a CR (bare ones were made
		 * CRLF above), so the first CRLF ends at the first LF.
		 */
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol != NULL)
			eol--;
		if (eol == NULL || eol < p) {
			set_err(MSG_EUNTERMINATED, line, err, linep);
			goto fail;
		}
		if (eol == p) {			/* the empty line */
			m->body = eol + 2;
			break;
		}
		if (is_wsp(*p)) {		/* continuation */
			if (cur == NULL) {
				set_err(MSG_ECONT, line, err, linep);
				goto fail;
			}
		} else {
			if (m->nfields == MSG_MAX_FIELDS) {
				set_err(MSG_ETOOMANY, line, err, linep);
				goto fail;
			}
			for (n = 0; p + n < eol && is_ftext(p[n]); n++)
				;
			i = n;
			while (p + i < eol && is_wsp(p[i]))
				i++;
			if (n == 0 || p + i == eol || p[i] != ':') {
				set_err(MSG_ESYNTAX, line, err, linep);
				goto fail;
			}
			if (add_field(m, p, n) == -1)
				goto nomem;
			cur = &m->fields[m->nfields - 1];
			cur->value = p + i + 1;
		}
		cur->rawlen = (size_t)(eol + 2 - cur->raw);
		cur->valuelen = (size_t)(eol - cur->value);
		if (cur->rawlen > MSG_MAX_FIELD) {
			set_err(MSG_EFIELDLONG, line, err, linep);
			goto fail;
		}
		p = eol + 2;
	}
	m->bodylen = (size_t)(end - m->body);
	return m;
nomem:
	set_err(MSG_ENOMEM, line, err, linep);
fail:
	msg_free(m);
	return NULL;
}

void
msg_free(struct msg *m)
{
	if (m == NULL)
		return;
	free(m->copy);
	free(m->fields);
	free(m);
}

const char *
msg_text(const struct msg *m, size_t *len)
{
	*len = m->len;
	return m->text;
}

int
msg_had_lf(const struct msg *m)
{
	return m->copy != NULL;
}

size_t
msg_nfields(const struct msg *m)
{
	return m->nfields;
}

const struct msg_field *
msg_field(const struct msg *m, size_t i)
{
	return i < m->nfields ? &m->fields[i] : NULL;
}

const char *
msg_body(const struct msg *m, size_t *len)
{
	*len = m->bodylen;
	return m->body;
}

int
msg_field_is(const struct msg_field *f, const char *name)
{
	return strlen(name) == f->namelen &&
	    strncasecmp(f->raw, name, f->namelen) == 0;
}

size_t
msg_count(const struct msg *m, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < m->nfields; i++)
		if (msg_field_is(&m->fields[i], name))
			n++;
	return n;
}

char *
msg_unfold(const struct msg_field *f, size_t *lenp)
{
	char *out;
	size_t i, o = 0;

	if ((out = malloc(f->valuelen + 1)) == NULL)
		return NULL;
	for (i = 0; i < f->valuelen; i++) {
		if (f->value[i] == '\r' && i + 1 < f->valuelen &&
		    f->value[i + 1] == '\n') {
			i++;
			continue;
		}
		out[o++] = f->value[i];
	}
	out[o] = '\0';
	if (lenp != NULL)
		*lenp = o;
	return out;
}

/*
 * skip_comment: S[*I] is '('; move *I past the matching ')' (nesting and
 * quoted-pairs honoured).  Returns 0, or -1 when it is not closed.
 */
static int
skip_comment(const char *s, size_t len, size_t *i)
{
	size_t depth = 0;

	for (; *i < len; (*i)++) {
		if (s[*i] == '\\') {
			if (++(*i) == len)
				return -1;
		} else if (s[*i] == '(') {
			depth++;
		} else if (s[*i] == ')') {
			if (--depth == 0) {
				(*i)++;
				return 0;
			}
		}
	}
	return -1;
}

/* skip_quoted: S[*I] is '"'; move *I past the closing quote; 0 or -1. */
static int
skip_quoted(const char *s, size_t len, size_t *i)
{
	for ((*i)++; *i < len; (*i)++) {
		if (s[*i] == '\\') {
			if (++(*i) == len)
				return -1;
		} else if (s[*i] == '"') {
			(*i)++;
			return 0;
		}
	}
	return -1;
}

/* skip_cfws: move *I over whitespace and comments; 0, or -1 (bad comment). */
static int
skip_cfws(const char *s, size_t len, size_t *i)
{
	while (*i < len) {
		if (is_wsp(s[*i]) || s[*i] == '\r' || s[*i] == '\n')
			(*i)++;
		else if (s[*i] == '(') {
			if (skip_comment(s, len, i) == -1)
				return -1;
		} else
			break;
	}
	return 0;
}

/* phrase_char: allowed unquoted in a display name (atext, '.', UTF-8). */
static int
phrase_char(char c)
{
	unsigned char u = (unsigned char)c;

	if (u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') ||
	    (u >= 'A' && u <= 'Z'))
		return 1;
	return u != 0 && strchr("!#$%&'*+-/=?^_`{|}~.", u) != NULL;
}

static struct addr *
parse_spec(const char *s, size_t len, enum msg_from_err *err)
{
	struct addr *a;
	char *z;

	if (len == 0) {
		*err = MSG_FROM_EMPTY;
		return NULL;
	}
	if (s[0] == '@') {			/* obsolete route */
		*err = MSG_FROM_SYNTAX;
		return NULL;
	}
	if ((z = malloc(len + 1)) == NULL) {
		*err = MSG_FROM_ENOMEM;
		return NULL;
	}
	memcpy(z, s, len);
	z[len] = '\0';
	if ((a = addr_parse(z, NULL, NULL)) == NULL)
		*err = MSG_FROM_ADDR;
	free(z);
	return a;
}

/*
 * scan_top: classify the top level of S (outside quotes, comments and the
 * angle address): a ':' or ';' is a group, a ',' a list; find the one
 * angle address (*AS, *AE: its content).  Returns MSG_FROM_OK or the error.
 */
static enum msg_from_err
scan_top(const char *s, size_t len, size_t *as, size_t *ae, int *angle)
{
	size_t i = 0;

	*angle = 0;
	while (i < len) {
		switch (s[i]) {
		case '\0':
			return MSG_FROM_SYNTAX;
		case '"':
			if (skip_quoted(s, len, &i) == -1)
				return MSG_FROM_SYNTAX;
			continue;
		case '(':
			if (skip_comment(s, len, &i) == -1)
				return MSG_FROM_SYNTAX;
			continue;
		case ':':
		case ';':
			return MSG_FROM_GROUP;
		case ',':
			return MSG_FROM_LIST;
		case ')':
		case '>':
			return MSG_FROM_SYNTAX;
		case '<':
			if (*angle)
				return MSG_FROM_SYNTAX;
			*angle = 1;
			*as = ++i;
			while (i < len && s[i] != '>') {
				if (s[i] == '\0')
					return MSG_FROM_SYNTAX;
				if (s[i] == '"') {
					if (skip_quoted(s, len, &i) == -1)
						return MSG_FROM_SYNTAX;
				} else
					i++;
			}
			if (i == len)
				return MSG_FROM_SYNTAX;
			*ae = i++;
			continue;
		default:
			i++;
		}
	}
	return MSG_FROM_OK;
}

struct addr *
msg_mailbox(const char *s, size_t len, enum msg_from_err *err)
{
	enum msg_from_err e;
	size_t i = 0, as = 0, ae = 0, cs, ce;
	int angle;

	*err = MSG_FROM_OK;
	if ((e = scan_top(s, len, &as, &ae, &angle)) != MSG_FROM_OK) {
		*err = e;
		return NULL;
	}
	if (angle) {
		/* display name: words, quoted strings, comments, before '<' */
		while (i < as - 1) {
			if (s[i] == '"') {
				if (skip_quoted(s, len, &i) == -1)
					break;
			} else if (s[i] == '(') {
				if (skip_comment(s, len, &i) == -1)
					break;
			} else if (is_wsp(s[i]) || phrase_char(s[i]))
				i++;
			else
				break;
		}
		if (i != as - 1) {
			*err = MSG_FROM_SYNTAX;
			return NULL;
		}
		i = ae + 1;
		if (skip_cfws(s, len, &i) == -1 || i != len) {
			*err = MSG_FROM_SYNTAX;
			return NULL;
		}
		cs = as;
		ce = ae;
		while (cs < ce && is_wsp(s[cs]))
			cs++;
		while (ce > cs && is_wsp(s[ce - 1]))
			ce--;
		for (i = cs; i < ce; i++) {
			if (s[i] == '"') {
				(void)skip_quoted(s, ce, &i);
				i--;
			} else if (s[i] == '(' || is_wsp(s[i])) {
				*err = MSG_FROM_SYNTAX;
				return NULL;
			}
		}
		return parse_spec(s + cs, ce - cs, err);
	}
	/* a bare addr-spec between CFWS */
	if (skip_cfws(s, len, &i) == -1) {
		*err = MSG_FROM_SYNTAX;
		return NULL;
	}
	cs = i;
	while (i < len && !is_wsp(s[i]) && s[i] != '(' && s[i] != '\r' &&
	    s[i] != '\n') {
		if (s[i] == '"') {
			if (skip_quoted(s, len, &i) == -1) {
				*err = MSG_FROM_SYNTAX;
				return NULL;
			}
		} else
			i++;
	}
	ce = i;
	if (skip_cfws(s, len, &i) == -1 || i != len) {
		*err = MSG_FROM_SYNTAX;
		return NULL;
	}
	return parse_spec(s + cs, ce - cs, err);
}

struct addr *
msg_from(const struct msg *m, enum msg_from_err *err)
{
	const struct msg_field *f = NULL;
	struct addr *a;
	char *v;
	size_t i, n = 0, len;

	for (i = 0; i < m->nfields; i++) {
		if (msg_field_is(&m->fields[i], "from")) {
			f = &m->fields[i];
			n++;
		}
	}
	if (n != 1) {
		*err = n == 0 ? MSG_FROM_NONE : MSG_FROM_MULTIPLE;
		return NULL;
	}
	/* a field on one line is its own unfolded form: no copy */
	if (memchr(f->value, '\r', f->valuelen) == NULL)
		return msg_mailbox(f->value, f->valuelen, err);
	if ((v = msg_unfold(f, &len)) == NULL) {
		*err = MSG_FROM_ENOMEM;
		return NULL;
	}
	a = msg_mailbox(v, len, err);
	free(v);
	return a;
}

const char *
msg_errname(enum msg_err e)
{
	switch (e) {
	case MSG_OK:
		return "ok";
	case MSG_ETOOBIG:
		return "too-big";
	case MSG_ETOOMANY:
		return "too-many-fields";
	case MSG_EFIELDLONG:
		return "field-too-long";
	case MSG_ESYNTAX:
		return "syntax";
	case MSG_ECONT:
		return "continuation-first";
	case MSG_EUNTERMINATED:
		return "unterminated";
	case MSG_ENOMEM:
		return "no-memory";
	}
	return "?";
}

const char *
msg_strerror(enum msg_err e)
{
	switch (e) {
	case MSG_OK:
		return "no error";
	case MSG_ETOOBIG:
		return "message larger than 64 MiB";
	case MSG_ETOOMANY:
		return "more than 1000 header fields";
	case MSG_EFIELDLONG:
		return "header field longer than 65536 octets";
	case MSG_ESYNTAX:
		return "expected a header field \"Name: value\" or an empty "
		    "line";
	case MSG_ECONT:
		return "continuation line before the first header field";
	case MSG_EUNTERMINATED:
		return "header line without a line end";
	case MSG_ENOMEM:
		return "out of memory";
	}
	return "?";
}

const char *
msg_from_errname(enum msg_from_err e)
{
	switch (e) {
	case MSG_FROM_OK:
		return "ok";
	case MSG_FROM_NONE:
		return "no-from";
	case MSG_FROM_MULTIPLE:
		return "multiple-from";
	case MSG_FROM_EMPTY:
		return "empty";
	case MSG_FROM_GROUP:
		return "group";
	case MSG_FROM_LIST:
		return "multiple-mailboxes";
	case MSG_FROM_SYNTAX:
		return "syntax";
	case MSG_FROM_ADDR:
		return "bad-address";
	case MSG_FROM_ENOMEM:
		return "no-memory";
	}
	return "?";
}
