/*
 * signmode.c: who may sign for which From: address, the field that
 * results (and the DKIM bridge's field with MilterDkim), and the forged
 * fields a submission loses (signmode.h).  The
 * KeyTable says which logins may use an address; nothing else (envelope
 * sender, display name) is consulted.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/addr.h"
#include "signmode.h"
#include "verify.h"

#define SIGNMODE_SKT	"Sender-Key-Trust"
#define SIGNMODE_AR	"Authentication-Results"

/* milter_value: FIELD ("Name: v=1;...", CRLF folding) as a header value. */
static char *
milter_value(const char *field, size_t len)
{
	const char *colon = memchr(field, ':', len);
	char *out;
	size_t i, n = 0;

	if (colon == NULL)
		return NULL;
	i = (size_t)(colon - field) + 1;
	if (i < len && field[i] == ' ')
		i++;
	if ((out = malloc(len - i + 1)) == NULL)
		return NULL;
	for (; i < len; i++)
		if (!(field[i] == '\r' && i + 1 < len && field[i + 1] == '\n'))
			out[n++] = field[i];
	out[n] = '\0';
	return out;
}

enum signmode_result
signmode_sign(struct sig_ctx *ctx, const struct msg *m,
    const struct keytable *kt, const char *login, int64_t now, char **value,
    char **from, enum sig_sign_err *serr)
{
	struct sig_sign_opts o;
	struct addr *a = NULL;
	enum msg_from_err ferr;
	enum signmode_result rc;
	char *field = NULL;
	size_t flen = 0;
	long i;

	*value = NULL;
	if (from != NULL)
		*from = NULL;
	*serr = SIG_SIGN_OK;
	if ((a = msg_from(m, &ferr)) == NULL)
		return ferr == MSG_FROM_ENOMEM ? SIGNMODE_ERROR :
		    SIGNMODE_BADFROM;
	if (from != NULL && (*from = strdup(addr_canon(a))) == NULL) {
		rc = SIGNMODE_ERROR;
		goto done;
	}
	if (kt == NULL || (i = keytable_find(kt, addr_canon(a))) == -1) {
		rc = SIGNMODE_NOKEY;
		goto done;
	}
	if (!keytable_allowed(kt, i, login)) {
		rc = SIGNMODE_NOTALLOWED;
		goto done;
	}
	memset(&o, 0, sizeof(o));
	o.now = now;
	rc = SIGNMODE_ERROR;
	if ((field = sig_sign(ctx, m, keytable_key(kt, i), &o, serr, &ferr,
	    &flen)) == NULL)
		goto done;
	if ((*value = milter_value(field, flen)) == NULL) {
		*serr = SIG_SIGN_NOMEM;
		goto done;
	}
	rc = SIGNMODE_SIGNED;
done:
	free(field);
	addr_free(a);
	return rc;
}

int
signmode_bridge(struct sig_ctx *ctx, const struct msg *m,
    const struct keytable *kt, int64_t now, char **value,
    enum sig_sign_err *serr)
{
	struct sig_sign_opts o;
	struct addr *a = NULL;
	enum msg_from_err ferr;
	char *field = NULL;
	size_t flen = 0;
	long i;
	int rc = -1;

	*value = NULL;
	*serr = SIG_SIGN_FROM;
	if ((a = msg_from(m, &ferr)) == NULL || kt == NULL ||
	    (i = keytable_find(kt, addr_canon(a))) == -1)
		goto done;
	memset(&o, 0, sizeof(o));
	o.now = now;
	o.dkim_bridge = 1;
	if ((field = sig_sign(ctx, m, keytable_key(kt, i), &o, serr, &ferr,
	    &flen)) == NULL)
		goto done;
	if ((*value = milter_value(field, flen)) == NULL) {
		*serr = SIG_SIGN_NOMEM;
		goto done;
	}
	rc = 0;
done:
	free(field);
	addr_free(a);
	return rc;
}

int
signmode_strip(const struct msg *m, const char *authserv_id,
    struct signmode_strip *out)
{
	const struct msg_field *f;
	char id[256];
	size_t i, nar = 0, t;

	memset(out, 0, sizeof(*out));
	if (m == NULL || authserv_id == NULL)
		return -1;
	for (i = 0; i < msg_nfields(m); i++) {
		f = msg_field(m, i);
		if (msg_field_is(f, SIGNMODE_SKT))
			out->ntrust_del++;
		else if (msg_field_is(f, SIGNMODE_AR)) {
			nar++;
			if (verify_authserv_id(f->value, f->valuelen, id,
			    sizeof(id)) == 0 &&
			    strcasecmp(id, authserv_id) == 0 &&
			    out->nar_del < SIGNMODE_MAX_DEL)
				out->ar_del[out->nar_del++] = nar;
		}
	}
	for (i = 0; i < out->nar_del / 2; i++) {	/* descending */
		t = out->ar_del[i];
		out->ar_del[i] = out->ar_del[out->nar_del - 1 - i];
		out->ar_del[out->nar_del - 1 - i] = t;
	}
	return 0;
}

const char *
signmode_name(enum signmode_result r)
{
	switch (r) {
	case SIGNMODE_SIGNED:
		return "signed";
	case SIGNMODE_NOKEY:
		return "no-key";
	case SIGNMODE_NOTALLOWED:
		return "not-allowed";
	case SIGNMODE_BADFROM:
		return "bad-from";
	case SIGNMODE_ERROR:
		break;
	}
	return "error";
}
