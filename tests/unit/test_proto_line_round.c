/*
 * test_proto_line_round: the line protocol's codec round-trips every
 * command and attribute of specs/protocol.md, and the test proves it
 * against the spec itself.  Requests: proto_line_req_build -> proto_line_parse
 * gives back the same values for every command, every AUTHZ argument
 * present and absent, every sig= value, addresses in every token form of
 * 3.1; what cannot be sent is refused with the error the daemon would
 * answer.  Replies: encode -> decode gives back the same values for
 * AUTHZ (every verdict, reason, fitting tag, lookup state and policy,
 * each optional attribute present and absent), LOOKUP (every state,
 * nokey, policy; owner, keys, malformed, why present and absent), STATS
 * (every counter of section 6), PING and every error code.  Each built
 * or encoded line is scanned for the command, argument and attribute
 * names it carries; the test then reads specs/protocol.md (3.1 command
 * grammar, 3.2 argument table, 3.3 attributes and verdict grammar, 3.4
 * error table, 6 counter table) and verdicts.md (6.2 reasons, 7.1 tags)
 * and fails for every name the spec gives that no round trip carried,
 * and for every name the codec knows that the spec does not give.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto_line.h"
#include "core/proto_line_lookup.h"
#include "core/proto_line_req.h"
#include "core/proto_line_entry.h"
#include "core/proto_line_stats.h"
#include "authz_same.h"
#include "t.h"

#define FPR "3F:6A:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:" \
	"EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:9A"

/* ---- names seen on the wire, and names the spec gives ---- */

#define NAMES_MAX	512

struct names {
	char	 s[NAMES_MAX][48];
	size_t	 n;
};

static struct names seen;	/* "arg:sender", "attr:tag", "cmd:PING" */

static void
names_add(struct names *ns, const char *kind, const char *name, size_t len)
{
	char k[48];
	size_t i;

	if (snprintf(k, sizeof(k), "%s:%.*s", kind, (int)len, name) >=
	    (int)sizeof(k))
		return;
	for (i = 0; i < ns->n; i++)
		if (strcmp(ns->s[i], k) == 0)
			return;
	if (ns->n < NAMES_MAX)
		strcpy(ns->s[ns->n++], k);
}

static int
names_has(const struct names *ns, const char *kind, const char *name)
{
	char k[48];
	size_t i;

	snprintf(k, sizeof(k), "%s:%s", kind, name);
	for (i = 0; i < ns->n; i++)
		if (strcmp(ns->s[i], k) == 0)
			return 1;
	return 0;
}

/*
 * mark: record the names LINE carries: with KIND NULL (a request) the
 * command and each argument's name (tokens split as 3.1 does, quotes
 * respected), else each attribute's name (words with "=") as KIND.
 */
