/*
 * key: reading and writing sender keys with OpenSSL 3.  PEM blocks are
 * split by PEM_read_bio_ex and their DER decoded by OSSL_DECODER; OpenSSH
 * public key lines are key_ssh.c's.  Whatever the source, a key
 * is only returned after check_key() has accepted it (Ed25519, or a sane
 * RSA key), so callers never see another key type.  See key.h for the
 * contracts.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "b64.h"
#include "errstr.h"
#include "key.h"
#include "spki.h"
#include "key_int.h"
#include "key_ssh.h"
#include "keyrec.h"
#include "secret.h"

#define ED25519_LEN	32
#define PEM_BEGIN	"-----BEGIN "
#define PEM_DASHES	"-----"
#define ENCRYPTED	"encrypted private keys are not supported: decrypt " \
			"it with openssl pkey"
#define OPENPGP		"OpenPGP keys are not supported here"

/* The PEM blocks we know; those without a structure are refused. */
static const struct pem_type {
	const char	*label;
	const char	*structure;	/* for OSSL_DECODER, from DER */
	const char	*keytype;	/* NULL: any */
	int		 priv;		/* holds a private key */
	const char	*refusal;	/* why, when structure is NULL */
	const char	*what;		/* a public block: what it is */
} pem_types[] = {
	{ "PUBLIC KEY", "SubjectPublicKeyInfo", NULL, 0, NULL,
	    "a public key" },
	{ "RSA PUBLIC KEY", "type-specific", "RSA", 0, NULL, "a public key" },
	{ "PRIVATE KEY", "PrivateKeyInfo", NULL, 1, NULL, NULL },
	{ "RSA PRIVATE KEY", "type-specific", "RSA", 1, NULL, NULL },
	{ "ENCRYPTED PRIVATE KEY", NULL, NULL, 1, ENCRYPTED, NULL },
	{ "OPENSSH PRIVATE KEY", NULL, NULL, 1, "OpenSSH private keys are "
	    "not supported: use the .pub file or a PKCS#8 PEM key", NULL },
	{ "EC PRIVATE KEY", NULL, NULL, 1, "ecdsa" UNSUPPORTED, NULL },
	{ "EC PARAMETERS", NULL, NULL, 0, "ecdsa" UNSUPPORTED, NULL },
	{ "DSA PRIVATE KEY", NULL, NULL, 1, "dsa" UNSUPPORTED, NULL },
	{ "CERTIFICATE", NULL, NULL, 0, "certificates are not supported: "
	    "extract the key with openssl x509 -pubkey", "a certificate" },
	{ "PGP PUBLIC KEY BLOCK", NULL, NULL, 0, OPENPGP,
	    "an OpenPGP public key" },
	{ "PGP PRIVATE KEY BLOCK", NULL, NULL, 1, OPENPGP, NULL },
};

/*
 * rsa_check: refuse RSA keys no implementation should use: an even or
 * negative modulus, an even exponent or one below 3, an exponent not below
 * the modulus, or more than KEY_RSA_MAX_BITS.  Small keys are left to the
 * callers (records want KEYREC_RSA_MIN_BITS).
 */
static int
rsa_check(const EVP_PKEY *pk, char *err, size_t errsz)
{
	BIGNUM *n = NULL, *e = NULL;
	int rc = -1;

	if (!EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e)) {
		errstr_set(err, errsz, "rsa key has no modulus or exponent");
		goto fail;
	}
	if (BN_num_bits(n) > KEY_RSA_MAX_BITS) {
		errstr_set(err, errsz,
		    "rsa key of %d bits is larger than %d bits",
		    BN_num_bits(n), KEY_RSA_MAX_BITS);
		goto fail;
	}
	if (BN_is_negative(n) || !BN_is_odd(n) || BN_is_negative(e) ||
	    !BN_is_odd(e) || BN_is_one(e) || BN_cmp(e, n) >= 0) {
		errstr_set(err, errsz,
		    "rsa key is invalid: bad modulus or public exponent");
		goto fail;
	}
	rc = 0;
