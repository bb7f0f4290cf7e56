/*
 * test_proto_policy: the Postfix policy parser on good and hostile input
 * (every limit at exactly the limit and one over, NUL, CR, no '=', bad
 * names, duplicates, 10,000 attributes, a 1 MiB line), the action and
 * reply encoder of protocol.md 2.4 and the transaction logic of 2.5
 * (long instances, actions compared as text); proto_policy_parse, the
 * whole-block parser, against line-by-line feeding on good, hostile and
 * random input.  The parser's arena: small at first (a realistic
 * Postfix request fits it), grown on demand up to the request limit with
 * every stored value intact, kept across requests, given back by
 * proto_policy_shrink; the same errors at the same sizes either way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config.h"
#include "resolver/proto_policy.h"
#include "t.h"

/*
 * feed_text: feed TEXT line by line (split after each LF, the last piece
 * as is when it has no LF).  Returns the last status; *ERR and *LINES
 * (lines fed) set.
 */
static enum proto_policy_status
feed_text(struct proto_policy_parser *p, const char *text, size_t len,
    enum proto_policy_err *err, int *lines)
{
	enum proto_policy_status st = PPS_MORE;
	const char *s = text, *end = text + len, *nl;

	*err = PPE_OK;
	*lines = 0;
	while (s < end && st == PPS_MORE) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end - 1;
		st = proto_policy_feed(p, s, (size_t)(nl - s + 1), err);
		(*lines)++;
		s = nl + 1;
	}
	return st;
}

#define BASE "request=smtpd_access_policy\nprotocol_state=RCPT\n"

/* parse_str: a fresh parse of TEXT; the status, *ERR set. */
static enum proto_policy_status
parse_str(struct proto_policy_parser *p, const char *text,
    enum proto_policy_err *err)
{
	int lines;

	proto_policy_reset(p);
	return feed_text(p, text, strlen(text), err, &lines);
}

static void
expect_err(struct proto_policy_parser *p, const char *text,
    enum proto_policy_err want, const char *what)
{
	enum proto_policy_err err;
	enum proto_policy_status st = parse_str(p, text, &err);

	T_OK(st == PPS_ERROR && err == want, "%s: malformed (%s; got %s)",
	    what, proto_policy_errname(want), proto_policy_errname(err));
}

static void
test_good(struct proto_policy_parser *p)
{
	const char *ex = "request=smtpd_access_policy\n"
	    "protocol_state=RCPT\nprotocol_name=ESMTP\n"
	    "client_address=192.0.2.10\nsender=alice@example.com\n"
	    "recipient=bob@example.net\nqueue_id=\n"
	    "instance=1d2a.6751b2c4.9e0f1.0\nsasl_username=\n"
	    "ccert_pubkey_fingerprint=\n\n";
	const struct proto_policy_request *rq;
	enum proto_policy_err err;

	T_OK(proto_policy_request(p) == NULL, "no request before the end");
	T_OK(parse_str(p, ex, &err) == PPS_DONE, "protocol.md 2.6 example "
	    "parses");
	rq = proto_policy_request(p);
	T_OK(rq != NULL, "request available after DONE");
	if (rq == NULL)
		return;
	T_INTEQ(rq->state, PPST_RCPT, "state RCPT");
	T_STREQ(rq->sender, "alice@example.com", "sender copied");
	T_STREQ(rq->recipient, "bob@example.net", "recipient copied");
	T_STREQ(rq->instance, "1d2a.6751b2c4.9e0f1.0", "instance copied");
	T_STREQ(rq->client_address, "192.0.2.10", "client_address copied");
	T_STREQ(rq->queue_id, "", "empty queue_id is empty, not absent");
	T_OK(rq->client_name == NULL, "absent client_name is NULL");
	T_INTEQ(rq->nattrs, 10, "10 attributes counted (unknown too)");
	T_INTEQ(rq->size, strlen(ex), "size counts every octet");

	T_OK(parse_str(p, BASE "recipient=a@b.c\r\n\r\n", &err) == PPS_DONE,
	    "CR before LF tolerated");
	rq = proto_policy_request(p);
	T_STREQ(rq != NULL ? rq->recipient : NULL, "a@b.c", "CR removed");
	T_OK(rq != NULL && rq->sender == NULL, "no sender: NULL (null "
	    "sender)");

	T_OK(parse_str(p, BASE "recipient=x@y.z\nsender=\nx=a=b\n\n",
	    &err) == PPS_DONE, "value may contain '='");
	T_OK(parse_str(p, "request=smtpd_access_policy\n"
	    "protocol_state=END-OF-MESSAGE\nrecipient=\n\n", &err) == PPS_DONE,
	    "END-OF-MESSAGE with an empty recipient is fine");
	rq = proto_policy_request(p);
	T_OK(rq != NULL && rq->state == PPST_END_OF_MESSAGE,
	    "state END-OF-MESSAGE");
	T_OK(parse_str(p, "request=smtpd_access_policy\n"
	    "protocol_state=DATA\n\n", &err) == PPS_DONE, "DATA without "
	    "recipient parses");
	rq = proto_policy_request(p);
	T_OK(rq != NULL && rq->state == PPST_OTHER, "state DATA is OTHER");
	T_OK(parse_str(p, BASE "recipient=a@b.c\nv=\xff\x01\t\x7f\n\n",
	    &err) == PPS_DONE, "value octets 01-FF (not CR/LF) accepted");
}

