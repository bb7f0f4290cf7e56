/*
 * test_reply: senderkeyd's reply octets.  AUTHZ: protocol.md 3.3's
 * example lines, lookup= and policy= only when the verdict read them,
 * class=- without a class, a bad class id refused (error internal);
 * the tempfail-internal line.  LOOKUP: keys sorted by fingerprint,
 * nokey=, malformed=, why= percent-encoded, too small a buffer refused.
 * Postfix: the configured action, DUNNO outside RCPT, monitor mode's
 * PREPEND, the internal-error answer.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/config.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "core/proto_line.h"
#include "resolver/proto_policy.h"
#include "resolver/reply.h"
#include "answers.h"
#include "t.h"

/* trust=: the decision's whole Sender-Key-Trust value, for Exim. */
static void
authz_trust(const struct lookup_answer *ka)
{
	struct verdict_output v = { .verdict = VERDICT_AUTHORIZED,
	    .reason = VR_KEY_SECURE_SIGNED, .tag = VT_TRUSTED, .rule = 22,
	    .used_lookup = 1 };
	struct trustfield tf;
	unsigned char key[TRUSTFIELD_KEY_LEN];
	char buf[1024];

	memset(key, 0x3f, sizeof(key));
	trustfield_set(&tf, v.tag, v.reason, "\"john doe\"@example.test", key);
	reply_authz(buf, sizeof(buf), &v, &tf, ka, 1, VPOL_SOME,
	    "21c33b21cbddc32d", VM_ALLOW, NULL);
	T_STREQ(buf, "authorized key-secure-signed tag=trusted "
	    "lookup=secure-key policy=some trust=trusted;%20"
	    "reason=key-secure-signed;%20sender=%22\\%22john%20doe\\%22"
	    "@example.test%22;%20key=3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	    "3f3f3f3f3f3f3f3f3f3f3f3f "
	    "class=21c33b21cbddc32d\n", "AUTHZ: trust= names sender and key, "
	    "percent-encoded");
	/* too long with the sender: the field without it, not no field */
	T_OK(reply_authz(buf, 230, &v, &tf, ka, 1, VPOL_SOME,
	    "21c33b21cbddc32d", VM_ALLOW, NULL) > 0 && strstr(buf, "sender") == NULL &&
	    strstr(buf, "trust=trusted;%20reason=key-secure-signed;%20key=") !=
	    NULL, "AUTHZ: a line too long for the sender keeps the field");
	T_OK(reply_authz(buf, 110, &v, &tf, ka, 1, VPOL_SOME,
	    "21c33b21cbddc32d", VM_ALLOW, NULL) > 0 && strstr(buf, "trust=") == NULL,
	    "AUTHZ: ... and one too long for the field drops trust=");
	v.verdict = VERDICT_TEMPFAIL;
	v.reason = VR_DNS_BOGUS;
	v.tag = VT_NONE;
	reply_authz(buf, sizeof(buf), &v, &tf, ka, 1, VPOL_SOME, NULL,
	    VM_ALLOW, NULL);
	T_OK(strstr(buf, "trust=") == NULL, "AUTHZ: a tempfail has no trust=");
}

