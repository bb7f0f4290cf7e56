/*
 * cmd_verify: "senderkey verify [-x CONFIG] [-A ANCHOR] [-C UNBOUND_CONF]
 * [-F IP]... [-t SECONDS] [-T TIME]" reads a message on standard input,
 * checks its Sender-Key-Signature fields (specs/signature.md section 6)
 * and its DKIM bridge signatures (section 11.2), looking the sender's key
 * (and, for a bridge signature, DKIM key) records up itself with DNSSEC
 * validation (the resolver settings as "senderkey query": the
 * configuration file, then -A -C -F -t), and prints one line per lookup,
 * one per evaluated signature and one for the message:
 *
 *   dkim-lookup=secure-key owner=sk2bd8.._domainkey.example.test.
 *   lookup=secure-key owner=2bd8.._senderkey.example.test.
 *   signature=1 result=pass reason=ok alg=ed25519-sha256 key=AB:CD:.. [testing]
 *   signature=2 kind=dkim selector=sk2bd8.. result=pass reason=ok ...
 *   result=pass reason=ok alg=.. key=.. [kind=dkim selector=..]
 *       sender=alice@example.test   (one line)
 *
 * No lookup is made when no signature needs one (steps 1 to 6 decide).
 * Exit status: 0 pass, 1 fail, permerror or none, 75 temperror, 64 usage,
 * 65 the message cannot be read, 66 trust anchor unusable, 70 internal
 * error, 78 bad configuration file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "lib/msg.h"
#include "lib/owner.h"
#include "lib/sig.h"
#include "core/lookup.h"
#include "cmds.h"
#include "resolver_opts.h"
#include "util.h"

/* keystate: the lookup answer as section 6.1 step 7 needs it. */
static enum sig_keystate
keystate(const struct lookup_answer *a)
{
	switch (a->state) {
	case LOOKUP_SECURE_KEY:
		return SIG_KEYS_FOUND;
	case LOOKUP_SECURE_NOKEY:
		if (a->nokey == LOOKUP_NOKEY_REVOKED)
			return SIG_KEYS_REVOKED;
		if (a->nokey == LOOKUP_NOKEY_EXPIRED)
			return SIG_KEYS_EXPIRED;
		return SIG_KEYS_NONE;
	case LOOKUP_INSECURE:
		return SIG_KEYS_INSECURE;
	case LOOKUP_BOGUS:
		return SIG_KEYS_BOGUS;
	case LOOKUP_PERMERROR:
		return SIG_KEYS_MALFORMED;
	case LOOKUP_TEMPFAIL:
		break;
	}
	return SIG_KEYS_TEMPFAIL;
}

/* print_kind: " kind=dkim selector=S" for a bridge signature, else "". */
static void
print_kind(const struct sig_outcome *o)
{
	if (o->kind == SIGHEADER_DKIM_BRIDGE)
		printf(" kind=dkim selector=%s", o->selector);
}

static void
print_outcome(const struct sig_outcome *o)
{
	printf("result=%s reason=%s", sig_result_name(o->result),
	    sig_reason_name(o->reason));
	if (o->alg != 0)
		printf(" alg=%s", sigheader_alg_name(o->alg));
	if (o->result == SIG_PASS && o->fp[0] != '\0')
		printf(" key=%s%s", o->fp, o->testing ? " testing" : "");
}

/*
 * do_dkim: look SENDER's DKIM key record up with LK and give V its state
 * and its usable keys' fingerprints (section 11.2); 0 or an exit code.
 */
static int
do_dkim(struct sig_verify *v, const struct addr *sender, struct lookup *lk)
{
	struct lookup_answer *ans = NULL;
	const struct keyrec_fields *f;
	char owner[OWNER_NAME_MAX], (*fps)[KEY_FP_SIZE] = NULL;
	size_t i, n = 0;
	int rc = EX_SOFTWARE;

	if (owner_name(sender, OWNER_DKIM, owner, sizeof(owner)) != 0) {
		fprintf(stderr, "senderkey: cannot build the DKIM owner "
		    "name\n");
		return EX_SOFTWARE;
	}
	if (lookup_sync(lk, owner, LOOKUP_DKIM, &ans) != 0) {
		fprintf(stderr, "senderkey: %s: the lookup failed\n", owner);
		return EX_SOFTWARE;
	}
	printf("dkim-lookup=%s owner=%s\n", lookup_state_name(ans->state),
	    owner);
	if (ans->state == LOOKUP_SECURE_KEY && ans->nkeys > 0) {
		if ((fps = calloc(ans->nkeys, sizeof(*fps))) == NULL) {
			fprintf(stderr, "senderkey: out of memory\n");
			goto done;
		}
		for (i = 0; i < ans->nkeys; i++) {
			f = keyrec_get(ans->keys[i]);
			if (key_record_fingerprint((int)f->alg, f->key,
			    f->keylen, fps[n], sizeof(fps[n])) == 0)
				n++;
		}
	}
	sig_verify_dkim(v, keystate(ans), (const char (*)[KEY_FP_SIZE])fps,
	    n);
	rc = 0;
done:
	free(fps);
	lookup_answer_free(ans);
	return rc;
}