static void
test_malformed(struct proto_policy_parser *p)
{
	char line[64];
	enum proto_policy_err err;
	int lines;

	expect_err(p, BASE "recipient=a@b.c\nfoo\n\n", PPE_NO_EQUALS,
	    "line without '='");
	expect_err(p, BASE "=value\n\n", PPE_NAME, "empty name");
	expect_err(p, BASE "Recipient=a@b.c\n\n", PPE_NAME, "uppercase name");
	expect_err(p, BASE "na-me=x\n\n", PPE_NAME, "'-' in a name");
	expect_err(p, BASE "na me=x\n\n", PPE_NAME, "space in a name");
	expect_err(p, BASE "recipient=a@b.c\nrecipient=c@d.e\n\n",
	    PPE_DUPLICATE, "recipient twice");
	expect_err(p, BASE "recipient=a@b.c\nfoo=1\nfoo=1\n\n", PPE_DUPLICATE,
	    "unknown attribute twice");
	expect_err(p, BASE "recipient=a\rb@c.d\n\n", PPE_CR,
	    "CR inside a value");
	expect_err(p, BASE "recipient=a@b.c\r\r\n\n", PPE_CR,
	    "two CRs before LF");
	expect_err(p, "protocol_state=RCPT\nrecipient=a@b.c\n\n",
	    PPE_NO_REQUEST, "request missing");
	expect_err(p, "request=other\nprotocol_state=RCPT\nrecipient=a@b.c\n\n",
	    PPE_BAD_REQUEST, "request not smtpd_access_policy");
	expect_err(p, "request=smtpd_access_policy\nrecipient=a@b.c\n\n",
	    PPE_NO_STATE, "protocol_state missing");
	expect_err(p, BASE "\n", PPE_NO_RECIPIENT, "RCPT without recipient");
	expect_err(p, BASE "recipient=\n\n", PPE_NO_RECIPIENT,
	    "RCPT with an empty recipient");
	expect_err(p, "\n", PPE_NO_REQUEST, "an empty request");
	expect_err(p, BASE "recipient=a@b.c", PPE_TRUNCATED,
	    "a last line without LF");

	/* NUL inside a line (fed directly: strlen would stop at it). */
	proto_policy_reset(p);
	T_OK(proto_policy_feed(p, "sender=a\0b@c.d\n", 15, &err) ==
	    PPS_ERROR && err == PPE_NUL, "NUL in a value: malformed (nul)");
	proto_policy_reset(p);
	T_OK(proto_policy_feed(p, "\0\n", 2, &err) == PPS_ERROR &&
	    err == PPE_NUL, "a line of one NUL: malformed (nul)");
	T_OK(proto_policy_feed(p, "a=b\n", 4, &err) == PPS_ERROR &&
	    err == PPE_AFTER_ERROR, "feeding after an error needs a reset");

	/* After DONE, a reset is needed too. */
	parse_str(p, BASE "recipient=a@b.c\n\n", &err);
	T_OK(proto_policy_feed(p, "a=b\n", 4, &err) == PPS_ERROR &&
	    err == PPE_AFTER_ERROR, "feeding after DONE needs a reset");
	proto_policy_reset(p);
	T_OK(proto_policy_request(p) == NULL, "reset forgets the request");
	T_OK(feed_text(p, BASE "recipient=a@b.c\n\n", strlen(BASE) + 18,
	    &err, &lines) == PPS_DONE, "a second request after reset");
	snprintf(line, sizeof(line), "%s", proto_policy_errname(PPE_NUL));
	T_STREQ(line, "nul", "error names are stable");
	T_STREQ(proto_policy_errname((enum proto_policy_err)99), "?",
	    "unknown error name is ?");
}

/* a line "NAME=vvv...\n" of exactly LEN octets (LEN >= NAME + 2). */
static char *
mkline(const char *name, size_t len)
{
	size_t n = strlen(name);
	char *s = malloc(len + 1);

	if (s == NULL)
		abort();
	memcpy(s, name, n);
	s[n] = '=';
	memset(s + n + 1, 'v', len - n - 2);
	s[len - 1] = '\n';
	s[len] = '\0';
	return s;
}

static void
test_limits(struct proto_policy_parser *p)
{
	enum proto_policy_err err;
	enum proto_policy_status st;
	char name[PROTO_POLICY_NAME_MAX + 3], *l, *big;
	size_t i, total;
	int ok;

	/* Line length, LF included. */
	l = mkline("sender", PROTO_POLICY_LINE_MAX);
	proto_policy_reset(p);
	T_OK(proto_policy_feed(p, l, strlen(l), &err) == PPS_MORE,
	    "a line of exactly %d octets is taken", PROTO_POLICY_LINE_MAX);
	free(l);
	l = mkline("sender", PROTO_POLICY_LINE_MAX + 1);
	proto_policy_reset(p);
	T_OK(proto_policy_feed(p, l, strlen(l), &err) == PPS_ERROR &&
	    err == PPE_LINE_TOO_LONG, "a line of %d octets: line-too-long",
	    PROTO_POLICY_LINE_MAX + 1);
	/* The connection layer's view: LINE_MAX octets and no LF yet. */
	proto_policy_reset(p);
	T_OK(proto_policy_feed(p, l, PROTO_POLICY_LINE_MAX, &err) ==
	    PPS_ERROR && err == PPE_LINE_TOO_LONG, "LINE_MAX octets without "
	    "LF: line-too-long");
	free(l);

	/* A 1 MiB line: refused on its length, before anything is stored. */
	big = malloc(1024 * 1024);
	if (big == NULL)
		abort();
	memset(big, 'a', 1024 * 1024);
	big[1024 * 1024 - 1] = '\n';
	proto_policy_reset(p);
	T_OK(proto_policy_feed(p, big, 1024 * 1024, &err) == PPS_ERROR &&
	    err == PPE_LINE_TOO_LONG, "a 1 MiB line: line-too-long");
	free(big);

	/* Name length. */
	memset(name, 'n', sizeof(name));
	name[PROTO_POLICY_NAME_MAX] = '\0';
	l = mkline(name, PROTO_POLICY_NAME_MAX + 3);
	proto_policy_reset(p);
	T_OK(proto_policy_feed(p, l, strlen(l), &err) == PPS_MORE,
	    "a name of exactly %d octets", PROTO_POLICY_NAME_MAX);
	free(l);
	name[PROTO_POLICY_NAME_MAX] = 'n';
	name[PROTO_POLICY_NAME_MAX + 1] = '\0';
	l = mkline(name, PROTO_POLICY_NAME_MAX + 4);
	proto_policy_reset(p);
	T_OK(proto_policy_feed(p, l, strlen(l), &err) == PPS_ERROR &&
	    err == PPE_NAME, "a name of %d octets: bad-name",
	    PROTO_POLICY_NAME_MAX + 1);
	free(l);

	/* Attribute count: 64 fine, 65 not; 10,000 stops at 65. */
	proto_policy_reset(p);
	st = PPS_MORE;
	st = proto_policy_feed(p, "request=smtpd_access_policy\n", 28, &err);
	st = proto_policy_feed(p, "protocol_state=RCPT\n", 20, &err);
	st = proto_policy_feed(p, "recipient=a@b.c\n", 16, &err);
	for (i = 3; i < PROTO_POLICY_ATTR_MAX && st == PPS_MORE; i++) {
		snprintf(name, sizeof(name), "x%zu=1\n", i);
		st = proto_policy_feed(p, name, strlen(name), &err);
	}
	T_OK(st == PPS_MORE, "%d attributes taken", PROTO_POLICY_ATTR_MAX);
	T_OK(proto_policy_feed(p, "\n", 1, &err) == PPS_DONE &&
	    proto_policy_request(p)->nattrs == PROTO_POLICY_ATTR_MAX,
	    "a request of exactly %d attributes is complete",
	    PROTO_POLICY_ATTR_MAX);
	proto_policy_reset(p);
	st = PPS_MORE;
	ok = 0;
	for (i = 0; i < 10000 && st == PPS_MORE; i++) {
		snprintf(name, sizeof(name), "x%zu=1\n", i);
		st = proto_policy_feed(p, name, strlen(name), &err);
		ok = (int)i + 1;
	}
	T_OK(st == PPS_ERROR && err == PPE_TOO_MANY &&
	    ok == PROTO_POLICY_ATTR_MAX + 1, "10,000 attributes: the %dth is "
	    "too-many-attributes (stopped at %d)", PROTO_POLICY_ATTR_MAX + 1,
	    ok);

	/* Request size: lines of 300 octets up to exactly 16384. */
	proto_policy_reset(p);
	st = proto_policy_feed(p, "request=smtpd_access_policy\n", 28, &err);
	st = proto_policy_feed(p, "protocol_state=RCPT\n", 20, &err);
	st = proto_policy_feed(p, "recipient=a@b.c\n", 16, &err);
	total = 28 + 20 + 16;
	for (i = 0; st == PPS_MORE && total + 1 < PROTO_POLICY_REQ_MAX; i++) {
		size_t want = PROTO_POLICY_REQ_MAX - 1 - total;

		snprintf(name, sizeof(name), "y%zu", i);
		l = mkline(name, want > 1000 ? 1000 : want);
		st = proto_policy_feed(p, l, strlen(l), &err);
		total += strlen(l);
		free(l);
	}
	T_OK(st == PPS_MORE && total == PROTO_POLICY_REQ_MAX - 1,
	    "lines up to %d octets taken", PROTO_POLICY_REQ_MAX - 1);
	T_OK(proto_policy_feed(p, "\n", 1, &err) == PPS_DONE &&
	    proto_policy_request(p)->size == PROTO_POLICY_REQ_MAX,
	    "a request of exactly %d octets is complete",
	    PROTO_POLICY_REQ_MAX);
	proto_policy_reset(p);
	st = proto_policy_feed(p, "request=smtpd_access_policy\n", 28, &err);
	st = proto_policy_feed(p, "protocol_state=RCPT\n", 20, &err);
	st = proto_policy_feed(p, "recipient=a@b.c\n", 16, &err);
	total = 64;
	for (i = 0; st == PPS_MORE && total < PROTO_POLICY_REQ_MAX; i++) {
		size_t want = PROTO_POLICY_REQ_MAX - total;

		snprintf(name, sizeof(name), "y%zu", i);
		l = mkline(name, want > 1000 ? 1000 : want);
		st = proto_policy_feed(p, l, strlen(l), &err);
		total += strlen(l);
		free(l);
	}
	if (st == PPS_MORE)
		st = proto_policy_feed(p, "\n", 1, &err);
	T_OK(st == PPS_ERROR && err == PPE_TOO_BIG, "a request of %d octets: "
	    "request-too-big", PROTO_POLICY_REQ_MAX + 1);
}

