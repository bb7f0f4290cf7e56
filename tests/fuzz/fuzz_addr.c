/*
 * fuzz_addr.c: libFuzzer target for lib/addr.c and lib/rcpt.c:
 * addr_parse, addr_parse_form (Postfix's internal form) and
 * addr_domain_parse on one NUL-terminated input (stops at a NUL inside),
 * then every accessor of a parsed address; rcpt_mailbox in both forms,
 * whose mailbox must be its own mailbox (idempotent).  Not here:
 * msg_mailbox (see fuzz_msg.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "rcpt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* mailbox: rcpt_mailbox of S; the mailbox's own mailbox is itself. */
static void
mailbox(const char *s, enum addr_form form, const char *delims)
{
	struct addr *a, *b;
	enum addr_err err;
	char dom[254];

	if ((a = rcpt_mailbox(s, form, delims, dom, sizeof(dom), &err)) ==
	    NULL) {
		if (strlen(dom) >= sizeof(dom))
			abort();
		return;
	}
	b = rcpt_mailbox(addr_canon(a), ADDR_FORM_SMTP, delims, NULL, 0,
	    NULL);
	if (b == NULL || strcmp(addr_canon(a), addr_canon(b)) != 0)
		abort();
	addr_free(a);
	addr_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr *a;
	enum addr_err err;
	size_t pos = 0;
	char *s, *d;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if ((a = addr_parse(s, &err, &pos)) != NULL) {
		(void)strlen(addr_local(a));
		(void)strlen(addr_canon_local(a));
		(void)strlen(addr_domain(a));
		(void)strlen(addr_canon(a));
		addr_free(a);
	} else {
		(void)strlen(addr_errname(err));
		(void)strlen(addr_strerror(err));
		if (pos > strlen(s))
			abort();	/* the error position is in the input */
	}
	if ((a = addr_parse_form(s, ADDR_FORM_INTERNAL, &err, &pos)) != NULL)
		addr_free(a);
	else if (pos > strlen(s))
		abort();
	mailbox(s, ADDR_FORM_SMTP, "+");
	mailbox(s, ADDR_FORM_INTERNAL, "-+=");
	if ((d = addr_domain_parse(s, &err)) != NULL)
		free(d);
	else
		(void)strlen(addr_errname(err));
	free(s);
	return 0;
}
