/*
 * test_inputs: a request's facts into the verdict inputs.  The sender:
 * null, invalid or parsed (SMTP and Postfix's internal form).  The
 * recipient policy: DefaultMode without a store; with a store (made in
 * a temp dir) the rules of the mailbox the recipient is delivered to,
 * RecipientDelimiter applied.  The derived inputs: no DNS for a null
 * sender; sig=pass stands only with a key of the answer.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/config.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "core/store.h"
#include "resolver/inputs.h"
#include "answers.h"
#include "t.h"

static void
sender(void)
{
	struct addr *a;

	T_OK(inputs_sender(NULL, 0, ADDR_FORM_SMTP, &a) == VS_NULL &&
	    a == NULL, "sender NULL: null");
	T_OK(inputs_sender("", 0, ADDR_FORM_SMTP, &a) == VS_NULL && a == NULL,
	    "sender \"\": null");
	T_OK(inputs_sender("<>", 1, ADDR_FORM_SMTP, &a) == VS_NULL &&
	    a == NULL, "the null-sender flag: null");
	T_OK(inputs_sender("no-at-sign", 0, ADDR_FORM_SMTP, &a) ==
	    VS_INVALID && a == NULL, "no address: invalid, nothing kept");
	T_OK(inputs_sender("Alice@Example.COM", 0, ADDR_FORM_SMTP, &a) ==
	    VS_OK && a != NULL && strcmp(addr_canon(a), "alice@example.com") ==
	    0, "an address: parsed once, kept");
	addr_free(a);
	T_OK(inputs_sender("john doe@example.test", 0, ADDR_FORM_INTERNAL,
	    &a) == VS_OK && a != NULL &&
	    strcmp(addr_canon(a), "\"john doe\"@example.test") == 0,
	    "Postfix's internal form: parsed as such");
	addr_free(a);
	T_OK(inputs_sender("john doe@example.test", 0, ADDR_FORM_SMTP, &a) ==
	    VS_INVALID, "the same in SMTP form: invalid");
}

static struct store *
store_in(const char *dir, char *path, size_t pathsz)
{
	char err[512];
	struct store_writer *db;
	int rc = -1;

	snprintf(path, pathsz, "%s/store.db", dir);
	if ((db = store_writer_open(path, STORE_CREATE, NULL, err,
	    sizeof(err))) == NULL)
		return NULL;
	if (store_writer_begin(db) == 0 &&
	    store_writer_set_mode(db, "dan@example.net", "deny", NULL) == 0 &&
	    store_writer_add(db, "dan@example.net", STORE_ALLOW,
	    "alice@example.com", NULL, NULL) == 0 &&
	    store_writer_add(db, "*@example.net", STORE_DENY,
	    "mallory@example.org", NULL, NULL) == 0 &&
	    store_writer_commit(db, "test_inputs") == 0)
		rc = 0;
	store_writer_free(db);
	return rc == 0 ? store_open(path, VM_ALLOW, err, sizeof(err)) : NULL;
}

static void
recipient(void)
{
	char dir[] = "/tmp/sk-test-inputs.XXXXXX", path[128], p2[160];
	char mbox[STORE_TARGET_MAX];
	struct config *cfg = config_default();
	struct store_result rp;
	struct store *st = NULL;
	struct addr *alice, *mallory;

	if (cfg == NULL || mkdtemp(dir) == NULL) {
		T_OK(0, "a config and a temp dir");
		config_free(cfg);
		return;
	}
	alice = addr_parse("alice@example.com", NULL, NULL);
	mallory = addr_parse("mallory@example.org", NULL, NULL);
	cfg->default_mode = CONFIG_MODE_DENY;
	inputs_recipient(NULL, NULL, cfg, alice, "x@y.test", ADDR_FORM_SMTP,
	    &rp, mbox);
	T_OK(rp.mode == VM_DENY && rp.list == VL_NONE && rp.npins == 0,
	    "no store: DefaultMode deny, no entry");
	T_STREQ(mbox, "", "no store: no mailbox for the journal");
	cfg->default_mode = CONFIG_MODE_ALLOW;
	inputs_recipient(NULL, NULL, cfg, alice, "x@y.test", ADDR_FORM_SMTP,
	    &rp, NULL);
	T_OK(rp.mode == VM_ALLOW && rp.list == VL_NONE,
	    "no store: DefaultMode allow");
	if ((st = store_in(dir, path, sizeof(path))) == NULL) {
		T_OK(0, "a store in %s", dir);
		goto done;
	}
	inputs_recipient(st, NULL, cfg, alice, "dan@example.net",
	    ADDR_FORM_SMTP, &rp, NULL);
	T_OK(rp.mode == VM_DENY && rp.list == VL_ALLOW,
	    "store: dan's deny mode, alice allowlisted");
	inputs_recipient(st, NULL, cfg, NULL, "dan@example.net", ADDR_FORM_SMTP,
	    &rp, NULL);
	T_OK(rp.mode == VM_DENY && rp.list == VL_NONE,
	    "store: no sender (null or invalid): no entry matches");
	inputs_recipient(st, NULL, cfg, mallory, "dan@example.net",
	    ADDR_FORM_SMTP, &rp, NULL);
	T_OK(rp.list == VL_DENY, "store: the domain's deny entry");
	inputs_recipient(st, NULL, cfg, alice, "dan+news@example.net",
	    ADDR_FORM_SMTP, &rp, NULL);
	T_OK(rp.mode == VM_ALLOW && rp.list == VL_NONE,
	    "store: without RecipientDelimiter dan+news is another mailbox");
	cfg->recipient_delimiter = strdup("+");
	inputs_recipient(st, NULL, cfg, alice, "Dan+news@example.net",
	    ADDR_FORM_SMTP, &rp, mbox);
	T_OK(rp.mode == VM_DENY && rp.list == VL_ALLOW,
	    "store: with RecipientDelimiter +, Dan+news is dan's mailbox");
	T_STREQ(mbox, "dan@example.net", "the mailbox, canonical, for the "
	    "journal");
	inputs_recipient(st, NULL, cfg, alice, "\"a b", ADDR_FORM_SMTP, &rp,
	    mbox);
	T_STREQ(mbox, "", "no mailbox: none for the journal");
	inputs_recipient(st, NULL, cfg, alice, "example.net!dan",
	    ADDR_FORM_INTERNAL, &rp, NULL);
	T_OK(rp.mode == VM_DENY && rp.list == VL_ALLOW,
	    "store: a routed recipient, internal form: dan's mailbox");
done:
	store_free(st);
	addr_free(alice);
	addr_free(mallory);
	config_free(cfg);
	unlink(path);
	snprintf(p2, sizeof(p2), "%s-wal", path);
	unlink(p2);
	snprintf(p2, sizeof(p2), "%s-shm", path);
	unlink(p2);
	rmdir(dir);
}

/* spki: the SPKI SHA-256 of the key in record REC. */
static int
spki(const char *rec, unsigned char out[KEY_SHA256_LEN])
{
	struct keyrec *k = keyrec_parse(rec, strlen(rec), NULL, NULL);
	const struct keyrec_fields *kf;
	EVP_PKEY *pk = NULL;
	int rc = -1;

	if (k != NULL) {
		kf = keyrec_get(k);
		if ((pk = key_from_record_bytes((int)kf->alg, kf->key,
		    kf->keylen)) != NULL && key_spki_sha256(pk, out) == 0)
			rc = 0;
	}
	EVP_PKEY_free(pk);
	keyrec_free(k);
	return rc;
}

