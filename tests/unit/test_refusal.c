/*
 * test_refusal: the refusal texts of specs/verdicts.md 6.5 against every
 * row of specs/vectors/refusals.tsv; the rows against the decision table
 * (exactly the modes and reasons an unauthorized verdict has, over every
 * consistent input); which recipients are named; the length bounds.
 */
#include <stdio.h>
#include <string.h>

#include "core/refusal.h"
#include "core/verdict.h"
#include "t.h"
#include "vec.h"

#define VECTORS	"specs/vectors/refusals.tsv"
#define CAROL	"carol@example.net"
/* Postfix's own words before a policy service's REJECT text. */
#define PF_HEAD	"554 5.7.1 <%s>: Recipient address rejected: "

struct rows {
	int	 header;
	int	 n;
	int	 bad;
	/* [mode][reason]: a row names it */
	int	 have[2][VERDICT_REASON_COUNT];
};

static void
row(struct vec_row *r, void *arg)
{
	struct rows *rs = arg;
	enum verdict_mode m;
	enum verdict_reason re;
	char buf[REFUSAL_TEXT_SIZE];

	if (!rs->header) {
		rs->header = 1;
		T_OK(strcmp(r->f[0], "mode") == 0 &&
		    strcmp(r->f[1], "reason") == 0 &&
		    strcmp(r->f[2], "text") == 0 && r->f[3][0] == '\0',
		    "refusals.tsv: the column line");
		return;
	}
	rs->n++;
	if (verdict_mode_from_name(r->f[0], &m) == -1 ||
	    verdict_reason_from_name(r->f[1], &re) == -1 || rs->have[m][re]) {
		rs->bad++;
		T_OK(0, "refusals.tsv line %d: a mode and reason, once",
		    r->line);
		return;
	}
	rs->have[m][re] = 1;
	if (refusal_text(m, re, CAROL, buf, sizeof(buf)) < 0 ||
	    strcmp(buf, r->f[2]) != 0) {
		rs->bad++;
		T_STREQ(buf, r->f[2], "refusals.tsv line %d: %s %s", r->line,
		    r->f[0], r->f[1]);
	}
}

/* Every value of each input, as test_verdict enumerates them. */
static void
refused_pairs(int out[2][VERDICT_REASON_COUNT])
{
	struct verdict_input in;
	struct verdict_output o;
	int a, b, c, d, e, f, g, h;

	memset(out, 0, sizeof(int) * 2 * VERDICT_REASON_COUNT);
	for (a = VS_OK; a <= VS_INVALID; a++)
	for (b = VM_ALLOW; b <= VM_DENY; b++)
	for (c = VL_NONE; c <= VL_DENY; c++)
	for (d = VP_NONE; d <= VP_MISMATCH; d++)
	for (e = LOOKUP_SECURE_KEY; e <= LOOKUP_PERMERROR; e++)
	for (f = VK_NONE; f <= VK_EXPIRED; f++)
	for (g = VPOL_SOME; g <= VPOL_TEMPFAIL; g++)
	for (h = VSIG_UNKNOWN; h <= VSIG_PERMERROR; h++) {
		in.sender = (enum verdict_sender)a;
		in.mode = (enum verdict_mode)b;
		in.list = (enum verdict_list)c;
		in.pin = (enum verdict_pin)d;
		in.lookup = (enum lookup_state)e;
		in.key = (enum verdict_key)f;
		in.policy = (enum verdict_policy)g;
		in.sig = (enum verdict_sig)h;
		if (!verdict_input_consistent(&in))
			continue;
		verdict_decide(&in, &o);
		if (o.verdict == VERDICT_UNAUTHORIZED)
			out[in.mode][o.reason] = 1;
	}
}

static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

static void
test_vectors(void)
{
	struct rows rs;
	int want[2][VERDICT_REASON_COUNT];

	memset(&rs, 0, sizeof(rs));
	T_OK(vec_each(VECTORS, row, &rs) > 0, "refusals.tsv read");
	T_OK(rs.n == 22 && rs.bad == 0, "every row's text (%d rows)", rs.n);
	refused_pairs(want);
	T_OK(memcmp(want, rs.have, sizeof(want)) == 0, "the rows are "
	    "exactly the modes and reasons verdicts.md 6.1 refuses");
}