static void
authz(void)
{
	struct verdict_output v = { .verdict = VERDICT_UNTRUSTED,
	    .reason = VR_SIG_PENDING, .tag = VT_UNTRUSTED, .rule = 19,
	    .used_lookup = 1 };
	struct lookup_answer ka;
	char buf[512];
	int n;

	memset(&ka, 0, sizeof(ka));
	ka.state = LOOKUP_SECURE_KEY;
	n = reply_authz(buf, sizeof(buf), &v, NULL, &ka, 1, VPOL_SOME,
	    "21c33b21cbddc32d", VM_DENY, "bob@example.net");
	T_OK(n == (int)strlen(buf), "AUTHZ: the length returned");
	T_STREQ(buf, "untrusted sig-pending tag=untrusted lookup=secure-key "
	    "policy=some trust=untrusted;%20reason=sig-pending "
	    "class=21c33b21cbddc32d\n", "AUTHZ: 3.3's example");
	reply_authz(buf, sizeof(buf), &v, NULL, &ka, 0, VPOL_ALL, "", VM_ALLOW,
	    "bob@example.net");
	T_STREQ(buf, "untrusted sig-pending tag=untrusted lookup=secure-key "
	    "policy=- trust=untrusted;%20reason=sig-pending class=-\n",
	    "AUTHZ: no policy answer, no class: -");
	v.used_lookup = 0;
	v.verdict = VERDICT_UNAUTHORIZED;
	v.reason = VR_DENYLISTED;
	v.tag = VT_UNAUTHORIZED;
	reply_authz(buf, sizeof(buf), &v, NULL, &ka, 1, VPOL_ALL,
	    "6e1e7a987a14b296", VM_ALLOW, "carol@example.net");
	T_STREQ(buf, "unauthorized denylisted tag=unauthorized lookup=- "
	    "policy=- trust=unauthorized;%20reason=denylisted "
	    "class=6e1e7a987a14b296 text=<carol@example.net>"
	    "%20does%20not%20accept%20mail%20from%20this%20sender%20"
	    "(senderkey:%20denylisted)\n",
	    "AUTHZ: lookup not used: lookup=- policy=- (3.3); text= "
	    "percent-encoded");
	v.reason = VR_NOT_ALLOWLISTED;
	reply_authz(buf, sizeof(buf), &v, NULL, &ka, 1, VPOL_ALL,
	    "6e1e7a987a14b296", VM_DENY, "\"carol x\"@example.net");
	T_STREQ(buf, "unauthorized not-allowlisted tag=unauthorized "
	    "lookup=- policy=- trust=unauthorized;%20reason=not-allowlisted "
	    "class=6e1e7a987a14b296 text=this%20mailbox"
	    "%20accepts%20mail%20only%20from%20senders%20the%20recipient"
	    "%20has%20authorized;%20ask%20the%20recipient%20to%20authorize"
	    "%20your%20address%20(senderkey:%20not-allowlisted)\n",
	    "AUTHZ: deny mode text; a quoted recipient is not named");
	v.reason = VR_DENYLISTED;
	authz_trust(&ka);
	T_OK(reply_authz(buf, sizeof(buf), &v, NULL, &ka, 1, VPOL_ALL,
	    "6e1e7a987a14b296ff", VM_ALLOW, NULL) == -1 &&
	    strcmp(buf, "error internal\n") == 0,
	    "AUTHZ: a class id too long: -1, error internal");
	T_OK(reply_authz(buf, 10, &v, NULL, &ka, 1, VPOL_ALL, NULL, VM_ALLOW,
	    NULL) == -1, "AUTHZ: too small a buffer: -1");
	reply_authz_internal(buf, sizeof(buf));
	T_STREQ(buf, "tempfail internal tag=- lookup=- policy=- class=-\n",
	    "AUTHZ: no decision: tempfail internal");
}

static void
lookup(void)
{
	static const char *const two[] = { ANS_BOB, ANS_ALICE,
	    "v=SK1; k=ed25519; p=!!!!" };
	static const char *const revoked[] = { ANS_REVOKED };
	struct lookup_answer *ka, *pa;
	char *buf = malloc(PROTO_LINE_REPLY_MAX), *a, *b;
	int n;

	if (buf == NULL)
		return;
	ka = ans_make(LOOKUP_KEY, ANS_SECURE, two, 3, 3600);
	pa = ans_make(LOOKUP_POLICY, ANS_NXDOMAIN, NULL, 0, 3600);
	n = reply_lookup(buf, PROTO_LINE_REPLY_MAX, ka, pa, "o.test.", 300);
	a = "ok state=secure-key owner=o.test. policy=some key=ed25519,";
	T_OK(n > 0 && strncmp(buf, a, strlen(a)) == 0,
	    "LOOKUP: state, owner, policy, then the keys");
	a = strstr(buf, "key=");
	b = a != NULL ? strstr(a + 4, "key=") : NULL;
	T_OK(a != NULL && b != NULL && strncmp(a + 12, b + 12, 95) < 0,
	    "LOOKUP: two keys, in ascending order of fingerprint");
	T_OK(strstr(buf, " malformed=1 ttl=300\n") != NULL,
	    "LOOKUP: malformed=1 for the bad record, ttl last");
	T_OK(reply_lookup(buf, 100, ka, pa, "o.test.", 300) == -1,
	    "LOOKUP: too small a buffer: -1");
	lookup_answer_free(ka);
	ka = ans_make(LOOKUP_KEY, ANS_SECURE, revoked, 1, 3600);
	reply_lookup(buf, PROTO_LINE_REPLY_MAX, ka, NULL, "o.test.", 5);
	T_STREQ(buf, "ok state=secure-nokey nokey=revoked owner=o.test. "
	    "policy=some ttl=5\n", "LOOKUP: revoked key: nokey=revoked");
	lookup_answer_free(ka);
	lookup_answer_free(pa);
	ka = ans_make(LOOKUP_KEY, ANS_BOGUS, NULL, 0, 60);
	pa = ans_make(LOOKUP_POLICY, ANS_BOGUS, NULL, 0, 60);
	reply_lookup(buf, PROTO_LINE_REPLY_MAX, ka, pa, "o.test.", 0);
	T_STREQ(buf, "ok state=bogus owner=o.test. policy=tempfail "
	    "why=signature%20expired ttl=0\n",
	    "LOOKUP: bogus: why= percent-encoded, policy tempfail");
	lookup_answer_free(ka);
	lookup_answer_free(pa);
	free(buf);
}

