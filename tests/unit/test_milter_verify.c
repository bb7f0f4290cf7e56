/*
 * test_milter_verify: the pure parts of senderkey-milter: parsing
 * senderkeyd's AUTHZ, LOOKUP and DKIMKEY replies (milter/answer.c), the
 * verify-mode decision and header edits (milter/verify.c), the KeyTable
 * parser (milter/keytable.c) and the sign-mode decision (milter/
 * signmode.c).  The milter's modules are not in libsenderkey.a: the
 * Makefile links this test with its own archive of them (all but
 * main.c), through their headers only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "t.h"

#include "lib/b64.h"
#include "lib/msg.h"
#include "milter/answer.h"
#include "milter/keytable.h"
#include "milter/signmode.h"
#include "milter/verify.h"

static const char MSG[] =
    "Authentication-Results: mx.example.net; senderkey=pass\r\n"
    "Authentication-Results: other.example.org; spf=pass\r\n"
    "Sender-Key-Trust: authorized; reason=allowlisted-signed\r\n"
    "Authentication-Results: (comment) \"MX.Example.NET\";\r\n"
    "  senderkey=pass\r\n"
    "Sender-Key-Trust: trusted\r\n"
    "From: Alice <alice@example.test>\r\n"
    "Subject: hi\r\n"
    "\r\n"
    "body\r\n";

static void
test_authz(void)
{
	struct answer_authz a;

	T_OK(answer_authz_parse("authorized key-secure-signed tag=trusted "
	    "lookup=secure-key policy=some class=21c33b21cbddc32d", &a) == 0 &&
	    a.verdict == VERDICT_AUTHORIZED && a.tag == VT_TRUSTED,
	    "AUTHZ: authorized/trusted parsed");
	T_STREQ(a.reason, "key-secure-signed", "AUTHZ: reason kept");
	T_STREQ(a.class_id, "21c33b21cbddc32d", "AUTHZ: class kept");
	T_OK(answer_authz_parse("tempfail dns-bogus tag=- lookup=bogus "
	    "policy=- class=81dcff504660a166 future=1", &a) == 0 &&
	    a.verdict == VERDICT_TEMPFAIL && a.tag == VT_NONE,
	    "AUTHZ: tempfail, unknown attribute ignored");
	T_OK(answer_authz_parse("error bad-argument", &a) == -1,
	    "AUTHZ: an error reply is not an answer");
	T_OK(answer_authz_parse("authorized key-secure-signed lookup=x",
	    &a) == -1, "AUTHZ: no tag= is refused");
	T_OK(answer_authz_parse("authorized ok tag=untrusted", &a) == -1,
	    "AUTHZ: a tag that contradicts the verdict is refused");
	T_OK(answer_authz_parse("tempfail x tag=trusted", &a) == -1,
	    "AUTHZ: tempfail with a trust tag is refused");
	T_OK(answer_authz_parse("", &a) == -1, "AUTHZ: empty line refused");
	T_OK(answer_authz_parse("maybe x tag=-", &a) == -1,
	    "AUTHZ: unknown verdict refused");
}

static void
test_lookup(void)
{
	/* alice.pem's key, as the bed publishes it */
	static const char P[] = "8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk=";
	struct answer_lookup al;
	EVP_PKEY *pk;
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	char fp[KEY_FP_SIZE] = "", line[1024];

	if (b64_decode(P, &raw, &rawlen) == 0 &&
	    (pk = key_from_record_bytes(KEYREC_ED25519, raw, rawlen)) != NULL) {
		key_fingerprint(pk, fp, sizeof(fp));
		EVP_PKEY_free(pk);
	}
	free(raw);
	snprintf(line, sizeof(line), "ok state=secure-key owner=x. "
	    "policy=all key=ed25519,%s,-,%s ttl=60", fp, P);
	T_OK(answer_lookup_parse(line, &al) == 0 &&
	    al.state == SIG_KEYS_FOUND && al.nkeys == 1 &&
	    al.keys[0].testing == 0, "LOOKUP: secure key with one key");
	answer_lookup_free(&al);
	snprintf(line, sizeof(line), "ok state=secure-key owner=x. "
	    "policy=all key=ed25519,%s,t,%s ttl=60", fp, P);
	T_OK(answer_lookup_parse(line, &al) == 0 && al.nkeys == 1 &&
	    al.keys[0].testing == 1, "LOOKUP: testing flag");
	answer_lookup_free(&al);
	snprintf(line, sizeof(line), "ok state=secure-key owner=x. "
	    "policy=all key=ed25519,AA:BB,-,%s ttl=60", P);
	T_OK(answer_lookup_parse(line, &al) == 0 && al.nkeys == 0,
	    "LOOKUP: a key whose fingerprint does not match is skipped");
	answer_lookup_free(&al);
	snprintf(line, sizeof(line), "ok state=insecure owner=x. "
	    "policy=some key=ed25519,%s,-,%s ttl=60", fp, P);
	T_OK(answer_lookup_parse(line, &al) == 0 &&
	    al.state == SIG_KEYS_INSECURE && al.nkeys == 0,
	    "LOOKUP: insecure keys are never candidates");
	answer_lookup_free(&al);
	T_OK(answer_lookup_parse("ok state=secure-nokey nokey=revoked "
	    "owner=x. policy=some ttl=5", &al) == 0 &&
	    al.state == SIG_KEYS_REVOKED, "LOOKUP: revoked");
	T_OK(answer_lookup_parse("ok state=secure-nokey nokey=expired "
	    "owner=x. policy=some ttl=5", &al) == 0 &&
	    al.state == SIG_KEYS_EXPIRED, "LOOKUP: expired");
	T_OK(answer_lookup_parse("ok state=secure-nokey nokey=absent "
	    "owner=x. policy=some ttl=5", &al) == 0 &&
	    al.state == SIG_KEYS_NONE, "LOOKUP: absent");
	T_OK(answer_lookup_parse("ok state=secure-nokey owner=x. policy=some "
	    "ttl=5", &al) == 0 && al.state == SIG_KEYS_NONE,
	    "LOOKUP: no key");
	T_OK(answer_lookup_parse("ok state=bogus owner=x. policy=some why=x "
	    "ttl=5", &al) == 0 && al.state == SIG_KEYS_BOGUS,
	    "LOOKUP: bogus");
	T_OK(answer_lookup_parse("ok state=tempfail owner=x. ttl=5", &al) ==
	    0 && al.state == SIG_KEYS_TEMPFAIL, "LOOKUP: tempfail");
	T_OK(answer_lookup_parse("error bad-address", &al) == -1,
	    "LOOKUP: error reply refused");
	T_OK(answer_lookup_parse("ok owner=x.", &al) == -1,
	    "LOOKUP: no state= refused");
	T_OK(answer_lookup_parse("ok state=great", &al) == -1,
	    "LOOKUP: unknown state refused");
}

