/*
 * test_addr: address parsing, canonical forms and owner names against
 * specs/vectors/addresses.tsv, plus error positions and domain parsing.
 */
#include "lib/addr.h"
#include "lib/owner.h"
#include "t.h"
#include "vec.h"

static void
row(struct vec_row *r, void *arg)
{
	struct addr *a;
	enum addr_err err;
	size_t pos;
	char name[OWNER_NAME_MAX];

	(void)arg;
	a = addr_parse(r->f[0], &err, &pos);
	if (r->f[1][0] == '!') {
		T_OK(a == NULL, "line %d: '%s' is rejected", r->line, r->f[0]);
		T_STREQ(addr_errname(err), r->f[1] + 1, "line %d: error name",
		    r->line);
		T_OK(pos <= strlen(r->f[0]), "line %d: error position in range",
		    r->line);
		addr_free(a);
		return;
	}
	T_OK(a != NULL, "line %d: '%s' parses (%s)", r->line, r->f[0],
	    a == NULL ? addr_errname(err) : "ok");
	if (a == NULL)
		return;
	T_STREQ(addr_canon_local(a), r->f[1], "line %d: canonical local part",
	    r->line);
	T_STREQ(addr_domain(a), r->f[2], "line %d: A-label domain", r->line);
	T_OK(owner_name(a, OWNER_SENDERKEY, name, sizeof(name)) == 0,
	    "line %d: senderkey owner fits", r->line);
	T_STREQ(name, r->f[3], "line %d: _senderkey owner", r->line);
	T_OK(owner_name(a, OWNER_OPENPGPKEY, name, sizeof(name)) == 0,
	    "line %d: openpgpkey owner fits", r->line);
	T_STREQ(name, r->f[4], "line %d: _openpgpkey owner", r->line);
	addr_free(a);
}

/* dkim-selectors.tsv: the DKIM bridge selector and owner name (2.3) */
static void
row_dkim(struct vec_row *r, void *arg)
{
	struct addr *a;
	enum addr_err err;
	char name[OWNER_NAME_MAX], sel[OWNER_DKIM_SEL_LEN + 1];

	(void)arg;
	if ((a = addr_parse(r->f[0], &err, NULL)) == NULL) {
		T_OK(0, "dkim line %d: '%s' parses", r->line, r->f[0]);
		return;
	}
	T_STREQ(addr_canon_local(a), r->f[1], "dkim line %d: canonical local",
	    r->line);
	owner_dkim_selector(addr_canon_local(a), strlen(addr_canon_local(a)),
	    sel);
	T_STREQ(sel, r->f[3], "dkim line %d: selector", r->line);
	T_OK(strlen(sel) == OWNER_DKIM_SEL_LEN && strlen(sel) <= 63,
	    "dkim line %d: one label of %d octets", r->line,
	    OWNER_DKIM_SEL_LEN);
	T_OK(owner_name(a, OWNER_DKIM, name, sizeof(name)) == 0,
	    "dkim line %d: DKIM owner fits", r->line);
	T_STREQ(name, r->f[4], "dkim line %d: DKIM owner name", r->line);
	T_OK(owner_name_fits(addr_domain(a), OWNER_DKIM),
	    "dkim line %d: owner_name_fits agrees", r->line);
	addr_free(a);
}

/* addresses-internal.tsv: ADDR_FORM_INTERNAL agrees with the SMTP form */
static void
row_internal(struct vec_row *r, void *arg)
{
	struct addr *a, *b;
	enum addr_err err;
	size_t pos = 999;

	(void)arg;
	a = addr_parse_form(r->f[0], ADDR_FORM_INTERNAL, &err, &pos);
	if (r->f[2][0] == '!') {
		T_OK(a == NULL, "internal line %d: '%s' is rejected", r->line,
		    r->f[0]);
		T_STREQ(addr_errname(err), r->f[2] + 1,
		    "internal line %d: error name", r->line);
		if (strcmp(r->f[3], "-") != 0)
			T_INTEQ(pos, atoi(r->f[3]),
			    "internal line %d: error offset", r->line);
	} else {
		T_OK(a != NULL, "internal line %d: '%s' parses (%s)", r->line,
		    r->f[0], a == NULL ? addr_errname(err) : "ok");
		T_STREQ(a != NULL ? addr_canon(a) : NULL, r->f[2],
		    "internal line %d: canonical address", r->line);
	}
	if (strcmp(r->f[1], "-") != 0) {
		b = addr_parse_form(r->f[1], ADDR_FORM_SMTP, NULL, NULL);
		T_OK((a == NULL) == (b == NULL) && (a == NULL ||
		    strcmp(addr_canon(a), addr_canon(b)) == 0),
		    "internal line %d: same as the SMTP form", r->line);
		addr_free(b);
	}
	addr_free(a);
}