static struct verdict_output
vo(enum verdict v, enum verdict_reason r, enum verdict_tag t)
{
	struct verdict_output o;

	memset(&o, 0, sizeof(o));
	o.verdict = v;
	o.reason = r;
	o.tag = t;
	return o;
}

/*
 * test_default_sync: senderkeyd.conf's defaults (lib/config.c) are the
 * encoder's (2.4): senderkeyd passes the configured texts, so a default
 * changed in one place only would change what Postfix gets.
 */
static void
test_default_sync(void)
{
	struct config *c = config_default();

	T_OK(c != NULL, "config_default");
	if (c == NULL)
		return;
	T_STREQ(c->action_tempfail, PROTO_POLICY_DEF_TEMPFAIL,
	    "ActionTempfail default = the encoder's");
	T_STREQ(c->action_unauthorized, PROTO_POLICY_DEF_UNAUTHORIZED,
	    "ActionUnauthorized default = the encoder's");
	T_STREQ(c->action_untrusted, PROTO_POLICY_DEF_UNTRUSTED,
	    "ActionUntrusted default = the encoder's");
	T_STREQ(c->action_authorized, PROTO_POLICY_DEF_AUTHORIZED,
	    "ActionAuthorized default = the encoder's");
	T_STREQ(c->action_untrusted_deny, PROTO_POLICY_DEF_UNTRUSTED_DENY,
	    "ActionUntrustedDeny default = the encoder's");
	T_STREQ(c->action_authorized_deny, PROTO_POLICY_DEF_AUTHORIZED_DENY,
	    "ActionAuthorizedDeny default = the encoder's");
	config_free(c);
}

/* parse_and_respond_monitor: one RCPT request answered in monitor mode. */
static void
parse_and_respond_monitor(struct proto_policy_txn *t,
    const struct verdict_output *o, const struct trustfield *tf, char *buf,
    size_t bufsz)
{
	struct proto_policy_parser *p = proto_policy_parser_new();
	enum proto_policy_err err;

	buf[0] = '\0';
	if (p != NULL && parse_str(p, BASE "recipient=bob@example.net\n"
	    "instance=9\n\n", &err) == PPS_DONE)
		proto_policy_respond(t, NULL, proto_policy_request(p), VM_DENY,
		    o, tf, "c", 1, buf, bufsz);
	proto_policy_parser_free(p);
}

