/*
 * test_milter_keycache: senderkey-milter's prepared-key cache
 * (milter/keycache.c) and its use on LOOKUP replies: hits, misses,
 * expiry (the reply's ttl= and the cache's maximum), eviction by entries
 * and by bytes, keys that never get cached (bad fingerprint, empty p=,
 * ttl=0, insecure replies), a changed record for the same sender, a
 * revoked answer with the old key still cached, exclusive leases, and
 * several threads verifying with the same keys at once (run this under
 * -fsanitize=thread too).  Linked with the milter's modules
 * (libsenderkey-milter.a), as test_milter_verify is; the byte charges
 * come from milter/keycache_int.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/b64.h"
#include "lib/key.h"
#include "lib/msg.h"
#include "lib/sig.h"
#include "milter/answer.h"
#include "milter/keycache.h"
#include "milter/keycache_int.h"
#include "t.h"

#define NOW	1000000

struct signer {
	EVP_PKEY	*key;
	char		*spec;		/* key= value */
	char		*msg;		/* a message it signed */
};

static struct sig_ctx *SCTX;

static const char BODY[] = "From: Alice <alice@example.com>\r\n"
    "To: bob@example.net\r\nSubject: cache\r\n"
    "Date: Thu, 13 Nov 2025 09:30:00 +0000\r\n"
    "Message-ID: <1@example.com>\r\n\r\nHello.\r\n";

static int
signer_make(struct signer *s, int rsa)
{
	struct sig_sign_opts o = { 0 };
	struct msg *m = NULL;
	enum sig_sign_err e;
	unsigned char *p = NULL;
	char *b64 = NULL, *field = NULL, fp[KEY_FP_SIZE];
	size_t plen = 0, flen;
	int alg, rc = -1;

	memset(s, 0, sizeof(*s));
	s->key = rsa ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048) :
	    EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (s->key == NULL || key_record_bytes(s->key, &alg, &p, &plen) ==
	    -1 || (b64 = b64_encode(p, plen)) == NULL ||
	    key_fingerprint(s->key, fp, sizeof(fp)) == -1 ||
	    asprintf(&s->spec, "%s,%s,-,%s", rsa ? "rsa" : "ed25519", fp,
	    b64) == -1)
		goto done;
	o.now = NOW;
	if ((m = msg_parse(BODY, sizeof(BODY) - 1, NULL, NULL)) == NULL ||
	    (field = sig_sign(SCTX, m, s->key, &o, &e, NULL, &flen)) ==
	    NULL || asprintf(&s->msg, "%s\r\n%s", field, BODY) == -1)
		goto done;
	rc = 0;
done:
	msg_free(m);
	free(field);
	free(b64);
	free(p);
	return rc;
}

static void
signer_free(struct signer *s)
{
	EVP_PKEY_free(s->key);
	free(s->spec);
	free(s->msg);
}

/* verify: MSG's result with the reply LINE through KC at NOW; -1 on a
   reply keycache_verify_reply refuses. */
static int
verify(struct keycache *kc, const char *msgtext, const char *line,
    time_t now, enum sig_result *res, enum sig_reason *why)
{
	struct msg *m;
	struct sig_verify *v = NULL;
	int rc = -1;

	if ((m = msg_parse(msgtext, strlen(msgtext), NULL, NULL)) == NULL ||
	    (v = sig_verify_begin(SCTX, m, SIGHEADER_SKS, NOW)) == NULL)
		goto done;
	if (keycache_verify_reply(kc, v, line, now) == 0) {
		*res = sig_verify_result(v)->result;
		*why = sig_verify_result(v)->reason;
		rc = 0;
	}
done:
	sig_verify_free(v);
	msg_free(m);
	return rc;
}

static char *
reply(const char *state, const char *spec, unsigned ttl)
{
	char *s = NULL;

	if (asprintf(&s, "ok state=%s owner=x._senderkey.example.com. "
	    "policy=some%s%s ttl=%u", state, spec != NULL ? " key=" : "",
	    spec != NULL ? spec : "", ttl) == -1)
		abort();
	return s;
}

static struct keycache_stats
stats(struct keycache *kc)
{
	struct keycache_stats st;

	keycache_stats(kc, &st);
	return st;
}