fail:
	BN_free(n);
	BN_free(e);
	return rc;
}

/*
 * check_key: PK if it is an Ed25519 or a sane RSA key, else free it and
 * return NULL with ERR set.  Takes ownership of PK.
 */
static EVP_PKEY *
check_key(EVP_PKEY *pk, char *err, size_t errsz)
{
	const char *name;
	char lower[16];
	size_t i;

	if (pk == NULL || EVP_PKEY_is_a(pk, "ED25519"))
		return pk;
	if (EVP_PKEY_is_a(pk, "RSA")) {
		if (rsa_check(pk, err, errsz) == 0)
			return pk;
	} else {
		name = EVP_PKEY_is_a(pk, "EC") ? "ecdsa" :
		    EVP_PKEY_get0_type_name(pk);
		for (i = 0; name != NULL && name[i] != '\0' &&
		    i + 1 < sizeof(lower); i++)
			lower[i] = (char)tolower((unsigned char)name[i]);
		lower[i] = '\0';
		errstr_set(err, errsz,
		    "%s" UNSUPPORTED, i > 0 ? lower : "such");
	}
	EVP_PKEY_free(pk);
	return NULL;
}

/* public_part: a new public-only copy of PK (via its SPKI), or NULL. */
static EVP_PKEY *
public_part(const EVP_PKEY *pk)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub = NULL;
	int n;

	if ((n = i2d_PUBKEY(pk, &der)) <= 0)
		return NULL;
	p = der;
	pub = d2i_PUBKEY(NULL, &p, n);
	if (pub != NULL && p != der + n) {
		EVP_PKEY_free(pub);
		pub = NULL;
	}
	OPENSSL_free(der);
	return pub;
}

/*
 * decode_der: the key in exactly LEN octets of DER at DER, in STRUCTURE
 * ("SubjectPublicKeyInfo", "PrivateKeyInfo", "type-specific"), of KEYTYPE
 * (NULL: any), or NULL.  Trailing octets make it fail.
 */
static EVP_PKEY *
decode_der(const unsigned char *der, size_t len, const char *structure,
    const char *keytype, int selection)
{
	OSSL_DECODER_CTX *dctx;
	EVP_PKEY *pk = NULL;
	const unsigned char *p = der;
	size_t left = len;

	dctx = OSSL_DECODER_CTX_new_for_pkey(&pk, "DER", structure, keytype,
	    selection, NULL, NULL);
	if (dctx == NULL)
		return NULL;
	if (!OSSL_DECODER_from_data(dctx, &p, &left) || left != 0) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	OSSL_DECODER_CTX_free(dctx);
	return pk;
}

/* pem_label: copy the label of the BEGIN line at BUF to LABEL; 0 or -1. */
static int
pem_label(const char *buf, size_t len, char *label, size_t labelsz)
{
	const char *p = buf + strlen(PEM_BEGIN), *end = buf + len;
	size_t n = 0;

	while (p + n < end && p[n] != '\n' && p[n] != '-')
		n++;
	if (n == 0 || n >= labelsz || !printable(p, n) ||
	    !has_prefix(p + n, (size_t)(end - p - n), PEM_DASHES))
		return -1;
	memcpy(label, p, n);
	label[n] = '\0';
	return 0;
}

/* pem_read_error: a sentence for why PEM_read_bio_ex failed. */
static const char *
pem_read_error(void)
{
	unsigned long e = ERR_peek_last_error();

	if (ERR_GET_LIB(e) == ERR_LIB_PEM) {
		switch (ERR_GET_REASON(e)) {
		case PEM_R_BAD_BASE64_DECODE:
			return "PEM block has invalid base64";
		case PEM_R_BAD_END_LINE:
		case PEM_R_SHORT_HEADER:
			return "PEM block is truncated or has a bad END line";
		default:
			break;
		}
	}
	return "malformed PEM block";
}