/* {trust}: the whole field of the decision, sender and key included. */
static void
test_trust_actions(void)
{
	char buf[PROTO_POLICY_REPLY_MAX], lng[400];
	struct verdict_output o;
	struct proto_policy_actions a;
	struct proto_policy_txn t;
	struct trustfield tf;
	unsigned char key[TRUSTFIELD_KEY_LEN];

	memset(key, 0xab, sizeof(key));
	o = vo(VERDICT_UNTRUSTED, VR_SIG_PENDING, VT_UNTRUSTED);
	trustfield_set(&tf, o.tag, o.reason, "alice@example.com", NULL);
	proto_policy_action(NULL, VM_ALLOW, &o, NULL, &tf, buf, sizeof(buf));
	T_STREQ(buf, "PREPEND Sender-Key-Trust: untrusted; "
	    "reason=sig-pending; sender=alice@example.com",
	    "the default names the sender (verdicts.md 7.1)");
	o = vo(VERDICT_AUTHORIZED, VR_KEY_SECURE_SIGNED, VT_TRUSTED);
	trustfield_set(&tf, o.tag, o.reason, "alice@example.com", key);
	proto_policy_action(NULL, VM_DENY, &o, NULL, &tf, buf, sizeof(buf));
	T_STREQ(buf, "PREPEND Sender-Key-Trust: trusted; "
	    "reason=key-secure-signed; sender=alice@example.com; key="
	    "abababababababababababababababababababababababababababababababab",
	    "... and the key that verified it");
	trustfield_set(&tf, VT_UNTRUSTED, VR_NULL_SENDER, NULL, NULL);
	o = vo(VERDICT_UNTRUSTED, VR_NULL_SENDER, VT_UNTRUSTED);
	proto_policy_action(NULL, VM_ALLOW, &o, NULL, &tf, buf, sizeof(buf));
	T_STREQ(buf, "PREPEND Sender-Key-Trust: untrusted; reason=null-sender",
	    "no sender: no sender=");
	/* a sender too long for the action: the field without it */
	memset(lng, 'a', sizeof(lng));
	memcpy(lng + 300, "@example.com", 13);
	o = vo(VERDICT_UNTRUSTED, VR_NO_KEY, VT_UNTRUSTED);
	trustfield_set(&tf, o.tag, o.reason, lng, NULL);
	memset(&a, 0, sizeof(a));
	a.untrusted = "PREPEND Sender-Key-Trust: {trust}"
	    "                                                            "
	    "                                                            "
	    "                                                            "
	    "                                                            "
	    "                                                            "
	    "                                                            "
	    "                                                   X";
	T_OK(proto_policy_action(&a, VM_ALLOW, &o, NULL, &tf, buf, 520) > 0 &&
	    strstr(buf, "sender=") == NULL && strncmp(buf, "PREPEND "
	    "Sender-Key-Trust: untrusted; reason=no-key ", 43) == 0,
	    "a sender that does not fit is left out, not the field");
	/* monitor mode writes the field of the decision too */
	proto_policy_txn_init(&t);
	o = vo(VERDICT_UNAUTHORIZED, VR_NOT_ALLOWLISTED, VT_UNAUTHORIZED);
	trustfield_set(&tf, o.tag, o.reason, "dan@partner.org", NULL);
	parse_and_respond_monitor(&t, &o, &tf, buf, sizeof(buf));
	T_STREQ(buf, "action=PREPEND Sender-Key-Trust: unauthorized; "
	    "reason=not-allowlisted; sender=dan@partner.org\n\n",
	    "monitor mode names the sender");
}

static void
test_actions(void)
{
	char buf[PROTO_POLICY_REPLY_MAX], small[16];
	struct verdict_output o;
	struct proto_policy_actions a;

	o = vo(VERDICT_TEMPFAIL, VR_DNS_BOGUS, VT_NONE);
	proto_policy_action(NULL, VM_ALLOW, &o, NULL, NULL, buf, sizeof(buf));
	T_STREQ(buf, "DEFER_IF_PERMIT 4.7.0 senderkey: temporary failure "
	    "(dns-bogus)", "default tempfail action");
	o = vo(VERDICT_UNAUTHORIZED, VR_NOT_ALLOWLISTED, VT_UNAUTHORIZED);
	proto_policy_action(NULL, VM_DENY, &o, "carol@example.net", NULL, buf,
	    sizeof(buf));
	T_STREQ(buf, "REJECT 5.7.1 <carol@example.net> accepts mail only "
	    "from senders the recipient has authorized; ask the recipient to "
	    "authorize your address (senderkey: not-allowlisted)",
	    "default unauthorized action: the refusal text (verdicts.md 6.5)");
	proto_policy_action(NULL, VM_DENY, &o, "carol\r@example.net", NULL, buf,
	    sizeof(buf));
	T_STREQ(buf, "REJECT 5.7.1 this mailbox accepts mail only "
	    "from senders the recipient has authorized; ask the recipient to "
	    "authorize your address (senderkey: not-allowlisted)",
	    "a recipient with a control octet is not echoed");
	o = vo(VERDICT_UNTRUSTED, VR_SIG_PENDING, VT_UNTRUSTED);
	proto_policy_action(NULL, VM_ALLOW, &o, NULL, NULL, buf, sizeof(buf));
	T_STREQ(buf, "PREPEND Sender-Key-Trust: untrusted; reason=sig-pending",
	    "default untrusted action, allow mode (2.6 example)");
	/* deny mode prepends too: a forged field must not be on top */
	proto_policy_action(NULL, VM_DENY, &o, NULL, NULL, buf, sizeof(buf));
	T_STREQ(buf, "PREPEND Sender-Key-Trust: untrusted; reason=sig-pending",
	    "default untrusted action, deny mode (2.4)");
	o = vo(VERDICT_AUTHORIZED, VR_KEY_SECURE_SIGNED, VT_TRUSTED);
	proto_policy_action(NULL, VM_ALLOW, &o, NULL, NULL, buf, sizeof(buf));
	T_STREQ(buf, "PREPEND Sender-Key-Trust: trusted; "
	    "reason=key-secure-signed", "default authorized action, allow");
	proto_policy_action(NULL, VM_DENY, &o, NULL, NULL, buf, sizeof(buf));
	T_STREQ(buf, "PREPEND Sender-Key-Trust: trusted; "
	    "reason=key-secure-signed", "default authorized action, deny");
	test_default_sync();

	memset(&a, 0, sizeof(a));
	a.unauthorized = "REJECT {reason}/{tag} {x} {reason";
	o = vo(VERDICT_UNAUTHORIZED, VR_DENYLISTED, VT_UNAUTHORIZED);
	proto_policy_action(&a, VM_ALLOW, &o, NULL, NULL, buf, sizeof(buf));
	T_STREQ(buf, "REJECT denylisted/unauthorized {x} {reason",
	    "configured action: {reason} and {tag} replaced, nothing else");
	a.unauthorized = "REJECT 5.7.9 x {text}";
	proto_policy_action(&a, VM_ALLOW, &o, "bob@example.net", NULL, buf,
	    sizeof(buf));
	T_STREQ(buf, "REJECT 5.7.9 x <bob@example.net> does not accept mail "
	    "from this sender (senderkey: denylisted)",
	    "configured action: {text} replaced");
	test_trust_actions();
	a.unauthorized = "REJECT bad\nline";
	T_OK(proto_policy_action(&a, VM_ALLOW, &o, NULL, NULL, buf, sizeof(buf)) == -1,
	    "an action with LF is refused");
	T_STREQ(buf, PROTO_POLICY_INTERNAL, "... and INTERNAL is in BUF");
	a.unauthorized = NULL;
	T_OK(proto_policy_action(&a, VM_ALLOW, &o, NULL, NULL, small, sizeof(small)) ==
	    -1, "an action too long for BUF is refused");

	T_INTEQ(proto_policy_reply("DUNNO", buf, sizeof(buf)), 14,
	    "reply length");
	T_STREQ(buf, "action=DUNNO\n\n", "reply framing");
	T_OK(proto_policy_reply("A\nB", buf, sizeof(buf)) == -1,
	    "reply with LF refused");
	T_OK(proto_policy_reply("", buf, sizeof(buf)) == -1,
	    "empty action refused");
	T_OK(proto_policy_reply("DUNNO", buf, 14) == -1, "reply that does not "
	    "fit (NUL) refused");
	T_INTEQ(proto_policy_reply("DUNNO", buf, 15), 14, "reply that just "
	    "fits");
}

