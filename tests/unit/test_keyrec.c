/*
 * test_keyrec: sender key records against specs/vectors/records.tsv
 * (parse result, error name, canonical re-encoding), plus encoder checks
 * and keyrec_usable; DKIM key records against
 * specs/vectors/dkim-records.tsv.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/keyrec.h"
#include "t.h"
#include "vec.h"

/*
 * flat_check: keyrec_flat_copy of KR (which it frees first) reads as KR
 * did: the same fields line FIELDS, the same encoding ENC, its key and
 * notes inside the copy's one block.  (Under valgrind or ASan, a copy
 * still pointing into the freed KR shows here.)
 */
static void
flat_check(int line, struct keyrec *kr, const char *enc, const char *fields)
{
	const struct keyrec_fields *f;
	unsigned char *buf;
	struct keyrec *k;
	size_t sz = keyrec_flat_size(kr);
	char got[256], *e2;
	enum keyrec_err err;

	T_OK(sz % 8 == 0, "line %d: flat size a multiple of 8", line);
	if ((buf = malloc(sz)) == NULL)
		return;
	k = keyrec_flat_copy(kr, buf);
	keyrec_free(kr);
	f = keyrec_get(k);
	snprintf(got, sizeof(got),
	    "ok alg=%s bits=%u testing=%d not_after=%lld revoked=%d",
	    keyrec_alg_name(f->alg), keyrec_bits(k), f->testing,
	    (long long)f->not_after, f->keylen == 0);
	T_OK((void *)k == (void *)buf && strcmp(got, fields) == 0,
	    "line %d: the flat copy has the same fields", line);
	e2 = keyrec_encode(f, &err);
	T_OK(e2 != NULL && enc != NULL && strcmp(e2, enc) == 0,
	    "line %d: the flat copy encodes the same", line);
	T_OK(f->key >= buf && f->key + f->keylen <= buf + sz &&
	    (f->notes == NULL || ((const unsigned char *)f->notes >= buf &&
	    (const unsigned char *)f->notes + strlen(f->notes) < buf + sz)),
	    "line %d: key and notes inside the one block", line);
	free(e2);
	free(buf);
}

static void
row(struct vec_row *r, void *arg)
{
	struct keyrec *kr;
	enum keyrec_err err;
	const struct keyrec_fields *f;
	char got[256], *enc, buf[KEYREC_MAX_LEN + 1];
	size_t n;

	(void)arg;
	kr = keyrec_parse(r->f[0], r->len[0], &err, NULL);
	if (r->f[1][0] == '!') {
		T_OK(kr == NULL, "line %d: rejected", r->line);
		T_STREQ(keyrec_errname(err), r->f[1] + 1, "line %d: error name",
		    r->line);
		keyrec_free(kr);
		return;
	}
	T_OK(kr != NULL, "line %d: parses (%s)", r->line,
	    kr == NULL ? keyrec_errname(err) : "ok");
	if (kr == NULL)
		return;
	f = keyrec_get(kr);
	snprintf(got, sizeof(got),
	    "ok alg=%s bits=%u testing=%d not_after=%lld revoked=%d",
	    keyrec_alg_name(f->alg), keyrec_bits(kr), f->testing,
	    (long long)f->not_after, f->keylen == 0);
	T_STREQ(got, r->f[1], "line %d: fields", r->line);
	enc = keyrec_encode(f, &err);
	T_STREQ(enc, strcmp(r->f[2], "-") == 0 ? r->f[0] : r->f[2],
	    "line %d: canonical encoding", r->line);
	T_OK(enc != NULL && keyrec_encode_buf(f, buf, sizeof(buf), &n,
	    &err) == 0 && n == strlen(enc) && strcmp(buf, enc) == 0,
	    "line %d: keyrec_encode_buf writes the same text", r->line);
	T_OK(enc != NULL && keyrec_encode_buf(f, buf, strlen(enc), &n,
	    &err) == -1 && err == KEYREC_ETOOLONG,
	    "line %d: keyrec_encode_buf refuses a buffer one short", r->line);
	flat_check(r->line, kr, enc, got);
	free(enc);
}