/*
 * from_pem: the key in the one PEM block at BUF (LEN octets, starting with
 * PEM_BEGIN).  PRIV: return the key pair of a private key block and refuse
 * public ones; else return public keys, and the public part of private
 * ones.  The DER is decoded in secure memory, wiped when freed.
 */
static EVP_PKEY *
from_pem(const char *buf, size_t len, int priv, char *err, size_t errsz)
{
	const struct pem_type *t = NULL;
	BIO *bio = NULL;
	char label[64], *name = NULL, *header = NULL, *rest;
	unsigned char *der = NULL;
	long derlen = 0, restlen;
	EVP_PKEY *pk = NULL, *pub;
	size_t i;

	if (pem_label(buf, len, label, sizeof(label)) == -1) {
		errstr_set(err, errsz, "malformed PEM BEGIN line");
		goto fail;
	}
	for (i = 0; i < sizeof(pem_types) / sizeof(pem_types[0]); i++)
		if (strcmp(label, pem_types[i].label) == 0)
			t = &pem_types[i];
	if (t == NULL) {
		errstr_set(err, errsz, "unsupported PEM block \"%s\"", label);
		goto fail;
	}
	if (priv && !t->priv && t->what != NULL) {
		errstr_set(err, errsz, "this is %s where a private key is "
		    "needed", t->what);
		goto fail;
	}
	if (t->structure == NULL) {
		errstr_set(err, errsz, "%s", t->refusal);
		goto fail;
	}
	if (len > INT_MAX || (bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		errstr_set(err, errsz, "key text is too long");
		goto fail;
	}
	if (!PEM_read_bio_ex(bio, &name, &header, &der, &derlen,
	    PEM_FLAG_SECURE | PEM_FLAG_EAY_COMPATIBLE)) {
		errstr_set(err, errsz, "%s", pem_read_error());
		goto fail;
	}
	restlen = BIO_get_mem_data(bio, &rest);
	if (restlen < 0 || !only_space(rest, (size_t)restlen)) {
		errstr_set(err, errsz, "%s", restlen > 0 && memmem(rest,
		    (size_t)restlen, PEM_BEGIN, strlen(PEM_BEGIN)) != NULL ?
		    "more than one PEM block" : "text after the PEM block");
		goto fail;
	}
	if (strcmp(name, label) != 0 || derlen <= 0) {
		errstr_set(err, errsz, "malformed PEM block");
		goto fail;
	}
	if (header[0] != '\0') {
		errstr_set(err, errsz,
		    "%s", strstr(header, "ENCRYPTED") != NULL ?
		    ENCRYPTED : "unexpected headers in the PEM block");
		goto fail;
	}
	if ((pk = decode_der(der, (size_t)derlen, t->structure, t->keytype,
	    t->priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY)) == NULL) {
		errstr_set(err, errsz,
		    "PEM block \"%s\" does not hold a valid key",
		    label);
		goto fail;
	}
	if ((pk = check_key(pk, err, errsz)) != NULL && !priv && t->priv) {
		pub = public_part(pk);
		EVP_PKEY_free(pk);
		if ((pk = pub) == NULL)
			errstr_set(err, errsz, "cannot extract the public key");
	}
fail:
	if (der != NULL)
		OPENSSL_secure_clear_free(der, (size_t)derlen);
	OPENSSL_secure_free(name);
	OPENSSL_secure_free(header);
	BIO_free(bio);
	return pk;
}

/*
 * not_private: why the LEN octets at P (no PEM block) are no private key:
 * what they are when it can be told.
 */
static const char *
not_private(const char *p, size_t len)
{
	const unsigned char c = (unsigned char)p[0];
	int tag;

	if (has_prefix(p, len, "ssh-"))
		return "this is an OpenSSH public key where a private key is "
		    "needed";
	if (has_prefix(p, len, "v=SK1"))
		return "this is a sender key record (v=SK1) where a private "
		    "key is needed: give the .private file keygen wrote";
	if (has_prefix(p, len, "Private-key-format:"))
		return "this is a DNSSEC (BIND format) private key, not a "
		    "sender key";
	if ((c & 0x80) != 0) {
		/* OpenPGP packet: new format tag in bits 5-0, old in 5-2. */
		tag = (c & 0x40) ? (c & 0x3f) : ((c >> 2) & 0x0f);
		if (tag == 6)
			return "this is an OpenPGP public key where a private "
			    "key is needed";
		if (tag == 5)
			return OPENPGP;
	}
	return "not a PEM private key (no -----BEGIN PRIVATE KEY----- line)";
}

/* from_text: key_public_from_text, or key_private_from_text when PRIV. */
static EVP_PKEY *
from_text(const char *buf, size_t len, int priv, char *err, size_t errsz)
{
	EVP_PKEY *pk = NULL;
	size_t off = 0;

	ERR_set_mark();
	while (off < len && is_space((unsigned char)buf[off]))
		off++;
	if (off == len)
		errstr_set(err, errsz, "no key in the text");
	else if (memchr(buf, '\0', len) != NULL)
		errstr_set(err, errsz, "key text holds a NUL byte");
	else if (has_prefix(buf + off, len - off, PEM_BEGIN))
		pk = from_pem(buf + off, len - off, priv, err, errsz);
	else if (!priv)
		pk = check_key(key_ssh_public(buf + off, len - off, err,
		    errsz), err, errsz);
	else
		errstr_set(err, errsz, "%s", not_private(buf + off, len - off));
	ERR_pop_to_mark();
	return pk;
}

int
key_text_private(const char *buf, size_t len)
{
	char label[64];
	size_t i, off = 0;

	while (off < len && is_space((unsigned char)buf[off]))
		off++;
	if (!has_prefix(buf + off, len - off, PEM_BEGIN) ||
	    pem_label(buf + off, len - off, label, sizeof(label)) == -1)
		return 0;
	for (i = 0; i < sizeof(pem_types) / sizeof(pem_types[0]); i++)
		if (strcmp(label, pem_types[i].label) == 0)
			return pem_types[i].priv;
	return 0;
}

EVP_PKEY *
key_public_from_text(const char *buf, size_t len, char *err, size_t errsz)
{
	return from_text(buf, len, 0, err, errsz);
}

EVP_PKEY *
key_private_from_text(const char *buf, size_t len, char *err, size_t errsz)
{
	return from_text(buf, len, 1, err, errsz);
}

/* What key_load's judge keeps. */
struct load_arg {
	int		 priv;
	EVP_PKEY	*pk;
};

/*
 * judge_key: secret_load's judge for key_load: parse the text as a
 * private key (PRIV) or any key; a private key is a secret, so the file
 * checks apply to it even when only its public part is wanted.
 */
static enum secret_kind
judge_key(const char *buf, size_t len, void *arg, char *err, size_t errsz)
{
	struct load_arg *a = arg;

	if ((a->pk = from_text(buf, len, a->priv, err, errsz)) == NULL)
		return SECRET_NOT;
	return a->priv || key_text_private(buf, len) ? SECRET_SECRET :
	    SECRET_PUBLIC;
}

EVP_PKEY *
key_load(const char *path, int priv, enum key_load_err *why, char *err,
    size_t errsz)
{
	struct load_arg a = { priv, NULL };
	enum secret_err w;

	if (secret_load(path, KEY_FILE_MAX, "private key", judge_key, &a, &w,
	    err, errsz) == -1) {
		EVP_PKEY_free(a.pk);
		a.pk = NULL;
	}
	if (why != NULL)
		*why = w == SECRET_OK ? KEY_LOAD_OK : w == SECRET_EDATA ?
		    KEY_LOAD_EDATA : KEY_LOAD_EFILE;
	return a.pk;
}

EVP_PKEY *
key_load_public(const char *path, char *err, size_t errsz)
{
	return key_load(path, 0, NULL, err, errsz);
}

EVP_PKEY *
key_load_private(const char *path, char *err, size_t errsz)
{
	return key_load(path, 1, NULL, err, errsz);
}

int
key_record_bytes(const EVP_PKEY *key, int *alg, unsigned char **out,
    size_t *outlen)
{
	unsigned char *buf = NULL, *q;
	size_t n = ED25519_LEN;
	int dn, a;

	ERR_set_mark();
	if (EVP_PKEY_is_a(key, "ED25519")) {
		a = KEYREC_ED25519;
		if ((buf = malloc(n)) == NULL ||
		    !EVP_PKEY_get_raw_public_key(key, buf, &n) ||
		    n != ED25519_LEN)
			goto fail;
	} else if (EVP_PKEY_is_a(key, "RSA")) {
		a = KEYREC_RSA;
		if ((dn = i2d_PUBKEY(key, NULL)) <= 0 ||
		    (buf = malloc((size_t)dn)) == NULL)
			goto fail;
		q = buf;
		if (i2d_PUBKEY(key, &q) != dn)
			goto fail;
		n = (size_t)dn;
	} else
		goto fail;
	ERR_pop_to_mark();
	*alg = a;
	*out = buf;
	*outlen = n;
	return 0;
fail:
	ERR_pop_to_mark();
	free(buf);
	return -1;
}

EVP_PKEY *
key_from_record_bytes(int alg, const unsigned char *p, size_t len)
{
	const unsigned char *q = p;
	EVP_PKEY *pk = NULL;

	ERR_set_mark();
	switch (alg) {
	case KEYREC_ED25519:
		if (len == ED25519_LEN)
			pk = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519",
			    NULL, p, len);
		break;
	case KEYREC_RSA:
		if (len == 0 || len > LONG_MAX)
			break;
		/* the one DER form without OpenSSL's decoders (spki.h) */
		if ((pk = spki_rsa_parse(p, len)) == NULL) {
			pk = d2i_PUBKEY(NULL, &q, (long)len);
			if (pk != NULL && (q != p + len ||
			    !EVP_PKEY_is_a(pk, "RSA"))) {
				EVP_PKEY_free(pk);
				pk = NULL;
			}
		}
		pk = check_key(pk, NULL, 0);
		break;
	default:
		break;
	}
	ERR_pop_to_mark();
	return pk;
}

