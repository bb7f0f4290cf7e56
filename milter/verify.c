/*
 * verify.c: the milter's verify-mode policy (verify.h): which header
 * fields go, which come, and what the MTA is told.  The verdicts are
 * senderkeyd's; this file only combines one answer per recipient into the
 * one decision a message can get at end of data.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/b64.h"
#include "lib/key.h"
#include "lib/msg.h"
#include "lib/sigheader.h"
#include "core/trustfield.h"
#include "verify.h"

#define AR_NAME		"Authentication-Results"
#define SKT_NAME	"Sender-Key-Trust"

/* skip_cfws: past whitespace, CR, LF and (nested) comments. */
static size_t
skip_cfws(const char *v, size_t len, size_t i)
{
	int depth = 0;

	for (; i < len; i++) {
		if (depth > 0) {
			if (v[i] == '\\' && i + 1 < len)
				i++;
			else if (v[i] == '(')
				depth++;
			else if (v[i] == ')')
				depth--;
		} else if (v[i] == '(')
			depth++;
		else if (v[i] != ' ' && v[i] != '\t' && v[i] != '\r' &&
		    v[i] != '\n')
			break;
	}
	return i;
}

int
verify_authserv_id(const char *value, size_t len, char *out, size_t outsz)
{
	size_t i, n = 0;

	if (outsz == 0)
		return -1;
	i = skip_cfws(value, len, 0);
	if (i < len && value[i] == '"') {
		for (i++; i < len && value[i] != '"'; i++) {
			if (value[i] == '\\' && i + 1 < len)
				i++;
			if (n + 1 >= outsz)
				return -1;
			out[n++] = value[i];
		}
		if (i == len)
			return -1;	/* unclosed */
	} else {
		for (; i < len; i++) {
			if (value[i] == ' ' || value[i] == '\t' ||
			    value[i] == '\r' || value[i] == '\n' ||
			    value[i] == ';' || value[i] == '(')
				break;
			if (n + 1 >= outsz)
				return -1;
			out[n++] = value[i];
		}
	}
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* is_token_addr: 1 when A can be written unquoted as an A-R pvalue. */
static int
is_token_addr(const char *a)
{
	const unsigned char *p;

	if (*a == '\0')
		return 0;
	for (p = (const unsigned char *)a; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("()<>,;:\\\"[]", *p))
			return 0;
	return 1;
}

/*
 * is_token: 1 when V is an RFC 2045 token, the only unquoted form RFC 8601
 * allows for a value such as header.b (base64's '/' and '=' are not token
 * characters).
 */
static int
is_token(const char *v)
{
	const unsigned char *p;

	if (*v == '\0')
		return 0;
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f ||
		    strchr("()<>@,;:\\\"/[]?=", *p) != NULL)
			return 0;
	return 1;
}

/* append: printf-style to BUF (SZ) at *LEN; -1 when it does not fit. */
static int
append(char *buf, size_t sz, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > sz)
		return -1;
	memcpy(buf + *len, s, n + 1);
	*len += n;
	return 0;
}

static int
build_ar(const struct verify_in *in, char *buf, size_t sz)
{
	const struct sig_outcome *r = in->res;
	const unsigned char *p;
	const char *q;
	char c[3];
	size_t len = 0;

	buf[0] = '\0';
	if (append(buf, sz, &len, in->authserv_id) == -1 ||
	    append(buf, sz, &len, "; senderkey=") == -1 ||
	    append(buf, sz, &len, sig_result_name(r->result)) == -1)
		return -1;
	if (r->result != SIG_PASS && (append(buf, sz, &len, " reason=\"") ==
	    -1 || append(buf, sz, &len, sig_reason_name(r->reason)) == -1 ||
	    append(buf, sz, &len, "\"") == -1))
		return -1;
	if (in->from != NULL) {
		if (append(buf, sz, &len, " header.from=") == -1)
			return -1;
		if (is_token_addr(in->from)) {
			if (append(buf, sz, &len, in->from) == -1)
				return -1;
		} else {
			if (append(buf, sz, &len, "\"") == -1)
				return -1;
			for (p = (const unsigned char *)in->from; *p != '\0';
			    p++) {
				if (*p < 0x20 || *p == 0x7f)
					continue;	/* never in a header */
				c[0] = (char)*p;
				c[1] = '\0';
				if ((*p == '"' || *p == '\\') &&
				    append(buf, sz, &len, "\\") == -1)
					return -1;
				if (append(buf, sz, &len, c) == -1)
					return -1;
			}
			if (append(buf, sz, &len, "\"") == -1)
				return -1;
		}
	}
	if (in->b8 != NULL && in->b8[0] != '\0' && r->field != (size_t)-1) {
		q = is_token(in->b8) ? "" : "\"";
		/* b8 is base64: no '"' or '\\' to escape inside quotes. */
		if (append(buf, sz, &len, " header.b=") == -1 ||
		    append(buf, sz, &len, q) == -1 ||
		    append(buf, sz, &len, in->b8) == -1 ||
		    append(buf, sz, &len, q) == -1)
			return -1;
	}
	/* a DKIM selector is a sub-domain: a token, or left out */
	if (in->selector != NULL && in->selector[0] != '\0' &&
	    r->field != (size_t)-1 && is_token(in->selector) &&
	    (append(buf, sz, &len, " header.s=") == -1 ||
	    append(buf, sz, &len, in->selector) == -1))
		return -1;
	return 0;
}

/* trust_rank: lower is less trusted; the message gets the lowest. */
static int
trust_rank(enum verdict_tag t)
{
	switch (t) {
	case VT_UNAUTHORIZED:
		return 0;
	case VT_UNTRUSTED:
		return 1;
	case VT_TRUSTED:
		return 2;
	case VT_AUTHORIZED:
		return 3;
	case VT_NONE:
		break;
	}
	return -1;
}

