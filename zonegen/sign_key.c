/*
 * sign_key.c: DNSSEC signing keys (see sign_key.h).  ldns reads the key
 * files (ldns_rr_new_frm_fp_l for the DNSKEY, ldns_key_new_frm_fp_l for the
 * private key) and computes the key tag and DS; OpenSSL EVP signs.  Not for
 * key generation (ldns-keygen, dnssec-keygen) or zone logic (sign.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "lib/errstr.h"
#include "sign_key.h"

#define SIGN_KEY_PATH_MAX	4096

struct sign_key {
	EVP_PKEY	*pkey;
	ldns_rr		*dnskey;	/* from the .key file */
	uint8_t		 owner[LDNS_MAX_DOMAINLEN + 1];
	size_t		 ownerlen;
	uint8_t		 rdata[SIGN_KEY_RDATA_MAX];
	size_t		 rdlen;
	size_t		 siglen;
	uint16_t	 tag;
	uint16_t	 flags;
	uint8_t		 alg;
};

struct sign_key_ctx {
	const struct sign_key	*key;
	EVP_MD			*md;	/* SHA-256, fetched once */
	EVP_MD_CTX		*mdctx;
	EVP_PKEY_CTX		*pctx;	/* RSA and ECDSA: sign a digest */
};

/* rdf_eq: two rdfs hold the same octets. */
static int
rdf_eq(const ldns_rdf *a, const ldns_rdf *b)
{
	return a != NULL && b != NULL && ldns_rdf_size(a) == ldns_rdf_size(b) &&
	    memcmp(ldns_rdf_data(a), ldns_rdf_data(b), ldns_rdf_size(a)) == 0;
}

