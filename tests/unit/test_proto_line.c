/*
 * test_proto_line: the line protocol parser of protocol.md 3.1-3.4 on good
 * and hostile input (line and token limits at the limit and one over,
 * control octets, quotes, every error code), the reply formatters of
 * 3.3, and the codec of the AUTHZ and LOOKUP replies in both directions:
 * encode -> decode gives the same struct back for every verdict, reason,
 * state and nokey value, the lines the daemon writes decode as the
 * clients need (nokey=revoked is a revoked key), hostile replies fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto_line.h"
#include "core/proto_line_lookup.h"
#include "core/proto_line_req.h"
#include "authz_same.h"
#include "t.h"

#define FPR "3F:6A:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:" \
	"EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:9A"

static struct proto_line_request rq;

static int
parse(const char *s, enum proto_line_err *err)
{
	return proto_line_parse(s, strlen(s), &rq, err);
}

static void
expect(const char *s, enum proto_line_err want, const char *what)
{
	enum proto_line_err err = PLE_OK;
	int rc = parse(s, &err);

	T_OK(rc == -1 && err == want, "%s: error %s (got %s)", what,
	    proto_line_errname(want), rc == 0 ? "success" :
	    proto_line_errname(err));
}

static void
test_good(void)
{
	enum proto_line_err err;

	T_OK(parse("AUTHZ sender=alice@example.com recipient=bob@example.net\n",
	    &err) == 0 && rq.cmd == PLC_AUTHZ, "AUTHZ parses");
	T_STREQ(rq.sender, "alice@example.com", "sender");
	T_STREQ(rq.recipient, "bob@example.net", "recipient");
	T_OK(rq.sig == VSIG_UNKNOWN && !rq.have_key && rq.queue_id == NULL &&
	    !rq.sender_null, "no sig: unknown, no key, no queue_id");
	T_OK(parse("AUTHZ  recipient=b@c.d   sender=  sig=pass key=" FPR
	    " queue_id=4Xyz9 \r\n", &err) == 0, "any order, extra spaces, "
	    "CR LF");
	T_OK(rq.sender_null && rq.sig == VSIG_PASS && rq.have_key &&
	    rq.key[0] == 0x3f && rq.key[31] == 0x9a, "null sender, sig=pass, "
	    "key decoded");
	T_STREQ(rq.queue_id, "4Xyz9", "queue_id");
	T_OK(parse("AUTHZ sender=<> recipient=b@c.d", &err) == 0 &&
	    rq.sender_null, "sender=<> is the null sender; no LF (EOF) ok");
	T_OK(parse("AUTHZ sender=\"john doe\"@example.test "
	    "recipient=b@c.d sig=fail\n", &err) == 0, "quoted local part");
	T_STREQ(rq.sender, "\"john doe\"@example.test", "quotes kept in "
	    "the token");
	T_OK(rq.sig == VSIG_FAIL, "sig=fail");
	T_OK(parse("AUTHZ sender=\"a\\\"b c\"@x.test recipient=b@c.d\n",
	    &err) == 0, "quoted-pair \\\" inside quotes");
	T_STREQ(rq.sender, "\"a\\\"b c\"@x.test", "quoted-pair kept");
	T_OK(parse("AUTHZ sender=not-an-address recipient=b@c.d\n", &err) ==
	    0, "an unparsable sender is not an error (decided invalid)");
	T_OK(parse("AUTHZ sender=a%b@c.d recipient=b@c.d\n", &err) == 0,
	    "'%%' passes through");
	T_OK(parse("AUTHZ sender=j\xc3\xb6rg@b\xc3\xbc.test recipient=x@y.z\n",
	    &err) == 0, "UTF-8 octets are tchar");
	T_OK(parse("LOOKUP alice@example.com\n", &err) == 0 &&
	    rq.cmd == PLC_LOOKUP, "LOOKUP parses");
	T_STREQ(rq.address, "alice@example.com", "LOOKUP address");
	T_OK(parse("DKIMKEY \"john doe\"@example.com\n", &err) == 0 &&
	    rq.cmd == PLC_DKIMKEY, "DKIMKEY parses");
	T_STREQ(rq.address, "\"john doe\"@example.com", "DKIMKEY address");
	expect("dkimkey a@b.c\n", PLE_BAD_COMMAND, "dkimkey: commands are "
	    "case-sensitive");
	T_OK(parse("STATS\n", &err) == 0 && rq.cmd == PLC_STATS, "STATS");
	T_OK(parse("PING", &err) == 0 && rq.cmd == PLC_PING, "PING, no LF");
	T_OK(parse("PING   \n", &err) == 0, "trailing spaces allowed");
}

/* LEARN (protocol.md 3.2): its arguments, parsed as AUTHZ's are */
static void
test_learn(void)
{
	enum proto_line_err err;

	T_OK(parse("LEARN user=carol sender=carol@example.net "
	    "recipient=dave@example.org\n", &err) == 0 && rq.cmd == PLC_LEARN,
	    "LEARN parses");
	T_STREQ(rq.user, "carol", "user");
	T_STREQ(rq.sender, "carol@example.net", "sender");
	T_STREQ(rq.recipient, "dave@example.org", "recipient");
	T_OK(parse("LEARN recipient=\"d x\"@o.test sender=<> user=c@n.test",
	    &err) == 0 && rq.sender_null && strcmp(rq.recipient,
	    "\"d x\"@o.test") == 0, "any order, null sender, quoted");
	expect("LEARN user=c sender=a@b.c\n", PLE_MISSING_ARGUMENT,
	    "LEARN without recipient");
	expect("LEARN sender=a@b.c recipient=d@e.f\n", PLE_MISSING_ARGUMENT,
	    "LEARN without user");
	expect("LEARN user=c recipient=d@e.f\n", PLE_MISSING_ARGUMENT,
	    "LEARN without sender");
	expect("LEARN user= sender=a@b.c recipient=d@e.f\n",
	    PLE_MISSING_ARGUMENT, "LEARN with an empty user");
	expect("LEARN user=c sender=a@b.c recipient=\n", PLE_MISSING_ARGUMENT,
	    "LEARN with an empty recipient");
	expect("LEARN user=c user=d sender=a@b.c recipient=d@e.f\n",
	    PLE_BAD_ARGUMENT, "LEARN with user twice");
	expect("LEARN user=c sender=a@b.c recipient=d@e.f sig=pass\n",
	    PLE_BAD_ARGUMENT, "LEARN with an AUTHZ argument");
	expect("LEARN user=c sender=a@b.c recipient=d@e.f x\n",
	    PLE_BAD_ARGUMENT, "LEARN with an argument without '='");
	expect("LEARN\n", PLE_MISSING_ARGUMENT, "LEARN alone");
	expect("learn user=c sender=a@b.c recipient=d@e.f\n",
	    PLE_BAD_COMMAND, "learn in lowercase");
}