/*
 * RFC 8410 section 4: an Ed25519 SubjectPublicKeyInfo is always these 12
 * octets (SEQUENCE, AlgorithmIdentifier 1.3.101.112, BIT STRING of 33
 * octets with no unused bits) and then the raw 32-octet key.
 */
static const unsigned char ed25519_spki_prefix[] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
};

/*
 * raw_ed25519_spki_sha256: SHA-256 of RAW's SPKI with nettle: no encoder
 * context (~185 us a key), no OpenSSL start (~5M instructions, one-shot).
 */
static void
raw_ed25519_spki_sha256(const unsigned char raw[ED25519_LEN],
    unsigned char out[KEY_SHA256_LEN])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, sizeof(ed25519_spki_prefix), ed25519_spki_prefix);
	sha256_update(&ctx, ED25519_LEN, raw);
	sha256_digest(&ctx, KEY_SHA256_LEN, out);
}

static int
ed25519_spki_sha256(const EVP_PKEY *key, unsigned char out[KEY_SHA256_LEN])
{
	unsigned char raw[ED25519_LEN];
	size_t rawlen = ED25519_LEN;

	if (EVP_PKEY_get_raw_public_key(key, raw, &rawlen) != 1 ||
	    rawlen != ED25519_LEN)
		return -1;
	raw_ed25519_spki_sha256(raw, out);
	return 0;
}