/* dkim-records.tsv: keyrec_dkim_parse and the bridge encoding */
static void
row_dkim(struct vec_row *r, void *arg)
{
	struct keyrec *kr, *back;
	enum keyrec_err err;
	const struct keyrec_fields *f;
	char got[256], *enc, buf[KEYREC_MAX_LEN + 1];
	size_t n;

	(void)arg;
	kr = keyrec_dkim_parse(r->f[0], r->len[0], &err, NULL);
	if (r->f[1][0] == '!') {
		T_OK(kr == NULL, "dkim line %d: rejected", r->line);
		T_STREQ(keyrec_errname(err), r->f[1] + 1,
		    "dkim line %d: error name", r->line);
		keyrec_free(kr);
		return;
	}
	T_OK(kr != NULL, "dkim line %d: parses (%s)", r->line,
	    kr == NULL ? keyrec_errname(err) : "ok");
	if (kr == NULL)
		return;
	f = keyrec_get(kr);
	snprintf(got, sizeof(got), "ok alg=%s bits=%u testing=%d revoked=%d",
	    keyrec_alg_name(f->alg), keyrec_bits(kr), f->testing,
	    f->keylen == 0);
	T_STREQ(got, r->f[1], "dkim line %d: fields", r->line);
	T_OK(f->not_after == 0 && f->notes == NULL,
	    "dkim line %d: no expiry, no notes from a DKIM record", r->line);
	enc = keyrec_dkim_encode(f, &err);
	T_STREQ(enc, r->f[2], "dkim line %d: bridge encoding", r->line);
	T_OK(enc != NULL && keyrec_dkim_encode_buf(f, buf, sizeof(buf), &n,
	    &err) == 0 && n == strlen(enc) && strcmp(buf, enc) == 0 &&
	    keyrec_dkim_encode_buf(f, buf, n, &n, &err) == -1 &&
	    err == KEYREC_ETOOLONG,
	    "dkim line %d: encode_buf: the same text; one short refused",
	    r->line);
	/* the encoding reads back as the same key, and SK1 refuses it */
	back = enc != NULL ? keyrec_dkim_parse(enc, strlen(enc), &err,
	    NULL) : NULL;
	T_OK(back != NULL && keyrec_get(back)->alg == f->alg &&
	    keyrec_get(back)->keylen == f->keylen &&
	    keyrec_get(back)->testing == f->testing &&
	    (f->keylen == 0 || memcmp(keyrec_get(back)->key, f->key,
	    f->keylen) == 0), "dkim line %d: the encoding reads back",
	    r->line);
	T_OK(enc != NULL && keyrec_parse(enc, strlen(enc), &err, NULL) ==
	    NULL && err == KEYREC_EVERSION,
	    "dkim line %d: an SK1 reader refuses the DKIM record", r->line);
	keyrec_free(back);
	keyrec_free(kr);
	free(enc);
}

static void
test_encode(void)
{
	unsigned char key[32] = { 1, 2, 3 };
	struct keyrec_fields f = { KEYREC_ED25519, key, 32, 0, 0, NULL };
	enum keyrec_err err;
	struct keyrec *kr;
	char *s;

	f.keylen = 31;
	T_OK(keyrec_encode(&f, &err) == NULL && err == KEYREC_EKEYLEN,
	    "encoder refuses a 31-octet ed25519 key");
	f.keylen = 32;
	f.alg = (enum keyrec_alg)9;
	T_OK(keyrec_encode(&f, &err) == NULL && err == KEYREC_EALG,
	    "encoder refuses an unknown algorithm");
	f.alg = KEYREC_ED25519;
	f.notes = "semi;colon";
	T_OK(keyrec_encode(&f, &err) == NULL && err == KEYREC_ENOTES,
	    "encoder refuses notes with ';'");
	f.notes = "key for the 2027 rollover";
	f.testing = 1;
	f.not_after = 1900000000;
	s = keyrec_encode(&f, &err);
	T_OK(s != NULL, "encoder takes all optional tags");
	kr = s != NULL ? keyrec_parse(s, strlen(s), &err, NULL) : NULL;
	T_OK(kr != NULL && keyrec_get(kr)->testing &&
	    keyrec_get(kr)->not_after == 1900000000 &&
	    strcmp(keyrec_get(kr)->notes, f.notes) == 0 &&
	    memcmp(keyrec_get(kr)->key, key, 32) == 0,
	    "encode then parse gives the same fields");
	T_OK(kr != NULL && keyrec_usable(kr, 1899999999) &&
	    !keyrec_usable(kr, 1900000001), "x= ends usability");
	keyrec_free(kr);
	free(s);

	kr = keyrec_parse("v=SK1; k=ed25519; p=", 20, &err, NULL);
	T_OK(kr != NULL && !keyrec_usable(kr, 0), "revoked key is not usable");
	keyrec_free(kr);
	keyrec_free(NULL);
	T_OK(1, "keyrec_free(NULL) is a no-op");
	T_OK(strcmp(keyrec_strerror(KEYREC_ERSASMALL), "unknown error") != 0 &&
	    strcmp(keyrec_errname(KEYREC_ETOOLONG), "too-long") == 0,
	    "error names and texts exist");
}

int
main(void)
{
	int n;

	n = vec_each("specs/vectors/records.tsv", row, NULL);
	T_OK(n >= 40, "records.tsv has %d rows", n);
	n = vec_each("specs/vectors/dkim-records.tsv", row_dkim, NULL);
	T_OK(n >= 25, "dkim-records.tsv has %d rows", n);
	test_encode();
	return t_done();
}