/* MOVE (protocol.md 3.2): user=, action=, field= (a quoted token) */
static void
test_move(void)
{
	struct proto_line_request *back;
	enum proto_line_err err;
	char line[PROTO_LINE_MAX + 1];

	T_OK(parse("MOVE user=bob action=allow field=\"trusted; "
	    "reason=key-secure-signed; sender=\\\"a b\\\"@x.test\"\n",
	    &err) == 0 && rq.cmd == PLC_MOVE, "MOVE parses");
	T_STREQ(rq.user, "bob", "MOVE user");
	T_OK(rq.have_move && rq.move == PLM_ALLOW, "MOVE action=allow");
	T_STREQ(rq.field, "trusted; reason=key-secure-signed; "
	    "sender=\"a b\"@x.test", "MOVE field unquoted, escapes undone");
	T_OK(parse("MOVE field=\"\" action=block user=bob@example.net",
	    &err) == 0 && rq.move == PLM_BLOCK && rq.field[0] == '\0',
	    "any order; an empty field parses (the daemon says no-field)");
	T_OK(parse("MOVE user=bob action=block field=untrusted;", &err) == 0 &&
	    strcmp(rq.field, "untrusted;") == 0, "an unquoted field");
	expect("MOVE user=bob action=allow\n", PLE_MISSING_ARGUMENT,
	    "MOVE without field");
	expect("MOVE action=allow field=x\n", PLE_MISSING_ARGUMENT,
	    "MOVE without user");
	expect("MOVE user= action=allow field=x\n", PLE_MISSING_ARGUMENT,
	    "MOVE with an empty user");
	expect("MOVE user=bob field=x\n", PLE_MISSING_ARGUMENT,
	    "MOVE without action");
	expect("MOVE user=bob action=trust field=x\n", PLE_BAD_ARGUMENT,
	    "MOVE with another action");
	expect("MOVE user=bob action=allow action=block field=x\n",
	    PLE_BAD_ARGUMENT, "MOVE with action twice");
	expect("MOVE user=bob action=allow field=x field=y\n",
	    PLE_BAD_ARGUMENT, "MOVE with field twice");
	expect("MOVE user=bob action=allow field=\"a\"\"b\"\n",
	    PLE_BAD_ARGUMENT, "MOVE with two quoted runs");
	expect("MOVE user=bob action=allow field=\"a\"b\n",
	    PLE_BAD_ARGUMENT, "MOVE with text after the quotes");
	expect("MOVE user=bob action=allow field=\"a\n", PLE_BAD_SYNTAX,
	    "MOVE with an unclosed quote");
	expect("MOVE user=bob action=allow field=x sender=a@b.c\n",
	    PLE_BAD_ARGUMENT, "MOVE with another argument");
	/* built by proto_line_req_build, parsed back the same */
	if ((back = calloc(1, sizeof(*back))) == NULL)
		return;
	back->cmd = PLC_MOVE;
	back->user = "bob@example.net";
	back->have_move = 1;
	back->move = PLM_BLOCK;
	back->field = "untrusted; reason=no-key; sender=\"\\\"q\\\"\"@x.test";
	T_OK(proto_line_req_build(line, sizeof(line), back, &err) > 0 &&
	    parse(line, &err) == 0 && rq.cmd == PLC_MOVE &&
	    rq.move == PLM_BLOCK && strcmp(rq.user, back->user) == 0 &&
	    strcmp(rq.field, back->field) == 0, "MOVE built, parsed back");
	back->field = "a\nb";
	T_OK(proto_line_req_build(line, sizeof(line), back, &err) == -1 &&
	    err == PLE_BAD_SYNTAX, "a line break in the field is not sent");
	back->field = "x";
	back->user = "a b";
	T_OK(proto_line_req_build(line, sizeof(line), back, &err) == -1,
	    "a user with a space is not sent");
	free(back);
}

