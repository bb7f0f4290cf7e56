/*
 * rcpt.c: reduce a recipient address to the mailbox Postfix delivers it
 * to, so that rules are looked up under the mailbox and not under one of
 * its spellings.  The rules mirror Postfix's defaults (trivial-rewrite's
 * rewrite and resolve loops, split_addr for extensions), limited to what
 * can be told without knowing which domains are local: one level of
 * routing is undone, anything more is refused.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicase.h>
#include <unistr.h>

#include "addr.h"
#include "rcpt.h"

#define RCPT_MAX	1024	/* longer input is refused outright */

const char *
rcpt_delims_bad(const char *delims)
{
	const char *p;

	if (delims == NULL)
		return NULL;
	for (p = delims; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c >= 0x7f || c == '@' || c == '"' ||
		    c == '\\')
			return p;
	}
	return NULL;
}

/* drop_dot: drop one trailing dot of the domain D, not of "." or "x..". */
static void
drop_dot(char *d)
{
	size_t n = strlen(d);

	if (n >= 2 && d[n - 1] == '.' && d[n - 2] != '.')
		d[n - 1] = '\0';
}

/* set_domain: DOMAIN gets the A-label form of D when it has one, else "". */
static void
set_domain(char *domain, size_t domainsz, const char *d)
{
	enum addr_err e;
	char *a;

	if (domain == NULL || domainsz == 0)
		return;
	domain[0] = '\0';
	if (d == NULL || (a = addr_domain_parse(d, &e)) == NULL)
		return;
	if (strlen(a) < domainsz)
		memcpy(domain, a, strlen(a) + 1);
	free(a);
}

/* count: occurrences in S of the octets in SET. */
static size_t
count(const char *s, const char *set)
{
	size_t n = 0;

	for (s += strcspn(s, set); *s != '\0'; s += 1 + strcspn(s + 1, set))
		n++;
	return n;
}

/*
 * unroute: S holds exactly one routing operator; split S in place into
 * *USER and *DOM: "domain!user", "user%domain", "user@domain".
 */
static void
unroute(char *s, char **user, char **dom)
{
	char *op = s + strcspn(s, "!%@");

	if (*op == '!') {
		*dom = s;
		*user = op + 1;
	} else {
		*user = s;
		*dom = op + 1;
	}
	*op = '\0';
}

/*
 * host_ok: HOST (the part after the '@' of a routed address, one trailing
 * dot dropped) can name a host Postfix would take as local: a domain, a
 * single label or an address literal.  Its rules do not apply: the mail
 * goes on to the routed mailbox.
 */
static int
host_ok(char *host, enum addr_err *err)
{
	enum addr_err e;
	char *a;
	size_t n;

	drop_dot(host);
	n = strlen(host);
	if (n > 0 && host[0] == '[' && host[n - 1] == ']' &&
	    strcspn(host + 1, "[]") == n - 2)
		return 1;
	if ((a = addr_domain_parse(host, &e)) != NULL) {
		free(a);
		return 1;
	}
	if (e == ADDR_EDOMAIN_SINGLE)
		return 1;
	*err = e;
	return 0;
}

/*
 * strip_ext: cut the address extension off the local part USER, as
 * Postfix's split_addr does after local(8) has folded the case: the first
 * octet of DELIMS found splits, unless that leaves nothing; reserved
 * names, and owner-* / *-request when '-' is a delimiter, stay whole.
 */
static void
strip_ext(char *user, const char *delims)
{
	char low[RCPT_MAX + 1];
	size_t n = strlen(user), i, k;

	if (delims == NULL || delims[0] == '\0')
		return;
	if (strcasecmp(user, "postmaster") == 0 ||
	    strcasecmp(user, "mailer-daemon") == 0 ||
	    strcasecmp(user, "double-bounce") == 0)
		return;
	if (strchr(delims, '-') != NULL &&
	    (strncasecmp(user, "owner-", 6) == 0 ||
	    (n > 8 && strcasecmp(user + n - 8, "-request") == 0)))
		return;
	for (i = 0; i <= n; i++)
		low[i] = user[i] >= 'A' && user[i] <= 'Z' ?
		    (char)(user[i] - 'A' + 'a') : user[i];
	k = strcspn(low, delims);
	if (k > 0 && k < n)
		user[k] = '\0';
}

/*
 * fold: the local part USER with its case folded, as Postfix's casefold()
 * does with smtputf8_enable = yes before it looks a recipient up (full
 * Unicode default case folding, ICU's, which is u8_casefold's without a
 * language; no normalization), in OUT (OUTSZ octets).  ASCII-only text
 * is copied as it is: addr_make lowers A-Z.  -1 with *ERR set on bad
 * UTF-8 or when the folded text does not fit.
 */