static void
test_forms(void)
{
	struct addr *a;
	enum addr_err err;
	size_t pos;

	a = addr_parse("\"John Doe\"@Example.TEST", &err, &pos);
	T_OK(a != NULL, "quoted local part parses");
	T_STREQ(addr_local(a), "John Doe", "local part as written, unquoted");
	T_STREQ(addr_canon(a), "\"john doe\"@example.test",
	    "canonical address quotes again where needed");
	addr_free(a);

	a = addr_parse("\"plain\"@example.test", NULL, NULL);
	T_STREQ(addr_canon(a), "plain@example.test",
	    "canonical address drops needless quotes");
	addr_free(a);

	a = addr_parse("\"a\\\"b\"@example.test", NULL, NULL);
	T_STREQ(addr_canon(a), "\"a\\\"b\"@example.test",
	    "canonical address escapes quotes");
	addr_free(a);

	T_OK(addr_parse("al ice@example.test", &err, &pos) == NULL &&
	    pos == 2, "error position points at the space");
	T_OK(addr_parse("alice@exa_mple.test", &err, &pos) == NULL &&
	    pos == 9, "error position points into the domain");
	T_OK(addr_parse("al..ice@example.test", &err, &pos) == NULL &&
	    pos == 3, "error position points at the second dot");
	a = addr_parse("x@y.z", NULL, NULL);
	T_OK(a != NULL, "NULL error pointers are accepted");
	addr_free(a);
	addr_free(NULL);
	T_OK(1, "addr_free(NULL) is a no-op");
	T_OK(strcmp(addr_strerror(ADDR_ELOCAL_CHAR), "unknown error") != 0,
	    "every error has a text");
}

static void
test_domain(void)
{
	enum addr_err err;
	char *d;

	d = addr_domain_parse("Example.TEST.", &err);
	T_STREQ(d, "example.test", "bare domain: lowercased, dot dropped");
	free(d);
	d = addr_domain_parse("b\xc3\xbc" "cher.example", &err);
	T_STREQ(d, "xn--bcher-kva.example", "bare IDN domain to A-label");
	free(d);
	T_OK(addr_domain_parse("bad_domain.test", &err) == NULL &&
	    err == ADDR_EDOMAIN_SYNTAX, "bare domain syntax error");
	T_OK(addr_domain_parse("", &err) == NULL && err == ADDR_EDOMAIN_EMPTY,
	    "empty bare domain");
	T_OK(addr_domain_parse("\xff.test", &err) == NULL && err == ADDR_EUTF8,
	    "bare domain not UTF-8");
}

static void
test_owner(void)
{
	char h[OWNER_HASH_LEN + 1], name[OWNER_NAME_MAX];
	char big[300];

	T_OK(owner_hash("hugh", 4, h) == 0, "hash computes");
	T_STREQ(h, "c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6",
	    "RFC 7929 hugh vector");
	T_OK(owner_name_local("Hugh", "example.com", OWNER_OPENPGPKEY, name,
	    sizeof(name)) == 0, "as-written name computes");
	T_OK(strncmp(name, "c93f1e40", 8) != 0,
	    "as-written 'Hugh' differs from canonical 'hugh' (RFC 7929 form)");
	T_OK(owner_policy_name("example.test", name, sizeof(name)) == 0,
	    "policy name computes");
	T_STREQ(name, "_senderkey.example.test.", "policy owner name");
	T_OK(owner_name_local("a", "example.test", OWNER_SENDERKEY, name, 20) ==
	    -1, "short buffer is an error, not a truncation");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[63] = big[127] = big[191] = '.';
	big[200] = '\0';
	T_OK(owner_name_local("a", big, OWNER_SENDERKEY, name, sizeof(name)) ==
	    -1, "owner name over 253 octets is an error");
}

int
main(void)
{
	int n;

	n = vec_each("specs/vectors/addresses.tsv", row, NULL);
	T_OK(n >= 40, "addresses.tsv has %d rows", n);
	n = vec_each("specs/vectors/addresses-internal.tsv", row_internal,
	    NULL);
	T_OK(n >= 20, "addresses-internal.tsv has %d rows", n);
	n = vec_each("specs/vectors/dkim-selectors.tsv", row_dkim, NULL);
	T_OK(n >= 15, "dkim-selectors.tsv has %d rows", n);
	test_forms();
	test_domain();
	test_owner();
	return t_done();
}