/*
 * test_txn_keys: instances short and long (kept as text or as a digest)
 * and actions that differ only late are told apart; the same ones match.
 */
static void
test_txn_keys(void)
{
	struct proto_policy_txn t;
	char l1[200], l2[200], a1[PROTO_POLICY_REPLY_MAX + 8];
	char a2[PROTO_POLICY_REPLY_MAX + 8];
	const char *A = "PREPEND Sender-Key-Trust: untrusted; reason=sig-pending";

	memset(l1, 'i', sizeof(l1) - 1);
	l1[sizeof(l1) - 1] = '\0';
	memcpy(l2, l1, sizeof(l1));
	l2[150] = 'j';		/* differs far past the first 32 octets */
	proto_policy_txn_init(&t);
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, l1, VERDICT_UNTRUSTED,
	    "c1", A, 0), PPA_ACTION, "long instance: first recipient");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, l1, VERDICT_UNTRUSTED,
	    "c1", A, 0), PPA_DUNNO, "long instance: the same transaction");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, l1, VERDICT_UNTRUSTED,
	    "c2", A, 0), PPA_SPLIT, "long instance: another class splits");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, l2, VERDICT_UNTRUSTED,
	    "c2", A, 0), PPA_ACTION, "a long instance differing late is new");
	/* 31 and 32 octets: one kept as text, one as a digest */
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT,
	    "0123456789012345678901234567890", VERDICT_UNTRUSTED, "c1", A, 0),
	    PPA_ACTION, "31-octet instance: new");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT,
	    "01234567890123456789012345678901", VERDICT_UNTRUSTED, "c2", A, 0),
	    PPA_ACTION, "32-octet instance sharing 31 octets: new");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT,
	    "01234567890123456789012345678901", VERDICT_UNTRUSTED, "c1", A, 0),
	    PPA_SPLIT, "32-octet instance: same transaction, other class");
	/* actions compared in full */
	proto_policy_txn_init(&t);
	memset(a1, 'x', PROTO_POLICY_REPLY_MAX - 1);
	a1[PROTO_POLICY_REPLY_MAX - 1] = '\0';
	memcpy(a2, a1, PROTO_POLICY_REPLY_MAX);
	a2[PROTO_POLICY_REPLY_MAX - 2] = 'y';
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i1", VERDICT_UNTRUSTED,
	    "c1", a1, 0), PPA_ACTION, "longest action: first recipient");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i1", VERDICT_UNTRUSTED,
	    "c1", a1, 0), PPA_DUNNO, "longest action: the same one matches");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i1", VERDICT_UNTRUSTED,
	    "c1", a2, 0), PPA_SPLIT, "an action differing in its last "
	    "octet splits");
	memset(a1, 'x', sizeof(a1) - 1);
	a1[sizeof(a1) - 1] = '\0';
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i1", VERDICT_UNTRUSTED,
	    "c1", a1, 0), PPA_SPLIT, "an action too long to keep: split");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, NULL, VERDICT_UNTRUSTED,
	    "c1", a1, 0), PPA_ACTION, "too long, but alone: its action");
}

static void
test_txn(void)
{
	struct proto_policy_txn t;
	const char *A = "PREPEND Sender-Key-Trust: untrusted; reason=sig-pending";

	proto_policy_txn_init(&t);
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i1", VERDICT_UNTRUSTED,
	    "c1", A, 0), PPA_ACTION, "first accepted recipient: its action");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i1", VERDICT_UNTRUSTED,
	    "c1", A, 0), PPA_DUNNO, "same class and action: DUNNO");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i1", VERDICT_UNTRUSTED,
	    "c2", A, 0), PPA_SPLIT, "another class: 452 split");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i1", VERDICT_UNTRUSTED,
	    "c1", "DUNNO", 0), PPA_SPLIT, "same class, another action: split");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i1",
	    VERDICT_UNAUTHORIZED, "c9", "REJECT x", 0), PPA_ACTION,
	    "unauthorized: its action");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i1", VERDICT_TEMPFAIL,
	    "c8", "DEFER_IF_PERMIT x", 0), PPA_ACTION, "tempfail: its action");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i1", VERDICT_UNTRUSTED,
	    "c1", A, 0), PPA_DUNNO, "rejections changed nothing");
	T_INTEQ(proto_policy_txn_step(&t, PPST_OTHER, "i1", VERDICT_UNTRUSTED,
	    NULL, NULL, 0), PPA_DUNNO, "DATA state: DUNNO");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i1", VERDICT_UNTRUSTED,
	    "c2", A, 0), PPA_SPLIT, "DATA state keeps the transaction");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i2", VERDICT_UNTRUSTED,
	    "c2", A, 0), PPA_ACTION, "a new instance forgets the class");
	T_INTEQ(proto_policy_txn_step(&t, PPST_END_OF_MESSAGE, "i2",
	    VERDICT_TEMPFAIL, NULL, NULL, 0), PPA_DUNNO, "END-OF-MESSAGE: "
	    "DUNNO");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i2", VERDICT_UNTRUSTED,
	    "c1", A, 0), PPA_ACTION, "END-OF-MESSAGE forgot the class");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, NULL, VERDICT_UNTRUSTED,
	    "c5", A, 0), PPA_ACTION, "no instance: stands alone");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, NULL, VERDICT_UNTRUSTED,
	    "c6", A, 0), PPA_ACTION, "no instance: never split");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i3", VERDICT_UNTRUSTED,
	    "c1", A, 1), PPA_ACTION, "monitor: the first recipient's field");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i3", VERDICT_UNTRUSTED,
	    "c2", A, 1), PPA_DUNNO, "monitor never splits");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i3",
	    VERDICT_UNAUTHORIZED, "c2", "REJECT", 1), PPA_DUNNO,
	    "monitor: DUNNO for a later unauthorized too");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, "i4",
	    VERDICT_UNAUTHORIZED, "c2", "REJECT", 1), PPA_ACTION,
	    "monitor: an unauthorized first recipient's field");
	T_INTEQ(proto_policy_txn_step(&t, PPST_RCPT, NULL, VERDICT_TEMPFAIL,
	    NULL, A, 1), PPA_ACTION, "monitor, no instance: each its field");
	test_txn_keys();
}