/* The AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1, NULL). */
static const unsigned char rsa_alg_id[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
	0x01, 0x05, 0x00
};

#define RSA_SPKI_MAX	1200	/* up to 8192-bit moduli */

/* der_tl: a tag T and the DER length N (< 65536) at P; octets written. */
static size_t
der_tl(unsigned char *p, unsigned char t, size_t n)
{
	p[0] = t;
	if (n < 0x80) {
		p[1] = (unsigned char)n;
		return 2;
	}
	if (n < 0x100) {
		p[1] = 0x81;
		p[2] = (unsigned char)n;
		return 3;
	}
	p[1] = 0x82;
	p[2] = (unsigned char)(n >> 8);
	p[3] = (unsigned char)n;
	return 4;
}

/* tl_size: the octets a tag and the length N take. */
static size_t
tl_size(size_t n)
{
	return n < 0x80 ? 2 : n < 0x100 ? 3 : 4;
}

/* uint_size: the content octets of the DER INTEGER of a positive BN. */
static size_t
uint_size(const BIGNUM *bn)
{
	/* a leading 0x00 when the top bit of the top octet is set */
	return (size_t)BN_num_bytes(bn) + (BN_num_bits(bn) % 8 == 0);
}

/* put_uint: the DER INTEGER of a positive BN at P; octets written. */
static size_t
put_uint(unsigned char *p, const BIGNUM *bn)
{
	size_t c = uint_size(bn), h = der_tl(p, 0x02, c);

	BN_bn2binpad(bn, p + h, (int)c);	/* pads the 0x00 */
	return h + c;
}

