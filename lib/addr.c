/*
 * addr.c: parse an addr-spec and derive the forms senderkey hashes and
 * publishes.  RFC 5321 Mailbox syntax (dot-atom or quoted-string local
 * part), RFC 6531/6532 UTF-8, no domain literals, no comments or folding.
 * Unicode work is delegated: u8_check and u8_normalize (libunistring) for
 * UTF-8 and NFC, idn2_lookup_u8 (libidn2) for IDNA2008 A-labels.
 * Plain ASCII skips the Unicode calls that cannot change it (NFC of ASCII
 * is itself; ASCII domains are checked as LDH here), and a parsed address
 * is one allocation (zonegen parses a million of them).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>
#include <unistr.h>
#include <uninorm.h>

#include "addr.h"
#include "errtab.h"

#define ADDR_MAX	254	/* RFC 5321 path limit minus the brackets */
#define LOCAL_MAX	64
#define DOMAIN_MAX	253
#define LABEL_MAX	63

/*
 * One allocation: offsets, then the strings: the canonical address, the
 * local part as written and, only when it differs, the canonical local
 * part.  The domain is the end of the canonical address (after its last
 * '@'), so it needs no copy.  zonegen keeps a million of these.
 */
struct addr {
	uint16_t	local;		/* unquoted, NFC */
	uint16_t	canon_local;	/* NFC, ASCII lowercased */
	uint16_t	domain;		/* A-labels, lowercase */
	char		s[];		/* canon_local@domain, quoted if needed */
};

static int
set_err(enum addr_err e, size_t at, enum addr_err *err, size_t *pos)
{
	if (err != NULL)
		*err = e;
	if (pos != NULL)
		*pos = at;
	return -1;
}

/*
 * atext of RFC 5322, plus any non-ASCII octet (UTF-8 checked elsewhere):
 * a bitmap over 0..127 (ALPHA DIGIT and !#$%&'*+-/=?^_`{|}~).
 */
static const uint64_t atext_map[2] = {
	0xa3ffacfa00000000ULL, 0x7fffffffc7fffffeULL,
};

static int
is_atext(unsigned char c)
{
	return c >= 0x80 || ((atext_map[c >> 6] >> (c & 63)) & 1) != 0;
}

/* qtext of RFC 5322 (and SP/HTAB, which RFC 5321 allows in quotes) */
static int
is_qtext(unsigned char c)
{
	return c >= 0x80 || c == ' ' || c == '\t' ||
	    (c >= 0x21 && c <= 0x7e && c != '"' && c != '\\');
}