/* The DKIMKEY reply: the state and the fingerprints sig_verify_dkim takes. */
static void
test_dkimkey(void)
{
	static const char P[] = "8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk=";
	static const char BP[] = "ha6+UoEd1A/J2bLLedpZ9jIlw1W+iKt8CZGEPnqblc8=";
	struct answer_dkimkey d;
	EVP_PKEY *pk;
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	char fp[KEY_FP_SIZE] = "", bfp[KEY_FP_SIZE] = "", line[1024];

	if (b64_decode(P, &raw, &rawlen) == 0 &&
	    (pk = key_from_record_bytes(KEYREC_ED25519, raw, rawlen)) != NULL) {
		key_fingerprint(pk, fp, sizeof(fp));
		EVP_PKEY_free(pk);
	}
	free(raw);
	raw = NULL;
	if (b64_decode(BP, &raw, &rawlen) == 0 &&
	    (pk = key_from_record_bytes(KEYREC_ED25519, raw, rawlen)) != NULL) {
		key_fingerprint(pk, bfp, sizeof(bfp));
		EVP_PKEY_free(pk);
	}
	free(raw);
	snprintf(line, sizeof(line), "ok state=secure-key owner=sk1._domainkey"
	    ".x. key=ed25519,%s,-,%s key=ed25519,%s,t,%s ttl=60", fp, P, bfp,
	    BP);
	T_OK(answer_dkimkey_parse(line, &d) == 0 && d.state == SIG_KEYS_FOUND &&
	    d.nfps == 2 && strcmp(d.fps[0], fp) == 0 &&
	    strcmp(d.fps[1], bfp) == 0, "DKIMKEY: two keys, their "
	    "fingerprints in reply order");
	snprintf(line, sizeof(line), "ok state=secure-key owner=x. "
	    "key=ed25519,%s,-,%s key=ed25519,%s,-,%s ttl=60", bfp, P, fp, P);
	T_OK(answer_dkimkey_parse(line, &d) == 0 && d.state == SIG_KEYS_FOUND &&
	    d.nfps == 1 && strcmp(d.fps[0], fp) == 0, "DKIMKEY: a key= whose "
	    "P is not FP's key is skipped");
	snprintf(line, sizeof(line), "ok state=secure-key owner=x. "
	    "key=ed25519,AA:BB,-,%s key=%s ttl=60", P, fp);
	T_OK(answer_dkimkey_parse(line, &d) == 0 && d.state == SIG_KEYS_FOUND &&
	    d.nfps == 0, "DKIMKEY: a short FP, a key= that is only a "
	    "fingerprint: skipped");
	snprintf(line, sizeof(line), "ok state=insecure owner=x. "
	    "key=ed25519,%s,-,%s ttl=60", fp, P);
	T_OK(answer_dkimkey_parse(line, &d) == 0 &&
	    d.state == SIG_KEYS_INSECURE && d.nfps == 0,
	    "DKIMKEY: insecure keys are never fingerprints");
	T_OK(answer_dkimkey_parse("ok state=secure-nokey nokey=revoked "
	    "owner=x. ttl=5", &d) == 0 && d.state == SIG_KEYS_REVOKED,
	    "DKIMKEY: revoked");
	T_OK(answer_dkimkey_parse("ok state=secure-nokey nokey=absent "
	    "owner=x. ttl=5", &d) == 0 && d.state == SIG_KEYS_NONE,
	    "DKIMKEY: absent");
	T_OK(answer_dkimkey_parse("ok state=permerror owner=x. malformed=2 "
	    "why=bad-hash ttl=5", &d) == 0 && d.state == SIG_KEYS_MALFORMED,
	    "DKIMKEY: permerror is malformed");
	T_OK(answer_dkimkey_parse("ok state=bogus owner=x. why=x ttl=5", &d) ==
	    0 && d.state == SIG_KEYS_BOGUS, "DKIMKEY: bogus");
	T_OK(answer_dkimkey_parse("ok state=tempfail owner=x. why=timeout "
	    "ttl=0", &d) == 0 && d.state == SIG_KEYS_TEMPFAIL,
	    "DKIMKEY: tempfail");
	T_OK(answer_dkimkey_parse("error bad-address", &d) == -1 &&
	    d.nfps == 0, "DKIMKEY: an error reply refused");
	T_OK(answer_dkimkey_parse("ok owner=x. ttl=5", &d) == -1,
	    "DKIMKEY: no state= refused");
}

