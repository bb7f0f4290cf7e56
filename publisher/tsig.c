/*
 * tsig.c: read TSIG keys in BIND, Knot and K*.private form (tsig.h).
 * Pure parsing except tsig_load.  Not here: signing (ldns does it in
 * update.c and current.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "lib/b64.h"
#include "lib/secret.h"
#include "tsig.h"

#define TSIG_NAME_MAX	255
#define TSIG_SECRET_MAX	1024	/* base64 characters */

struct tsig {
	char	*name;
	char	*alg;
	char	*secret;
};

/* What tsig_load's judge takes and keeps. */
struct tsig_judge {
	const char	*path;
	struct tsig	*k;
};

/* Algorithm names as written, and the wire names ldns knows. */
static const struct {
	const char	*name;
	const char	*wire;
	int		 number;	/* dnssec-keygen's number */
} algs[] = {
	{ "hmac-md5", "hmac-md5.sig-alg.reg.int.", 157 },
	{ "hmac-sha1", "hmac-sha1.", 161 },
	{ "hmac-sha224", "hmac-sha224.", 162 },
	{ "hmac-sha256", "hmac-sha256.", 163 },
	{ "hmac-sha384", "hmac-sha384.", 164 },
	{ "hmac-sha512", "hmac-sha512.", 165 },
};

static const char *
alg_by_name(const char *s, size_t len)
{
	size_t i, n;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		n = strlen(algs[i].name);
		if ((len == n || (len == strlen(algs[i].wire) &&
		    strncasecmp(s, algs[i].wire, len) == 0)) &&
		    strncasecmp(s, algs[i].name, n) == 0)
			return algs[i].wire;
	}
	return NULL;
}

void
tsig_free(struct tsig *k)
{
	if (k == NULL)
		return;
	if (k->secret != NULL) {
		OPENSSL_cleanse(k->secret, strlen(k->secret));
		free(k->secret);
	}
	free(k->name);
	free(k->alg);
	free(k);
}

const char *
tsig_name(const struct tsig *k)
{
	return k->name;
}

const char *
tsig_algorithm(const struct tsig *k)
{
	return k->alg;
}

const char *
tsig_secret(const struct tsig *k)
{
	return k->secret;
}

/* make_name: NAME (LEN octets) lowercased, with a trailing dot. */
static char *
make_name(const char *s, size_t len)
{
	char *n;
	size_t i;

	while (len > 1 && s[len - 1] == '.' && s[len - 2] == '.')
		len--;
	if (len == 0 || len > TSIG_NAME_MAX)
		return NULL;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("-_.", s[i]) ==
		    NULL)
			return NULL;
	if ((n = malloc(len + 2)) == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		n[i] = (char)tolower((unsigned char)s[i]);
	if (len == 1 && s[0] == '.')
		return n[1] = '\0', n;
	if (n[len - 1] != '.')
		n[len++] = '.';
	n[len] = '\0';
	return n;
}

/* check_secret: S is valid base64 of at least one octet; -1 otherwise. */
static int
check_secret(const char *s)
{
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	int rc;

	if (*s == '\0' || strlen(s) > TSIG_SECRET_MAX)
		return -1;
	rc = b64_decode(s, &raw, &rawlen) == 0 && rawlen > 0 ? 0 : -1;
	if (raw != NULL)
		OPENSSL_cleanse(raw, rawlen);
	free(raw);
	return rc;
}

static unsigned long
line_of(const char *text, const char *p)
{
	unsigned long line = 1;

	for (; text < p; text++)
		if (*text == '\n')
			line++;
	return line;
}

/*
 * Tokens of BIND's named.conf syntax: words, quoted strings, and the
 * punctuation { } ;  Comments: #, //, and C comments.
 */
struct lex {
	const char	*text, *p, *end;
	const char	*tok;
	size_t		 toklen;
	int		 quoted;
};

static int
lex_next(struct lex *l)
{
	for (;;) {
		while (l->p < l->end && isspace((unsigned char)*l->p))
			l->p++;
		if (l->p < l->end && (*l->p == '#' || (*l->p == '/' &&
		    l->p + 1 < l->end && l->p[1] == '/'))) {
			while (l->p < l->end && *l->p != '\n')
				l->p++;
			continue;
		}
		if (l->p + 1 < l->end && l->p[0] == '/' && l->p[1] == '*') {
			const char *e = memmem(l->p + 2, (size_t)(l->end -
			    l->p - 2), "*/", 2);

			l->p = e == NULL ? l->end : e + 2;
			continue;
		}
		break;
	}
	l->quoted = 0;
	l->tok = l->p;
	if (l->p >= l->end)
		return -1;
	if (*l->p == '"') {
		l->tok = ++l->p;
		while (l->p < l->end && *l->p != '"' && *l->p != '\n')
			l->p++;
		if (l->p >= l->end || *l->p != '"')
			return -1;
		l->toklen = (size_t)(l->p - l->tok);
		l->p++;
		l->quoted = 1;
		return 0;
	}
	if (strchr("{};", *l->p) != NULL) {
		l->toklen = 1;
		l->p++;
		return 0;
	}
	while (l->p < l->end && !isspace((unsigned char)*l->p) &&
	    strchr("{};\"", *l->p) == NULL)
		l->p++;
	l->toklen = (size_t)(l->p - l->tok);
	return 0;
}