static void
mark(const char *line, const char *kind)
{
	const char *p = line, *start, *eq;
	int inq, first = 1;

	while (*p != '\0' && *p != '\n') {
		if (*p == ' ') {
			p++;
			continue;
		}
		for (start = p, inq = 0; *p != '\0' && *p != '\n' &&
		    (inq || *p != ' '); p++) {
			if (inq && *p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				inq = !inq;
		}
		eq = memchr(start, '=', (size_t)(p - start));
		if (kind == NULL && first)
			names_add(&seen, "cmd", start, (size_t)(p - start));
		else if (eq != NULL)
			names_add(&seen, kind != NULL ? kind : "arg", start,
			    (size_t)(eq - start));
		first = 0;
	}
}

/* line: LINE without its LF, for messages. */
static const char *
line(const char *s)
{
	static char b[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(b[i], sizeof(b[i]), "%.*s", (int)strcspn(s, "\n"), s);
	return b[i];
}

/* ---- requests ---- */

static struct proto_line_request in, out;

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* req_round: IN built, parsed into OUT, compared; 1 when all the same. */
static int
req_round(const char *what)
{
	char buf[PROTO_LINE_MAX + 1];
	enum proto_line_err e = PLE_OK;
	int n, ok;

	if ((n = proto_line_req_build(buf, sizeof(buf), &in, &e)) == -1) {
		T_OK(0, "%s: built (refused: %s)", what,
		    proto_line_errname(e));
		return 0;
	}
	if (proto_line_parse(buf, (size_t)n, &out, &e) == -1) {
		T_OK(0, "%s: %s parses (%s)", what, line(buf),
		    proto_line_errname(e));
		return 0;
	}
	ok = out.cmd == in.cmd;
	if (in.cmd == PLC_AUTHZ)
		ok = ok && same_str(out.sender, in.sender) &&
		    same_str(out.recipient, in.recipient) &&
		    out.sig == in.sig && out.have_key == in.have_key &&
		    (!in.have_key || memcmp(out.key, in.key, 32) == 0) &&
		    same_str(out.queue_id, in.queue_id) &&
		    out.sender_null == (in.sender[0] == '\0' ||
		    strcmp(in.sender, "<>") == 0);
	if (in.cmd == PLC_LOOKUP || in.cmd == PLC_DKIMKEY)
		ok = ok && same_str(out.address, in.address);
	if (in.cmd == PLC_LEARN)
		ok = ok && same_str(out.user, in.user) &&
		    same_str(out.sender, in.sender) &&
		    same_str(out.recipient, in.recipient) &&
		    out.sender_null == (in.sender[0] == '\0' ||
		    strcmp(in.sender, "<>") == 0);
	if (in.cmd == PLC_MOVE)
		ok = ok && same_str(out.user, in.user) &&
		    out.have_move && out.move == in.move &&
		    same_str(out.field, in.field);
	if (ok)
		mark(buf, NULL);
	T_OK(ok, "%s: build -> parse gives the same values (%s)", what,
	    line(buf));
	return ok;
}

static void
req_refused(const char *what, enum proto_line_err want)
{
	char buf[PROTO_LINE_MAX + 1];
	enum proto_line_err e = PLE_OK;
	int n = proto_line_req_build(buf, sizeof(buf), &in, &e);

	T_OK(n == -1 && e == want, "%s: refused with %s (got %s)", what,
	    proto_line_errname(want), n == -1 ? proto_line_errname(e) :
	    line(buf));
}

static const char *const senders[] = {
	"alice@example.com", "", "<>", "\"john doe\"@example.test",
	"\"a\\\"b c\"@x.test", "j\xc3\xb6rg@b\xc3\xbc.test", "invalid",
	"a%b@c.d", "x=y@example.com",
};

static void
test_requests(void)
{
	static const enum verdict_sig sigs[] = { VSIG_UNKNOWN, VSIG_PASS,
	    VSIG_FAIL, VSIG_NONE, VSIG_TEMPERROR, VSIG_PERMERROR };
	static const char *const addrs[] = { "alice@example.com",
	    "\"john doe\"@example.test", "Dave+tag@Example.COM",
	    "j\xc3\xb6rg@b\xc3\xbc.test" };
	char what[96];
	size_t s, i;
	int q, good = 1;

	for (s = 0; s < sizeof(sigs) / sizeof(sigs[0]); s++)
		for (q = 0; q < 2; q++)
			for (i = 0; i < sizeof(senders) / sizeof(senders[0]);
			    i++) {
				memset(&in, 0, sizeof(in));
				in.cmd = PLC_AUTHZ;
				in.sender = senders[i];
				in.recipient = senders[(i + 3) %
				    (sizeof(senders) / sizeof(senders[0]))];
				if (in.recipient[0] == '\0')
					in.recipient = "bob@example.net";
				in.sig = sigs[s];
				if (in.sig == VSIG_PASS) {
					in.have_key = 1;
					memset(in.key, 0xa5 ^ (int)i, 32);
					in.key[0] = (unsigned char)s;
				}
				in.queue_id = q ? "4Xyz9" : NULL;
				snprintf(what, sizeof(what), "AUTHZ sig=%s "
				    "queue_id %s, sender %zu",
				    verdict_sig_name(sigs[s]), q ? "present" :
				    "absent", i);
				good &= req_round(what);
			}
	T_OK(good, "AUTHZ: every sig, queue_id present and absent, every "
	    "sender form round-trips");
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.cmd = PLC_LOOKUP;
		in.address = addrs[i];
		req_round("LOOKUP");
		in.cmd = PLC_DKIMKEY;
		req_round("DKIMKEY");
	}
	for (i = 0; i < sizeof(senders) / sizeof(senders[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.cmd = PLC_LEARN;
		in.user = i % 2 ? "carol" : "Carol+x@Example.NET";
		in.sender = senders[i];
		in.recipient = addrs[i % (sizeof(addrs) / sizeof(addrs[0]))];
		snprintf(what, sizeof(what), "LEARN, sender %zu", i);
		good &= req_round(what);
	}
	T_OK(good, "LEARN: every sender form round-trips");
	for (i = 0; i < sizeof(senders) / sizeof(senders[0]); i++) {
		char field[256];

		memset(&in, 0, sizeof(in));
		in.cmd = PLC_MOVE;
		in.user = i % 2 ? "carol" : "carol@example.net";
		in.have_move = 1;
		in.move = i % 2 ? PLM_ALLOW : PLM_BLOCK;
		snprintf(field, sizeof(field), "untrusted; reason=no-key; "
		    "sender=\"%s\" \\ x", senders[i]);
		in.field = i == 1 ? "" : field;
		snprintf(what, sizeof(what), "MOVE, field %zu", i);
		good &= req_round(what);
	}
	T_OK(good, "MOVE: fields with quotes, backslashes, UTF-8 and none "
	    "round-trip");
	memset(&in, 0, sizeof(in));
	in.cmd = PLC_STATS;
	req_round("STATS");
	in.cmd = PLC_PING;
	req_round("PING");
}

static void
test_request_arg(void)
{
	enum proto_line_err e = PLE_OK;
	char buf[PROTO_LINE_MAX + 1];

	/* the CLI's path: arguments applied one by one, then built */
	memset(&in, 0, sizeof(in));
	in.cmd = PLC_AUTHZ;
	T_OK(proto_line_authz_arg(&in, "sender=a@b.c", &e) == 0 &&
	    proto_line_authz_arg(&in, "recipient=d@e.f", &e) == 0 &&
	    proto_line_authz_arg(&in, "sig=pass", &e) == 0 &&
	    proto_line_authz_arg(&in, "key=" FPR, &e) == 0 &&
	    proto_line_authz_arg(&in, "queue_id=Q1", &e) == 0,
	    "authz_arg takes each argument");
	T_OK(proto_line_req_build(buf, sizeof(buf), &in, &e) > 0 &&
	    strcmp(buf, "AUTHZ sender=a@b.c recipient=d@e.f sig=pass key="
	    FPR " queue_id=Q1\n") == 0, "built: %s", line(buf));
	T_OK(proto_line_authz_arg(&in, "sig=fail", &e) == -1 &&
	    e == PLE_BAD_ARGUMENT, "authz_arg: a repeated sig= is refused");
	T_OK(proto_line_authz_arg(&in, "nosuch=1", &e) == -1 &&
	    e == PLE_BAD_ARGUMENT, "authz_arg: an unknown name is refused");
	memset(&in, 0, sizeof(in));
	T_OK(proto_line_authz_arg(&in, "sig=unknown", &e) == -1 &&
	    e == PLE_BAD_ARGUMENT, "authz_arg: sig=unknown cannot be sent");
	T_OK(proto_line_authz_arg(&in, "key=" FPR "0", &e) == -1 &&
	    e == PLE_BAD_ARGUMENT, "authz_arg: a bad key");
	T_OK(proto_line_authz_arg(&in, "queue_id=a-b", &e) == -1 &&
	    e == PLE_BAD_ARGUMENT, "authz_arg: a bad queue_id");
	T_OK(proto_line_authz_arg(&in, "sender", &e) == -1 &&
	    e == PLE_BAD_ARGUMENT, "authz_arg: no '='");
	memset(&in, 0, sizeof(in));
	T_OK(proto_line_authz_arg(&in, "key=" "3f6a0011223344556677889"
	    "9aabbccddeeff00112233445566778899aabbcc9a", &e) == 0 &&
	    in.have_key && in.key[0] == 0x3f && in.key[31] == 0x9a,
	    "authz_arg: a key without colons, lowercase");
}

static void
test_request_refusals(void)
{
	static char big[PROTO_LINE_MAX + 8];
	struct proto_line_request *p = &out;
	char small[16], buf[PROTO_LINE_MAX + 1];
	size_t fixed;
	int n;

	memset(&in, 0, sizeof(in));
	in.cmd = PLC_AUTHZ;
	in.sender = "a@b.c";
	in.recipient = "d@e.f";
	in.sender = "a\tb@c.d";
	req_refused("AUTHZ: a control octet in the sender", PLE_BAD_SYNTAX);
	in.sender = "a\x7f@c.d";
	req_refused("AUTHZ: DEL in the sender", PLE_BAD_SYNTAX);
	in.sender = "a b@c.d";
	req_refused("AUTHZ: a space outside quotes", PLE_BAD_SYNTAX);
	in.sender = "\"a b@c.d";
	req_refused("AUTHZ: an unclosed quote", PLE_BAD_SYNTAX);
	in.sender = "\"a\\";
	req_refused("AUTHZ: a backslash ending a quote", PLE_BAD_SYNTAX);
	in.sender = "a@b.c";
	in.recipient = "d\n@e.f";
	req_refused("AUTHZ: an LF in the recipient", PLE_BAD_SYNTAX);
	in.recipient = "";
	req_refused("AUTHZ: an empty recipient", PLE_MISSING_ARGUMENT);
	in.recipient = NULL;
	req_refused("AUTHZ: no recipient", PLE_MISSING_ARGUMENT);
	in.recipient = "d@e.f";
	in.sender = NULL;
	req_refused("AUTHZ: no sender", PLE_MISSING_ARGUMENT);
	in.sender = "a@b.c";
	in.sig = VSIG_PASS;
	req_refused("AUTHZ: sig=pass without key", PLE_MISSING_ARGUMENT);
	in.sig = VSIG_FAIL;
	in.have_key = 1;
	req_refused("AUTHZ: key without sig=pass", PLE_BAD_ARGUMENT);
	in.have_key = 0;
	in.sig = (enum verdict_sig)77;
	req_refused("AUTHZ: a sig out of range", PLE_BAD_ARGUMENT);
	in.sig = VSIG_UNKNOWN;
	in.queue_id = "123456789012345678901234567890123";
	req_refused("AUTHZ: a 33-octet queue_id", PLE_BAD_ARGUMENT);
	in.queue_id = "a.b";
	req_refused("AUTHZ: a queue_id with a dot", PLE_BAD_ARGUMENT);
	in.queue_id = NULL;
	T_OK(proto_line_req_build(small, sizeof(small), &in, NULL) == -1,
	    "a buffer too small is refused");
	T_INTEQ(proto_line_req_build(small, sizeof(small), &in, &(enum
	    proto_line_err){ PLE_OK }), -1, "(again, with an error)");

	/* the line limit, LF included: at it parses, one over is refused */
	fixed = strlen("AUTHZ sender= recipient=d@e.f\n");
	memset(big, 'a', PROTO_LINE_MAX - fixed);
	big[PROTO_LINE_MAX - fixed] = '\0';
	in.sender = big;
	n = proto_line_req_build(buf, sizeof(buf), &in, NULL);
	T_OK(n == PROTO_LINE_MAX && proto_line_parse(buf, (size_t)n, p,
	    NULL) == 0, "a line of exactly PROTO_LINE_MAX octets is built "
	    "and parses");
	big[PROTO_LINE_MAX - fixed] = 'a';
	big[PROTO_LINE_MAX - fixed + 1] = '\0';
	req_refused("AUTHZ: one octet over the line limit",
	    PLE_LINE_TOO_LONG);

	memset(&in, 0, sizeof(in));
	in.cmd = PLC_LOOKUP;
	req_refused("LOOKUP: no address", PLE_MISSING_ARGUMENT);
	in.address = "";
	req_refused("LOOKUP: an empty address", PLE_MISSING_ARGUMENT);
	in.address = "not-an-address";
	req_refused("LOOKUP: an address that does not parse",
	    PLE_BAD_ADDRESS);
	in.address = "a b@c.d";
	req_refused("LOOKUP: two tokens", PLE_BAD_SYNTAX);
	memset(&in, 0, sizeof(in));
	in.cmd = PLC_DKIMKEY;
	req_refused("DKIMKEY: no address", PLE_MISSING_ARGUMENT);
	in.address = "";
	req_refused("DKIMKEY: an empty address", PLE_MISSING_ARGUMENT);
	in.address = "not-an-address";
	req_refused("DKIMKEY: an address that does not parse",
	    PLE_BAD_ADDRESS);
	in.address = "a b@c.d";
	req_refused("DKIMKEY: two tokens", PLE_BAD_SYNTAX);
	memset(&in, 0, sizeof(in));
	in.cmd = PLC_LEARN;
	in.sender = "carol@example.net";
	in.recipient = "dave@example.org";
	req_refused("LEARN: no user", PLE_MISSING_ARGUMENT);
	in.user = "";
	req_refused("LEARN: an empty user", PLE_MISSING_ARGUMENT);
	in.user = "carol";
	in.recipient = "";
	req_refused("LEARN: an empty recipient", PLE_MISSING_ARGUMENT);
	in.recipient = "dave@example.org";
	in.sender = NULL;
	req_refused("LEARN: no sender", PLE_MISSING_ARGUMENT);
	in.sender = "carol@example.net";
	in.user = "car ol";
	req_refused("LEARN: a space in the user", PLE_BAD_SYNTAX);
	in.user = "carol";
	in.recipient = "dave\t@example.org";
	req_refused("LEARN: a control octet in the recipient",
	    PLE_BAD_SYNTAX);
	in.cmd = (enum proto_line_cmd)9;
	req_refused("an unknown command", PLE_BAD_COMMAND);
}

/* ---- replies ---- */

static int
tag_fits(enum verdict v, enum verdict_tag t)
{
	switch (v) {
	case VERDICT_TEMPFAIL:
		return t == VT_NONE;
	case VERDICT_UNAUTHORIZED:
		return t == VT_UNAUTHORIZED;
	case VERDICT_UNTRUSTED:
		return t == VT_UNTRUSTED;
	case VERDICT_AUTHORIZED:
		return t == VT_AUTHORIZED || t == VT_TRUSTED;
	}
	return 0;
}

/*
 * ref_pct, ref_authz: the AUTHZ reply line written the plain way, one
 * snprintf a field and one octet at a time (specs/proto-line 3.3), to
 * pin proto_line_authz_encode's octets, not only its round trip.
 */
static size_t
ref_pct(char *p, const char *s)
{
	size_t n = 0;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c <= 0x20 || c == '%' || c == '"' || c >= 0x7f)
			n += (size_t)sprintf(p + n, "%%%02X", c);
		else
			p[n++] = (char)c;
	}
	p[n] = '\0';
	return n;
}

static void
ref_authz(char *dst, size_t dstsz, const struct proto_line_authz *a)
{
	char trust[3 * sizeof(a->trust)], text[3 * sizeof(a->text)];
	char tr[sizeof(trust) + 8] = "", tx[sizeof(text) + 8] = "";

	ref_pct(trust, a->trust);
	ref_pct(text, a->text);
	if (a->trust[0] != '\0')
		snprintf(tr, sizeof(tr), " trust=%s", trust);
	if (a->text[0] != '\0')
		snprintf(tx, sizeof(tx), " text=%s", text);
	snprintf(dst, dstsz, "%s %s tag=%s lookup=%s policy=%s%s class=%s%s\n",
	    verdict_name(a->verdict), verdict_reason_name(a->reason),
	    verdict_tag_name(a->tag),
	    a->has_lookup ? lookup_state_name(a->lookup) : "-",
	    a->has_policy ? verdict_policy_name(a->policy) : "-", tr,
	    a->class_id[0] != '\0' ? a->class_id : "-", tx);
}

static void
test_authz_reply(void)
{
	struct proto_line_authz a, b;
	char buf[PROTO_LINE_REPLY_MAX], ref[PROTO_LINE_REPLY_MAX];
	int v, r, t, k = 0, n, bad = 0, runs = 0, differ = 0;

	for (v = 0; v < VERDICT_COUNT; v++)
		for (t = 0; t < VERDICT_TAG_COUNT; t++) {
			if (!tag_fits((enum verdict)v, (enum verdict_tag)t))
				continue;
			for (r = 0; r < VERDICT_REASON_COUNT; r++, k++) {
				memset(&a, 0, sizeof(a));
				a.verdict = (enum verdict)v;
				a.tag = (enum verdict_tag)t;
				a.reason = (enum verdict_reason)r;
				/* lookup and policy: each value, and absent */
				a.has_lookup = k % 7 != 6;
				a.lookup = (enum lookup_state)(k % 7 % 6);
				a.has_policy = k % 4 != 3;
				a.policy = (enum verdict_policy)(k % 4 % 3);
				if (k % 2)
					snprintf(a.class_id, sizeof(a.class_id),
					    "%016x", 0x21c33b2u + (unsigned)k);
				/* text= (unauthorized only), with the
				   octets it encodes: SP, '%', DQUOTE */
				if (a.verdict == VERDICT_UNAUTHORIZED &&
				    k % 3 != 2)
					snprintf(a.text, sizeof(a.text),
					    "<b@x.test> 100%% \"refused\" #%d",
					    k);
				if (k % 3 && t != VT_NONE)
					snprintf(a.trust, sizeof(a.trust),
					    "%s; reason=%s; sender=\"a b\"@x"
					    ".test", verdict_tag_name(a.tag),
					    verdict_reason_name(a.reason));
				n = proto_line_authz_encode(buf, sizeof(buf),
				    &a);
				runs++;
				ref_authz(ref, sizeof(ref), &a);
				if (n <= 0 || (size_t)n != strlen(ref) ||
				    memcmp(buf, ref, (size_t)n) != 0 ||
				    buf[n] != '\0') {
					differ++;
					T_OK(0, "AUTHZ reply %s is not %s",
					    line(buf), line(ref));
				}
				if (n <= 0 || proto_line_authz_decode(buf,
				    (size_t)n, &b) == -1 || !authz_same(&a,
				    &b) || strcmp(a.trust, b.trust) != 0) {
					bad++;
					T_OK(0, "AUTHZ reply %s does not "
					    "round-trip", line(buf));
					continue;
				}
				mark(buf, "AUTHZ");
				names_add(&seen, "verdict", buf,
				    strcspn(buf, " "));
				names_add(&seen, "reason", buf +
				    strcspn(buf, " ") + 1,
				    strcspn(buf + strcspn(buf, " ") + 1,
				    " "));
				names_add(&seen, "tag", verdict_tag_name(a.tag),
				    strlen(verdict_tag_name(a.tag)));
			}
		}
	T_OK(bad == 0 && runs > 4 * VERDICT_REASON_COUNT, "AUTHZ reply: %d "
	    "verdict/tag/reason combinations with every lookup state and "
	    "policy present and absent, class present and absent, "
	    "round-trip", runs);
	T_OK(differ == 0, "AUTHZ reply: the %d lines are the plain "
	    "formatting's octets", runs);
}

static int
lookup_same(const struct proto_line_lookup *a,
    const struct proto_line_lookup *b)
{
	size_t i;

	if (a->state != b->state || a->nokey != b->nokey ||
	    !same_str(a->owner, b->owner) || a->policy != b->policy ||
	    a->nkeys != b->nkeys || a->malformed != b->malformed ||
	    a->ttl != b->ttl || (a->why == NULL) != (b->why == NULL))
		return 0;
	if (a->why != NULL && (a->whylen != b->whylen ||
	    memcmp(a->why, b->why, a->whylen) != 0))
		return 0;
	for (i = 0; i < a->nkeys; i++)
		if (strcmp(a->keys[i], b->keys[i]) != 0)
			return 0;
	return 1;
}

static void
test_lookup_reply(void)
{
	static const char why[] = "no answer: 100% \"bogus\"\t\x01\x7f\xc3\xa9"
	    "\0end";
	static char keys[PROTO_LINE_KEYS_MAX][160];
	struct proto_line_lookup a, b;
	char buf[PROTO_LINE_REPLY_MAX], copy[PROTO_LINE_REPLY_MAX];
	int s, nk, k = 0, n, bad = 0, runs = 0, nkv;
	size_t i;

	for (i = 0; i < PROTO_LINE_KEYS_MAX; i++)
		snprintf(keys[i], sizeof(keys[i]), "%s,%02zX:" "%.92s,%s,"
		    "MCowBQYDK2VwAyEA+/=%zu", i % 2 ? "rsa" : "ed25519", i,
		    &FPR[3], i % 3 ? "-" : "t", i);
	for (s = 0; s <= LOOKUP_PERMERROR; s++)
		for (nk = 0; nk <= LOOKUP_NOKEY_EXPIRED; nk++)
			for (nkv = 0; nkv < 3; nkv++, k++) {
				memset(&a, 0, sizeof(a));
				a.state = (enum lookup_state)s;
				a.nokey = (enum lookup_nokey)nk;
				a.owner = k % 5 == 4 ? NULL : "2bd806c97f0e00af1a"
				    "1fc3328fa763a9269723c8db8fac4f93af71db."
				    "_senderkey.example.com.";
				a.policy = (enum verdict_policy)(k % 3);
				a.nkeys = nkv == 0 ? 0 : nkv == 1 ? 1 :
				    PROTO_LINE_KEYS_MAX;
				for (i = 0; i < a.nkeys; i++)
					a.keys[i] = keys[i];
				a.malformed = k % 2 ? (uint64_t)k : 0;
				if (k % 3 != 1) {
					a.why = why;
					a.whylen = k % 3 ? sizeof(why) - 1 : 0;
				}
				a.ttl = k % 4 ? (uint64_t)k * 1000 : UINT64_MAX;
				n = proto_line_lookup_encode(buf, sizeof(buf),
				    &a);
				runs++;
				memcpy(copy, buf, n > 0 ? (size_t)n + 1 : 1);
				if (n <= 0 || proto_line_lookup_decode(copy,
				    &b) == -1 || !lookup_same(&a, &b)) {
					bad++;
					T_OK(0, "LOOKUP reply %s does not "
					    "round-trip", line(buf));
					continue;
				}
				mark(buf, "LOOKUP");
			}
	T_OK(bad == 0, "LOOKUP reply: %d combinations (every state, nokey "
	    "and policy; owner, 0/1/%d keys, malformed, why (empty, every "
	    "escaped octet) present and absent; ttl up to 2^64-1) "
	    "round-trip", runs, PROTO_LINE_KEYS_MAX);
}

/*
 * The DKIMKEY reply: LOOKUP's attributes but policy=, which is neither
 * written nor read (a policy= in the line is ignored).
 */
static void
test_dkimkey_reply(void)
{
	static const char why[] = "bad-hash 100%";
	static char keys[PROTO_LINE_KEYS_MAX][160];
	struct proto_line_lookup a, b;
	char buf[PROTO_LINE_REPLY_MAX], copy[PROTO_LINE_REPLY_MAX];
	int s, nk, nkv, k = 0, n, bad = 0, runs = 0;
	size_t i;

	for (i = 0; i < PROTO_LINE_KEYS_MAX; i++)
		snprintf(keys[i], sizeof(keys[i]), "ed25519,%02zX:%.92s,%s,"
		    "MCowBQYDK2VwAyEA+/=%zu", i, &FPR[3], i % 3 ? "-" : "t",
		    i);
	for (s = 0; s <= LOOKUP_PERMERROR; s++)
		for (nk = 0; nk <= LOOKUP_NOKEY_EXPIRED; nk++)
			for (nkv = 0; nkv < 3; nkv++, k++) {
				memset(&a, 0, sizeof(a));
				a.state = (enum lookup_state)s;
				a.nokey = (enum lookup_nokey)nk;
				a.owner = k % 5 == 4 ? NULL : "sk2bd806c97f0e00af"
				    "1a1fc3328fa763a9._domainkey.example.com.";
				a.policy = (enum verdict_policy)(k % 3);
				a.nkeys = nkv == 0 ? 0 : nkv == 1 ? 1 :
				    PROTO_LINE_KEYS_MAX;
				for (i = 0; i < a.nkeys; i++)
					a.keys[i] = keys[i];
				a.malformed = k % 2 ? (uint64_t)k : 0;
				if (k % 3 != 1) {
					a.why = why;
					a.whylen = sizeof(why) - 1;
				}
				a.ttl = (uint64_t)k * 7;
				n = proto_line_lookup_dkim_encode(buf, sizeof(buf),
				    &a);
				runs++;
				a.policy = VPOL_SOME;	/* not carried */
				memcpy(copy, buf, n > 0 ? (size_t)n + 1 : 1);
				if (n <= 0 || strstr(buf, " policy=") != NULL ||
				    proto_line_lookup_dkim_decode(copy, &b) == -1 ||
				    !lookup_same(&a, &b)) {
					bad++;
					T_OK(0, "DKIMKEY reply %s does not "
					    "round-trip", line(buf));
					continue;
				}
				mark(buf, "DKIMKEY");
			}
	T_OK(bad == 0, "DKIMKEY reply: %d combinations (every state and "
	    "nokey; owner, 0/1/%d keys, malformed, why present and absent) "
	    "round-trip without policy=", runs, PROTO_LINE_KEYS_MAX);
	strcpy(copy, "ok state=secure-key owner=x. policy=all key=k ttl=5\n");
	T_OK(proto_line_lookup_dkim_decode(copy, &b) == 0 &&
	    b.policy == VPOL_SOME && b.nkeys == 1 && b.ttl == 5,
	    "DKIMKEY decode: a policy= is ignored");
	strcpy(copy, "ok state=secure-key owner=x. policy=most ttl=5\n");
	T_OK(proto_line_lookup_dkim_decode(copy, &b) == 0,
	    "DKIMKEY decode: even one LOOKUP would refuse");
	strcpy(copy, "error bad-address\n");
	T_INTEQ(proto_line_lookup_dkim_decode(copy, &b), -1,
	    "DKIMKEY decode: an error reply");
	strcpy(copy, "ok nokey=absent ttl=5\n");
	T_INTEQ(proto_line_lookup_dkim_decode(copy, &b), -1,
	    "DKIMKEY decode: state= is required");
}

static void
test_stats_reply(void)
{
	struct proto_line_stats a, b;
	char buf[PROTO_LINE_REPLY_MAX];
	int i, n, same = 1;

	memset(&a, 0, sizeof(a));
	for (i = 0; i < PLS_COUNT; i++)
		T_OK(proto_line_stats_set(&a, proto_line_stats_name(i),
		    i == 0 ? UINT64_MAX : (uint64_t)i * 37) == 0,
		    "STATS: set %s", proto_line_stats_name(i));
	n = proto_line_stats_encode(buf, sizeof(buf), &a);
	T_OK(n > 0 && proto_line_stats_decode(buf, (size_t)n, &b) == 0,
	    "STATS reply encodes and decodes: %s", line(buf));
	for (i = 0; i < PLS_COUNT; i++)
		same &= b.have[i] && b.v[i] == a.v[i];
	T_OK(same, "STATS: every counter round-trips");
	mark(buf, "STATS");
	T_INTEQ(proto_line_stats_set(&a, "nosuch", 1), -1,
	    "STATS: an unknown counter cannot be set");
	a.have[PLS_TIMEOUTS] = 0;
	T_INTEQ(proto_line_stats_encode(buf, sizeof(buf), &a), -1,
	    "STATS: a counter left out is not encoded");
	T_OK(proto_line_stats_decode("ok uptime=1 brand_new=x\n", 24, &b) ==
	    0 && b.have[PLS_UPTIME] && b.v[PLS_UPTIME] == 1 &&
	    !b.have[PLS_REQUESTS], "STATS decode: unknown attributes "
	    "ignored, absent counters not had");
	T_INTEQ(proto_line_stats_decode("ok uptime=x", 11, &b), -1,
	    "STATS decode: a counter that is not a number");
	T_INTEQ(proto_line_stats_decode("ok uptime=1 uptime=2", 20, &b), -1,
	    "STATS decode: a counter twice");
	T_INTEQ(proto_line_stats_decode("ok uptime=18446744073709551616",
	    30, &b), -1, "STATS decode: over 2^64-1");
	T_INTEQ(proto_line_stats_decode("error internal", 14, &b), -1,
	    "STATS decode: an error reply");
	T_INTEQ(proto_line_stats_decode("ok  uptime=1", 12, &b), -1,
	    "STATS decode: an empty word");
}

/* the user-entry reply of LEARN (proto_line_entry.h) */
static void
test_entry_replies(void)
{
	static const char *const bad_lines[] = { "ok", "ok entry=maybe",
	    "ok entry=none", "ok entry=written why=x",
	    "ok entry=none why=Bad_Code", "ok entry=written entry=written",
	    "error internal", "okay entry=written", "ok  entry=written" };
	struct proto_line_entry_reply r;
	char buf[256];
	size_t i;
	int n;

	n = proto_line_entry_encode(buf, sizeof(buf), PLENT_WRITTEN, NULL);
	T_OK(n > 0 && strcmp(buf, "ok entry=written\n") == 0 &&
	    proto_line_entry_decode(buf, (size_t)n, &r) == 0 &&
	    r.entry == PLENT_WRITTEN && r.why[0] == '\0',
	    "LEARN reply written round-trips: %s", line(buf));
	mark(buf, "LEARN");
	n = proto_line_entry_encode(buf, sizeof(buf), PLENT_UNCHANGED, NULL);
	T_OK(n > 0 && proto_line_entry_decode(buf, (size_t)n, &r) == 0 &&
	    r.entry == PLENT_UNCHANGED, "LEARN reply unchanged round-trips: "
	    "%s", line(buf));
	n = proto_line_entry_encode(buf, sizeof(buf), PLENT_NONE,
	    "login-mismatch");
	T_OK(n > 0 && strcmp(buf, "ok entry=none why=login-mismatch\n") ==
	    0 && proto_line_entry_decode(buf, (size_t)n, &r) == 0 &&
	    r.entry == PLENT_NONE && strcmp(r.why, "login-mismatch") == 0,
	    "LEARN reply none round-trips: %s", line(buf));
	mark(buf, "LEARN");
	T_INTEQ(proto_line_entry_encode(buf, sizeof(buf), PLENT_NONE, NULL),
	    -1, "entry=none without why= is not encoded");
	T_INTEQ(proto_line_entry_encode(buf, sizeof(buf), PLENT_NONE,
	    "a b"), -1, "a why= that is not a code is not encoded");
	T_INTEQ(proto_line_entry_encode(buf, sizeof(buf), PLENT_WRITTEN,
	    "x"), -1, "why= with entry=written is not encoded");
	T_INTEQ(proto_line_entry_encode(buf, sizeof(buf),
	    (enum proto_line_entry)7, NULL), -1, "an entry out of range");
	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++)
		T_INTEQ(proto_line_entry_decode(bad_lines[i],
		    strlen(bad_lines[i]), &r), -1, "entry decode refuses "
		    "\"%s\"", bad_lines[i]);
	snprintf(buf, sizeof(buf), "ok entry=none why=some-new-code "
	    "extra=1\n");
	T_OK(proto_line_entry_decode(buf, strlen(buf), &r) == 0 && strcmp(r.why, "some-new-code") == 0,
	    "entry decode: an unknown code and attribute are read");
}