static void
derive(void)
{
	static const char *const alice[] = { ANS_ALICE };
	unsigned char ka_fp[KEY_SHA256_LEN], kb_fp[KEY_SHA256_LEN];
	struct store_result rp;
	struct inputs_req q;
	struct lookup_answer *ka;
	struct decision d;

	memset(&rp, 0, sizeof(rp));
	rp.mode = VM_ALLOW;
	rp.list = VL_NONE;
	memset(&q, 0, sizeof(q));
	q.sender = VS_NULL;
	q.rp = &rp;
	q.sig = VSIG_UNKNOWN;
	inputs_derive(&q, NULL, NULL, &d);
	T_OK(d.in.sender == VS_NULL && verdict_without_dns(&d.in),
	    "null sender: decided without DNS");
	q.sender = VS_OK;
	inputs_derive(&q, NULL, NULL, &d);
	T_OK(!verdict_without_dns(&d.in), "an address, allow mode: DNS needed");
	if (spki(ANS_ALICE, ka_fp) == -1 || spki(ANS_BOB, kb_fp) == -1 ||
	    (ka = ans_make(LOOKUP_KEY, ANS_SECURE, alice, 1, 60)) == NULL) {
		T_OK(0, "the test keys");
		return;
	}
	q.sig = VSIG_PASS;
	q.key = ka_fp;
	inputs_derive(&q, ka, NULL, &d);
	T_OK(d.in.lookup == LOOKUP_SECURE_KEY && d.in.key == VK_OK &&
	    d.in.sig == VSIG_PASS && !d.key_gone,
	    "sig=pass with the answer's key: pass");
	q.key = kb_fp;
	inputs_derive(&q, ka, NULL, &d);
	T_OK(d.in.sig == VSIG_FAIL && d.key_gone,
	    "sig=pass with a key not in the answer: fail");
	lookup_answer_free(ka);
}

int
main(void)
{
	sender();
	recipient();
	derive();
	return t_done();
}
