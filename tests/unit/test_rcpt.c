/*
 * test_rcpt: recipient spellings reduced to the mailbox they are
 * delivered to (rcpt_mailbox), against specs/vectors/recipients.tsv, plus
 * the limits and the delimiter check.
 */
#include "lib/addr.h"
#include "lib/rcpt.h"
#include "t.h"
#include "vec.h"

static void
row(struct vec_row *r, void *arg)
{
	struct addr *a;
	enum addr_err err = ADDR_OK;
	enum addr_form form;
	const char *delims, *want_dom;
	char dom[254], fold[300];

	(void)arg;
	form = strcmp(r->f[1], "internal") == 0 ? ADDR_FORM_INTERNAL :
	    ADDR_FORM_SMTP;
	T_OK(strcmp(r->f[1], "internal") == 0 || strcmp(r->f[1], "smtp") == 0,
	    "line %d: form '%s' known", r->line, r->f[1]);
	delims = strcmp(r->f[2], "none") == 0 ? "" : r->f[2];
	want_dom = strcmp(r->f[4], "-") == 0 ? "" : r->f[4];
	memset(dom, 'Z', sizeof(dom));
	a = rcpt_mailbox(r->f[0], form, delims, dom, sizeof(dom), &err);
	if (r->f[3][0] == '!') {
		T_OK(a == NULL, "line %d: '%s' names no mailbox (got %s)",
		    r->line, r->f[0], a != NULL ? addr_canon(a) : "none");
		T_STREQ(addr_errname(err), r->f[3] + 1, "line %d: error name",
		    r->line);
		T_STREQ(dom, want_dom, "line %d: best-effort domain", r->line);
		addr_free(a);
		return;
	}
	T_OK(a != NULL, "line %d: '%s' names a mailbox (%s)", r->line,
	    r->f[0], a == NULL ? addr_errname(err) : "ok");
	if (a == NULL)
		return;
	T_STREQ(addr_canon(a), r->f[3], "line %d: mailbox", r->line);
	T_STREQ(addr_domain(a), want_dom, "line %d: domain", r->line);
	T_OK(err == ADDR_OK, "line %d: no error", r->line);
	T_OK(rcpt_fold(addr_canon(a), fold, sizeof(fold), &err) == 0 &&
	    strcmp(fold, addr_canon(a)) == 0,
	    "line %d: the mailbox is already folded", r->line);
	addr_free(a);
}

static void
test_limits(void)
{
	char big[1100], dom[254];
	enum addr_err err;
	struct addr *a;

	memset(big, 'a', sizeof(big));
	memcpy(big + 1000, "@example.net", 13);
	T_OK(rcpt_mailbox(big, ADDR_FORM_SMTP, "+", dom, sizeof(dom), &err) ==
	    NULL && err == ADDR_ETOOLONG && strcmp(dom, "example.net") == 0,
	    "1000-octet local part: too long, domain known");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[10] = '@';
	T_OK(rcpt_mailbox(big, ADDR_FORM_INTERNAL, NULL, dom, sizeof(dom),
	    &err) == NULL && err == ADDR_ETOOLONG && dom[0] == '\0',
	    "over-long input refused");
	T_OK(rcpt_mailbox("", ADDR_FORM_SMTP, NULL, dom, sizeof(dom), &err) ==
	    NULL && err == ADDR_EEMPTY, "empty input refused");
	a = rcpt_mailbox("carol@example.net.", ADDR_FORM_SMTP, NULL, dom, 5,
	    &err);
	T_OK(a != NULL, "small domain buffer is fine on success");
	addr_free(a);
	T_OK(rcpt_mailbox("x@y@a-very-long-domain.example", ADDR_FORM_SMTP,
	    NULL, dom, 5, &err) == NULL && dom[0] == '\0',
	    "small domain buffer: empty, never truncated");
	T_OK(rcpt_mailbox("al ice@a-very-long-domain.example", ADDR_FORM_SMTP,
	    NULL, dom, 5, &err) == NULL && dom[0] == '\0',
	    "domain that does not fit: empty, never truncated");
	a = rcpt_mailbox("Carol+X@Example.NET.", ADDR_FORM_SMTP, "+", NULL, 0,
	    NULL);
	T_OK(a != NULL && strcmp(addr_canon(a), "carol@example.net") == 0,
	    "NULL domain and error pointers are accepted");
	addr_free(a);
}

static void
test_delims(void)
{
	T_OK(rcpt_delims_bad(NULL) == NULL, "no delimiter is fine");
	T_OK(rcpt_delims_bad("") == NULL, "empty set is fine");
	T_OK(rcpt_delims_bad("+-=_.") == NULL, "punctuation is fine");
	T_OK(rcpt_delims_bad("+@") != NULL && *rcpt_delims_bad("+@") == '@',
	    "'@' refused");
	T_OK(rcpt_delims_bad("+ ") != NULL, "space refused");
	T_OK(rcpt_delims_bad("\t") != NULL, "tab refused");
	T_OK(rcpt_delims_bad("\"") != NULL, "quote refused");
	T_OK(rcpt_delims_bad("\\") != NULL, "backslash refused");
	T_OK(rcpt_delims_bad("\x7f") != NULL, "DEL refused");
	T_OK(rcpt_delims_bad("\xc3\xa9") != NULL, "non-ASCII refused");
}

/* rcpt_fold: only the case of the local part; senders keep theirs. */
static void
test_fold(void)
{
	char out[300];
	enum addr_err err;
	struct addr *a;

	T_OK(rcpt_fold("\xc3\x89mile@example.net", out, sizeof(out), &err) ==
	    0 && strcmp(out, "\xc3\xa9mile@example.net") == 0 &&
	    err == ADDR_OK, "an old key with a capital E-acute is folded");
	T_OK(rcpt_fold("stra\xc3\x9f" "e@example.net", out, sizeof(out),
	    NULL) == 0 && strcmp(out, "strasse@example.net") == 0,
	    "sharp s folds to ss");
	T_OK(rcpt_fold("\"\xc3\x89 x\"@example.net", out, sizeof(out),
	    NULL) == 0 && strcmp(out, "\"\xc3\xa9 x\"@example.net") == 0,
	    "a quoted local part stays quoted");
	T_OK(rcpt_fold("a!b@example.net", out, sizeof(out), NULL) == 0 &&
	    strcmp(out, "a!b@example.net") == 0,
	    "nothing but case changes (no routing undone)");
	T_OK(rcpt_fold("carol+x@example.net", out, sizeof(out), NULL) == 0 &&
	    strcmp(out, "carol+x@example.net") == 0,
	    "nothing but case changes (no extension cut)");
	T_OK(rcpt_fold("no address", out, sizeof(out), &err) == -1 &&
	    err != ADDR_OK, "not an address: refused");
	T_OK(rcpt_fold("\xc3\x89mile@example.net", out, 10, &err) == -1,
	    "a result that does not fit: refused");
	a = addr_parse("\xc3\x89MILE@example.net", NULL, NULL);
	T_OK(a != NULL && strcmp(addr_canon(a), "\xc3\x89mile@example.net")
	    == 0, "the sender form still lowers only A-Z (owner names)");
	addr_free(a);
}

int
main(void)
{
	int n;

	n = vec_each("specs/vectors/recipients.tsv", row, NULL);
	T_OK(n >= 30, "recipients.tsv has %d rows", n);
	test_limits();
	test_delims();
	test_fold();
	return t_done();
}