static int
lex_is(const struct lex *l, const char *s)
{
	return !l->quoted && l->toklen == strlen(s) &&
	    strncasecmp(l->tok, s, l->toklen) == 0;
}

#define FAIL(...) do {							\
	snprintf(err, errsz, __VA_ARGS__);				\
	goto fail;							\
} while (0)

static struct tsig *
parse_bind(const char *text, size_t len, const char *fname, char *err,
    size_t errsz)
{
	struct lex l = { text, text, text + len, NULL, 0, 0 };
	struct tsig *k = NULL;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		FAIL("out of memory");
	for (;;) {
		if (lex_next(&l) == -1)
			FAIL("%s:%lu: expected key \"NAME\" { ... }; (BIND "
			    "format)", fname, line_of(text, l.p));
		if (lex_is(&l, "key"))
			break;
		/* Skip anything else (options, other statements). */
	}
	if (lex_next(&l) == -1 || lex_is(&l, "{") ||
	    (k->name = make_name(l.tok, l.toklen)) == NULL)
		FAIL("%s:%lu: expected a key name after \"key\"", fname,
		    line_of(text, l.tok));
	if (lex_next(&l) == -1 || !lex_is(&l, "{"))
		FAIL("%s:%lu: expected '{' after the key name", fname,
		    line_of(text, l.tok));
	for (;;) {
		if (lex_next(&l) == -1)
			FAIL("%s:%lu: expected '}' to end the key", fname,
			    line_of(text, l.tok));
		if (lex_is(&l, "}"))
			break;
		if (lex_is(&l, "algorithm")) {
			if (lex_next(&l) == -1 ||
			    alg_by_name(l.tok, l.toklen) == NULL)
				FAIL("%s:%lu: unknown TSIG algorithm (expected "
				    "hmac-sha256, hmac-sha512, ...)", fname,
				    line_of(text, l.tok));
			free(k->alg);
			if ((k->alg = strdup(alg_by_name(l.tok,
			    l.toklen))) == NULL)
				FAIL("out of memory");
		} else if (lex_is(&l, "secret")) {
			if (lex_next(&l) == -1 || l.toklen == 0 ||
			    l.toklen > TSIG_SECRET_MAX)
				FAIL("%s:%lu: expected the secret in quotes",
				    fname, line_of(text, l.tok));
			if (k->secret != NULL) {
				OPENSSL_cleanse(k->secret, strlen(k->secret));
				free(k->secret);
			}
			if ((k->secret = strndup(l.tok, l.toklen)) == NULL)
				FAIL("out of memory");
			if (check_secret(k->secret) == -1)
				FAIL("%s:%lu: the secret is not base64",
				    fname, line_of(text, l.tok));
		} else
			FAIL("%s:%lu: expected algorithm or secret in the "
			    "key", fname, line_of(text, l.tok));
		if (lex_next(&l) == -1 || !lex_is(&l, ";"))
			FAIL("%s:%lu: expected ';'", fname,
			    line_of(text, l.tok));
	}
	if (k->alg == NULL || k->secret == NULL)
		FAIL("%s:%lu: the key needs an algorithm and a secret", fname,
		    line_of(text, l.tok));
	return k;
fail:
	tsig_free(k);
	return NULL;
}

/* parse_knot: one line "[ALG:]NAME:SECRET". */
static struct tsig *
parse_knot(const char *text, size_t len, const char *fname, char *err,
    size_t errsz)
{
	const char *s = text, *e = text + len, *c1, *c2, *name, *sec;
	struct tsig *k = NULL;
	size_t namelen;

	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if (memchr(s, '\n', (size_t)(e - s)) != NULL)
		FAIL("%s:%lu: expected one line [ALGORITHM:]NAME:SECRET", fname,
		    line_of(text, s) + 1);
	if ((k = calloc(1, sizeof(*k))) == NULL)
		FAIL("out of memory");
	if ((c1 = memchr(s, ':', (size_t)(e - s))) == NULL)
		FAIL("%s:%lu: expected [ALGORITHM:]NAME:SECRET", fname,
		    line_of(text, s));
	c2 = memchr(c1 + 1, ':', (size_t)(e - c1 - 1));
	if (c2 != NULL) {
		if (alg_by_name(s, (size_t)(c1 - s)) == NULL)
			FAIL("%s:%lu: unknown TSIG algorithm (expected "
			    "hmac-sha256, hmac-sha512, ...)", fname,
			    line_of(text, s));
		k->alg = strdup(alg_by_name(s, (size_t)(c1 - s)));
		name = c1 + 1;
		namelen = (size_t)(c2 - name);
		sec = c2 + 1;
	} else {
		/* knsupdate's default algorithm. */
		k->alg = strdup("hmac-sha256.");
		name = s;
		namelen = (size_t)(c1 - s);
		sec = c1 + 1;
	}
	if (k->alg == NULL)
		FAIL("out of memory");
	if ((k->name = make_name(name, namelen)) == NULL)
		FAIL("%s:%lu: bad key name", fname, line_of(text, s));
	if ((k->secret = strndup(sec, (size_t)(e - sec))) == NULL)
		FAIL("out of memory");
	if (check_secret(k->secret) == -1)
		FAIL("%s:%lu: the secret is not base64", fname,
		    line_of(text, s));
	return k;
fail:
	tsig_free(k);
	return NULL;
}