/*
 * trust_field: the Sender-Key-Trust value for answer A (trustfield.h):
 * the decision's sender (the From: address the daemon was asked about)
 * and, for trusted and authorized, the key that verified the signature.
 * "" when it cannot be written (no field rather than a wrong one).
 */
static void
trust_field(const struct verify_in *in, const struct answer_authz *a,
    char *buf, size_t bufsz)
{
	struct trustfield f;
	enum verdict_reason reason;
	unsigned char key[TRUSTFIELD_KEY_LEN];
	int have_key;

	buf[0] = '\0';
	if (verdict_reason_from_name(a->reason, &reason) == -1)
		return;
	have_key = in->res->result == SIG_PASS &&
	    key_fingerprint_parse(in->res->fp, key) == 0;
	trustfield_set(&f, a->tag, reason, in->from, have_key ? key : NULL);
	if (trustfield_encode(&f, buf, bufsz) == -1) {
		f.sender[0] = '\0';
		if (trustfield_encode(&f, buf, bufsz) == -1)
			buf[0] = '\0';
	}
}

/*
 * set_reply: the reply for action A with REASON; a rejection shows the
 * daemon's TEXT (verdicts.md 6.5) when there is one that libmilter takes
 * as it is (no '%'), else the generic text.
 */
static void
set_reply(struct verify_out *out, enum verify_action a, const char *reason,
    const char *text)
{
	out->action = a;
	if (a == VERIFY_TEMPFAIL) {
		strcpy(out->code, "451");
		strcpy(out->xcode, "4.7.0");
		snprintf(out->text, sizeof(out->text),
		    "senderkey: temporary failure (%s)", reason);
	} else if (a == VERIFY_REJECT) {
		strcpy(out->code, "550");
		strcpy(out->xcode, "5.7.1");
		if (text != NULL && text[0] != '\0' &&
		    strchr(text, '%') == NULL)
			snprintf(out->text, sizeof(out->text), "%s", text);
		else
			snprintf(out->text, sizeof(out->text),
			    "senderkey: sender not authorized (%s)", reason);
	}
}

int
verify_decide(const struct verify_in *in, struct verify_out *out)
{
	const struct answer_authz *a, *tf = NULL, *un = NULL, *low = NULL;
	const struct msg_field *f;
	char id[256];
	size_t i, nar = 0, nskt = 0;

	memset(out, 0, sizeof(*out));
	if (in->m == NULL || in->res == NULL || in->authserv_id == NULL)
		return -1;
	/* forged copies: every Sender-Key-Trust, A-R with our id */
	for (i = 0; i < msg_nfields(in->m); i++) {
		f = msg_field(in->m, i);
		if (msg_field_is(f, SKT_NAME))
			nskt++;
		else if (msg_field_is(f, AR_NAME)) {
			nar++;
			if (verify_authserv_id(f->value, f->valuelen, id,
			    sizeof(id)) == 0 &&
			    strcasecmp(id, in->authserv_id) == 0 &&
			    out->nar_del < VERIFY_MAX_DEL)
				out->ar_del[out->nar_del++] = nar;
		}
	}
	out->ntrust_del = nskt;
	for (i = 0; i < out->nar_del / 2; i++) {	/* descending */
		size_t t = out->ar_del[i];

		out->ar_del[i] = out->ar_del[out->nar_del - 1 - i];
		out->ar_del[out->nar_del - 1 - i] = t;
	}
	if (build_ar(in, out->ar, sizeof(out->ar)) == -1)
		out->ar[0] = '\0';

	if (in->daemon_failed || in->nans == 0) {
		if (!in->monitor)
			set_reply(out, VERIFY_TEMPFAIL, "internal", NULL);
		return 0;
	}
	for (i = 0; i < in->nans; i++) {
		a = &in->ans[i];
		if (a->verdict == VERDICT_TEMPFAIL) {
			if (tf == NULL)
				tf = a;
			continue;
		}
		if (a->verdict == VERDICT_UNAUTHORIZED && un == NULL)
			un = a;
		if (low == NULL || trust_rank(a->tag) < trust_rank(low->tag))
			low = a;
	}
	if (!in->monitor) {
		/* one decision per message: defer while any recipient cannot
		   be decided, reject when any refuses (protocol.md 5.4) */
		if (tf != NULL) {
			set_reply(out, VERIFY_TEMPFAIL, tf->reason, NULL);
			out->ar[0] = '\0';
			return 0;
		}
		if (un != NULL) {
			set_reply(out, VERIFY_REJECT, un->reason, un->text);
			out->ar[0] = '\0';
			return 0;
		}
	}
	out->action = VERIFY_ACCEPT;
	if (tf == NULL && low != NULL)
		trust_field(in, low, out->trust, sizeof(out->trust));
	return 0;
}

void
verify_b8(const struct msg *m, const struct sig_outcome *o, char out[9])
{
	const struct msg_field *f;
	struct sigheader *sh;
	enum sigheader_err e;
	char *t;

	out[0] = '\0';
	if (o->field == (size_t)-1 || o->field >= msg_nfields(m))
		return;
	f = msg_field(m, o->field);
	if ((sh = sigheader_parse(o->kind, f->value, f->valuelen,
	    &e)) == NULL)
		return;
	if (sigheader_get(sh)->blen >= 6 &&
	    (t = b64_encode(sigheader_get(sh)->b, 6)) != NULL) {
		memcpy(out, t, 8);
		out[8] = '\0';
		free(t);
	}
	sigheader_free(sh);
}