static void
test_errors(void)
{
	char *l;
	size_t i;
	enum proto_line_err err;

	expect("\n", PLE_BAD_COMMAND, "empty line");
	expect("   \n", PLE_BAD_COMMAND, "only spaces");
	expect(" PING\n", PLE_BAD_COMMAND, "leading space");
	expect("ping\n", PLE_BAD_COMMAND, "lowercase command");
	expect("HELO x\n", PLE_BAD_COMMAND, "unknown command");
	expect("PING x\n", PLE_BAD_COMMAND, "argument to PING");
	expect("STATS x\n", PLE_BAD_COMMAND, "argument to STATS");
	expect("PING\tx\n", PLE_BAD_SYNTAX, "HTAB (a control octet)");
	expect("PING\r\r\n", PLE_BAD_SYNTAX, "a CR not before LF");
	expect("PING\x7f\n", PLE_BAD_SYNTAX, "DEL");
	expect("AUTHZ sender=\"abc recipient=b@c.d\n", PLE_BAD_SYNTAX,
	    "unclosed quote");
	expect("AUTHZ sender=\"abc\\", PLE_BAD_SYNTAX,
	    "backslash at the end inside quotes");
	T_OK(proto_line_parse("PING\0\n", 6, &rq, &err) == -1 &&
	    err == PLE_BAD_SYNTAX, "NUL octet: bad-syntax");
	/* control octets inside quotes, escaped or not, and after a
	   closing quote (the tokenizer checks them in its one pass) */
	expect("AUTHZ sender=\"a\tb\"@x.test recipient=b@c.d\n",
	    PLE_BAD_SYNTAX, "HTAB inside quotes");
	expect("AUTHZ sender=\"a\\\x7f\"@x.test recipient=b@c.d\n",
	    PLE_BAD_SYNTAX, "an escaped DEL inside quotes");
	expect("AUTHZ sender=\"a\"\x01@x.test recipient=b@c.d\n",
	    PLE_BAD_SYNTAX, "a control octet after the closing quote");
	expect("AUTHZ sender=a\\b@x.test recipient=b@c.d \x1f\n",
	    PLE_BAD_SYNTAX, "a control octet as a last token");
	T_OK(proto_line_parse("AUTHZ sender=\"a\0b\"@x.test "
	    "recipient=b@c.d\n", 42, &rq, &err) == -1 && err == PLE_BAD_SYNTAX,
	    "NUL octet inside quotes: bad-syntax");
	T_OK(parse("AUTHZ sender=\"a\\\\\"@x.test recipient=b@c.d\n",
	    &err) == 0 && strcmp(rq.sender, "\"a\\\\\"@x.test") == 0,
	    "an escaped backslash before the closing quote");
	T_OK(parse("AUTHZ sender=a\\b@x.test recipient=b@c.d\n",
	    &err) == 0 && strcmp(rq.sender, "a\\b@x.test") == 0,
	    "a backslash outside quotes is an ordinary octet");
	expect("AUTHZ sender=a@b.c\n", PLE_MISSING_ARGUMENT, "no recipient");
	expect("AUTHZ recipient=a@b.c\n", PLE_MISSING_ARGUMENT, "no sender");
	expect("AUTHZ sender=a@b.c recipient=\n", PLE_MISSING_ARGUMENT,
	    "empty recipient");
	expect("AUTHZ sender=a@b.c recipient=d@e.f sig=pass\n",
	    PLE_MISSING_ARGUMENT, "sig=pass without key");
	expect("AUTHZ sender=a@b.c recipient=d@e.f key=" FPR "\n",
	    PLE_BAD_ARGUMENT, "key without sig");
	expect("AUTHZ sender=a@b.c recipient=d@e.f sig=fail key=" FPR "\n",
	    PLE_BAD_ARGUMENT, "key with sig=fail");
	expect("AUTHZ sender=a@b.c recipient=d@e.f sig=pass key=3F6A\n",
	    PLE_BAD_ARGUMENT, "short key");
	expect("AUTHZ sender=a@b.c recipient=d@e.f sig=maybe\n",
	    PLE_BAD_ARGUMENT, "bad sig value");
	expect("AUTHZ sender=a@b.c recipient=d@e.f sig=unknown\n",
	    PLE_BAD_ARGUMENT, "sig=unknown is not sendable");
	expect("AUTHZ sender=a@b.c recipient=d@e.f sig=none sig=none\n",
	    PLE_BAD_ARGUMENT, "repeated sig");
	expect("AUTHZ sender=a@b.c sender=a@b.c recipient=d@e.f\n",
	    PLE_BAD_ARGUMENT, "repeated sender");
	expect("AUTHZ sender=a@b.c recipient=d@e.f color=red\n",
	    PLE_BAD_ARGUMENT, "unknown argument");
	expect("AUTHZ sender=a@b.c recipient=d@e.f junk\n",
	    PLE_BAD_ARGUMENT, "argument without '='");
	expect("AUTHZ sender=a@b.c recipient=d@e.f queue_id=\n",
	    PLE_BAD_ARGUMENT, "empty queue_id");
	expect("AUTHZ sender=a@b.c recipient=d@e.f queue_id=a-b\n",
	    PLE_BAD_ARGUMENT, "queue_id with '-'");
	expect("AUTHZ sender=a@b.c recipient=d@e.f "
	    "queue_id=123456789012345678901234567890123\n",
	    PLE_BAD_ARGUMENT, "queue_id of 33 characters");
	T_OK(parse("AUTHZ sender=a@b.c recipient=d@e.f "
	    "queue_id=12345678901234567890123456789012\n", &err) == 0,
	    "queue_id of exactly 32 characters");
	expect("LOOKUP\n", PLE_MISSING_ARGUMENT, "LOOKUP without address");
	expect("LOOKUP a@b.c d@e.f\n", PLE_BAD_ARGUMENT, "LOOKUP of two");
	/* The address is parsed by who acts on it (dispatch.c), not here. */
	T_OK(parse("LOOKUP nobody\n", &err) == 0 &&
	    strcmp(rq.address, "nobody") == 0,
	    "LOOKUP of a non-address: the token, not parsed here");
	expect("DKIMKEY\n", PLE_MISSING_ARGUMENT, "DKIMKEY without address");
	expect("DKIMKEY a@b.c d@e.f\n", PLE_BAD_ARGUMENT, "DKIMKEY of two");
	expect("DKIMKEY a@b.c sk1._domainkey.b.c.\n", PLE_BAD_ARGUMENT,
	    "DKIMKEY with a DNS name beside the address");
	T_OK(parse("DKIMKEY nobody\n", &err) == 0 &&
	    strcmp(rq.address, "nobody") == 0,
	    "DKIMKEY of a non-address: the token, not parsed here");

	/* Tokens: 16 (the command included) fine, 17 not. */
	T_OK(parse("AUTHZ a b c d e f g h i j k l m n o\n", &err) == -1 &&
	    err == PLE_BAD_ARGUMENT, "16 tokens: parsed (then bad-argument)");
	expect("AUTHZ a b c d e f g h i j k l m n o p\n", PLE_BAD_SYNTAX,
	    "17 tokens: bad-syntax");

	/* Line length, LF included. */
	l = malloc(PROTO_LINE_MAX + 2);
	if (l == NULL)
		abort();
	memcpy(l, "LOOKUP ", 7);
	for (i = 7; i < PROTO_LINE_MAX - 1; i++)
		l[i] = 'a';
	l[PROTO_LINE_MAX - 1] = '\n';
	T_OK(proto_line_parse(l, PROTO_LINE_MAX, &rq, &err) == 0 &&
	    strlen(rq.address) == PROTO_LINE_MAX - 8,
	    "a line of exactly %d octets is read", PROTO_LINE_MAX);
	l[PROTO_LINE_MAX - 1] = 'a';
	l[PROTO_LINE_MAX] = '\n';
	T_OK(proto_line_parse(l, PROTO_LINE_MAX + 1, &rq, &err) == -1 &&
	    err == PLE_LINE_TOO_LONG, "a line of %d octets: line-too-long",
	    PROTO_LINE_MAX + 1);
	free(l);
	l = malloc(1024 * 1024);
	if (l == NULL)
		abort();
	memset(l, 'A', 1024 * 1024);
	T_OK(proto_line_parse(l, 1024 * 1024, &rq, &err) == -1 &&
	    err == PLE_LINE_TOO_LONG, "a 1 MiB line: line-too-long");
	free(l);
	T_OK(proto_line_err_closes(PLE_LINE_TOO_LONG) &&
	    !proto_line_err_closes(PLE_BAD_SYNTAX), "only line-too-long "
	    "closes");
}

