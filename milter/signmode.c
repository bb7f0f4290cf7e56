/*
 * signmode.c: who may sign for which From: address, and the field that
 * results (signmode.h).  The KeyTable says which logins may use an
 * address; nothing else (envelope sender, display name) is consulted.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "signmode.h"

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
