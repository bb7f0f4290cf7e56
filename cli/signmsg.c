/*
 * signmsg: sign a parsed message, the field in its own line ends
 * (signmsg.h).  One place for `senderkey sign` and `senderkey sendmail`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "signmsg.h"

/* sign_failed: says why sig_sign failed; returns the exit status. */
static int
sign_failed(enum sig_sign_err serr, enum msg_from_err ferr,
    const char *sender)
{
	if (serr == SIG_SIGN_FROM)
		fprintf(stderr, "senderkey: stdin: %s (%s)\n",
		    sig_sign_strerror(serr), msg_from_errname(ferr));
	else if (serr == SIG_SIGN_SENDER)
		fprintf(stderr, "senderkey: -s %s: %s\n", sender,
		    sig_sign_strerror(serr));
	else
		fprintf(stderr, "senderkey: %s\n", sig_sign_strerror(serr));
	return serr == SIG_SIGN_NOMEM || serr == SIG_SIGN_CRYPTO ?
	    EX_SOFTWARE : EX_DATAERR;
}

/*
 * line_ends: FIELD (LEN octets, CRLF folded, no final line end) with LF
 * line ends when LF is set, and a final line end; malloc'd, *OUTLEN set.
 */
static char *
line_ends(const char *field, size_t len, int lf, size_t *outlen)
{
	char *out;
	size_t i, n = 0;

	if ((out = malloc(len + 3)) == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		if (!(lf && field[i] == '\r' && i + 1 < len &&
		    field[i + 1] == '\n'))
			out[n++] = field[i];
	if (!lf)
		out[n++] = '\r';
	out[n++] = '\n';
	out[n] = '\0';
	*outlen = n;
	return out;
}

/* sign_one: one field of M in M's line ends (line_ends); NULL on failure */
static char *
sign_one(struct sig_ctx *ctx, const struct msg *m, EVP_PKEY *key,
    const struct sig_sign_opts *o, size_t *flen, int *rc)
{
	enum sig_sign_err serr = SIG_SIGN_OK;
	enum msg_from_err ferr = MSG_FROM_OK;
	char *field, *out;
	size_t len = 0;

	if ((field = sig_sign(ctx, m, key, o, &serr, &ferr, &len)) == NULL) {
		*rc = sign_failed(serr, ferr, o->sender);
		return NULL;
	}
	if ((out = line_ends(field, len, msg_had_lf(m), flen)) == NULL)
		fprintf(stderr, "senderkey: out of memory\n");
	free(field);
	return out;
}

char *
signmsg_field(const struct msg *m, EVP_PKEY *key,
    const struct sig_sign_opts *o, size_t *flen, int *rc)
{
	struct sig_ctx *ctx = NULL;
	struct sig_sign_opts sks = *o;
	char *field = NULL, *bridge = NULL, *out = NULL;
	size_t len = 0, blen = 0;

	*rc = EX_SOFTWARE;
	sks.dkim_bridge = 0;
	if ((ctx = sig_ctx_new()) == NULL) {
		fprintf(stderr, "senderkey: cannot fetch SHA-256\n");
		goto done;
	}
	if ((field = sign_one(ctx, m, key, &sks, &len, rc)) == NULL)
		goto done;
	if (!o->dkim_bridge) {
		out = field;
		field = NULL;
		*flen = len;
		goto done;
	}
	/* the bridge field goes right below the Sender-Key-Signature */
	if ((bridge = sign_one(ctx, m, key, o, &blen, rc)) == NULL)
		goto done;
	if ((out = malloc(len + blen + 1)) == NULL) {
		fprintf(stderr, "senderkey: out of memory\n");
		goto done;
	}
	memcpy(out, field, len);
	memcpy(out + len, bridge, blen + 1);
	*flen = len + blen;
done:
	free(field);
	free(bridge);
	sig_ctx_free(ctx);
	return out;
}