static void
test_replies(void)
{
	struct verdict_output v;
	struct proto_line_out o;
	char buf[256], tiny[8];
	int n;

	memset(&v, 0, sizeof(v));
	v.verdict = VERDICT_UNTRUSTED;
	v.reason = VR_SIG_PENDING;
	v.tag = VT_UNTRUSTED;
	proto_line_verdict(buf, sizeof(buf), &v, "secure-key", "some",
	    "21c33b21cbddc32d");
	T_STREQ(buf, "untrusted sig-pending tag=untrusted lookup=secure-key "
	    "policy=some class=21c33b21cbddc32d\n", "verdict line of 3.3");
	v.verdict = VERDICT_UNAUTHORIZED;
	v.reason = VR_DENYLISTED;
	v.tag = VT_UNAUTHORIZED;
	proto_line_verdict(buf, sizeof(buf), &v, NULL, NULL,
	    "6e1e7a987a14b296");
	T_STREQ(buf, "unauthorized denylisted tag=unauthorized lookup=- "
	    "policy=- class=6e1e7a987a14b296\n", "verdict line, no lookup");
	v.verdict = VERDICT_TEMPFAIL;
	v.reason = VR_INTERNAL;
	v.tag = VT_NONE;
	proto_line_verdict(buf, sizeof(buf), &v, NULL, NULL, NULL);
	T_STREQ(buf, "tempfail internal tag=- lookup=- policy=- class=-\n",
	    "tempfail internal");
	n = proto_line_error(buf, sizeof(buf), PLE_MISSING_ARGUMENT);
	T_STREQ(buf, "error missing-argument\n", "error line");
	T_INTEQ(n, 23, "error line length");
	proto_line_pong(buf, sizeof(buf), "0.1");
	T_STREQ(buf, "ok pong proto=1 version=0.1\n", "PING reply");

	proto_line_out_init(&o, buf, sizeof(buf));
	proto_line_out_word(&o, "ok");
	proto_line_out_attr(&o, "state", "bogus");
	proto_line_out_attr_pct(&o, "why", "sig over \"x\" 100%\x01\xff", 19);
	proto_line_out_attr_u64(&o, "ttl", 60);
	proto_line_out_end(&o);
	T_STREQ(buf, "ok state=bogus why=sig%20over%20%22x%22%20100%25%01%FF "
	    "ttl=60\n", "percent-encoded why");
	/* runs copied whole: an escape first, a clean run last, LEN kept */
	proto_line_out_init(&o, buf, sizeof(buf));
	proto_line_out_attr_pct(&o, "a", "%x yz", 5);
	proto_line_out_attr_pct(&o, "b", "abcdef", 3);
	proto_line_out_attr_pct(&o, "c", "", 0);
	proto_line_out_end(&o);
	T_STREQ(buf, "a=%25x%20yz b=abc c=\n", "percent-encoding by runs");
	proto_line_out_init(&o, tiny, sizeof(tiny));
	proto_line_out_attr_pct(&o, "a", "a long clean run of text", 24);
	T_INTEQ(proto_line_out_end(&o), -1, "a run past the end: overflow");
	proto_line_out_init(&o, buf, sizeof(buf));
	proto_line_out_word(&o, "ok");
	proto_line_out_attr(&o, "why", "has space");
	T_INTEQ(proto_line_out_end(&o), -1, "a space in a plain value is "
	    "refused");
	T_STREQ(buf, "error internal\n", "... and the line says internal");
	proto_line_out_init(&o, buf, sizeof(buf));
	proto_line_out_attr(&o, "Bad", "x");
	T_INTEQ(proto_line_out_end(&o), -1, "an uppercase attribute name is "
	    "refused");
	proto_line_out_init(&o, tiny, sizeof(tiny));
	proto_line_out_word(&o, "authorized");
	T_INTEQ(proto_line_out_end(&o), -1, "overflow is reported");
	T_STREQ(tiny, "", "overflow leaves an empty string in a tiny buffer");
	T_STREQ(proto_line_errname(PLE_NOT_PERMITTED), "not-permitted",
	    "wire names");
	T_STREQ(proto_line_cmdname(PLC_LOOKUP), "LOOKUP", "command names");
	T_STREQ(proto_line_cmdname(PLC_DKIMKEY), "DKIMKEY", "DKIMKEY's name");
}