/*
 * do_lookup: look SENDER's DKIM key record up when a bridge signature
 * needs it, then SENDER's keys when a signature still needs them, and
 * apply them to V; 0 or an exit code.
 */
static int
do_lookup(struct sig_verify *v, const struct addr *sender,
    struct resolver_opts *ro)
{
	struct lookup *lk = NULL;
	struct lookup_answer *ans = NULL;
	char owner[OWNER_NAME_MAX];
	int rc = EX_SOFTWARE;

	if (owner_name(sender, OWNER_SENDERKEY, owner, sizeof(owner)) != 0) {
		fprintf(stderr, "senderkey: cannot build the owner name\n");
		return EX_SOFTWARE;
	}
	if (resolver_opts_load(ro) == -1)
		return EX_CONFIG;
	if ((lk = resolver_opts_lookup(ro)) == NULL) {
		rc = EX_NOINPUT;
		goto done;
	}
	if (sig_verify_need_dkim(v) && (rc = do_dkim(v, sender, lk)) != 0)
		goto done;
	rc = EX_SOFTWARE;
	if (!sig_verify_need_keys(v, &sender)) {
		rc = 0;		/* the DKIM record decided */
		goto done;
	}
	if (lookup_sync(lk, owner, LOOKUP_KEY, &ans) != 0) {
		fprintf(stderr, "senderkey: %s: the lookup failed\n", owner);
		goto done;
	}
	printf("lookup=%s owner=%s\n", lookup_state_name(ans->state), owner);
	if (ans->state == LOOKUP_SECURE_KEY)
		sig_verify_records(v, ans->keys, ans->nkeys);
	else
		sig_verify_keys(v, keystate(ans), NULL, 0);
	rc = 0;
done:
	lookup_answer_free(ans);
	lookup_free(lk);
	resolver_opts_clear(ro);
	return rc;
}

int
cmd_verify(int argc, char **argv)
{
	struct resolver_opts ro;
	struct sig_ctx *ctx = NULL;
	struct sig_verify *v = NULL;
	struct msg *m = NULL;
	const struct addr *sender = NULL;
	const struct sig_outcome *res;
	enum msg_err merr = MSG_OK;
	char err[512], *buf = NULL;
	size_t i, len = 0, line = 0;
	int64_t now = (int64_t)time(NULL);
	int ch, rc = EX_SOFTWARE;

	resolver_opts_init(&ro);
	optind = 1;
	while ((ch = getopt(argc, argv, "A:C:F:t:T:x:")) != -1) {
		switch (ch) {
		case 'x':
		case 'A':
		case 'C':
		case 'F':
		case 't':
			if (resolver_opts_parse(&ro, ch, optarg) == -1)
				return EX_USAGE;
			break;
		case 'T':
			if (util_time(optarg, now, &now) == -1) {
				fprintf(stderr, "senderkey: -T %s: expected a "
				    "Unix time or YYYY-MM-DDTHH:MM:SSZ\n",
				    optarg);
				return EX_USAGE;
			}
			break;
		default:
			senderkey_usage(stderr, "verify");
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		senderkey_usage(stderr, "verify");
		return EX_USAGE;
	}
	if ((buf = util_read_file("-", MSG_MAX_SIZE, &len, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		return EX_DATAERR;
	}
	if ((m = msg_parse(buf, len, &merr, &line)) == NULL) {
		fprintf(stderr, "senderkey: stdin:%zu: %s\n", line,
		    msg_strerror(merr));
		rc = EX_DATAERR;
		goto done;
	}
	if ((ctx = sig_ctx_new()) == NULL ||
	    (v = sig_verify_begin(ctx, m, SIGHEADER_DKIM_BRIDGE, now)) ==
	    NULL) {
		fprintf(stderr, "senderkey: out of memory\n");
		goto done;
	}
	if (sig_verify_need_keys(v, &sender) &&
	    (rc = do_lookup(v, sender, &ro)) != 0)
		goto done;
	for (i = 0; i < sig_verify_count(v); i++) {
		printf("signature=%zu", i + 1);
		print_kind(sig_verify_get(v, i));
		putchar(' ');
		print_outcome(sig_verify_get(v, i));
		putchar('\n');
	}
	res = sig_verify_result(v);
	print_outcome(res);
	print_kind(res);
	if (sender != NULL)
		printf(" sender=%s", addr_canon(sender));
	putchar('\n');
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "senderkey: write error: %s\n",
		    strerror(errno));
		rc = EX_IOERR;
	} else if (res->result == SIG_PASS)
		rc = 0;
	else if (res->result == SIG_TEMPERROR)
		rc = EX_TEMPFAIL;
	else
		rc = EX_NEGATIVE;
done:
	sig_verify_free(v);
	sig_ctx_free(ctx);
	msg_free(m);
	free(buf);
	return rc;
}
