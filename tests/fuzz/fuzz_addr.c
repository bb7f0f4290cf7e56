/*
 * fuzz_addr.c: libFuzzer target for lib/addr.c and lib/rcpt.c:
 * addr_parse, addr_parse_form (Postfix's internal form) and
 * addr_domain_parse on one NUL-terminated input (stops at a NUL inside),
 * then every accessor of a parsed address; rcpt_mailbox in both forms,
 * whose mailbox must be its own mailbox (idempotent) when the input is
 * in NFC: the extension is split off before NFC, as Postfix splits the
 * octets it gets, so a delimiter that NFC composes away ('=' and U+0338
 * make U+2260) changes where the canonical form splits
 * (specs/vectors/recipients.tsv).  Not here: msg_mailbox (see
 * fuzz_msg.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <uninorm.h>

#include "lib/addr.h"
#include "lib/rcpt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* is_nfc: 1 when the LEN octets at S are valid UTF-8 already in NFC. */
static int
is_nfc(const char *s, size_t len)
{
	uint8_t *n;
	size_t nlen = 0;
	int r;

	if ((n = u8_normalize(UNINORM_NFC, (const uint8_t *)s, len, NULL,
	    &nlen)) == NULL)
		return 0;
	r = nlen == len && memcmp(n, s, len) == 0;
	free(n);
	return r;
}

/*
 * mailbox: rcpt_mailbox of S; for an input in NFC, the mailbox's own
 * mailbox is itself.
 */
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
	if (!is_nfc(s, strlen(s))) {
		addr_free(a);
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