static int
fold(const char *user, char *out, size_t outsz, enum addr_err *err)
{
	const uint8_t *s = (const uint8_t *)user;
	uint8_t *r;
	size_t n = strlen(user), i;

	for (i = 0; i < n && s[i] < 0x80; i++)
		;
	if (i == n) {
		if (n >= outsz)
			goto toolong;
		memcpy(out, user, n + 1);
		return 0;
	}
	if (u8_check(s, n) != NULL) {
		*err = ADDR_EUTF8;
		return -1;
	}
	if ((r = u8_casefold(s, n, NULL, NULL, NULL, &n)) == NULL) {
		*err = ADDR_EUTF8;
		return -1;
	}
	if (n >= outsz) {
		free(r);
		goto toolong;
	}
	memcpy(out, r, n);
	out[n] = '\0';
	free(r);
	return 0;
toolong:
	*err = ADDR_ELOCAL_TOOLONG;
	return -1;
}

/* plain_domain: IN has one '@' and no routing operator: the text after it. */
static const char *
plain_domain(const char *in)
{
	const char *at = strchr(in, '@');

	if (at == NULL || strchr(at + 1, '@') != NULL ||
	    strpbrk(in, "!%") != NULL)
		return NULL;
	return at + 1;
}

struct addr *
rcpt_mailbox(const char *in, enum addr_form form, const char *delims,
    char *domain, size_t domainsz, enum addr_err *err)
{
	char local[RCPT_MAX + 1], host[RCPT_MAX + 1], dcopy[RCPT_MAX + 1];
	char folded[RCPT_MAX + 1];
	char *user, *dom;
	const char *pd;
	struct addr *a = NULL;
	enum addr_err e = ADDR_OK;
	size_t n = strlen(in), off;
	int r;

	if (domain != NULL && domainsz > 0)
		domain[0] = '\0';
	if (n > RCPT_MAX) {
		e = ADDR_ETOOLONG;
		goto fail;
	}
	if ((r = addr_split(in, form, local, sizeof(local), &off, &e,
	    NULL)) == -1) {
		if (e != ADDR_ELOCAL_EMPTY && (pd = plain_domain(in)) != NULL) {
			memcpy(dcopy, pd, strlen(pd) + 1);
			drop_dot(dcopy);
			set_domain(domain, domainsz, dcopy);
		}
		goto fail;
	}
	if (r == 1) {
		/* no '@': "domain!user" or "user%domain", else $myorigin */
		if (count(local, "!%") != 1) {
			e = count(local, "!%") == 0 ? ADDR_ENOAT : ADDR_EROUTE;
			goto fail;
		}
		unroute(local, &user, &dom);
	} else if (count(local, "!%@") > 0) {
		/* routed through HOST: one level only, HOST itself sane */
		memcpy(host, in + off, n - off + 1);
		if (count(local, "!%@") > 1 || strchr(host, '@') != NULL) {
			e = ADDR_EROUTE;
			goto fail;
		}
		if (!host_ok(host, &e))
			goto fail;
		unroute(local, &user, &dom);
	} else {
		user = local;
		memcpy(host, in + off, n - off + 1);
		dom = host;
		if (strchr(dom, '@') != NULL) {	/* SMTP a@b@c */
			e = ADDR_EROUTE;
			goto fail;
		}
	}
	drop_dot(dom);
	if (user[0] == '\0') {
		/* Postfix delivers an empty local part to MAILER-DAEMON */
		e = ADDR_ELOCAL_EMPTY;
		goto fail;
	}
	if (fold(user, folded, sizeof(folded), &e) == -1) {
		set_domain(domain, domainsz, dom);
		goto fail;
	}
	strip_ext(folded, delims);
	if ((a = addr_make(folded, dom, &e)) == NULL) {
		set_domain(domain, domainsz, dom);
		goto fail;
	}
	if (err != NULL)
		*err = ADDR_OK;
	return a;
fail:
	if (err != NULL)
		*err = e == ADDR_OK ? ADDR_ETOOLONG : e;
	return NULL;
}

int
rcpt_fold(const char *canon, char *out, size_t outsz, enum addr_err *err)
{
	char folded[RCPT_MAX + 1];
	struct addr *a = NULL, *b = NULL;
	enum addr_err e = ADDR_OK;
	size_t n;

	if ((a = addr_parse(canon, &e, NULL)) == NULL ||
	    fold(addr_local(a), folded, sizeof(folded), &e) == -1 ||
	    (b = addr_make(folded, addr_domain(a), &e)) == NULL)
		goto fail;
	if ((n = strlen(addr_canon(b))) >= outsz) {
		e = ADDR_ETOOLONG;
		goto fail;
	}
	memcpy(out, addr_canon(b), n + 1);
	addr_free(a);
	addr_free(b);
	if (err != NULL)
		*err = ADDR_OK;
	return 0;
fail:
	addr_free(a);
	addr_free(b);
	if (err != NULL)
		*err = e == ADDR_OK ? ADDR_ETOOLONG : e;
	return -1;
}