/* parse_private: dnssec-keygen's "Algorithm: 163 (HMAC_SHA256)", "Key:". */
static struct tsig *
parse_private(const char *text, size_t len, const char *fname, char *err,
    size_t errsz)
{
	const char *p = text, *end = text + len, *nl, *v, *base, *plus;
	struct tsig *k = NULL;
	unsigned long line = 0;
	size_t i, vlen;
	long num;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		FAIL("out of memory");
	base = strrchr(fname, '/') != NULL ? strrchr(fname, '/') + 1 : fname;
	if (base[0] != 'K' || (plus = strstr(base, ".+")) == NULL ||
	    (k->name = make_name(base + 1, (size_t)(plus - base - 1))) == NULL)
		FAIL("%s: expected a file named K<name>.+<alg>+<id>.private",
		    fname);
	for (; p < end; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((v = memchr(p, ':', (size_t)(nl - p))) == NULL)
			continue;
		for (v++; v < nl && (*v == ' ' || *v == '\t'); v++)
			;
		vlen = (size_t)(nl - v);
		while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
			vlen--;
		if (strncmp(p, "Algorithm:", 10) == 0) {
			num = strtol(v, NULL, 10);
			for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
				if (algs[i].number == num)
					break;
			if (i == sizeof(algs) / sizeof(algs[0]))
				FAIL("%s:%lu: not an HMAC algorithm (expected "
				    "157, 161-165)", fname, line);
			free(k->alg);
			if ((k->alg = strdup(algs[i].wire)) == NULL)
				FAIL("out of memory");
		} else if (strncmp(p, "Key:", 4) == 0) {
			if (k->secret != NULL)
				FAIL("%s:%lu: a second Key:", fname, line);
			if ((k->secret = strndup(v, vlen)) == NULL)
				FAIL("out of memory");
			if (check_secret(k->secret) == -1)
				FAIL("%s:%lu: the key is not base64", fname,
				    line);
		}
		if (nl == end)
			break;
	}
	if (k->alg == NULL || k->secret == NULL)
		FAIL("%s: expected Algorithm: and Key: lines", fname);
	return k;
fail:
	tsig_free(k);
	return NULL;
}

struct tsig *
tsig_parse(const char *text, size_t len, const char *fname, char *err,
    size_t errsz)
{
	const char *p = text, *end = text + len;

	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errsz, "%s: a NUL octet (not a key file)", fname);
		return NULL;
	}
	while (p < end && isspace((unsigned char)*p))
		p++;
	if ((size_t)(end - p) >= 19 && strncmp(p, "Private-key-format:",
	    19) == 0)
		return parse_private(text, len, fname, err, errsz);
	/* One line without blanks or braces: Knot's form. */
	{
		const char *q = p;
		int knot = p < end;

		for (; q < end; q++) {
			if (*q == '{' || *q == '"' || *q == ';' ||
			    (*q == ' ' || *q == '\t')) {
				knot = 0;
				break;
			}
			if (*q == '\n') {
				for (; q < end && isspace((unsigned char)*q);
				    q++)
					;
				knot = q == end;
				break;
			}
		}
		if (knot)
			return parse_knot(text, len, fname, err, errsz);
	}
	return parse_bind(text, len, fname, err, errsz);
}

/* judge_tsig: secret_load's judge: ARG gets the parsed key. */
static enum secret_kind
judge_tsig(const char *buf, size_t len, void *arg, char *err, size_t errsz)
{
	struct tsig_judge *j = arg;
	char msg[512];
	size_t n = strlen(j->path);

	if ((j->k = tsig_parse(buf, len, j->path, msg, sizeof(msg))) != NULL)
		return SECRET_SECRET;
	/* secret_load puts PATH before ":LINE: ...". */
	snprintf(err, errsz, "%s", strncmp(msg, j->path, n) == 0 &&
	    msg[n] == ':' ? msg + n : msg);
	return SECRET_NOT;
}

struct tsig *
tsig_load(const char *path, char *err, size_t errsz)
{
	struct tsig_judge j = { path, NULL };

	if (secret_load(path, TSIG_FILE_MAX, "TSIG key", judge_tsig, &j, NULL,
	    err, errsz) == -1) {
		tsig_free(j.k);
		return NULL;
	}
	return j.k;
}