static void
test_authserv_id(void)
{
	char id[64];
	const char *v;

	v = " mx.example.net; spf=pass";
	T_OK(verify_authserv_id(v, strlen(v), id, sizeof(id)) == 0 &&
	    strcmp(id, "mx.example.net") == 0, "authserv-id: token");
	v = " (c (nested)) \"mx.example.net\" 1; none";
	T_OK(verify_authserv_id(v, strlen(v), id, sizeof(id)) == 0 &&
	    strcmp(id, "mx.example.net") == 0,
	    "authserv-id: after comments, quoted");
	v = "\r\n\tmx.example.net(c);";
	T_OK(verify_authserv_id(v, strlen(v), id, sizeof(id)) == 0 &&
	    strcmp(id, "mx.example.net") == 0, "authserv-id: folded");
	v = "  ; x";
	T_OK(verify_authserv_id(v, strlen(v), id, sizeof(id)) == -1,
	    "authserv-id: none");
	v = "\"unclosed";
	T_OK(verify_authserv_id(v, strlen(v), id, sizeof(id)) == -1,
	    "authserv-id: unclosed quote");
	v = "a-very-long-authserv-id.example.net";
	T_OK(verify_authserv_id(v, strlen(v), id, 8) == -1,
	    "authserv-id: too long for the buffer");
}

