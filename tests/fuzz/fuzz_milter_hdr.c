/*
 * fuzz_milter_hdr.c: libFuzzer target for the milter's header path: the
 * fields libmilter hands over, rebuilt by milter/hdr.c, parsed by
 * msg_parse, then the verify-mode header decision (milter/verify.c:
 * verify_authserv_id, build_ar through verify_decide).  Built with
 * milter/hdr.c, milter/verify.c and milter/answer.c compiled in.
 *
 * Input: NUL-separated parts.  Part 0 is control octets (LEADSPC, the
 * signature result and reason, monitor, daemon failure, which field is
 * reported); part 1 the authserv-id (kept to token characters, as a
 * configuration gives it); part 2 the From: address; part 3 senderkeyd's
 * AUTHZ reply lines (LF-separated); then NAME, VALUE pairs; an odd last
 * part is the body.
 *
 * Properties beyond "no crash":
 *  - a field hdr.c accepts is rebuilt octet for octet (NAME ":" [SP]
 *    VALUE with LF as CRLF, then CRLF), and msg_parse reads the message
 *    back with exactly one field per accepted pair, same name, same
 *    octets: a field never splits in two, never ends the header early;
 *  - the error hdr.c reports is hdr_check's for the first bad pair;
 *  - the Authentication-Results and Sender-Key-Trust values verify_decide
 *    writes are fields hdr.c accepts (one line, nothing injected), the
 *    A-R's authserv-id reads back as the configured one, the fields to
 *    delete exist and come in descending order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/msg.h"
#include "milter/answer.h"
#include "milter/hdr.h"
#include "milter/verify.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PARTS	64
#define MAX_ANS		16

struct parts {
	char	*p[MAX_PARTS];
	size_t	 n;
};

/* split: DATA's NUL-separated parts, copied (each NUL-terminated). */
static char *
split(const uint8_t *data, size_t size, struct parts *ps)
{
	char *copy, *s, *end;

	if ((copy = malloc(size + 1)) == NULL)
		return NULL;
	memcpy(copy, data, size);
	copy[size] = '\0';
	ps->n = 0;
	for (s = copy, end = copy + size; ps->n < MAX_PARTS; ) {
		ps->p[ps->n++] = s;
		s += strlen(s);
		if (s >= end)
			break;
		s++;
	}
	return copy;
}

/* expected: what NAME: VALUE must be rebuilt as; *LEN set. */
static char *
expected(const char *name, const char *value, int leadspc, size_t *len)
{
	size_t nl = strlen(name), vl = strlen(value), i, o = 0;
	char *e;

	if ((e = malloc(nl + 2 + 2 * vl + 3)) == NULL)
		return NULL;
	memcpy(e, name, nl);
	o = nl;
	e[o++] = ':';
	if (!leadspc)
		e[o++] = ' ';
	for (i = 0; i < vl; i++) {
		if (value[i] == '\n')
			e[o++] = '\r';
		e[o++] = value[i];
	}
	e[o++] = '\r';
	e[o++] = '\n';
	*len = o;
	return e;
}

/* field_ok: NAME: VALUE with a leading SP is a field hdr.c accepts. */
static int
field_ok(const char *name, const char *value)
{
	char buf[VERIFY_AR_MAX + 1];
	size_t n = strnlen(value, VERIFY_AR_MAX);

	if (n == VERIFY_AR_MAX)
		abort();	/* not terminated in its buffer */
	buf[0] = ' ';
	memcpy(buf + 1, value, n + 1);
	return hdr_check(name, buf) == HDR_OK;
}

/* check_fields: every field of M is the pair it was built from. */
static void
check_fields(const struct msg *m, struct parts *ps, size_t first,
    size_t npairs, int leadspc)
{
	const struct msg_field *f;
	size_t i, elen;
	char *e;

	if (msg_nfields(m) != npairs)
		abort();	/* a field split in two, or vanished */
	for (i = 0; i < npairs; i++) {
		f = msg_field(m, i);
		if ((e = expected(ps->p[first + 2 * i], ps->p[first + 2 * i + 1],
		    leadspc, &elen)) == NULL)
			return;
		if (f->rawlen != elen || memcmp(f->raw, e, elen) != 0 ||
		    f->namelen != strlen(ps->p[first + 2 * i]))
			abort();	/* not rebuilt as delivered */
		free(e);
	}
}