static void
test_small_replies(void)
{
	char buf[256], ver[32];
	uint64_t proto = 0;
	enum proto_line_err e, d;
	int n, bad = 0;

	n = proto_line_pong(buf, sizeof(buf), "1.2.3-rc1");
	T_OK(n > 0 && proto_line_pong_decode(buf, (size_t)n, &proto, ver,
	    sizeof(ver)) == 0 && proto == PROTO_LINE_VERSION &&
	    strcmp(ver, "1.2.3-rc1") == 0, "PING reply round-trips: %s",
	    line(buf));
	mark(buf, "PING");
	T_INTEQ(proto_line_pong_decode("ok pong proto=1", 15, &proto, ver,
	    sizeof(ver)), -1, "PING decode: version= required");
	T_INTEQ(proto_line_pong_decode("ok pong proto=x version=1", 25,
	    &proto, ver, sizeof(ver)), -1, "PING decode: a bad proto=");
	T_INTEQ(proto_line_pong_decode("ok pong proto=1 version=123", 27,
	    &proto, ver, 3), -1, "PING decode: a version too long");
	T_INTEQ(proto_line_pong_decode("error internal", 14, &proto, ver,
	    sizeof(ver)), -1, "PING decode: an error reply");
	for (e = PLE_LINE_TOO_LONG; e <= PLE_INTERNAL; e++) {
		n = proto_line_error(buf, sizeof(buf), e);
		if (n <= 0 || proto_line_error_decode(buf, (size_t)n, &d) ==
		    -1 || d != e)
			bad++;
		else
			names_add(&seen, "error", proto_line_errname(e),
			    strlen(proto_line_errname(e)));
	}
	T_OK(bad == 0, "every error code round-trips");
	test_entry_replies();
}