static void
test_respond(struct proto_policy_parser *p)
{
	struct proto_policy_txn t;
	struct verdict_output o = vo(VERDICT_UNTRUSTED, VR_SIG_PENDING,
	    VT_UNTRUSTED);
	const struct proto_policy_request *rq;
	enum proto_policy_err err;
	char buf[PROTO_POLICY_REPLY_MAX];

	proto_policy_txn_init(&t);
	parse_str(p, BASE "recipient=bob@example.net\ninstance=1\n\n", &err);
	rq = proto_policy_request(p);
	if (rq == NULL) {
		T_OK(0, "respond: request parsed");
		return;
	}
	proto_policy_respond(&t, NULL, rq, VM_ALLOW, &o, NULL, "21c33b21cbddc32d",
	    0, buf, sizeof(buf));
	T_STREQ(buf, "action=PREPEND Sender-Key-Trust: untrusted; "
	    "reason=sig-pending\n\n", "respond: the 2.6 example reply");
	proto_policy_respond(&t, NULL, rq, VM_ALLOW, &o, NULL, "21c33b21cbddc32d",
	    0, buf, sizeof(buf));
	T_STREQ(buf, "action=DUNNO\n\n", "respond: second recipient alike");
	proto_policy_respond(&t, NULL, rq, VM_ALLOW, &o, NULL, "ffffffffffffffff",
	    0, buf, sizeof(buf));
	T_STREQ(buf, "action=" PROTO_POLICY_SPLIT "\n\n", "respond: split");
	/* deny mode: the first accepted recipient gets the field too */
	proto_policy_txn_init(&t);
	proto_policy_respond(&t, NULL, rq, VM_DENY, &o, NULL, "21c33b21cbddc32d",
	    0, buf, sizeof(buf));
	T_STREQ(buf, "action=PREPEND Sender-Key-Trust: untrusted; "
	    "reason=sig-pending\n\n", "respond: deny mode prepends");
	proto_policy_respond(&t, NULL, rq, VM_ALLOW, &o, NULL, "21c33b21cbddc32d",
	    0, buf, sizeof(buf));
	T_STREQ(buf, "action=DUNNO\n\n", "respond: an allow-mode recipient "
	    "of the same class and action after it: DUNNO");
	proto_policy_respond(&t, NULL, rq, VM_ALLOW, NULL, NULL, NULL, 0, buf,
	    sizeof(buf));
	T_STREQ(buf, "action=" PROTO_POLICY_INTERNAL "\n\n",
	    "respond: no verdict at RCPT is internal");
	/* monitor mode: the field on top is senderkey's, whatever it says */
	proto_policy_txn_init(&t);
	o = vo(VERDICT_UNAUTHORIZED, VR_NOT_ALLOWLISTED, VT_UNAUTHORIZED);
	proto_policy_respond(&t, NULL, rq, VM_DENY, &o, NULL, "c", 1, buf,
	    sizeof(buf));
	T_STREQ(buf, "action=PREPEND Sender-Key-Trust: unauthorized; "
	    "reason=not-allowlisted\n\n", "respond: monitor, unauthorized");
	proto_policy_respond(&t, NULL, rq, VM_ALLOW, &o, NULL, "c", 1, buf,
	    sizeof(buf));
	T_STREQ(buf, "action=DUNNO\n\n", "respond: monitor, second recipient");
	proto_policy_txn_init(&t);
	o = vo(VERDICT_TEMPFAIL, VR_DNS_TEMPFAIL, VT_NONE);
	proto_policy_respond(&t, NULL, rq, VM_ALLOW, &o, NULL, "c", 1, buf,
	    sizeof(buf));
	T_STREQ(buf, "action=PREPEND Sender-Key-Trust: untrusted; "
	    "reason=dns-tempfail\n\n", "respond: monitor, tempfail");
	proto_policy_respond(&t, NULL, rq, VM_ALLOW, NULL, NULL, NULL, 1, buf,
	    sizeof(buf));
	T_STREQ(buf, "action=DUNNO\n\n", "respond: monitor, no verdict");
	parse_str(p, "request=smtpd_access_policy\n"
	    "protocol_state=END-OF-MESSAGE\nrecipient=\ninstance=1\n\n", &err);
	rq = proto_policy_request(p);
	if (rq != NULL)
		proto_policy_respond(&t, NULL, rq, VM_ALLOW, NULL, NULL, NULL, 0,
		    buf, sizeof(buf));
	T_STREQ(buf, "action=DUNNO\n\n", "respond: END-OF-MESSAGE");
	T_OK(!t.fixed, "respond: END-OF-MESSAGE forgot the state");
	T_STREQ("action=" PROTO_POLICY_MALFORMED "\n\n",
	    "action=DEFER_IF_PERMIT 4.7.0 senderkey: malformed policy "
	    "request\n\n", "the malformed reply text of 2.3");
}

/* same_request: the fields of two parsed requests agree. */
static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
same_request(const struct proto_policy_request *a,
    const struct proto_policy_request *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a->state == b->state && a->nattrs == b->nattrs &&
	    a->size == b->size && same_str(a->protocol_state,
	    b->protocol_state) && same_str(a->sender, b->sender) &&
	    same_str(a->recipient, b->recipient) &&
	    same_str(a->instance, b->instance) &&
	    same_str(a->queue_id, b->queue_id) &&
	    same_str(a->client_address, b->client_address) &&
	    same_str(a->client_name, b->client_name) &&
	    same_str(a->sasl_username, b->sasl_username) &&
	    same_str(a->ccert_pubkey_fingerprint, b->ccert_pubkey_fingerprint);
}

/*
 * block_agrees: BLOCK (LEN octets, as conn.c frames it) through
 * proto_policy_parse on P and line by line (plus the empty line) on Q:
 * same status, error and request.
 */