static void
test_hits_and_expiry(struct signer *a, struct signer *b)
{
	struct keycache *kc = keycache_new(SCTX, 16, 1 << 20, 3600);
	struct keycache_key *k1, *k2;
	const struct sig_key *s1;
	int un;

	k1 = keycache_get(kc, a->spec, 60, NOW, &un);
	T_OK(k1 != NULL && keycache_key_sig(k1)->prepared,
	    "keycache: a good key is leased prepared");
	T_OK(stats(kc).misses == 1 && stats(kc).entries == 1,
	    "keycache: the first get is a miss and caches the key");
	s1 = k1 != NULL ? keycache_key_sig(k1) : NULL;
	k2 = keycache_get(kc, a->spec, 60, NOW + 1, &un);
	T_OK(k2 != NULL && s1 != NULL && keycache_key_sig(k2)->pkey ==
	    s1->pkey, "keycache: a second get hits and shares the EVP_PKEY");
	T_OK(k2 != NULL && s1 != NULL && keycache_key_sig(k2)->edctx !=
	    s1->edctx && keycache_key_sig(k2)->rsactx == NULL,
	    "keycache: two leases out at once never share a context");
	keycache_put(kc, k1);
	keycache_put(kc, k2);
	T_OK(stats(kc).hits == 1, "keycache: one hit counted");
	k1 = keycache_get(kc, a->spec, 60, NOW + 59, &un);
	T_OK(k1 != NULL && stats(kc).hits == 2,
	    "keycache: still a hit one second before the reply's ttl");
	keycache_put(kc, k1);
	k1 = keycache_get(kc, a->spec, 60, NOW + 60, &un);
	T_OK(k1 != NULL && stats(kc).expired == 1 && stats(kc).misses == 2,
	    "keycache: expired at the reply's ttl, decoded again");
	keycache_put(kc, k1);
	k1 = keycache_get(kc, b->spec, 0, NOW, &un);
	T_OK(k1 != NULL && stats(kc).entries == 1,
	    "keycache: ttl=0 verifies but caches nothing");
	keycache_put(kc, k1);
	k1 = keycache_get(kc, b->spec, 0, NOW, &un);
	T_OK(k1 != NULL && stats(kc).misses == 4,
	    "keycache: after ttl=0 the next get is a miss");
	keycache_put(kc, k1);
	keycache_free(kc);

	kc = keycache_new(SCTX, 16, 1 << 20, 10);
	keycache_put(kc, keycache_get(kc, a->spec, 3600, NOW, &un));
	keycache_put(kc, keycache_get(kc, a->spec, 3600, NOW + 10, &un));
	T_OK(stats(kc).expired == 1,
	    "keycache: the cache's maximum lifetime caps a longer ttl");
	keycache_free(kc);
}

static void
test_bounds(struct signer *a, struct signer *b, struct signer *c)
{
	struct keycache *kc = keycache_new(SCTX, 2, 1 << 20, 3600);
	struct keycache_key *held;
	struct keycache_stats st;
	enum sig_result r;
	enum sig_reason why;
	char *line;
	int un;

	keycache_put(kc, keycache_get(kc, a->spec, 60, NOW, &un));
	keycache_put(kc, keycache_get(kc, b->spec, 60, NOW, &un));
	keycache_put(kc, keycache_get(kc, a->spec, 60, NOW, &un)); /* a MRU */
	keycache_put(kc, keycache_get(kc, c->spec, 60, NOW, &un));
	st = stats(kc);
	T_OK(st.entries == 2 && st.evicted == 1,
	    "keycache: the entry bound evicts one entry");
	keycache_put(kc, keycache_get(kc, a->spec, 60, NOW, &un));
	T_OK(stats(kc).hits == st.hits + 1,
	    "keycache: the recently used entry stayed");
	keycache_put(kc, keycache_get(kc, b->spec, 60, NOW, &un));
	T_OK(stats(kc).misses == st.misses + 1,
	    "keycache: the least recently used entry went");
	keycache_free(kc);

	/* room for one entry (with its idle copy) by bytes */
	kc = keycache_new(SCTX, 100, keycache_cost_entry(strlen(a->spec)) +
	    keycache_cost_inst(strlen(a->spec)) + 16, 3600);
	keycache_put(kc, keycache_get(kc, a->spec, 60, NOW, &un));
	keycache_put(kc, keycache_get(kc, b->spec, 60, NOW, &un));
	st = stats(kc);
	T_OK(st.entries == 1 && st.evicted == 1 && st.bytes <=
	    keycache_cost_entry(strlen(a->spec)) + keycache_cost_inst(strlen(a->spec)) + 16,
	    "keycache: the byte bound evicts");
	keycache_free(kc);

	/* an entry evicted while leased stays usable until put */
	kc = keycache_new(SCTX, 1, 1 << 20, 3600);
	held = keycache_get(kc, a->spec, 60, NOW, &un);
	keycache_put(kc, keycache_get(kc, b->spec, 60, NOW, &un));
	T_OK(held != NULL && stats(kc).evicted == 1,
	    "keycache: a leased entry can be evicted");
	line = reply("secure-key", a->spec, 60);
	T_OK(verify(kc, a->msg, line, NOW, &r, &why) == 0 && r == SIG_PASS,
	    "keycache: the evicted key's message verifies afresh");
	free(line);
	keycache_put(kc, held);
	keycache_free(kc);
}

