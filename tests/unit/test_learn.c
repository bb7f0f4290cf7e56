/*
 * test_learn: the login check of LearnOutbound (resolver/learn.c,
 * specs/protocol.md 3.2 LEARN step 2): a SASL login may learn only for
 * its own mailbox, the envelope sender's, whatever the spelling of
 * either (case, address extension, a trailing dot, a bare login), and
 * never for another mailbox or the null sender.
 */
#include <string.h>

#include "lib/addr.h"
#include "core/store.h"
#include "resolver/learn.h"
#include "t.h"

struct lcase {
	const char	*login;
	const char	*sender;
	enum addr_form	 form;
	const char	*delims;
	enum learn_why	 want;
	const char	*mbox;		/* with LW_OK */
	const char	*what;
};

static const struct lcase cases[] = {
	{ "carol", "carol@example.net", ADDR_FORM_SMTP, "+", LW_OK,
	    "carol@example.net", "a bare login takes the sender's domain" },
	{ "carol@example.net", "carol@example.net", ADDR_FORM_SMTP, "+",
	    LW_OK, "carol@example.net", "the login as the sender" },
	{ "Carol@Example.NET", "carol@example.net", ADDR_FORM_SMTP, "+",
	    LW_OK, "carol@example.net", "the login's case" },
	{ "carol", "CAROL@EXAMPLE.NET", ADDR_FORM_SMTP, "+", LW_OK,
	    "carol@example.net", "the sender's case" },
	{ "carol", "carol+lists@example.net", ADDR_FORM_SMTP, "+", LW_OK,
	    "carol@example.net", "the sender's +ext" },
	{ "carol+x@example.net", "carol@example.net", ADDR_FORM_INTERNAL,
	    "+", LW_OK, "carol@example.net", "the login's +ext" },
	{ "carol", "carol@example.net.", ADDR_FORM_SMTP, "+", LW_OK,
	    "carol@example.net", "the sender's trailing dot" },
	{ "carol@example.net.", "carol@example.net", ADDR_FORM_SMTP, "+",
	    LW_OK, "carol@example.net", "the login's trailing dot" },
	{ "J\xc3\x96RG", "j\xc3\xb6rg@example.net", ADDR_FORM_INTERNAL, NULL,
	    LW_OK, "j\xc3\xb6rg@example.net", "non-ASCII case" },
	{ "carol", "carol+lists@example.net", ADDR_FORM_SMTP, NULL,
	    LW_LOGIN_MISMATCH, NULL, "+ext without RecipientDelimiter" },
	{ "dan", "carol@example.net", ADDR_FORM_SMTP, "+", LW_LOGIN_MISMATCH,
	    NULL, "a login for another mailbox" },
	{ "dan@example.net", "carol@example.net", ADDR_FORM_SMTP, "+",
	    LW_LOGIN_MISMATCH, NULL, "a full login for another mailbox" },
	{ "carol@example.org", "carol@example.net", ADDR_FORM_SMTP, "+",
	    LW_LOGIN_MISMATCH, NULL, "the same local part, another domain" },
	{ "carol", "carol@example.net@x", ADDR_FORM_SMTP, "+", LW_BAD_SENDER,
	    NULL, "a sender that is no mailbox" },
	{ "carol", "", ADDR_FORM_SMTP, "+", LW_NULL_SENDER, NULL,
	    "the null sender" },
	{ "carol", "<>", ADDR_FORM_SMTP, "+", LW_NULL_SENDER, NULL,
	    "the null sender as <>" },
	{ "carol", NULL, ADDR_FORM_INTERNAL, "+", LW_NULL_SENDER, NULL,
	    "no sender (Postfix's empty sender=)" },
	{ "", "carol@example.net", ADDR_FORM_SMTP, "+", LW_BAD_LOGIN, NULL,
	    "an empty login" },
	{ "car ol", "carol@example.net", ADDR_FORM_SMTP, "+", LW_BAD_LOGIN,
	    NULL, "a login that is no mailbox" },
	{ "carol@", "carol@example.net", ADDR_FORM_SMTP, "+", LW_BAD_LOGIN,
	    NULL, "a login with an empty domain" },
};

static void
test_mailbox(void)
{
	char mbox[STORE_TARGET_MAX];
	enum learn_why w;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct lcase *c = &cases[i];

		memset(mbox, 'x', sizeof(mbox));
		w = learn_mailbox(c->login, c->sender, c->form, c->delims,
		    mbox);
		T_OK(w == c->want && (c->want == LW_OK ?
		    strcmp(mbox, c->mbox) == 0 : mbox[0] == '\0'),
		    "%s: login \"%s\", sender \"%s\": %s (got %s, \"%s\")",
		    c->what, c->login, c->sender != NULL ? c->sender :
		    "(none)", learn_whyname(c->want), learn_whyname(w),
		    w == LW_OK ? mbox : "");
	}
}

static void
test_names(void)
{
	static const char *const names[] = { "ok", "disabled", "no-journal",
	    "null-sender", "bad-sender", "bad-login", "login-mismatch",
	    "bad-recipient", "own-domain" };
	size_t i;
	int good = 1;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		good &= strcmp(learn_whyname((enum learn_why)i), names[i]) == 0;
	T_OK(good, "every why code has its name");
	T_STREQ(learn_whyname((enum learn_why)99), "?", "out of range");
}

int
main(void)
{
	test_mailbox();
	test_names();
	return t_done();
}