static int
block_agrees(struct proto_policy_parser *p, struct proto_policy_parser *q,
    const char *block, size_t len)
{
	enum proto_policy_status s1, s2 = PPS_MORE;
	enum proto_policy_err e1 = PPE_OK, e2 = PPE_OK;
	const char *s = block, *end = block + len, *nl;

	s1 = proto_policy_parse(p, block, len, &e1);
	proto_policy_reset(q);
	while (s2 == PPS_MORE && s < end &&
	    (nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		s2 = proto_policy_feed(q, s, (size_t)(nl - s) + 1, &e2);
		s = nl + 1;
	}
	if (s2 == PPS_MORE)
		s2 = proto_policy_feed(q, "\n", 1, &e2);
	return s1 == s2 && e1 == e2 &&
	    same_request(proto_policy_request(p), proto_policy_request(q));
}

static void
test_parse_block(struct proto_policy_parser *p)
{
	static const char *const blocks[] = {
		BASE "sender=a@b.example\nrecipient=c@d.example\n"
		    "instance=1d2a.6751b2c4.9e0f1.0\nqueue_id=\n",
		BASE "recipient=c@d\nsender=x\nsender=y\n",
		BASE "recipient=c@d\nBad=1\n",
		BASE "recipient=c@d\nnoequals\n",
		BASE "recipient=c@d\n=novalue\n",
		BASE "recipient=c@d\nx=a\rb\n",
		BASE "recipient=c@d\r\nsender=s\r\n",
		BASE "recipient=c@d\nx=a\0b\n",
		BASE "recipient=\n",
		"protocol_state=RCPT\nrecipient=a@b\n",
		BASE "recipient=c@d\nname_of_sixty_five_octets_xxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxx=1\n",
		BASE "recipient=c@d\nlast_piece_without_lf=1",
		"",
	};
	struct proto_policy_parser *q = proto_policy_parser_new();
	char buf[4096];
	unsigned seed = 12345;
	size_t i, j, n, agree = 0;
	const char *alphabet = "ab_=\n\r\0=z9";

	if (q == NULL) {
		T_OK(0, "second parser");
		return;
	}
	for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		T_OK(block_agrees(p, q, blocks[i], strlen(blocks[i])),
		    "parse = feed: block %zu", i);
	/* with the NUL inside: sizeof, not strlen */
	{
		static const char nul[] = BASE "recipient=c@d\nx=a\0b\n";

		T_OK(block_agrees(p, q, nul, sizeof(nul) - 1),
		    "parse = feed: a NUL inside a value");
	}
	/* random blocks from a small alphabet: every path, duplicates too */
	for (i = 0; i < 20000; i++) {
		memcpy(buf, BASE, strlen(BASE));
		n = strlen(BASE);
		for (j = 0; j < (i % 200); j++) {
			seed = seed * 1103515245u + 12345u;
			buf[n++] = alphabet[(seed >> 16) % 11];
		}
		buf[n++] = '\n';
		if (block_agrees(p, q, buf, n))
			agree++;
	}
	T_INTEQ(agree, 20000, "parse = feed on 20000 random blocks");
	proto_policy_parser_free(q);
}

/* A Postfix 3.7 RCPT request as smtpd sends it: about 600 octets. */
static const char postfix_rcpt[] =
    "request=smtpd_access_policy\nprotocol_state=RCPT\n"
    "protocol_name=ESMTP\nclient_address=192.0.2.25\n"
    "client_name=mail.example.org\nclient_port=50412\n"
    "reverse_client_name=mail.example.org\nserver_address=198.51.100.7\n"
    "server_port=25\nhelo_name=mail.example.org\n"
    "sender=alice.wonderland@example.org\n"
    "recipient=bob.builder@example.net\nrecipient_count=0\n"
    "queue_id=4XyZ1B2c3DzA\ninstance=1d2c.6570a1b2.3c4d5.0\n"
    "size=12345\netrn_domain=\nstress=\nsasl_method=\nsasl_username=\n"
    "sasl_sender=\nccert_subject=\nccert_issuer=\nccert_fingerprint=\n"
    "ccert_pubkey_fingerprint=\nencryption_protocol=TLSv1.3\n"
    "encryption_cipher=TLS_AES_256_GCM_SHA384\nencryption_keysize=256\n"
    "policy_context=\ncompatibility_level=3.6\nmail_version=3.7.11\n"
    "\n";

/*
 * big_request: into BUF, BASE, sender=S(SLEN x 's'), then N unknown
 * attributes of VLEN-octet values (the first EXTRA octets longer), the
 * recipient, then the empty line.  Returns its length.
 */
static size_t
big_request_x(char *buf, size_t bufsz, size_t slen, size_t n, size_t vlen,
    size_t extra)
{
	size_t len = 0, i, j;

	len += (size_t)snprintf(buf + len, bufsz - len, "%s", BASE);
	len += (size_t)snprintf(buf + len, bufsz - len, "sender=");
	for (j = 0; j < slen; j++)
		buf[len++] = 's';
	buf[len++] = '\n';
	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(buf + len, bufsz - len, "x%zu=", i);
		for (j = 0; j < vlen + (i == 0 ? extra : 0); j++)
			buf[len++] = 'v';
		buf[len++] = '\n';
	}
	len += (size_t)snprintf(buf + len, bufsz - len,
	    "recipient=bob@example.net\n\n");
	return len;
}

static size_t
big_request(char *buf, size_t bufsz, size_t slen, size_t n, size_t vlen)
{
	return big_request_x(buf, bufsz, slen, n, vlen, 0);
}