static void
test_never_cached(struct signer *a, struct signer *b)
{
	struct keycache *kc = keycache_new(SCTX, 16, 1 << 20, 3600);
	char *bad = NULL, *empty = NULL, *line;
	const char *fp_end;
	enum sig_result r;
	enum sig_reason why;
	unsigned long misses;
	int un = 0;

	/* a's fingerprint with b's p= */
	fp_end = strchr(strchr(a->spec, ',') + 1, ',');
	if (asprintf(&bad, "%.*s%s", (int)(fp_end - a->spec), a->spec,
	    strchr(strchr(b->spec, ',') + 1, ',')) == -1)
		abort();
	T_OK(keycache_get(kc, bad, 60, NOW, &un) == NULL && un == 1,
	    "keycache: a fingerprint mismatch is unusable");
	T_OK(keycache_get(kc, bad, 60, NOW, &un) == NULL &&
	    stats(kc).entries == 0 && stats(kc).hits == 0 &&
	    stats(kc).bad == 2, "keycache: an unusable key is never cached");
	if (asprintf(&empty, "%.*s,-,", (int)(fp_end - a->spec),
	    a->spec) == -1)
		abort();
	T_OK(keycache_get(kc, empty, 60, NOW, &un) == NULL && un == 1 &&
	    stats(kc).entries == 0, "keycache: an empty p= is never a key");
	T_OK(keycache_get(kc, "ed25519,AA,-,", 60, NOW, &un) == NULL &&
	    keycache_get(kc, "dsa,AA,-,AAAA", 60, NOW, &un) == NULL &&
	    keycache_get(kc, "garbage", 60, NOW, &un) == NULL &&
	    stats(kc).entries == 0, "keycache: malformed key= values refused");

	line = reply("secure-key", bad, 60);
	T_OK(verify(kc, a->msg, line, NOW, &r, &why) == 0 && r == SIG_FAIL &&
	    why == SIG_R_NO_KEY_FOR_ALG, "verify: only a bad key: no key");
	free(line);
	line = reply("insecure", a->spec, 60);
	misses = stats(kc).misses;
	T_OK(verify(kc, a->msg, line, NOW, &r, &why) == 0 && r != SIG_PASS &&
	    stats(kc).entries == 0 && stats(kc).misses == misses,
	    "verify: an insecure reply's keys are never used nor cached");
	free(line);
	T_OK(verify(kc, a->msg, "error internal", NOW, &r, &why) == -1,
	    "verify: an error reply is refused");
	free(bad);
	free(empty);
	keycache_free(kc);
}