static void
test_authz_codec(void)
{
	static const enum verdict_tag tags[] = { VT_NONE, VT_UNAUTHORIZED,
		VT_UNTRUSTED, VT_AUTHORIZED, VT_TRUSTED };
	static const enum verdict verdicts[] = { VERDICT_TEMPFAIL,
		VERDICT_UNAUTHORIZED, VERDICT_UNTRUSTED, VERDICT_AUTHORIZED,
		VERDICT_AUTHORIZED };
	struct proto_line_authz a, b;
	char buf[1024];
	int r, t, ok = 1, n = 0, len;

	/* every reason with a verdict and tag that go together, lookup and
	   policy present or not, a class or "-" */
	for (r = 0; strcmp(verdict_reason_name((enum verdict_reason)r),
	    "?") != 0; r++)
		for (t = 0; t < 5; t++) {
			memset(&a, 0, sizeof(a));
			a.verdict = verdicts[t];
			a.tag = tags[t];
			a.reason = (enum verdict_reason)r;
			a.has_lookup = (r + t) % 2;
			a.lookup = (enum lookup_state)((r + t) % 6);
			a.has_policy = r % 2;
			a.policy = (enum verdict_policy)(t % 3);
			if (t % 2)
				strcpy(a.class_id, "21c33b21cbddc32d");
			len = proto_line_authz_encode(buf, sizeof(buf), &a);
			if (len < 0 || proto_line_authz_decode(buf,
			    (size_t)len, &b) != 0 || !authz_same(&a, &b)) {
				ok = 0;
				fprintf(stderr, "# round trip failed: %s", buf);
			}
			n++;
		}
	T_OK(ok && n >= 100, "AUTHZ: encode -> decode -> same struct "
	    "(%d replies)", n);

	strcpy(buf, "authorized key-secure-signed tag=trusted "
	    "lookup=secure-key policy=some class=21c33b21cbddc32d future=1\n");
	T_OK(proto_line_authz_decode(buf, strlen(buf), &b) == 0 && b.verdict == VERDICT_AUTHORIZED &&
	    b.reason == VR_KEY_SECURE_SIGNED && b.tag == VT_TRUSTED &&
	    b.has_lookup && b.lookup == LOOKUP_SECURE_KEY && b.has_policy &&
	    b.policy == VPOL_SOME, "AUTHZ: the daemon's line decodes, an "
	    "unknown attribute is ignored");
	memset(&a, 0, sizeof(a));
	a.verdict = VERDICT_AUTHORIZED;
	a.reason = VR_ALLOWLISTED_SIGNED;
	a.tag = VT_UNTRUSTED;
	T_INTEQ(proto_line_authz_encode(buf, sizeof(buf), &a), -1,
	    "AUTHZ: a tag that does not go with the verdict is not encoded...");
	strcpy(buf, "authorized allowlisted-signed tag=untrusted lookup=- "
	    "policy=- class=-");
	T_INTEQ(proto_line_authz_decode(buf, strlen(buf), &b), -1,
	    "... nor decoded (fail closed)");
	strcpy(a.class_id, "21C33B21CBDDC32D");
	a.tag = VT_AUTHORIZED;
	T_INTEQ(proto_line_authz_encode(buf, sizeof(buf), &a), -1,
	    "AUTHZ: a class id that is not lowercase hex is not encoded");
#define BAD_AUTHZ(line, what) \
	T_INTEQ(proto_line_authz_decode(line, strlen(line), &b), -1, what)
	BAD_AUTHZ("error internal", "AUTHZ: an error reply is no verdict");
	BAD_AUTHZ("authorized key-secure-signed", "AUTHZ: no tag=");
	BAD_AUTHZ("maybe key-secure-signed tag=trusted", "AUTHZ: unknown "
	    "verdict");
	BAD_AUTHZ("untrusted made-up tag=untrusted", "AUTHZ: unknown reason");
	BAD_AUTHZ("untrusted no-key tag=untrusted lookup=nope", "AUTHZ: "
	    "unknown lookup state");
	BAD_AUTHZ("untrusted no-key tag=untrusted tag=untrusted", "AUTHZ: "
	    "two tags");
	BAD_AUTHZ("untrusted no-key tag=untrusted class=xyz", "AUTHZ: bad "
	    "class");
	/* found by fuzz_answer: policy=all then policy=- decoded as has_policy
	 * 0 with policy ALL left behind; which of two values holds? */
	BAD_AUTHZ("untrusted no-key tag=untrusted policy=all policy=-",
	    "AUTHZ: two policy=");
	BAD_AUTHZ("untrusted no-key tag=untrusted lookup=insecure lookup=-",
	    "AUTHZ: two lookup=");
	BAD_AUTHZ("untrusted no-key tag=untrusted class=- "
	    "class=21c33b21cbddc32d", "AUTHZ: two class=");
	BAD_AUTHZ("untrusted no-key tag=untrusted trust=untrusted "
	    "trust=trusted", "AUTHZ: two trust=");
	BAD_AUTHZ("unauthorized denylisted tag=unauthorized text=a text=b",
	    "AUTHZ: two text=");
	BAD_AUTHZ("untrusted  no-key tag=untrusted", "AUTHZ: two SPs");
	BAD_AUTHZ("untrusted no-key tag=untrusted\r", "AUTHZ: a control "
	    "octet");
	BAD_AUTHZ("", "AUTHZ: empty");
	BAD_AUTHZ("unauthorized denylisted tag=unauthorized text=a%0Db",
	    "AUTHZ: a text= with an encoded control octet");
	BAD_AUTHZ("unauthorized denylisted tag=unauthorized text=a%C3%A9",
	    "AUTHZ: a text= with an encoded 8-bit octet");
	BAD_AUTHZ("unauthorized denylisted tag=unauthorized text=a%2",
	    "AUTHZ: a text= with a cut escape");
	BAD_AUTHZ("unauthorized denylisted tag=unauthorized text=a%zz",
	    "AUTHZ: a text= with a bad escape");
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "unauthorized denylisted tag=unauthorized text=", 46);
	buf[46 + REFUSAL_TEXT_MAX + 1] = '\0';
	BAD_AUTHZ(buf, "AUTHZ: a text= over REFUSAL_TEXT_MAX octets");
	buf[46 + REFUSAL_TEXT_MAX] = '\0';
	T_OK(proto_line_authz_decode(buf, strlen(buf), &b) == 0 &&
	    strlen(b.text) == REFUSAL_TEXT_MAX, "AUTHZ: a text= of "
	    "REFUSAL_TEXT_MAX octets decodes");
	strcpy(buf, "unauthorized not-allowlisted tag=unauthorized "
	    "class=- text=<c@x.test>%20accepts%20(senderkey:%25x)\n");
	T_OK(proto_line_authz_decode(buf, strlen(buf), &b) == 0 &&
	    strcmp(b.text, "<c@x.test> accepts (senderkey:%x)") == 0,
	    "AUTHZ: text= percent-decoded");
	{
		struct proto_line_authz c;
		char enc[1024];
		int m;

		strcpy(buf, "untrusted sig-pending tag=untrusted class=- "
		    "text=abcdef");
		T_OK(proto_line_authz_decode(buf, strlen(buf), &b) == 0 &&
		    (m = proto_line_authz_encode(enc, sizeof(enc), &b)) > 0 &&
		    proto_line_authz_decode(enc, (size_t)m, &c) == 0 &&
		    memcmp(&b, &c, sizeof(b)) == 0, "AUTHZ: an ignored text= "
		    "leaves nothing behind (fuzz round trip)");
	}
	strcpy(buf, "untrusted sig-pending tag=untrusted class=- text=x%20y");
	T_OK(proto_line_authz_decode(buf, strlen(buf), &b) == 0 &&
	    b.text[0] == '\0', "AUTHZ: text= with another verdict than "
	    "unauthorized is ignored");
	memset(&a, 0, sizeof(a));
	a.verdict = VERDICT_UNTRUSTED;
	a.reason = VR_SIG_PENDING;
	a.tag = VT_UNTRUSTED;
	strcpy(a.text, "refused");
	T_INTEQ(proto_line_authz_encode(buf, sizeof(buf), &a), -1,
	    "AUTHZ: text= is not encoded with another verdict");
	a.verdict = VERDICT_UNAUTHORIZED;
	a.reason = VR_DENYLISTED;
	a.tag = VT_UNAUTHORIZED;
	strcpy(a.text, "bad\nline");
	T_INTEQ(proto_line_authz_encode(buf, sizeof(buf), &a), -1,
	    "AUTHZ: a text with a control octet is not encoded");