static struct answer_authz
ans(enum verdict v, enum verdict_tag t, const char *reason)
{
	struct answer_authz a;

	memset(&a, 0, sizeof(a));
	a.verdict = v;
	a.tag = t;
	snprintf(a.reason, sizeof(a.reason), "%s", reason);
	return a;
}

static void
test_decide(void)
{
	struct msg *m;
	struct sig_outcome pass, fail;
	struct answer_authz a[3];
	struct verify_in in;
	struct verify_out out;

	m = msg_parse(MSG, sizeof(MSG) - 1, NULL, NULL);
	T_OK(m != NULL, "test message parses");
	if (m == NULL)
		return;
	memset(&pass, 0, sizeof(pass));
	pass.result = SIG_PASS;
	pass.reason = SIG_R_OK;
	pass.field = 0;
	strcpy(pass.fp, "3F:6A:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:"
	    "EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:9A");
	fail = pass;
	fail.result = SIG_FAIL;
	fail.reason = SIG_R_BODY_HASH_MISMATCH;

	memset(&in, 0, sizeof(in));
	in.m = m;
	in.res = &pass;
	in.from = "alice@example.test";
	in.b8 = "AbCdEfGh";
	in.authserv_id = "mx.example.net";
	a[0] = ans(VERDICT_AUTHORIZED, VT_TRUSTED, "key-secure-signed");
	in.ans = a;
	in.nans = 1;
	T_OK(verify_decide(&in, &out) == 0 && out.action == VERIFY_ACCEPT,
	    "pass, authorized: accept");
	T_STREQ(out.ar, "mx.example.net; senderkey=pass "
	    "header.from=alice@example.test header.b=AbCdEfGh",
	    "pass: Authentication-Results");
	T_STREQ(out.trust, "trusted; reason=key-secure-signed; "
	    "sender=alice@example.test; key="
	    "3f6a00112233445566778899aabbccddeeff00112233445566778899aabbcc9a",
	    "pass: Sender-Key-Trust names the From: sender and the key");
	T_INTEQ(out.ntrust_del, 2, "every incoming Sender-Key-Trust deleted");
	T_OK(out.nar_del == 2 && out.ar_del[0] == 3 && out.ar_del[1] == 1,
	    "A-R with our id deleted (3 then 1), other.example.org kept");

	in.res = &fail;
	a[0] = ans(VERDICT_UNTRUSTED, VT_UNTRUSTED, "sig-fail");
	T_OK(verify_decide(&in, &out) == 0 && out.action == VERIFY_ACCEPT,
	    "fail, untrusted (policy some): accept");
	T_STREQ(out.ar, "mx.example.net; senderkey=fail "
	    "reason=\"body-hash-mismatch\" header.from=alice@example.test "
	    "header.b=AbCdEfGh", "fail: reason in A-R");
	T_STREQ(out.trust, "untrusted; reason=sig-fail; "
	    "sender=alice@example.test", "fail: untrusted, no key");

	/* RFC 8601: header.b is a token or a quoted-string; '/' is a
	 * tspecial, '+' is not. */
	in.res = &pass;
	a[0] = ans(VERDICT_AUTHORIZED, VT_TRUSTED, "key-secure-signed");
	in.b8 = "R8e/Zvy+";
	T_OK(verify_decide(&in, &out) == 0, "b= with '/': decided");
	T_STREQ(out.ar, "mx.example.net; senderkey=pass "
	    "header.from=alice@example.test header.b=\"R8e/Zvy+\"",
	    "b= with '/': header.b quoted");
	in.b8 = "R8e+Zvy9";
	T_OK(verify_decide(&in, &out) == 0, "b= with '+': decided");
	T_STREQ(out.ar, "mx.example.net; senderkey=pass "
	    "header.from=alice@example.test header.b=R8e+Zvy9",
	    "b= with '+' only: header.b stays a token");
	in.b8 = "AbCdEfGh";
	in.selector = "sk2bd806c97f0e00af1a1fc3328fa763a9";
	T_OK(verify_decide(&in, &out) == 0, "a bridge signature: decided");
	T_STREQ(out.ar, "mx.example.net; senderkey=pass "
	    "header.from=alice@example.test header.b=AbCdEfGh "
	    "header.s=sk2bd806c97f0e00af1a1fc3328fa763a9",
	    "a bridge DKIM signature reported: header.s= its selector");
	in.selector = "bad;sel";
	T_OK(verify_decide(&in, &out) == 0 && strstr(out.ar, "header.s") ==
	    NULL, "a selector that is not a token is left out");
	in.selector = NULL;
	in.res = &fail;
	a[0] = ans(VERDICT_UNTRUSTED, VT_UNTRUSTED, "sig-fail");

	a[0] = ans(VERDICT_UNAUTHORIZED, VT_UNAUTHORIZED, "sig-fail");
	T_OK(verify_decide(&in, &out) == 0 && out.action == VERIFY_REJECT,
	    "unauthorized: reject");
	T_STREQ(out.code, "550", "reject: 550");
	T_STREQ(out.xcode, "5.7.1", "reject: 5.7.1");
	T_STREQ(out.text, "senderkey: sender not authorized (sig-fail)",
	    "reject without the daemon's text=: the generic text");
	snprintf(a[0].text, sizeof(a[0].text), "<bob@example.net> accepts "
	    "mail only from senders the recipient has authorized; the "
	    "message is not signed: sign it (senderkey: sig-missing)");
	T_OK(verify_decide(&in, &out) == 0 && out.action == VERIFY_REJECT,
	    "unauthorized with text=: reject");
	T_STREQ(out.text, a[0].text, "reject: the daemon's text= as it is "
	    "(verdicts.md 6.5)");
	snprintf(a[0].text, sizeof(a[0].text), "100%% refused");
	T_OK(verify_decide(&in, &out) == 0 && out.action == VERIFY_REJECT,
	    "unauthorized with a '%%' in text=: reject");
	T_STREQ(out.text, "senderkey: sender not authorized (sig-fail)",
	    "a text libmilter would not show as it is: the generic text");
	a[0].text[0] = '\0';
	in.monitor = 1;
	T_OK(verify_decide(&in, &out) == 0 && out.action == VERIFY_ACCEPT,
	    "monitor: unauthorized is accepted");
	T_STREQ(out.trust, "unauthorized; reason=sig-fail; "
	    "sender=alice@example.test", "monitor: tagged unauthorized");
	in.monitor = 0;

	a[0] = ans(VERDICT_TEMPFAIL, VT_NONE, "dns-bogus");
	T_OK(verify_decide(&in, &out) == 0 && out.action == VERIFY_TEMPFAIL,
	    "tempfail verdict: tempfail");
	T_STREQ(out.code, "451", "tempfail: 451");
	T_STREQ(out.xcode, "4.7.0", "tempfail: 4.7.0");
	T_STREQ(out.text, "senderkey: temporary failure (dns-bogus)",
	    "tempfail: text");

	/* several recipients: one decision */
	in.res = &pass;
	a[0] = ans(VERDICT_AUTHORIZED, VT_AUTHORIZED, "allowlisted-signed");
	a[1] = ans(VERDICT_AUTHORIZED, VT_TRUSTED, "key-secure-signed");
	in.nans = 2;
	T_OK(verify_decide(&in, &out) == 0 && out.action == VERIFY_ACCEPT &&
	    strncmp(out.trust, "trusted; reason=key-secure-signed; "
	    "sender=alice@example.test; key=", 66) == 0,
	    "authorized + trusted: the less trusted tag is shown");
	a[2] = ans(VERDICT_UNAUTHORIZED, VT_UNAUTHORIZED, "denylisted");
	in.nans = 3;
	T_OK(verify_decide(&in, &out) == 0 && out.action == VERIFY_REJECT &&
	    strstr(out.text, "(denylisted)") != NULL,
	    "one unauthorized recipient rejects the message");
	a[1] = ans(VERDICT_TEMPFAIL, VT_NONE, "dns-tempfail");
	T_OK(verify_decide(&in, &out) == 0 && out.action == VERIFY_TEMPFAIL &&
	    strstr(out.text, "(dns-tempfail)") != NULL,
	    "a tempfail recipient defers before any rejection");

	/* the daemon could not be asked */
	in.nans = 1;
	in.daemon_failed = 1;
	T_OK(verify_decide(&in, &out) == 0 && out.action == VERIFY_TEMPFAIL &&
	    strcmp(out.text, "senderkey: temporary failure (internal)") == 0,
	    "no daemon: tempfail internal, never accept");
	in.nans = 0;
	in.daemon_failed = 0;
	T_OK(verify_decide(&in, &out) == 0 && out.action == VERIFY_TEMPFAIL,
	    "no answers at all: tempfail");

	/* header.from quoting, no From: */
	in.daemon_failed = 0;
	in.nans = 1;
	a[0] = ans(VERDICT_UNTRUSTED, VT_UNTRUSTED, "sig-missing");
	in.from = "\"john doe\"@example.test";
	in.b8 = "";
	T_OK(verify_decide(&in, &out) == 0 && strcmp(out.ar,
	    "mx.example.net; senderkey=pass header.from="
	    "\"\\\"john doe\\\"@example.test\"") == 0,
	    "header.from quoted when not a token");
	in.from = NULL;
	T_OK(verify_decide(&in, &out) == 0 && strstr(out.ar, "header.from") ==
	    NULL, "no valid From: no header.from");
	in.m = NULL;
	T_OK(verify_decide(&in, &out) == -1, "no message: -1");
	msg_free(m);
}