static void
ascii_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* nfc: the NFC form of the UTF-8 string S (malloc'd), NULL on failure. */
static char *
nfc(const char *s)
{
	uint8_t *r;
	size_t n = 0;
	char *out;

	r = u8_normalize(UNINORM_NFC, (const uint8_t *)s, strlen(s), NULL, &n);
	if (r == NULL)
		return NULL;
	if ((out = malloc(n + 1)) == NULL) {
		free(r);
		return NULL;
	}
	memcpy(out, r, n);
	out[n] = '\0';
	free(r);
	return out;
}

/* is_ascii: S has no octet over 0x7f (so NFC leaves it as it is). */
static int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* is_dot_atom: S needs no quotes to be written as a local part. */
static int
is_dot_atom(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/*
 * parse_local: the local part at IN (N octets) up to the '@' (stored in
 * *AT), unquoted into OUT (N + 1 octets).  Returns OUT, or NULL with the
 * error set.
 */
static char *
parse_local(const char *in, size_t n, char *out, size_t *at, int need_at,
    enum addr_err *err, size_t *pos)
{
	size_t i = 0, o = 0;

	if (in[0] == '"') {
		for (i = 1; i < n && in[i] != '"'; i++) {
			unsigned char c = (unsigned char)in[i];

			if (c == '\\') {
				c = (unsigned char)in[++i];
				if (c == '\0' || !(is_qtext(c) || c == '"' ||
				    c == '\\')) {
					set_err(ADDR_EQUOTE, i, err, pos);
					goto fail;
				}
			} else if (!is_qtext(c)) {
				set_err(ADDR_EQUOTE, i, err, pos);
				goto fail;
			}
			out[o++] = (char)c;
		}
		if (i >= n) {
			set_err(ADDR_EQUOTE, 0, err, pos);
			goto fail;
		}
		i++;	/* closing quote */
		if (in[i] != '@') {
			set_err(in[i] == '\0' ? ADDR_ENOAT : ADDR_EQUOTE, i,
			    err, pos);
			goto fail;
		}
		if (o == 0) {
			set_err(ADDR_ELOCAL_EMPTY, 0, err, pos);
			goto fail;
		}
	} else {
		for (i = 0; i < n && in[i] != '@'; i++) {
			unsigned char c = (unsigned char)in[i];

			if (c == '.') {
				if (i == 0 || in[i + 1] == '.' ||
				    in[i + 1] == '@' || in[i + 1] == '\0') {
					set_err(ADDR_ELOCAL_DOT,
					    i == 0 || in[i + 1] != '.' ? i :
					    i + 1, err, pos);
					goto fail;
				}
			} else if (!is_atext(c)) {
				set_err(ADDR_ELOCAL_CHAR, i, err, pos);
				goto fail;
			}
			out[o++] = (char)c;
		}
		if (i == n && need_at) {
			set_err(ADDR_ENOAT, n, err, pos);
			goto fail;
		}
		if (i == 0) {
			set_err(ADDR_ELOCAL_EMPTY, 0, err, pos);
			goto fail;
		}
	}
	/* addr_split: the limit applies to the mailbox it leads to */
	if (need_at && i > LOCAL_MAX) {
		set_err(ADDR_ELOCAL_TOOLONG, LOCAL_MAX, err, pos);
		goto fail;
	}
	out[o] = '\0';
	*at = i;
	return out;
fail:
	return NULL;
}

/* check_ldh: an ASCII name of LDH labels; returns the bad offset or -1. */
static long
check_ldh(const char *s, enum addr_err *e)
{
	size_t i, start = 0, n = strlen(s);

	*e = ADDR_EDOMAIN_SYNTAX;
	for (i = 0; i <= n; i++) {
		char c = s[i];

		if (c == '.' || c == '\0') {
			if (i == start || i - start > LABEL_MAX)
				return (long)i;
			if (s[start] == '-' || s[i - 1] == '-')
				return (long)(s[start] == '-' ? start : i - 1);
			start = i + 1;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-'))
			return (long)i;
	}
	if (strchr(s, '.') == NULL) {
		*e = ADDR_EDOMAIN_SINGLE;
		return 0;
	}
	if (n > DOMAIN_MAX) {
		*e = ADDR_EDOMAIN_TOOLONG;
		return DOMAIN_MAX;
	}
	return -1;
}

/*
 * domain_alabel: IN (UTF-8 or ASCII) as lowercase A-labels in OUT (OUTSZ
 * octets: more than strlen(IN) and than DOMAIN_MAX).  Returns 0, or -1
 * with the error set (ADDR_OK when out of memory).
 */
static int
domain_alabel(const char *in, char *out, size_t outsz, enum addr_err *err,
    size_t *pos)
{
	char *tmp = NULL;
	const char *p;
	enum addr_err e;
	size_t n;
	long bad;
	int ascii = 1;

	if (in[0] == '\0') {
		set_err(ADDR_EDOMAIN_EMPTY, 0, err, pos);
		return -1;
	}
	if (in[0] == '[') {
		set_err(ADDR_EDOMAIN_LITERAL, 0, err, pos);
		return -1;
	}
	for (p = in; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80)
			ascii = 0;
		/* ASCII A-Z lowered as they are copied */
		if ((size_t)(p - in) + 1 < outsz)
			out[p - in] = *p >= 'A' && *p <= 'Z' ?
			    (char)(*p - 'A' + 'a') : *p;
	}
	if (ascii) {
		if ((size_t)(p - in) >= outsz)
			return -1;
		out[p - in] = '\0';
		if ((bad = check_ldh(out, &e)) >= 0) {
			set_err(e, (size_t)bad, err, pos);
			return -1;
		}
		/* An ACE label must be a valid A-label. */
		if (strstr(out, "xn--") != NULL) {
			if (idn2_to_unicode_8z8z(out, &tmp, 0) != IDN2_OK) {
				set_err(ADDR_EDOMAIN_IDN, 0, err, pos);
				return -1;
			}
			idn2_free(tmp);
		}
		return 0;
	}
	if (idn2_lookup_u8((const uint8_t *)in, (uint8_t **)&tmp,
	    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK) {
		set_err(ADDR_EDOMAIN_IDN, 0, err, pos);
		return -1;
	}
	ascii_lower(tmp);
	if ((bad = check_ldh(tmp, &e)) >= 0) {
		set_err(e == ADDR_EDOMAIN_SYNTAX ? ADDR_EDOMAIN_IDN : e, 0,
		    err, pos);
		idn2_free(tmp);
		return -1;
	}
	/* check_ldh passed: at most DOMAIN_MAX octets */
	if ((n = strlen(tmp)) >= outsz) {
		idn2_free(tmp);
		return -1;
	}
	memcpy(out, tmp, n + 1);
	idn2_free(tmp);
	return 0;
}

char *
addr_domain_parse(const char *in, enum addr_err *err)
{
	char *copy, *out;
	size_t n = strlen(in), pos;

	if (err != NULL)
		*err = ADDR_OK;
	if (u8_check((const uint8_t *)in, n) != NULL) {
		set_err(ADDR_EUTF8, 0, err, NULL);
		return NULL;
	}
	if ((copy = strdup(in)) == NULL ||
	    (out = malloc(n + DOMAIN_MAX + 2)) == NULL) {
		free(copy);
		return NULL;
	}
	if (n > 1 && copy[n - 1] == '.')
		copy[n - 1] = '\0';
	if (domain_alabel(copy, out, n + DOMAIN_MAX + 2, err, &pos) == -1) {
		free(out);
		out = NULL;
	}
	free(copy);
	return out;
}

/*
 * make_canon: LOCAL@DOMAIN, LOCAL quoted when it is not a dot-atom, into
 * OUT (at least 2 * strlen(LOCAL) + strlen(DOMAIN) + 4 octets).  Returns
 * the length written, without the NUL.
 */
static size_t
make_canon(const char *local, const char *domain, char *out)
{
	size_t o = 0, dlen = strlen(domain);
	const char *p;
	int quote = !is_dot_atom(local);

	if (quote)
		out[o++] = '"';
	for (p = local; *p != '\0'; p++) {
		if (quote && (*p == '"' || *p == '\\'))
			out[o++] = '\\';
		out[o++] = *p;
	}
	if (quote)
		out[o++] = '"';
	out[o++] = '@';
	memcpy(out + o, domain, dlen + 1);
	return o + dlen;
}

/*
 * pack: a new addr holding copies of LOCAL and DOMAIN and the forms
 * derived from them, in one allocation.  NULL when out of memory.
 */
static struct addr *
pack(const char *local, const char *domain)
{
	size_t ll = strlen(local), dl = strlen(domain), clen, esc = 0, i;
	int quote = !is_dot_atom(local), lower = 1;
	struct addr *a;
	char *cl;

	for (i = 0; i < ll; i++) {
		if (local[i] >= 'A' && local[i] <= 'Z')
			lower = 0;
		if (local[i] == '"' || local[i] == '\\')
			esc++;
	}
	clen = ll + (quote ? 2 + esc : 0) + 1 + dl;
	if ((a = malloc(sizeof(*a) + clen + 1 + ll + 1 +
	    (lower ? 0 : ll + 1))) == NULL)
		return NULL;
	a->local = (uint16_t)(clen + 1);
	memcpy(a->s + a->local, local, ll + 1);
	a->canon_local = a->local;
	if (!lower) {
		a->canon_local = (uint16_t)(a->local + ll + 1);
		cl = a->s + a->canon_local;
		memcpy(cl, local, ll + 1);
		ascii_lower(cl);
	}
	make_canon(a->s + a->canon_local, domain, a->s);
	a->domain = (uint16_t)(clen - dl);
	return a;
}

/* ascii_only: the N octets at S are all below 0x80, 8 at a time. */
static int
ascii_only(const char *s, size_t n)
{
	uint64_t w, acc = 0;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= (unsigned char)s[i];
	return (acc & 0x8080808080808080ULL) == 0;
}

struct addr *
addr_parse(const char *in, enum addr_err *err, size_t *pos)
{
	struct addr *a = NULL;
	const uint8_t *bad;
	char raw[ADDR_MAX + 1], domain[ADDR_MAX + 1], *local = NULL;
	size_t at, n = strlen(in), dpos = 0;

	if (err != NULL)
		*err = ADDR_OK;
	if (pos != NULL)
		*pos = 0;
	if (n == 0) {
		set_err(ADDR_EEMPTY, 0, err, pos);
		return NULL;
	}
	/* ASCII is UTF-8: no u8_check, and NFC leaves it as it is. */
	if (!ascii_only(in, n) &&
	    (bad = u8_check((const uint8_t *)in, n)) != NULL) {
		set_err(ADDR_EUTF8, (size_t)(bad - (const uint8_t *)in), err,
		    pos);
		return NULL;
	}
	if (n > ADDR_MAX) {
		set_err(ADDR_ETOOLONG, ADDR_MAX, err, pos);
		return NULL;
	}
	if (parse_local(in, n, raw, &at, 1, err, pos) == NULL)
		return NULL;
	if (domain_alabel(in + at + 1, domain, sizeof(domain), err,
	    &dpos) == -1) {
		if (pos != NULL)
			*pos = at + 1 + dpos;
		return NULL;
	}
	if (!is_ascii(raw) && (local = nfc(raw)) == NULL)
		return NULL;
	a = pack(local != NULL ? local : raw, domain);
	free(local);
	/* A-labels (and NFC) can make the canonical form longer than IN:
	   it must still be an address (addr_parse of it gives it back). */
	if (a != NULL && strlen(a->s) > ADDR_MAX) {
		free(a);
		set_err(ADDR_ETOOLONG, n, err, pos);
		return NULL;
	}
	/* So can NFC make the local part need quotes (U+037E is ';'). */
	if (a != NULL && (size_t)a->domain - 1 > LOCAL_MAX) {
		free(a);
		set_err(ADDR_ELOCAL_TOOLONG, at, err, pos);
		return NULL;
	}
	return a;
}

int
addr_split(const char *in, enum addr_form form, char *local, size_t localsz,
    size_t *domain, enum addr_err *err, size_t *pos)
{
	const char *at;
	size_t n = strlen(in), i;

	if (err != NULL)
		*err = ADDR_OK;
	if (pos != NULL)
		*pos = 0;
	if (n == 0)
		return set_err(ADDR_EEMPTY, 0, err, pos);
	if (localsz <= n)
		return set_err(ADDR_ETOOLONG, localsz > 0 ? localsz - 1 : 0,
		    err, pos);
	if (form == ADDR_FORM_INTERNAL) {
		/* literal text up to the last '@' */
		if ((at = strrchr(in, '@')) == NULL) {
			memcpy(local, in, n + 1);
			*domain = n;
			return 1;
		}
		memcpy(local, in, (size_t)(at - in));
		local[at - in] = '\0';
		*domain = (size_t)(at - in) + 1;
		return 0;
	}
	if (parse_local(in, n, local, &i, 0, err, pos) == NULL)
		return -1;
	if (i == n) {
		*domain = n;
		return 1;
	}
	*domain = i + 1;
	return 0;
}

/*
 * quote_local: LOCAL (literal text) as an RFC 5321 local part into OUT
 * (2 * strlen(LOCAL) + 3 octets): as it is when it is a dot-atom, else
 * quoted with '"' and '\\' escaped.  Returns the length written.
 */
static size_t
quote_local(const char *local, char *out)
{
	size_t o = 0;
	const char *p;

	if (is_dot_atom(local)) {
		o = strlen(local);
		memcpy(out, local, o + 1);
		return o;
	}
	out[o++] = '"';
	for (p = local; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			out[o++] = '\\';
		out[o++] = *p;
	}
	out[o++] = '"';
	out[o] = '\0';
	return o;
}

struct addr *
addr_make(const char *local, const char *domain, enum addr_err *err)
{
	char buf[2 * ADDR_MAX + 4];
	size_t ll = strlen(local), dl = strlen(domain), o;

	if (err != NULL)
		*err = ADDR_OK;
	if (ll == 0) {
		set_err(ADDR_ELOCAL_EMPTY, 0, err, NULL);
		return NULL;
	}
	if (ll + 1 + dl > ADDR_MAX) {
		set_err(ADDR_ETOOLONG, 0, err, NULL);
		return NULL;
	}
	o = quote_local(local, buf);
	buf[o++] = '@';
	memcpy(buf + o, domain, dl + 1);
	return addr_parse(buf, err, NULL);
}

/*
 * internal_pos: an error position QPOS in the quoted form of LOCAL mapped
 * back to the internal form (LOCAL '@' domain).
 */
static size_t
internal_pos(const char *local, size_t qpos)
{
	size_t i, q = 1, extra = 2;

	for (i = 0; local[i] != '\0'; i++) {
		if (local[i] == '"' || local[i] == '\\') {
			q++;
			extra++;
		}
		if (qpos <= q)
			return i;
		q++;
	}
	return qpos >= i + extra ? qpos - extra : i;
}

struct addr *
addr_parse_form(const char *in, enum addr_form form, enum addr_err *err,
    size_t *pos)
{
	char local[ADDR_MAX + 1], buf[2 * ADDR_MAX + 4];
	struct addr *a;
	size_t n = strlen(in), dom, o, qpos = 0;
	int r;

	if (form == ADDR_FORM_SMTP)
		return addr_parse(in, err, pos);
	if (n > ADDR_MAX) {
		set_err(ADDR_ETOOLONG, ADDR_MAX, err, pos);
		return NULL;
	}
	if ((r = addr_split(in, form, local, sizeof(local), &dom, err,
	    pos)) != 0) {
		if (r == 1)
			set_err(ADDR_ENOAT, n, err, pos);
		return NULL;
	}
	o = quote_local(local, buf);
	buf[o++] = '@';
	memcpy(buf + o, in + dom, n - dom + 1);
	if ((a = addr_parse(buf, err, &qpos)) == NULL && pos != NULL)
		*pos = buf[0] == '"' ? internal_pos(local, qpos) : qpos;
	return a;
}

void
addr_free(struct addr *a)
{
	free(a);	/* one allocation (pack) */
}

size_t
addr_size(const struct addr *a)
{
	const char *last = a->s + (a->canon_local > a->local ?
	    a->canon_local : a->local);

	return (size_t)(last - (const char *)a) + strlen(last) + 1;
}

struct addr *
addr_copy(const struct addr *a, void *buf)
{
	return memcpy(buf, a, addr_size(a));
}

struct addr *
addr_dup(const struct addr *a)
{
	size_t n = addr_size(a);
	struct addr *d;

	if ((d = malloc(n)) == NULL)
		return NULL;
	return memcpy(d, a, n);
}

const char *
addr_local(const struct addr *a)
{
	return a->s + a->local;
}

const char *
addr_canon_local(const struct addr *a)
{
	return a->s + a->canon_local;
}

const char *
addr_domain(const struct addr *a)
{
	return a->s + a->domain;
}

const char *
addr_canon(const struct addr *a)
{
	return a->s;
}

static const struct errtab errtab[] = {
	{ ADDR_OK, "ok", "no error" },
	{ ADDR_EEMPTY, "empty", "empty address" },
	{ ADDR_ETOOLONG, "too-long", "address longer than 254 octets" },
	{ ADDR_ENOAT, "no-at", "no '@' between local part and domain" },
	{ ADDR_ELOCAL_EMPTY, "local-empty", "empty local part" },
	{ ADDR_ELOCAL_TOOLONG, "local-too-long",
	  "local part longer than 64 octets" },
	{ ADDR_ELOCAL_CHAR, "local-char",
	  "character not allowed in an unquoted local part" },
	{ ADDR_ELOCAL_DOT, "local-dot",
	  "leading, trailing or doubled '.' in the local part" },
	{ ADDR_EQUOTE, "quote",
	  "unterminated quoted string or bad character in quotes" },
	{ ADDR_EUTF8, "utf8", "not valid UTF-8" },
	{ ADDR_EDOMAIN_EMPTY, "domain-empty", "empty domain" },
	{ ADDR_EDOMAIN_LITERAL, "domain-literal",
	  "address literals ([...]) have no DNS name to publish under" },
	{ ADDR_EDOMAIN_SYNTAX, "domain-syntax",
	  "bad domain label (letters, digits, '-', 1 to 63 octets)" },
	{ ADDR_EDOMAIN_IDN, "domain-idn",
	  "internationalised domain name rejected by IDNA2008" },
	{ ADDR_EDOMAIN_TOOLONG, "domain-too-long",
	  "domain longer than 253 octets" },
	{ ADDR_EDOMAIN_SINGLE, "domain-single-label",
	  "domain has a single label" },
	{ ADDR_EROUTE, "route",
	  "routing (a!b!c, a%b%c@host, '!' with '%') names no one mailbox" },
};

const char *
addr_errname(enum addr_err e)
{
	return errtab_name(errtab, sizeof(errtab) / sizeof(errtab[0]), (int)e);
}

const char *
addr_strerror(enum addr_err e)
{
	return errtab_text(errtab, sizeof(errtab) / sizeof(errtab[0]), (int)e);
}