/* read_dnskey: the first DNSKEY RR in PATH. */
static ldns_rr *
read_dnskey(const char *path, char *err, size_t errsz)
{
	FILE *fp;
	ldns_rr *rr = NULL;
	ldns_status st;
	uint32_t ttl = 3600;
	ldns_rdf *origin = NULL, *prev = NULL;
	int line = 1;

	if ((fp = fopen(path, "r")) == NULL) {
		errstr_set(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while (!feof(fp)) {
		st = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (st != LDNS_STATUS_OK) {
			errstr_set(err, errsz, "%s:%d: %s", path, line,
			    ldns_get_errorstr_by_id(st));
			rr = NULL;
			break;
		}
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_DNSKEY &&
		    ldns_rr_rd_count(rr) == 4)
			break;
		ldns_rr_free(rr);
		rr = NULL;
	}
	if (rr == NULL && err != NULL && err[0] == '\0')
		errstr_set(err, errsz, "%s: no DNSKEY record", path);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	fclose(fp);
	return rr;
}

/* base_of: PATH without a final ".key" or ".private". */
static int
base_of(const char *path, char *base, size_t basesz)
{
	size_t n = strlen(path);

	if (n >= 4 && strcmp(path + n - 4, ".key") == 0)
		n -= 4;
	else if (n >= 8 && strcmp(path + n - 8, ".private") == 0)
		n -= 8;
	if (n + 9 > basesz)
		return -1;
	memcpy(base, path, n);
	base[n] = '\0';
	return 0;
}

struct sign_key *
sign_key_load(const char *path, char *err, size_t errsz)
{
	struct sign_key *k = NULL;
	ldns_key *lk = NULL;
	ldns_rr *pub = NULL;
	ldns_rdf *owner = NULL;
	ldns_buffer *buf = NULL;
	FILE *fp = NULL;
	char base[SIGN_KEY_PATH_MAX], file[SIGN_KEY_PATH_MAX + 16];
	int line = 1;
	ldns_status st;

	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if (base_of(path, base, sizeof(base)) == -1) {
		errstr_set(err, errsz, "key path too long");
		return NULL;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL)
		goto nomem;
	snprintf(file, sizeof(file), "%s.key", base);
	if ((k->dnskey = read_dnskey(file, err, errsz)) == NULL)
		goto fail;
	k->flags = ldns_rdf2native_int16(ldns_rr_rdf(k->dnskey, 0));
	k->alg = ldns_rdf2native_int8(ldns_rr_rdf(k->dnskey, 2));
	if (k->alg != LDNS_RSASHA256 && k->alg != LDNS_ECDSAP256SHA256 &&
	    k->alg != LDNS_ED25519) {
		errstr_set(err, errsz, "%s: algorithm %u is not supported "
		    "(8, 13 and 15 are)", file, k->alg);
		goto fail;
	}
	if ((k->flags & 0x0100) == 0 || (k->flags & 0x0080) != 0) {
		errstr_set(err, errsz,
		    "%s: flags %u: not a usable zone key", file,
		    k->flags);
		goto fail;
	}
	k->tag = ldns_calc_keytag(k->dnskey);
	if ((owner = ldns_rdf_clone(ldns_rr_owner(k->dnskey))) == NULL)
		goto nomem;
	ldns_dname2canonical(owner);
	k->ownerlen = ldns_rdf_size(owner);
	memcpy(k->owner, ldns_rdf_data(owner), k->ownerlen);
	if ((buf = ldns_buffer_new(SIGN_KEY_RDATA_MAX)) == NULL)
		goto nomem;
	if (ldns_rr_rdata2buffer_wire(buf, k->dnskey) != LDNS_STATUS_OK ||
	    ldns_buffer_position(buf) > sizeof(k->rdata)) {
		errstr_set(err, errsz, "%s: DNSKEY too large", file);
		goto fail;
	}
	k->rdlen = ldns_buffer_position(buf);
	memcpy(k->rdata, ldns_buffer_begin(buf), k->rdlen);

	snprintf(file, sizeof(file), "%s.private", base);
	if ((fp = fopen(file, "r")) == NULL) {
		errstr_set(err, errsz, "%s: %s", file, strerror(errno));
		goto fail;
	}
	st = ldns_key_new_frm_fp_l(&lk, fp, &line);
	fclose(fp);
	fp = NULL;
	if (st != LDNS_STATUS_OK) {
		errstr_set(err, errsz, "%s:%d: %s", file, line,
		    ldns_get_errorstr_by_id(st));
		lk = NULL;
		goto fail;
	}
	if ((int)ldns_key_algorithm(lk) != k->alg ||
	    ldns_key_evp_key(lk) == NULL) {
		errstr_set(err, errsz,
		    "%s: algorithm differs from the .key file",
		    file);
		goto fail;
	}
	ldns_key_set_flags(lk, k->flags);
	if ((pub = ldns_key2rr(lk)) == NULL ||
	    !rdf_eq(ldns_rr_rdf(pub, 3), ldns_rr_rdf(k->dnskey, 3))) {
		errstr_set(err, errsz, "%s: private key does not match %s.key",
		    file, base);
		goto fail;
	}
	k->pkey = ldns_key_evp_key(lk);
	if (EVP_PKEY_up_ref(k->pkey) != 1) {
		k->pkey = NULL;
		goto nomem;
	}
	k->siglen = k->alg == LDNS_RSASHA256 ?
	    (size_t)EVP_PKEY_get_size(k->pkey) : 64;
	if (k->siglen == 0 || k->siglen > SIGN_KEY_SIG_MAX) {
		errstr_set(err, errsz, "%s: unsupported key size", file);
		goto fail;
	}
	ldns_key_deep_free(lk);
	ldns_rr_free(pub);
	ldns_rdf_deep_free(owner);
	ldns_buffer_free(buf);
	return k;
nomem:
	errstr_set(err, errsz, "out of memory");
fail:
	if (lk != NULL)		/* ldns_key_deep_free(NULL) crashes */
		ldns_key_deep_free(lk);
	ldns_rr_free(pub);
	ldns_rdf_deep_free(owner);
	ldns_buffer_free(buf);
	sign_key_free(k);
	return NULL;
}

void
sign_key_free(struct sign_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	ldns_rr_free(k->dnskey);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

uint8_t
sign_key_alg(const struct sign_key *k)
{
	return k->alg;
}

uint16_t
sign_key_tag(const struct sign_key *k)
{
	return k->tag;
}

int
sign_key_is_ksk(const struct sign_key *k)
{
	return (k->flags & 0x0001) != 0;
}

const uint8_t *
sign_key_owner(const struct sign_key *k, size_t *len)
{
	*len = k->ownerlen;
	return k->owner;
}

const uint8_t *
sign_key_rdata(const struct sign_key *k, size_t *len)
{
	*len = k->rdlen;
	return k->rdata;
}

size_t
sign_key_siglen(const struct sign_key *k)
{
	return k->siglen;
}

int
sign_key_print_ds(const struct sign_key *k, uint32_t ttl, FILE *out)
{
	ldns_rr *ds;

	if ((ds = ldns_key_rr2ds(k->dnskey, LDNS_SHA256)) == NULL)
		return -1;
	ldns_dname2canonical(ldns_rr_owner(ds));
	ldns_rr_set_ttl(ds, ttl);
	ldns_rr_print_fmt(out, ldns_output_format_nocomments, ds);
	ldns_rr_free(ds);
	return ferror(out) ? -1 : 0;
}

struct sign_key_ctx *
sign_key_ctx_new(const struct sign_key *k)
{
	struct sign_key_ctx *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->key = k;
	if ((c->mdctx = EVP_MD_CTX_new()) == NULL)
		goto fail;
	if (k->alg == LDNS_ED25519)
		return c;
	if ((c->md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		goto fail;
	if ((c->pctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey,
	    NULL)) == NULL || EVP_PKEY_sign_init(c->pctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(c->pctx, c->md) != 1)
		goto fail;
	if (k->alg == LDNS_RSASHA256 &&
	    EVP_PKEY_CTX_set_rsa_padding(c->pctx, RSA_PKCS1_PADDING) != 1)
		goto fail;
	return c;
fail:
	sign_key_ctx_free(c);
	return NULL;
}

void
sign_key_ctx_free(struct sign_key_ctx *c)
{
	if (c == NULL)
		return;
	EVP_PKEY_CTX_free(c->pctx);
	EVP_MD_CTX_free(c->mdctx);
	EVP_MD_free(c->md);
	free(c);
}

/* ecdsa_raw: DER ECDSA-Sig-Value -> r || s, 32 octets each. */
static size_t
ecdsa_raw(const uint8_t *der, size_t derlen, uint8_t *sig)
{
	ECDSA_SIG *es;
	const BIGNUM *r, *s;
	const unsigned char *p = der;
	size_t n = 0;

	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		return 0;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, sig, 32) == 32 && BN_bn2binpad(s, sig + 32, 32) == 32)
		n = 64;
	ECDSA_SIG_free(es);
	return n;
}

size_t
sign_key_sign(struct sign_key_ctx *c, const uint8_t *data, size_t len,
    uint8_t *sig)
{
	uint8_t dgst[EVP_MAX_MD_SIZE], der[SIGN_KEY_SIG_MAX + 16];
	unsigned int dlen = 0;
	size_t n;

	if (c->key->alg == LDNS_ED25519) {
		n = 64;
		if (EVP_DigestSignInit_ex(c->mdctx, NULL, NULL, NULL, NULL,
		    c->key->pkey, NULL) != 1 ||
		    EVP_DigestSign(c->mdctx, sig, &n, data, len) != 1 || n != 64)
			return 0;
		return n;
	}
	if (EVP_DigestInit_ex2(c->mdctx, c->md, NULL) != 1 ||
	    EVP_DigestUpdate(c->mdctx, data, len) != 1 ||
	    EVP_DigestFinal_ex(c->mdctx, dgst, &dlen) != 1)
		return 0;
	if (c->key->alg == LDNS_RSASHA256) {
		n = SIGN_KEY_SIG_MAX;
		if (EVP_PKEY_sign(c->pctx, sig, &n, dgst, dlen) != 1 ||
		    n != c->key->siglen)
			return 0;
		return n;
	}
	n = sizeof(der);
	if (EVP_PKEY_sign(c->pctx, der, &n, dgst, dlen) != 1)
		return 0;
	return ecdsa_raw(der, n, sig);
}