static void
test_keytable(void)
{
	struct keytable *kt;
	char err[512] = "";
	const char *t;

	t = "# comment\n\nAlice@Example.TEST /k/alice.pem alice,alice2\n"
	    "  bob@example.test\t/k/bob.pem bob\n";
	kt = keytable_parse(t, strlen(t), "kt", err, sizeof(err));
	T_OK(kt != NULL && keytable_count(kt) == 2, "KeyTable: two entries "
	    "(%s)", err);
	if (kt != NULL) {
		T_OK(keytable_find(kt, "alice@example.test") == 0,
		    "KeyTable: address stored canonical");
		T_OK(keytable_find(kt, "carol@example.test") == -1,
		    "KeyTable: unknown address");
		T_OK(keytable_allowed(kt, 0, "alice2") &&
		    !keytable_allowed(kt, 0, "bob") &&
		    !keytable_allowed(kt, 0, "Alice") &&
		    !keytable_allowed(kt, 0, NULL),
		    "KeyTable: logins exact, others refused");
		T_OK(keytable_key(kt, 0) == NULL, "KeyTable: keys not loaded "
		    "by the parser");
	}
	keytable_free(kt);
	keytable_free(NULL);

	t = "alice@example.test /k/a.pem\n";
	T_OK(keytable_parse(t, strlen(t), "kt", err, sizeof(err)) == NULL,
	    "KeyTable: two words refused");
	T_STREQ(err, "kt:1: expected ADDRESS KEYFILE LOGIN[,LOGIN...]",
	    "KeyTable: message names file and line");
	t = "\nnot-an-address /k/a.pem a\n";
	T_OK(keytable_parse(t, strlen(t), "kt", err, sizeof(err)) == NULL &&
	    strncmp(err, "kt:2: not-an-address: expected an address", 41) ==
	    0, "KeyTable: bad address at line 2 (%s)", err);
	t = "a@example.test k/a.pem a\n";
	T_OK(keytable_parse(t, strlen(t), "kt", err, sizeof(err)) == NULL &&
	    strstr(err, "absolute") != NULL, "KeyTable: relative key path");
	t = "a@example.test /a a\nA@example.test /b b\n";
	T_OK(keytable_parse(t, strlen(t), "kt", err, sizeof(err)) == NULL &&
	    strstr(err, "kt:2:") != NULL && strstr(err, "twice") != NULL,
	    "KeyTable: the same address twice");
	t = "a@example.test /a a b\n";
	T_OK(keytable_parse(t, strlen(t), "kt", err, sizeof(err)) == NULL,
	    "KeyTable: four words refused");
	t = "a@example.test /a ,,,\n";
	T_OK(keytable_parse(t, strlen(t), "kt", err, sizeof(err)) == NULL,
	    "KeyTable: no login refused");
	T_OK(keytable_parse("a@x.test /a a\001\n", 15, "kt", err,
	    sizeof(err)) == NULL, "KeyTable: control octet refused");
	T_OK(keytable_load("/nonexistent/keytable", err, sizeof(err)) ==
	    NULL && strstr(err, "/nonexistent/keytable") != NULL,
	    "KeyTable: a missing file is named");
}