#undef BAD_AUTHZ
}

static int
lookup_same(const struct proto_line_lookup *a,
    const struct proto_line_lookup *b)
{
	size_t i;

	if (a->state != b->state || a->nokey != b->nokey ||
	    a->policy != b->policy || a->nkeys != b->nkeys ||
	    a->malformed != b->malformed || a->ttl != b->ttl ||
	    (a->owner == NULL) != (b->owner == NULL) ||
	    (a->owner != NULL && strcmp(a->owner, b->owner) != 0) ||
	    (a->why == NULL) != (b->why == NULL) ||
	    (a->why != NULL && (a->whylen != b->whylen ||
	    memcmp(a->why, b->why, a->whylen) != 0)))
		return 0;
	for (i = 0; i < a->nkeys; i++)
		if (strcmp(a->keys[i], b->keys[i]) != 0)
			return 0;
	return 1;
}

static void
test_lookup_codec(void)
{
	static const char why[] = "validation failure <x. TXT IN>: 100% \"bad\"";
	struct proto_line_lookup a, b;
	char buf[2048];
	int s, k, ok = 1, n = 0;

	for (s = LOOKUP_SECURE_KEY; s <= LOOKUP_PERMERROR; s++)
		for (k = LOOKUP_NOKEY_NONE; k <= LOOKUP_NOKEY_EXPIRED; k++) {
			memset(&a, 0, sizeof(a));
			a.state = (enum lookup_state)s;
			a.nokey = (enum lookup_nokey)k;
			a.owner = "2bd806c9._senderkey.example.com.";
			a.policy = (enum verdict_policy)((s + k) % 3);
			if (s == LOOKUP_SECURE_KEY || s == LOOKUP_INSECURE) {
				a.keys[a.nkeys++] = "ed25519," FPR ",-,AAAA";
				a.keys[a.nkeys++] = "rsa," FPR ",t,BBBB";
			}
			a.malformed = (uint64_t)k;
			if (s >= LOOKUP_BOGUS) {
				a.why = why;
				a.whylen = sizeof(why) - 1;
			}
			a.ttl = (uint64_t)s * 3600;
			if (proto_line_lookup_encode(buf, sizeof(buf), &a) < 0 ||
			    proto_line_lookup_decode(buf, &b) != 0 ||
			    !lookup_same(&a, &b)) {
				ok = 0;
				fprintf(stderr, "# round trip failed: "
				    "state %d nokey %d\n", s, k);
			}
			n++;
		}
	T_OK(ok && n == 24, "LOOKUP: encode -> decode -> same struct "
	    "(%d replies)", n);

	/* the drift that was: the daemon said nothing of revocation and
	   the milter waited for revoked= / expired= */
	memset(&a, 0, sizeof(a));
	a.state = LOOKUP_SECURE_NOKEY;
	a.nokey = LOOKUP_NOKEY_REVOKED;
	a.owner = "x.";
	a.ttl = 2;
	proto_line_lookup_encode(buf, sizeof(buf), &a);
	T_STREQ(buf, "ok state=secure-nokey nokey=revoked owner=x. "
	    "policy=some ttl=2\n", "LOOKUP: a revoked key is written "
	    "nokey=revoked");
	T_OK(proto_line_lookup_decode(buf, &b) == 0 &&
	    b.nokey == LOOKUP_NOKEY_REVOKED, "... and read back as revoked");
	strcpy(buf, "ok state=secure-nokey owner=x. policy=some revoked=1 "
	    "ttl=5");
	T_OK(proto_line_lookup_decode(buf, &b) == 0 &&
	    b.nokey == LOOKUP_NOKEY_NONE, "LOOKUP: the old revoked= "
	    "attribute means nothing (no key, reason unknown)");
	strcpy(buf, "ok state=secure-nokey nokey=suspended owner=x. ttl=5");
	T_OK(proto_line_lookup_decode(buf, &b) == 0 &&
	    b.nokey == LOOKUP_NOKEY_ABSENT, "LOOKUP: an unknown nokey= "
	    "value is still no key");
	strcpy(buf, "ok state=bogus owner=x. policy=some why=a%20b%00c ttl=0");
	T_OK(proto_line_lookup_decode(buf, &b) == 0 && b.whylen == 5 &&
	    memcmp(b.why, "a b\0c", 5) == 0, "LOOKUP: why= is "
	    "percent-decoded");
	/* DKIMKEY: the same line without policy= */
	memset(&a, 0, sizeof(a));
	a.state = LOOKUP_SECURE_KEY;
	a.owner = "sk1._domainkey.x.";
	a.policy = VPOL_ALL;
	a.keys[a.nkeys++] = "ed25519,AB:CD,-,p64";
	a.malformed = 1;
	a.ttl = 60;
	proto_line_lookup_dkim_encode(buf, sizeof(buf), &a);
	T_STREQ(buf, "ok state=secure-key owner=sk1._domainkey.x. "
	    "key=ed25519,AB:CD,-,p64 malformed=1 ttl=60\n",
	    "DKIMKEY: LOOKUP's line without policy=");
	T_OK(proto_line_lookup_dkim_decode(buf, &b) == 0 && b.nkeys == 1 &&
	    strcmp(b.keys[0], "ed25519,AB:CD,-,p64") == 0 &&
	    b.malformed == 1 && b.ttl == 60 && b.policy == VPOL_SOME,
	    "DKIMKEY: read back");
#define BAD_LOOKUP(line, what) do { \
	strcpy(buf, line); \
	T_INTEQ(proto_line_lookup_decode(buf, &b), -1, what); \
} while (0)
	BAD_LOOKUP("error bad-address", "LOOKUP: an error reply");
	BAD_LOOKUP("ok pong proto=1 version=1", "LOOKUP: no state=");
	BAD_LOOKUP("ok state=maybe ttl=1", "LOOKUP: unknown state");
	BAD_LOOKUP("ok state=bogus state=secure-key", "LOOKUP: two states");
	BAD_LOOKUP("ok state=bogus why=%G0", "LOOKUP: bad escape");
	BAD_LOOKUP("ok state=bogus why=%4", "LOOKUP: short escape");
	BAD_LOOKUP("ok state=bogus ttl=-1", "LOOKUP: negative ttl");
	BAD_LOOKUP("ok state=bogus ttl=99999999999999999999999",
	    "LOOKUP: ttl out of range");
	BAD_LOOKUP("ok state=secure-key key=", "LOOKUP: empty key=");
	BAD_LOOKUP("ok state=secure-key  ttl=1", "LOOKUP: two SPs");
	BAD_LOOKUP("ok state=secure-key policy=none", "LOOKUP: bad policy");