/* ---- the spec ---- */

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (s = malloc((size_t)n + 1)) ==
	    NULL) {
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	s[fread(s, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return s;
}

/* section: the text of the section whose heading starts with HEAD, up to
   the next heading of any level (a copy; NULL when there is none). */
static char *
section(const char *doc, const char *head)
{
	const char *p = doc, *end;
	size_t hl = strlen(head);

	for (;;) {
		if (strncmp(p, head, hl) == 0)
			break;
		if ((p = strchr(p, '\n')) == NULL)
			return NULL;
		p++;
	}
	p = strchr(p, '\n');
	for (end = p; end != NULL && *end != '\0'; ) {
		if (end[1] == '#')
			break;
		end = strchr(end + 1, '\n');
	}
	if (end == NULL)
		end = p + strlen(p);
	return p == NULL ? NULL : strndup(p, (size_t)(end - p));
}

/* grammar: the quoted strings of the ABNF line of SEC starting RULE. */
static void
grammar(struct names *ns, const char *sec, const char *rule,
    const char *kind)
{
	const char *p = sec, *q, *e;

	while (p != NULL) {
		p++;
		if (strncmp(p, rule, strlen(rule)) == 0 &&
		    strchr(" =", p[strlen(rule)]) != NULL)
			break;
		p = strchr(p, '\n');
	}
	if (p == NULL)
		return;
	e = strchr(p, '\n');
	for (q = p; (q = strchr(q, '"')) != NULL && (e == NULL || q < e);
	    q = strchr(q + 1, '"') + 1)
		names_add(ns, kind, q + 1, strcspn(q + 1, "\""));
}

/* table: the backticked names in the first cell of every table row of
   SEC ("| `a`, `b` | ..."). */
static void
table(struct names *ns, const char *sec, const char *kind)
{
	const char *p, *cell, *end;

	for (p = sec; (p = strstr(p, "\n| `")) != NULL; p++) {
		cell = p + 2;
		end = strchr(cell, '|');
		while ((cell = strchr(cell, '`')) != NULL && cell < end) {
			names_add(ns, kind, cell + 1, strcspn(cell + 1, "`"));
			cell = strchr(cell + 1, '`') + 1;
		}
	}
}

/* reply_table: the reply attribute table of 3.3, "| `CMD` | `a=` `b=`
   |": each attribute as kind CMD. */
static void
reply_table(struct names *ns, const char *sec)
{
	const char *p, *cell, *end, *q;
	char cmd[16];

	for (p = sec; (p = strstr(p, "\n| `")) != NULL; p++) {
		snprintf(cmd, sizeof(cmd), "%.*s", (int)strcspn(p + 4, "`"),
		    p + 4);
		if ((cell = strchr(p + 4, '|')) == NULL ||
		    (end = strchr(cell + 1, '|')) == NULL)
			break;
		for (q = cell; (q = strchr(q, '`')) != NULL && q < end;
		    q = strchr(q + 1, '`') + 1)
			if (strcspn(q + 1, "=`") < strcspn(q + 1, "`"))
				names_add(ns, cmd, q + 1, strcspn(q + 1,
				    "="));
	}
}

static int
spec_load(struct names *spec)
{
	char *proto = slurp("specs/protocol.md"),
	    *verd = slurp("specs/verdicts.md"), *s;
	int ok = proto != NULL && verd != NULL;

	T_OK(ok, "specs/protocol.md and specs/verdicts.md are read");
	if (!ok)
		goto done;
#define SEC(doc, head, call) \
	if ((s = section(doc, head)) != NULL) { call; free(s); } \
	else T_OK(0, "the spec has a section \"%s\"", head)
	SEC(proto, "### 3.1 ", grammar(spec, s, "command", "cmd"));
	SEC(proto, "### 3.2 ", table(spec, s, "arg"));
	SEC(proto, "### 3.3 ", reply_table(spec, s);
	    grammar(spec, s, "verdict", "verdict"));
	SEC(proto, "### 3.4 ", table(spec, s, "error"));
	SEC(proto, "## 6. ", table(spec, s, "STATS"));
	SEC(verd, "### 6.2 ", table(spec, s, "reason"));
	SEC(verd, "### 7.1 ", table(spec, s, "tag"));
#undef SEC
done:
	free(proto);
	free(verd);
	return ok;
}

static void
count(const struct names *ns, const char *kind, int *n)
{
	size_t i, kl = strlen(kind);

	for (*n = 0, i = 0; i < ns->n; i++)
		*n += strncmp(ns->s[i], kind, kl) == 0 && ns->s[i][kl] == ':';
}

static void
test_spec_covered(void)
{
	static struct names spec;
	static const char *const kinds[] = { "cmd", "arg", "AUTHZ", "LOOKUP",
	    "PING", "STATS", "error", "verdict", "reason", "tag", "DKIMKEY" };
	static const int least[] = { 4, 5, 4, 8, 2, 33, 8, 4, 20, 4, 7 };
	size_t i, k;
	int n;

	if (!spec_load(&spec))
		return;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		count(&spec, kinds[k], &n);
		T_OK(n >= least[k], "the spec names %d %s (at least %d)", n,
		    kinds[k], least[k]);
	}
	/* every name the spec gives went through a round trip */
	for (i = 0; i < spec.n; i++) {
		const char *c = strchr(spec.s[i], ':');
		char kind[16];

		snprintf(kind, sizeof(kind), "%.*s", (int)(c - spec.s[i]),
		    spec.s[i]);
		T_OK(names_has(&seen, kind, c + 1), "spec %s is "
		    "round-tripped", spec.s[i]);
	}
	/* and the codec has no name the spec lacks */
	for (i = 0; i < seen.n; i++) {
		const char *c = strchr(seen.s[i], ':');
		char kind[16];

		snprintf(kind, sizeof(kind), "%.*s", (int)(c - seen.s[i]),
		    seen.s[i]);
		if (strcmp(kind, "tag") == 0 && strcmp(c + 1, "-") == 0)
			continue;	/* "-": no tag (protocol.md 3.3) */
		if (strcmp(kind, "reason") == 0 &&
		    strcmp(c + 1, "internal") == 0)
			continue;	/* "tempfail internal" (3.4) */
		T_OK(names_has(&spec, kind, c + 1), "codec name %s is in the "
		    "spec", seen.s[i]);
	}
}

int
main(void)
{
	test_requests();
	test_request_arg();
	test_request_refusals();
	test_authz_reply();
	test_lookup_reply();
	test_dkimkey_reply();
	test_stats_reply();
	test_small_replies();
	test_spec_covered();
	return t_done();
}