static void
test_signmode(void)
{
	static const char M[] = "From: Alice <alice@example.test>\r\n"
	    "To: bob@example.net\r\nSubject: hi\r\n\r\nbody\r\n";
	static const char M2[] = "From: a@example.test, b@example.test\r\n"
	    "\r\nbody\r\n";
	struct keytable *kt = NULL;
	struct sig_ctx *ctx = sig_ctx_new();
	struct msg *m = msg_parse(M, sizeof(M) - 1, NULL, NULL);
	struct msg *m2 = msg_parse(M2, sizeof(M2) - 1, NULL, NULL);
	enum sig_sign_err serr;
	char keyfile[] = "/tmp/test_milter_verify.XXXXXX";
	char t[128], err[256], *v = NULL, *from = NULL;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	FILE *fp = NULL;
	int fd;

	/* a fresh key in a 0600 file, loaded as the milter loads it */
	if ((fd = mkstemp(keyfile)) == -1 || (fp = fdopen(fd, "w")) == NULL ||
	    key == NULL || !PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL,
	    NULL) || fclose(fp) != 0) {
		T_OK(0, "sign mode set-up: a key file");
		goto done;
	}
	snprintf(t, sizeof(t), "alice@example.test %s alice\n", keyfile);
	kt = keytable_parse(t, strlen(t), "kt", err, sizeof(err));
	if (kt == NULL || ctx == NULL || m == NULL || m2 == NULL) {
		T_OK(0, "sign mode set-up");
		goto done;
	}
	T_OK(keytable_load_keys(kt, err, sizeof(err)) == 0 &&
	    keytable_key(kt, 0) != NULL, "test key loaded (%s)", err);
	T_INTEQ(signmode_sign(ctx, m, kt, "mallory", 1763026200, &v, &from,
	    &serr), SIGNMODE_NOTALLOWED, "mallory may not sign for alice");
	T_OK(v == NULL, "nothing signed for mallory");
	T_STREQ(from, "alice@example.test", "the From: address is reported");
	free(from);
	T_INTEQ(signmode_sign(ctx, m, kt, "alice", 1763026200, &v, NULL,
	    &serr), SIGNMODE_SIGNED, "alice signs for alice@example.test");
	T_OK(v != NULL && strncmp(v, "v=1; a=ed25519-sha256; ", 23) == 0 &&
	    strchr(v, '\r') == NULL && strstr(v, "s=alice@example.test") !=
	    NULL, "the value has no name, no CR, and names the sender");
	free(v);
	T_INTEQ(signmode_bridge(ctx, m, kt, 1763026200, &v, &serr), 0,
	    "MilterDkim: the bridge field for alice@example.test");
	T_OK(v != NULL && strncmp(v, "v=1; a=ed25519-sha256; "
	    "c=relaxed/relaxed; d=example.test;", 57) == 0 &&
	    strchr(v, '\r') == NULL && strstr(v, " i=alice@example.test;") !=
	    NULL && strstr(v, " t=1763026200;") != NULL,
	    "the bridge value: no name, no CR, d=, i=, t=");
	free(v);
	T_INTEQ(signmode_bridge(ctx, m2, kt, 1763026200, &v, &serr), -1,
	    "MilterDkim: two From: mailboxes: no bridge field");
	T_OK(v == NULL, "... and no value");
	T_INTEQ(signmode_sign(ctx, m2, kt, "alice", 1763026200, &v, NULL,
	    &serr), SIGNMODE_BADFROM, "two From: mailboxes: not signed");
	T_INTEQ(signmode_sign(ctx, m, NULL, "alice", 1763026200, &v, NULL,
	    &serr), SIGNMODE_NOKEY, "no KeyTable: no key");
	T_STREQ(signmode_name(SIGNMODE_NOTALLOWED), "not-allowed", "names");