/*
 * rsa_spki_sha256: key_spki_sha256 for an RSA KEY, the SubjectPublicKeyInfo
 * (RFC 8017 A.1.1 inside RFC 5280 4.1) written here from n and e instead
 * of by i2d_PUBKEY (see ed25519_spki_sha256).  -1 when the key is not
 * one this can write (the caller then uses i2d_PUBKEY).
 */
static int
rsa_spki_sha256(const EVP_PKEY *key, unsigned char out[KEY_SHA256_LEN])
{
	unsigned char der[RSA_SPKI_MAX], *p = der;
	BIGNUM *n = NULL, *e = NULL;
	size_t rpk, bits, all;
	unsigned int mdlen = 0;
	int rc = -1;

	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) ||
	    BN_is_zero(n) || BN_is_zero(e) || BN_is_negative(n) ||
	    BN_is_negative(e))
		goto done;
	rpk = tl_size(uint_size(n)) + uint_size(n) + tl_size(uint_size(e)) +
	    uint_size(e);			/* RSAPublicKey's content */
	bits = 1 + tl_size(rpk) + rpk;		/* BIT STRING's content */
	all = sizeof(rsa_alg_id) + tl_size(bits) + bits;
	if (tl_size(all) + all > sizeof(der))
		goto done;
	p += der_tl(p, 0x30, all);
	memcpy(p, rsa_alg_id, sizeof(rsa_alg_id));
	p += sizeof(rsa_alg_id);
	p += der_tl(p, 0x03, bits);
	*p++ = 0x00;				/* no unused bits */
	p += der_tl(p, 0x30, rpk);
	p += put_uint(p, n);
	p += put_uint(p, e);
	if (EVP_Digest(der, (size_t)(p - der), out, &mdlen, EVP_sha256(),
	    NULL) && mdlen == KEY_SHA256_LEN)
		rc = 0;
done:
	BN_free(n);
	BN_free(e);
	return rc;
}

int
key_spki_sha256(const EVP_PKEY *key, unsigned char out[KEY_SHA256_LEN])
{
	unsigned char *der = NULL;
	unsigned int mdlen = 0;
	int n, rc = -1;

	ERR_set_mark();
	if (EVP_PKEY_is_a(key, "ED25519"))
		rc = ed25519_spki_sha256(key, out);
	else if (EVP_PKEY_is_a(key, "RSA") && rsa_spki_sha256(key, out) == 0)
		rc = 0;
	else if ((n = i2d_PUBKEY(key, &der)) > 0 &&
	    EVP_Digest(der, (size_t)n, out, &mdlen, EVP_sha256(), NULL) &&
	    mdlen == KEY_SHA256_LEN)
		rc = 0;
	OPENSSL_free(der);
	ERR_pop_to_mark();
	return rc;
}