static void
policy(void)
{
	static const char rcpt[] = "request=smtpd_access_policy\n"
	    "protocol_state=RCPT\nsender=a@b.test\nrecipient=c@d.test\n";
	static const char data[] = "request=smtpd_access_policy\n"
	    "protocol_state=DATA\nsender=a@b.test\nrecipient=\n";
	struct verdict_output v = { .verdict = VERDICT_UNAUTHORIZED,
	    .reason = VR_DENYLISTED, .tag = VT_UNAUTHORIZED, .rule = 4 };
	struct proto_policy_parser *pp = proto_policy_parser_new();
	struct proto_policy_txn txn;
	struct trustfield tf;
	struct config *cfg = config_default();
	char buf[PROTO_POLICY_REPLY_MAX];
	enum proto_policy_err e;

	if (pp == NULL || cfg == NULL)
		goto done;
	proto_policy_txn_init(&txn);
	proto_policy_parse(pp, rcpt, sizeof(rcpt) - 1, &e);
	reply_policy(&txn, cfg, proto_policy_request(pp), VM_ALLOW, &v,
	    NULL, "6e1e7a987a14b296", buf, sizeof(buf));
	T_STREQ(buf, "action=REJECT 5.7.1 <c@d.test> does not accept mail "
	    "from this sender (senderkey: denylisted)\n\n",
	    "policy: the default unauthorized action");
	free(cfg->action_unauthorized);
	cfg->action_unauthorized = strdup("REJECT no ({reason}, {tag})");
	reply_policy(&txn, cfg, proto_policy_request(pp), VM_ALLOW, &v,
	    NULL, "6e1e7a987a14b296", buf, sizeof(buf));
	T_STREQ(buf, "action=REJECT no (denylisted, unauthorized)\n\n",
	    "policy: ActionUnauthorized from the config");
	cfg->mode = CONFIG_MONITOR;
	reply_policy(&txn, cfg, proto_policy_request(pp), VM_ALLOW, &v,
	    NULL, "6e1e7a987a14b296", buf, sizeof(buf));
	T_STREQ(buf, "action=PREPEND Sender-Key-Trust: unauthorized; "
	    "reason=denylisted\n\n", "policy: Mode monitor prepends");
	trustfield_set(&tf, v.tag, v.reason, "mallory@partner.org", NULL);
	reply_policy(&txn, cfg, proto_policy_request(pp), VM_ALLOW, &v,
	    &tf, "6e1e7a987a14b296", buf, sizeof(buf));
	T_STREQ(buf, "action=PREPEND Sender-Key-Trust: unauthorized; "
	    "reason=denylisted; sender=mallory@partner.org\n\n",
	    "policy: the field names the sender");
	proto_policy_parse(pp, data, sizeof(data) - 1, &e);
	reply_policy(&txn, cfg, proto_policy_request(pp), VM_ALLOW, NULL,
	    NULL, NULL, buf, sizeof(buf));
	T_STREQ(buf, "action=DUNNO\n\n", "policy: DATA: DUNNO");
	reply_policy_internal(buf, sizeof(buf));
	T_STREQ(buf, "action=DEFER_IF_PERMIT 4.7.0 senderkey: temporary "
	    "failure (internal)\n\n", "policy: the internal answer");
done:
	proto_policy_parser_free(pp);
	config_free(cfg);
}

int
main(void)
{
	authz();
	lookup();
	policy();
	return t_done();
}