done:
	unlink(keyfile);
	EVP_PKEY_free(key);
	keytable_free(kt);
	msg_free(m);
	msg_free(m2);
	sig_ctx_free(ctx);
}

/* what a submission loses (protocol.md 5.3): signmode_strip */
static void
test_signmode_strip(void)
{
	static const char S[] =
	    "sender-key-trust: authorized; reason=allowlisted-signed\r\n"
	    "Authentication-Results: other.example.org; spf=pass\r\n"
	    "Sender-Key-Trust:\r\n authorized; reason=folded\r\n"
	    "Authentication-Results: MX.example.NET; senderkey=pass\r\n"
	    "SENDER-KEY-TRUST : trusted; reason=key-secure-signed\r\n"
	    "From: Alice <alice@example.test>\r\n"
	    "X-Sender-Key-Trust: authorized\r\n"
	    "\r\nbody\r\n";
	static const char CLEAN[] = "From: alice@example.test\r\n"
	    "Sender-Key-Signature: v=1\r\n\r\nbody\r\n";
	struct msg *m = msg_parse(S, sizeof(S) - 1, NULL, NULL);
	struct msg *c = msg_parse(CLEAN, sizeof(CLEAN) - 1, NULL, NULL);
	struct msg *v = msg_parse(MSG, sizeof(MSG) - 1, NULL, NULL);
	struct signmode_strip st;

	if (m == NULL || c == NULL || v == NULL) {
		T_OK(0, "strip: messages parse");
		goto done;
	}
	T_INTEQ(signmode_strip(m, "mx.example.net", &st), 0, "strip: ok");
	T_INTEQ(st.ntrust_del, 3, "strip: every Sender-Key-Trust, any case, "
	    "folded, blank before the colon (not X-Sender-Key-Trust)");
	T_OK(st.nar_del == 1 && st.ar_del[0] == 2, "strip: only our own "
	    "Authentication-Results (the 2nd of that name), id in any case");
	T_INTEQ(signmode_strip(v, "mx.example.net", &st), 0, "strip: MSG");
	T_OK(st.ntrust_del == 2 && st.nar_del == 2 && st.ar_del[0] == 3 &&
	    st.ar_del[1] == 1, "strip: A-R indexes in descending order");
	T_INTEQ(signmode_strip(c, "mx.example.net", &st), 0, "strip: clean");
	T_OK(st.ntrust_del == 0 && st.nar_del == 0,
	    "strip: a clean submission loses nothing (not its signature)");
	T_INTEQ(signmode_strip(NULL, "mx.example.net", &st), -1,
	    "strip: no message");
	T_OK(st.ntrust_del == 0 && st.nar_del == 0, "strip: empty on error");
	T_INTEQ(signmode_strip(m, NULL, &st), -1, "strip: no authserv-id");
done:
	msg_free(m);
	msg_free(c);
	msg_free(v);
}

int
main(void)
{
	test_authz();
	test_lookup();
	test_dkimkey();
	test_authserv_id();
	test_decide();
	test_keytable();
	test_signmode();
	test_signmode_strip();
	return t_done();
}