/* fp_text: MD as uppercase hex octets joined by colons, as Postfix. */
static void
fp_text(const unsigned char md[KEY_SHA256_LEN], char out[KEY_FP_SIZE])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < KEY_SHA256_LEN; i++) {
		out[3 * i] = hex[md[i] >> 4];
		out[3 * i + 1] = hex[md[i] & 0x0f];
		out[3 * i + 2] = ':';
	}
	out[KEY_FP_LEN] = '\0';
}

int
key_fingerprint(const EVP_PKEY *key, char *out, size_t outsz)
{
	unsigned char md[KEY_SHA256_LEN];

	if (outsz < KEY_FP_SIZE || key_spki_sha256(key, md) == -1)
		return -1;
	fp_text(md, out);
	return 0;
}

int
key_record_fingerprint(int alg, const unsigned char *p, size_t len,
    char *out, size_t outsz)
{
	unsigned char md[KEY_SHA256_LEN];
	EVP_PKEY *pk;
	int rc = -1;

	if (outsz < KEY_FP_SIZE)
		return -1;
	if (alg == KEYREC_ED25519 && len == ED25519_LEN) {	/* any key */
		raw_ed25519_spki_sha256(p, md);
		fp_text(md, out);
		return 0;
	}
	if ((pk = key_from_record_bytes(alg, p, len)) != NULL)
		rc = key_fingerprint(pk, out, outsz);
	EVP_PKEY_free(pk);
	return rc;
}

int
key_fingerprint_parse(const char *text, unsigned char out[KEY_SHA256_LEN])
{
	unsigned char md[KEY_SHA256_LEN];
	size_t len, i, n = 0;
	int ok;

	if (text == NULL || ((len = strlen(text)) != KEY_FP_LEN &&
	    len != 2 * KEY_SHA256_LEN))
		return -1;
	/* With the colons exactly in place, OpenSSL reads the digits. */
	for (i = 2; len == KEY_FP_LEN && i < len; i += 3)
		if (text[i] != ':')
			return -1;
	ERR_set_mark();
	ok = OPENSSL_hexstr2buf_ex(md, sizeof(md), &n, text,
	    len == KEY_FP_LEN ? ':' : '\0');
	ERR_pop_to_mark();
	if (!ok || n != sizeof(md))
		return -1;
	memcpy(out, md, sizeof(md));
	return 0;
}

unsigned
key_bits(const EVP_PKEY *key)
{
	int bits;

	if (EVP_PKEY_is_a(key, "ED25519"))
		return 8 * ED25519_LEN;
	if (EVP_PKEY_is_a(key, "RSA") && (bits = EVP_PKEY_get_bits(key)) > 0)
		return (unsigned)bits;
	return 0;
}

const char *
key_type_name(const EVP_PKEY *key)
{
	if (EVP_PKEY_is_a(key, "ED25519"))
		return "ed25519";
	if (EVP_PKEY_is_a(key, "RSA"))
		return "rsa";
	return "unknown";
}

/* write_pem: KEY as PEM text in *OUT (PRIV: PKCS#8, via a wiping BIO). */
static int
write_pem(const EVP_PKEY *key, int priv, char **out)
{
	BIO *b;
	char *data, *s = NULL;
	long n;
	int ok;

	ERR_set_mark();
	if ((b = BIO_new(priv ? BIO_s_secmem() : BIO_s_mem())) != NULL) {
		ok = priv ? PEM_write_bio_PKCS8PrivateKey(b, key, NULL, NULL, 0,
		    NULL, NULL) : PEM_write_bio_PUBKEY(b, key);
		if (ok && (n = BIO_get_mem_data(b, &data)) > 0 &&
		    (s = malloc((size_t)n + 1)) != NULL) {
			memcpy(s, data, (size_t)n);
			s[n] = '\0';
		}
	}
	BIO_free(b);
	ERR_pop_to_mark();
	if (s == NULL)
		return -1;
	*out = s;
	return 0;
}

int
key_spki_pem(const EVP_PKEY *key, char **out)
{
	return write_pem(key, 0, out);
}

int
key_private_pem(const EVP_PKEY *key, char **out)
{
	return write_pem(key, 1, out);
}