static void
test_arena(void)
{
	struct proto_policy_parser *p = proto_policy_parser_new();
	const struct proto_policy_request *rq;
	enum proto_policy_err err;
	enum proto_policy_status st;
	static char buf[2 * PROTO_POLICY_REQ_MAX];
	char want[2048];
	size_t len, i;
	int lines, ok;

	if (p == NULL) {
		T_OK(0, "arena: parser allocated");
		return;
	}
	T_OK(proto_policy_arena_size(p) == PROTO_POLICY_ARENA_INIT,
	    "arena: a new parser has the small arena (%d octets)",
	    PROTO_POLICY_ARENA_INIT);

	/* a realistic request: no growth */
	T_OK(sizeof(postfix_rcpt) - 1 >= 550 &&
	    sizeof(postfix_rcpt) - 1 < PROTO_POLICY_ARENA_INIT,
	    "arena: the Postfix request is %zu octets",
	    sizeof(postfix_rcpt) - 1);
	st = parse_str(p, postfix_rcpt, &err);
	rq = proto_policy_request(p);
	T_OK(st == PPS_DONE && rq != NULL &&
	    strcmp(rq->sender, "alice.wonderland@example.org") == 0 &&
	    strcmp(rq->instance, "1d2c.6570a1b2.3c4d5.0") == 0,
	    "arena: a ~600-octet Postfix request parses (fed by line)");
	T_OK(proto_policy_arena_size(p) == PROTO_POLICY_ARENA_INIT,
	    "arena: ... without growing the arena");
	st = proto_policy_parse(p, postfix_rcpt, sizeof(postfix_rcpt) - 2,
	    &err);
	T_OK(st == PPS_DONE &&
	    proto_policy_arena_size(p) == PROTO_POLICY_ARENA_INIT,
	    "arena: ... and as a block, without growing either");

	/*
	 * A large request: a 2000-octet sender stored first, then unknown
	 * attributes whose names push the arena past its first size; the
	 * sender (moved by the growth) and the recipient after it intact.
	 */
	len = big_request(buf, sizeof(buf), 2000, 60, 200);
	T_OK(len < PROTO_POLICY_REQ_MAX, "arena: large request of %zu octets",
	    len);
	proto_policy_reset(p);
	st = feed_text(p, buf, len, &err, &lines);
	rq = proto_policy_request(p);
	memset(want, 's', 2000);
	want[2000] = '\0';
	T_OK(st == PPS_DONE && rq != NULL && strcmp(rq->sender, want) == 0 &&
	    strcmp(rq->recipient, "bob@example.net") == 0 &&
	    rq->nattrs == 64,
	    "arena: a large request parses, values intact after growth "
	    "(%s)", proto_policy_errname(err));
	T_OK(proto_policy_arena_size(p) > PROTO_POLICY_ARENA_INIT &&
	    proto_policy_arena_size(p) <= PROTO_POLICY_REQ_MAX,
	    "arena: it grew, to %zu octets (at most %d)",
	    proto_policy_arena_size(p), PROTO_POLICY_REQ_MAX);

	/* kept across requests: a small one after it costs no realloc */
	st = proto_policy_parse(p, postfix_rcpt, sizeof(postfix_rcpt) - 2,
	    &err);
	T_OK(st == PPS_DONE && proto_policy_arena_size(p) >
	    PROTO_POLICY_ARENA_INIT,
	    "arena: a grown arena is kept for the next request");

	/* shrink gives it back; the parser works as new */
	proto_policy_shrink(p);
	T_OK(proto_policy_arena_size(p) == PROTO_POLICY_ARENA_INIT &&
	    proto_policy_request(p) == NULL,
	    "arena: proto_policy_shrink gives a grown arena back (and resets)");
	proto_policy_shrink(p);
	T_OK(proto_policy_arena_size(p) == PROTO_POLICY_ARENA_INIT,
	    "arena: proto_policy_shrink on a small arena changes nothing");
	st = proto_policy_parse(p, buf, len - 1, &err);
	rq = proto_policy_request(p);
	T_OK(st == PPS_DONE && rq != NULL && strcmp(rq->sender, want) == 0,
	    "arena: after shrink, the large request parses again (block)");

	/* a duplicate name found in the grown arena */
	proto_policy_shrink(p);
	len = big_request(buf, sizeof(buf), 2000, 40, 200);
	len -= strlen("recipient=bob@example.net\n\n");
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "x3=again\n\n");
	proto_policy_reset(p);
	st = feed_text(p, buf, len, &err, &lines);
	T_OK(st == PPS_ERROR && err == PPE_DUPLICATE &&
	    proto_policy_arena_size(p) > PROTO_POLICY_ARENA_INIT,
	    "arena: a duplicate is found after growth (%s)",
	    proto_policy_errname(err));

	/* the limits: exactly REQ_MAX octets taken, one more refused */
	proto_policy_shrink(p);
	len = big_request(buf, sizeof(buf), 2000, 60, 220);
	len = big_request_x(buf, sizeof(buf), 2000, 60, 220,
	    PROTO_POLICY_REQ_MAX - len);
	proto_policy_reset(p);
	st = feed_text(p, buf, len, &err, &lines);
	rq = proto_policy_request(p);
	T_OK(len == PROTO_POLICY_REQ_MAX && st == PPS_DONE && rq != NULL &&
	    rq->size == PROTO_POLICY_REQ_MAX && strcmp(rq->sender, want) == 0 &&
	    strcmp(rq->recipient, "bob@example.net") == 0,
	    "arena: a request of exactly %d octets parses (%s)",
	    PROTO_POLICY_REQ_MAX, proto_policy_errname(err));
	T_OK(proto_policy_arena_size(p) <= PROTO_POLICY_REQ_MAX,
	    "arena: ... in an arena of at most %d octets (%zu)",
	    PROTO_POLICY_REQ_MAX, proto_policy_arena_size(p));
	len = big_request(buf, sizeof(buf), 2000, 60, 220);
	len = big_request_x(buf, sizeof(buf), 2000, 60, 220,
	    PROTO_POLICY_REQ_MAX - len + 1);
	proto_policy_shrink(p);
	st = feed_text(p, buf, len, &err, &lines);
	T_OK(len == PROTO_POLICY_REQ_MAX + 1 && st == PPS_ERROR &&
	    err == PPE_TOO_BIG,
	    "arena: %d octets: request-too-big, as before (%s)",
	    PROTO_POLICY_REQ_MAX + 1, proto_policy_errname(err));
	st = proto_policy_parse(p, buf, len - 1, &err);
	T_OK(st == PPS_ERROR && err == PPE_TOO_BIG,
	    "arena: the same as a block (%s)", proto_policy_errname(err));

	/* every known attribute near the line limit: the largest arena */
	{
		static const char *const names[] = { "sender", "recipient",
		    "instance", "queue_id", "client_address", "client_name",
		    "sasl_username", "ccert_pubkey_fingerprint" };
		size_t k, j;

		len = (size_t)snprintf(buf, sizeof(buf), "%s", BASE);
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
			    "%s=", names[k]);
			for (j = 0; j < 1800; j++)
				buf[len++] = (char)('a' + k);
			buf[len++] = '\n';
		}
		buf[len++] = '\n';
		proto_policy_shrink(p);
		st = proto_policy_parse(p, buf, len - 1, &err);
		rq = proto_policy_request(p);
		T_OK(st == PPS_DONE && rq != NULL &&
		    strlen(rq->ccert_pubkey_fingerprint) == 1800 &&
		    rq->sender[0] == 'a' && rq->sender[1799] == 'a' &&
		    rq->ccert_pubkey_fingerprint[1799] == 'h' &&
		    proto_policy_arena_size(p) == PROTO_POLICY_REQ_MAX,
		    "arena: 8 known values of 1800 octets: the arena grows to "
		    "the request limit (%zu), values intact",
		    proto_policy_arena_size(p));
	}

	/* many requests on one parser: no stale names when GEN wraps */
	proto_policy_shrink(p);
	ok = 1;
	for (i = 0; i < 600; i++) {
		st = proto_policy_parse(p, postfix_rcpt,
		    sizeof(postfix_rcpt) - 2, &err);
		if (st != PPS_DONE)
			ok = 0;
	}
	T_OK(ok, "arena: 600 requests on one parser, no false duplicate");
	proto_policy_parser_free(p);
}

int
main(void)
{
	struct proto_policy_parser *p = proto_policy_parser_new();

	if (p == NULL)
		return 1;
	test_good(p);
	test_malformed(p);
	test_limits(p);
	test_actions();
	test_txn();
	test_respond(p);
	test_parse_block(p);
	test_arena();
	proto_policy_parser_free(p);
	proto_policy_parser_free(NULL);
	return t_done();
}