static void
test_recipient(void)
{
	char buf[REFUSAL_TEXT_SIZE], rc[REFUSAL_RCPT_MAX + 2], pf[600];
	static const char *const not_named[] = {
		"", "carol @example.net", "carol\r@example.net",
		"carol\n@example.net", "carol\t@example.net",
		"carol\x7f@example.net", "\xc3\xa9mile@example.net",
		"\"carol x\"@example.net", "\"carol\"@example.net",
		"carol%x@example.net", "<carol@example.net>",
		"carol>@example.net", "carol\\x@example.net",
	};
	size_t i;
	int m, r, n, ok = 1, fits = 1;

	for (i = 0; i < sizeof(not_named) / sizeof(not_named[0]); i++) {
		refusal_text(VM_DENY, VR_NOT_ALLOWLISTED, not_named[i], buf,
		    sizeof(buf));
		ok &= !refusal_recipient(not_named[i]) &&
		    strncmp(buf, "this mailbox accepts ", 21) == 0 &&
		    printable(buf);
	}
	T_OK(ok, "spaces, controls, 8-bit, quotes, '%%', '<', '>', '\\' "
	    "and the empty string: the recipient is not named");
	refusal_text(VM_DENY, VR_NOT_ALLOWLISTED, NULL, buf, sizeof(buf));
	T_STREQ(buf, "this mailbox accepts mail only from senders the "
	    "recipient has authorized; ask the recipient to authorize your "
	    "address (senderkey: not-allowlisted)", "no recipient: "
	    "\"this mailbox\"");
	refusal_text(VM_DENY, VR_NOT_ALLOWLISTED, "Carol+x@EXAMPLE.net", buf,
	    sizeof(buf));
	T_OK(strncmp(buf, "<Carol+x@EXAMPLE.net> accepts ", 30) == 0,
	    "named as the MTA spelled it");
	memset(rc, 'a', sizeof(rc));
	rc[REFUSAL_RCPT_MAX] = '\0';
	T_OK(refusal_recipient(rc), "%d octets: named", REFUSAL_RCPT_MAX);
	rc[REFUSAL_RCPT_MAX] = 'a';
	rc[REFUSAL_RCPT_MAX + 1] = '\0';
	T_OK(!refusal_recipient(rc), "%d octets: not named",
	    REFUSAL_RCPT_MAX + 1);

	/* the longest text, with the longest recipient named, fits in an
	   RFC 5321 reply line (512 octets, CRLF included) even after
	   Postfix's own words naming the recipient once more */
	rc[REFUSAL_RCPT_MAX] = '\0';
	for (m = VM_ALLOW; m <= VM_DENY; m++)
		for (r = 0; r < VERDICT_REASON_COUNT; r++) {
			n = refusal_text((enum verdict_mode)m,
			    (enum verdict_reason)r, rc, buf, sizeof(buf));
			if (n < 0 || !printable(buf) ||
			    snprintf(pf, sizeof(pf), PF_HEAD "%s\r\n", rc,
			    buf) > 512)
				fits = 0;
		}
	T_OK(fits, "every text with a %d-octet recipient: printable, at most "
	    "REFUSAL_TEXT_MAX, under 512 octets in Postfix's reply line",
	    REFUSAL_RCPT_MAX);
	T_INTEQ(refusal_text(VM_DENY, VR_DENYLISTED, CAROL, buf, 20), -1,
	    "too small a buffer: -1");
	T_STREQ(buf, "", "... and an empty text");
	refusal_text(VM_DENY, VR_INTERNAL, CAROL, buf, sizeof(buf));
	T_STREQ(buf, "<carol@example.net> does not accept mail from this "
	    "sender (senderkey: internal)", "a reason the table does not "
	    "list: the neutral text, no advice");
}

int
main(void)
{
	test_vectors();
	test_recipient();
	return t_done();
}