#undef BAD_LOOKUP
	strcpy(buf, "ok state=secure-key");
	for (k = 0; k <= PROTO_LINE_KEYS_MAX; k++)
		strcat(buf, " key=ed25519,X,-,AAAA");
	T_INTEQ(proto_line_lookup_decode(buf, &b), -1, "LOOKUP: more than "
	    "PROTO_LINE_KEYS_MAX keys");
	memset(&a, 0, sizeof(a));
	a.state = LOOKUP_SECURE_KEY;
	a.owner = "has space";
	T_INTEQ(proto_line_lookup_encode(buf, sizeof(buf), &a), -1,
	    "LOOKUP: an owner with a space is not encoded");
}

static void
test_error_codec(void)
{
	enum proto_line_err e = PLE_OK;

	T_OK(proto_line_error_decode("error bad-address\n", 18, &e) == 0 &&
	    e == PLE_BAD_ADDRESS, "error reply decodes");
	T_OK(proto_line_error_decode("error brand-new", 15, &e) == 0 &&
	    e == PLE_INTERNAL, "an unknown error code reads as internal");
	T_INTEQ(proto_line_error_decode("ok state=bogus", 14, &e), -1,
	    "an ok reply is no error");
}

/* trust=: the field value percent-encoded, decoded back exactly. */
static void
test_authz_trust(void)
{
	struct proto_line_authz a, b;
	char buf[4096], out[64];

	memset(&a, 0, sizeof(a));
	a.verdict = VERDICT_UNTRUSTED;
	a.reason = VR_NO_KEY;
	a.tag = VT_UNTRUSTED;
	strcpy(a.class_id, "21c33b21cbddc32d");
	strcpy(a.trust, "untrusted; reason=no-key; "
	    "sender=\"\\\"50% off\\\"@example.test\"");
	T_OK(proto_line_authz_encode(buf, sizeof(buf), &a) > 0, "encoded");
	T_STREQ(buf, "untrusted no-key tag=untrusted lookup=- policy=- "
	    "trust=untrusted;%20reason=no-key;%20sender=%22\\%2250%25%20off"
	    "\\%22@example.test%22 class=21c33b21cbddc32d\n",
	    "trust= percent-encoded, before class=");
	T_OK(proto_line_authz_decode(buf, strlen(buf), &b) == 0 &&
	    strcmp(a.trust, b.trust) == 0 && authz_same(&a, &b),
	    "trust= decodes back");
	strcpy(buf, "untrusted no-key tag=untrusted trust=a%2 class=-");
	T_OK(proto_line_authz_decode(buf, strlen(buf), &b) == -1,
	    "a cut escape fails");
	strcpy(buf, "untrusted no-key tag=untrusted trust=a%00b class=-");
	T_OK(proto_line_authz_decode(buf, strlen(buf), &b) == -1,
	    "a NUL escape fails");
	T_INTEQ(proto_line_pct_decode("a%41%2", 4, out, sizeof(out)), 2,
	    "pct_decode: %%41 is A");
	T_STREQ(out, "aA", "pct_decode: the octets");
	T_INTEQ(proto_line_pct_decode("abc", 3, out, 3), -1,
	    "pct_decode: too small");
}

int
main(void)
{
	test_good();
	test_learn();
	test_move();
	test_errors();
	test_replies();
	test_authz_codec();
	test_authz_trust();
	test_lookup_codec();
	test_error_codec();
	return t_done();
}