static void
decide(const struct msg *m, struct parts *ps, const uint8_t *ctl,
    size_t nctl)
{
	struct answer_authz ans[MAX_ANS];
	struct sig_outcome res;
	struct verify_in in;
	struct verify_out out;
	const struct msg_field *f;
	char id[256], b8[9], *line, *nl, asid[64];
	size_t i, n, nans = 0, nar = 0;

	/* the authserv-id as a configuration gives it: a token */
	for (i = n = 0; ps->p[1][i] != '\0' && n + 1 < sizeof(asid); i++)
		if ((unsigned char)ps->p[1][i] > 0x20 &&
		    (unsigned char)ps->p[1][i] < 0x7f &&
		    strchr(";()\"\\", ps->p[1][i]) == NULL)
			asid[n++] = ps->p[1][i];
	asid[n] = '\0';
	if (n == 0)
		strcpy(asid, "mx.example.net");
	for (line = ps->p[3]; line != NULL && nans < MAX_ANS; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (answer_authz_parse(line, &ans[nans]) == 0)
			nans++;
	}
	memset(&res, 0, sizeof(res));
	res.result = (enum sig_result)(nctl > 1 ? ctl[1] % (SIG_PASS + 1) : 0);
	res.reason = (enum sig_reason)(nctl > 2 ? ctl[2] %
	    (SIG_R_INTERNAL + 1) : 0);
	res.field = nctl > 4 && ctl[4] != 0xff ? ctl[4] : (size_t)-1;
	/* b8 as b8_of makes it: base64 characters */
	for (i = 0; i < 8; i++)
		b8[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/"[(nctl > 5 + i ? ctl[5 + i] : i) % 64];
	b8[8] = '\0';
	memset(&in, 0, sizeof(in));
	in.m = m;
	in.res = &res;
	in.from = nctl > 3 && (ctl[3] & 4) ? ps->p[2] : NULL;
	in.b8 = nctl > 3 && (ctl[3] & 8) ? b8 : "";
	in.ans = ans;
	in.nans = nans;
	in.daemon_failed = nctl > 3 && (ctl[3] & 2);
	in.authserv_id = asid;
	in.monitor = nctl > 3 && (ctl[3] & 1);
	if (verify_decide(&in, &out) != 0)
		abort();
	for (i = 0; i < msg_nfields(m); i++) {
		f = msg_field(m, i);
		if (verify_authserv_id(f->value, f->valuelen, id,
		    sizeof(id)) == 0 && (id[0] == '\0' ||
		    strlen(id) >= sizeof(id)))
			abort();
		if (msg_field_is(f, "Authentication-Results"))
			nar++;
	}
	if (out.ar[0] != '\0') {
		if (!field_ok("Authentication-Results", out.ar))
			abort();	/* an A-R that is not one field */
		if (verify_authserv_id(out.ar, strlen(out.ar), id,
		    sizeof(id)) != 0 || strcmp(id, asid) != 0)
			abort();	/* our own A-R, not recognised */
	}
	if (out.trust[0] != '\0' && !field_ok("Sender-Key-Trust", out.trust))
		abort();
	if (out.ntrust_del != msg_count(m, "Sender-Key-Trust"))
		abort();
	for (i = 0; i < out.nar_del; i++)
		if (out.ar_del[i] < 1 || out.ar_del[i] > nar ||
		    (i > 0 && out.ar_del[i] >= out.ar_del[i - 1]))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parts ps;
	struct hdr *h;
	struct msg *m;
	enum hdr_err e, first = HDR_OK;
	enum msg_err merr;
	const uint8_t *ctl;
	const char *text;
	char *copy;
	size_t i, nctl, npairs, field, firstat = 0, len;
	int leadspc;

	if ((copy = split(data, size, &ps)) == NULL)
		return 0;
	if (ps.n < 4) {
		free(copy);
		return 0;
	}
	ctl = (const uint8_t *)ps.p[0];
	nctl = strlen(ps.p[0]);
	leadspc = nctl > 0 && (ctl[0] & 1);
	npairs = (ps.n - 4) / 2;
	if ((h = hdr_new(leadspc)) == NULL) {
		free(copy);
		return 0;
	}
	for (i = 0; i < npairs; i++) {
		e = hdr_check(ps.p[4 + 2 * i], ps.p[5 + 2 * i]);
		if (e != HDR_OK && first == HDR_OK) {
			first = e;
			firstat = i + 1;
		}
		if (hdr_field(h, ps.p[4 + 2 * i], ps.p[5 + 2 * i]) == -1)
			goto done;
	}
	if (hdr_eoh(h) == -1)
		goto done;
	if ((ps.n - 4) % 2 == 1 && hdr_body(h, ps.p[ps.n - 1],
	    strlen(ps.p[ps.n - 1])) == -1)
		goto done;
	if (hdr_error(h, &field) != first || field != firstat)
		abort();	/* the first problem, where it was */
	if (first != HDR_OK)
		goto done;
	text = hdr_text(h, &len);
	if ((m = msg_parse(text, len, &merr, NULL)) == NULL) {
		if (merr != MSG_ETOOMANY && merr != MSG_EFIELDLONG &&
		    merr != MSG_ENOMEM)
			abort();	/* hdr.c accepted what msg_parse refuses */
		goto done;
	}
	check_fields(m, &ps, 4, npairs, leadspc);
	decide(m, &ps, ctl, nctl);
	msg_free(m);
done:
	hdr_free(h);
	free(copy);
	return 0;
}
