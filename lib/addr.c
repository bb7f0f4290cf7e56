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
#include <stdlib.h>
#include <string.h>

#include <idn2.h>
#include <unistr.h>
#include <uninorm.h>

#include "addr.h"

#define ADDR_MAX	254	/* RFC 5321 path limit minus the brackets */
#define LOCAL_MAX	64
#define DOMAIN_MAX	253
#define LABEL_MAX	63

/* One allocation: the struct, then the four strings it points to. */
struct addr {
	char	*local;		/* unquoted, NFC */
	char	*canon_local;	/* NFC, ASCII lowercased */
	char	*domain;	/* A-labels, lowercase */
	char	*canon;		/* canon_local@domain, quoted if needed */
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

/* atext of RFC 5322, plus any non-ASCII octet (UTF-8 checked elsewhere) */
static int
is_atext(unsigned char c)
{
	if (c >= 0x80)
		return 1;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
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
 * parse_local: the local part at IN up to the '@' (stored in *AT).
 * Returns the unquoted text, malloc'd, or NULL with the error set.
 */
static char *
parse_local(const char *in, size_t *at, enum addr_err *err, size_t *pos)
{
	size_t i = 0, o = 0, n = strlen(in);
	char *out;

	if ((out = malloc(n + 1)) == NULL)
		return NULL;
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
		if (i == n) {
			set_err(ADDR_ENOAT, n, err, pos);
			goto fail;
		}
		if (i == 0) {
			set_err(ADDR_ELOCAL_EMPTY, 0, err, pos);
			goto fail;
		}
	}
	if (i > LOCAL_MAX) {
		set_err(ADDR_ELOCAL_TOOLONG, LOCAL_MAX, err, pos);
		goto fail;
	}
	out[o] = '\0';
	*at = i;
	return out;
fail:
	free(out);
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

/* domain_alabel: IN (UTF-8 or ASCII) as lowercase A-labels, malloc'd. */
static char *
domain_alabel(const char *in, enum addr_err *err, size_t *pos)
{
	char *out = NULL, *tmp = NULL;
	const char *p;
	enum addr_err e;
	long bad;
	int ascii = 1;

	if (in[0] == '\0') {
		set_err(ADDR_EDOMAIN_EMPTY, 0, err, pos);
		return NULL;
	}
	if (in[0] == '[') {
		set_err(ADDR_EDOMAIN_LITERAL, 0, err, pos);
		return NULL;
	}
	for (p = in; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = 0;
	if (ascii) {
		if ((out = strdup(in)) == NULL)
			return NULL;
		ascii_lower(out);
		if ((bad = check_ldh(out, &e)) >= 0) {
			set_err(e, (size_t)bad, err, pos);
			goto fail;
		}
		/* An ACE label must be a valid A-label. */
		if (strstr(out, "xn--") != NULL) {
			if (idn2_to_unicode_8z8z(out, &tmp, 0) != IDN2_OK) {
				set_err(ADDR_EDOMAIN_IDN, 0, err, pos);
				goto fail;
			}
			idn2_free(tmp);
		}
		return out;
	}
	if (idn2_lookup_u8((const uint8_t *)in, (uint8_t **)&tmp,
	    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK) {
		set_err(ADDR_EDOMAIN_IDN, 0, err, pos);
		return NULL;
	}
	out = strdup(tmp);
	idn2_free(tmp);
	if (out == NULL)
		return NULL;
	ascii_lower(out);
	if ((bad = check_ldh(out, &e)) >= 0) {
		set_err(e == ADDR_EDOMAIN_SYNTAX ? ADDR_EDOMAIN_IDN : e, 0,
		    err, pos);
		goto fail;
	}
	return out;
fail:
	free(out);
	return NULL;
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
	if ((copy = strdup(in)) == NULL)
		return NULL;
	if (n > 1 && copy[n - 1] == '.')
		copy[n - 1] = '\0';
	out = domain_alabel(copy, err, &pos);
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
	size_t ll = strlen(local), dl = strlen(domain);
	struct addr *a;
	char *p;

	/* local, canon_local, domain, canon (at most 2 ll + dl + 3 + NUL) */
	if ((a = malloc(sizeof(*a) + (ll + 1) * 2 + dl + 1 +
	    2 * ll + dl + 4)) == NULL)
		return NULL;
	p = (char *)(a + 1);
	a->local = p;
	memcpy(p, local, ll + 1);
	p += ll + 1;
	a->canon_local = p;
	memcpy(p, local, ll + 1);
	ascii_lower(p);
	p += ll + 1;
	a->domain = p;
	memcpy(p, domain, dl + 1);
	p += dl + 1;
	a->canon = p;
	make_canon(a->canon_local, a->domain, p);
	return a;
}

struct addr *
addr_parse(const char *in, enum addr_err *err, size_t *pos)
{
	struct addr *a = NULL;
	const uint8_t *bad;
	char *raw = NULL, *local = NULL, *domain = NULL;
	size_t at, n = strlen(in), dpos = 0;

	if (err != NULL)
		*err = ADDR_OK;
	if (pos != NULL)
		*pos = 0;
	if (n == 0) {
		set_err(ADDR_EEMPTY, 0, err, pos);
		return NULL;
	}
	if ((bad = u8_check((const uint8_t *)in, n)) != NULL) {
		set_err(ADDR_EUTF8, (size_t)(bad - (const uint8_t *)in), err,
		    pos);
		return NULL;
	}
	if (n > ADDR_MAX) {
		set_err(ADDR_ETOOLONG, ADDR_MAX, err, pos);
		return NULL;
	}
	if ((raw = parse_local(in, &at, err, pos)) == NULL)
		return NULL;
	if ((domain = domain_alabel(in + at + 1, err, &dpos)) == NULL) {
		if (pos != NULL)
			*pos = at + 1 + dpos;
		goto done;
	}
	if (!is_ascii(raw) && (local = nfc(raw)) == NULL)
		goto done;
	a = pack(local != NULL ? local : raw, domain);
done:
	free(raw);
	free(local);
	free(domain);
	return a;
}

void
addr_free(struct addr *a)
{
	free(a);	/* one allocation (pack) */
}

const char *
addr_local(const struct addr *a)
{
	return a->local;
}

const char *
addr_canon_local(const struct addr *a)
{
	return a->canon_local;
}

const char *
addr_domain(const struct addr *a)
{
	return a->domain;
}

const char *
addr_canon(const struct addr *a)
{
	return a->canon;
}

static const struct {
	enum addr_err	 e;
	const char	*name;
	const char	*text;
} errtab[] = {
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
};

const char *
addr_errname(enum addr_err e)
{
	size_t i;

	for (i = 0; i < sizeof(errtab) / sizeof(errtab[0]); i++)
		if (errtab[i].e == e)
			return errtab[i].name;
	return "unknown";
}

const char *
addr_strerror(enum addr_err e)
{
	size_t i;

	for (i = 0; i < sizeof(errtab) / sizeof(errtab[0]); i++)
		if (errtab[i].e == e)
			return errtab[i].text;
	return "unknown error";
}