static void
test_changed_record(struct signer *a, struct signer *b)
{
	struct keycache *kc = keycache_new(SCTX, 16, 1 << 20, 3600);
	enum sig_result r;
	enum sig_reason why;
	char *la = reply("secure-key", a->spec, 300);
	char *lb = reply("secure-key", b->spec, 300);

	T_OK(verify(kc, a->msg, la, NOW, &r, &why) == 0 && r == SIG_PASS,
	    "changed record: the old key verifies its message");
	T_OK(verify(kc, a->msg, la, NOW + 1, &r, &why) == 0 && r == SIG_PASS &&
	    stats(kc).hits == 1, "changed record: again, from the cache");
	T_OK(verify(kc, a->msg, lb, NOW + 2, &r, &why) == 0 && r == SIG_FAIL,
	    "changed record: the old key's message fails with the new "
	    "record although the old key is still cached");
	T_OK(verify(kc, b->msg, lb, NOW + 3, &r, &why) == 0 && r == SIG_PASS,
	    "changed record: the new key verifies its message");
	T_OK(verify(kc, a->msg, "ok state=secure-nokey nokey=revoked "
	    "owner=x. policy=some ttl=60", NOW + 4, &r, &why) == 0 && r == SIG_FAIL &&
	    why == SIG_R_KEY_REVOKED,
	    "revoked: key-revoked while the old key is still cached");
	T_OK(verify(kc, a->msg, "ok state=bogus owner=x. policy=some why=x "
	    "ttl=5", NOW + 5, &r, &why) == 0 && r == SIG_TEMPERROR,
	    "bogus: temperror while the key is still cached");
	free(la);
	free(lb);
	keycache_free(kc);
}

struct worker {
	struct keycache	*kc;
	struct signer	*s[2];
	char		*line[2];
	int		 n, pass, bad;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	enum sig_result r;
	enum sig_reason why;
	int i, j;

	for (i = 0; i < w->n; i++) {
		j = i % 2;
		if (verify(w->kc, w->s[j]->msg, w->line[j], NOW + i % 7, &r,
		    &why) == 0 && r == SIG_PASS)
			w->pass++;
		else
			w->bad++;
	}
	return NULL;
}

/* threads: NT threads verify both signers' messages N times each, with a
   cache of MAXE entries (1 forces evictions while leases are out). */
static void
threads(struct signer *a, struct signer *b, size_t maxe, int n,
    const char *what)
{
	struct keycache *kc = keycache_new(SCTX, maxe, 1 << 20, 3600);
	struct worker w[4];
	pthread_t t[4];
	int i, started = 0, pass = 0, bad = 0;
	char *la = reply("secure-key", a->spec, 5);
	char *lb = reply("secure-key", b->spec, 5);

	for (i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].kc = kc;
		w[i].s[0] = a;
		w[i].s[1] = b;
		w[i].line[0] = la;
		w[i].line[1] = lb;
		w[i].n = n;
		if (pthread_create(&t[i], NULL, work, &w[i]) == 0)
			started++;
	}
	for (i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
		pass += w[i].pass;
		bad += w[i].bad;
	}
	T_OK(started == 4 && pass == 4 * n && bad == 0,
	    "threads: 4 threads, %d messages each, all pass (%s)", n, what);
	if (maxe > 1)	/* with one entry, hits depend on the schedule */
		T_OK(stats(kc).hits > 0, "threads: the cache was used (%s)",
		    what);
	free(la);
	free(lb);
	keycache_free(kc);
}

int
main(void)
{
	struct signer e1, e2, e3, r1;

	if ((SCTX = sig_ctx_new()) == NULL || signer_make(&e1, 0) == -1 ||
	    signer_make(&e2, 0) == -1 || signer_make(&e3, 0) == -1 ||
	    signer_make(&r1, 1) == -1) {
		printf("not ok 1 - set-up: keys and signed messages\n");
		return 1;
	}
	test_hits_and_expiry(&e1, &e2);
	test_bounds(&e1, &e2, &e3);
	test_never_cached(&e1, &e2);
	test_changed_record(&e1, &r1);
	test_changed_record(&r1, &e1);
	threads(&e1, &r1, 16, 100, "ed25519 and rsa, room for both");
	threads(&e1, &r1, 1, 100, "one entry: evictions under leases");
	signer_free(&e1);
	signer_free(&e2);
	signer_free(&e3);
	signer_free(&r1);
	sig_ctx_free(SCTX);
	return t_done();
}
