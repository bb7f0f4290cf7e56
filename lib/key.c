/*
 * key: reading and writing sender keys with OpenSSL 3.  PEM blocks are
 * split by PEM_read_bio_ex and their DER decoded by OSSL_DECODER; OpenSSH
 * public key lines are key_ssh.c's.  Whatever the source, a key
 * is only returned after check_key() has accepted it (Ed25519, or a sane
 * RSA key), so callers never see another key type.  See key.h for the
 * contracts.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
#include "key_int.h"
#include "key_ssh.h"
#include "keyrec.h"

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
} pem_types[] = {
	{ "PUBLIC KEY", "SubjectPublicKeyInfo", NULL, 0, NULL },
	{ "RSA PUBLIC KEY", "type-specific", "RSA", 0, NULL },
	{ "PRIVATE KEY", "PrivateKeyInfo", NULL, 1, NULL },
	{ "RSA PRIVATE KEY", "type-specific", "RSA", 1, NULL },
	{ "ENCRYPTED PRIVATE KEY", NULL, NULL, 1, ENCRYPTED },
	{ "OPENSSH PRIVATE KEY", NULL, NULL, 1, "OpenSSH private keys are "
	    "not supported: use the .pub file or a PKCS#8 PEM key" },
	{ "EC PRIVATE KEY", NULL, NULL, 1, "ecdsa" UNSUPPORTED },
	{ "EC PARAMETERS", NULL, NULL, 0, "ecdsa" UNSUPPORTED },
	{ "DSA PRIVATE KEY", NULL, NULL, 1, "dsa" UNSUPPORTED },
	{ "CERTIFICATE", NULL, NULL, 0, "certificates are not supported: "
	    "extract the key with openssl x509 -pubkey" },
	{ "PGP PUBLIC KEY BLOCK", NULL, NULL, 0, OPENPGP },
	{ "PGP PRIVATE KEY BLOCK", NULL, NULL, 1, OPENPGP },
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
	if (t->structure == NULL) {
		errstr_set(err, errsz, "%s", t->refusal);
		goto fail;
	}
	if (priv && !t->priv) {
		errstr_set(err, errsz,
		    "this is a public key where a private key "
		    "is needed");
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
	else if (has_prefix(buf + off, len - off, "ssh-"))
		errstr_set(err, errsz, "this is an OpenSSH public key where a "
		    "private key is needed");
	else
		errstr_set(err, errsz, "not a PEM private key");
	ERR_pop_to_mark();
	return pk;
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

/*
 * dir_of: split PATH into its directory (into DIR, DIRSZ octets: "." when
 * PATH has no '/', "/" for a file in the root) and *BASE, the last
 * component.  Returns 0, or -1 with errno set when DIR is too small.
 */
static int
dir_of(const char *path, char *dir, size_t dirsz, const char **base)
{
	const char *slash;
	size_t n;

	if ((slash = strrchr(path, '/')) == NULL) {
		*base = path;
		n = 1;
		path = ".";
	} else {
		*base = slash + 1;
		n = slash == path ? 1 : (size_t)(slash - path);
	}
	if (n >= dirsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	return 0;
}

#if defined(O_SEARCH)
#define DIR_OPEN_FLAGS	(O_SEARCH | O_DIRECTORY | O_CLOEXEC)
#elif defined(O_PATH)
#define DIR_OPEN_FLAGS	(O_PATH | O_DIRECTORY | O_CLOEXEC)
#else
#define DIR_OPEN_FLAGS	(O_RDONLY | O_DIRECTORY | O_CLOEXEC)
#endif

/*
 * open_private: open the private key file PATH only if nobody but its
 * reader and root can read or replace it, as OpenSSH and OpenDKIM judge
 * key files.  The directory is opened first and must be owned by the
 * effective user or root and not writable by group or others (unless
 * sticky, like /tmp); the file is then opened relative to it, without
 * following a symbolic link, and must be a regular file owned by the
 * effective user or root with no group or other permission.  Every check
 * is made with fstat on the opened descriptors, so nothing can be swapped
 * between check and read.  Returns the file's descriptor, or -1 with ERR
 * set (PATH, what is wrong and the command that fixes it).
 */
static int
open_private(const char *path, char *err, size_t errsz)
{
	char dir[PATH_MAX];
	const char *base;
	struct stat st;
	uid_t euid = geteuid();
	int dfd = -1, fd = -1;

	if (dir_of(path, dir, sizeof(dir), &base) == -1 ||
	    (dfd = open(dir, DIR_OPEN_FLAGS)) == -1 || fstat(dfd, &st) == -1) {
		errstr_set(err, errsz, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (st.st_uid != euid && st.st_uid != 0) {
		errstr_set(err, errsz,
		    "%s: the key's directory %s is owned by uid "
		    "%u, not by uid %u (the user reading the key) or root: run "
		    "chown %u %s", path, dir, (unsigned)st.st_uid,
		    (unsigned)euid, (unsigned)euid, dir);
		goto fail;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    (st.st_mode & S_ISVTX) == 0) {
		errstr_set(err, errsz,
		    "%s: the key's directory %s has mode %04o, "
		    "writable by group or others, who could replace the key: "
		    "run chmod go-w %s", path, dir,
		    (unsigned)(st.st_mode & 07777), dir);
		goto fail;
	}
	if (*base == '\0') {
		errstr_set(err, errsz, "%s: not a regular file", path);
		goto fail;
	}
	fd = openat(dfd, base, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
	    O_NOFOLLOW);
	if (fd == -1 && errno == ELOOP) {
		errstr_set(err, errsz,
		    "%s: private key file is a symbolic link: "
		    "name the file itself (readlink -f %s)", path, path);
		goto fail;
	}
	if (fd == -1 || fstat(fd, &st) == -1) {
		errstr_set(err, errsz, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		errstr_set(err, errsz, "%s: not a regular file", path);
		goto fail;
	}
	if (st.st_uid != euid && st.st_uid != 0) {
		errstr_set(err, errsz,
		    "%s: private key file is owned by uid %u, "
		    "not by uid %u (the user reading it) or root: run chown "
		    "%u %s", path, (unsigned)st.st_uid, (unsigned)euid,
		    (unsigned)euid, path);
		goto fail;
	}
	if ((st.st_mode & 077) != 0) {
		errstr_set(err, errsz,
		    "%s: private key file has mode %04o, open "
		    "to others: run chmod 600 %s", path,
		    (unsigned)(st.st_mode & 07777), path);
		goto fail;
	}
	close(dfd);
	return fd;
fail:
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	return -1;
}

/*
 * read_file: the contents of PATH in a malloc'd buffer (*LENP octets),
 * which the caller must OPENSSL_cleanse and free, or NULL with ERR and
 * *WHY set.  PRIV: open it with open_private's checks.
 */
static char *
read_file(const char *path, int priv, size_t *lenp, enum key_load_err *why,
    char *err, size_t errsz)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd = -1;

	*why = KEY_LOAD_EFILE;
	if (priv) {
		if ((fd = open_private(path, err, errsz)) == -1)
			goto fail;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd == -1 || fstat(fd, &st) == -1)
			goto syserr;
		if (!S_ISREG(st.st_mode)) {
			errstr_set(err, errsz, "%s: not a regular file", path);
			goto fail;
		}
	}
	if ((buf = malloc(KEY_FILE_MAX + 1)) == NULL)
		goto syserr;
	while (len <= KEY_FILE_MAX && (n = read(fd, buf + len,
	    KEY_FILE_MAX + 1 - len)) != 0) {
		if (n == -1 && errno != EINTR)
			goto syserr;
		len += n > 0 ? (size_t)n : 0;
	}
	if (len > KEY_FILE_MAX) {
		*why = KEY_LOAD_EDATA;
		errstr_set(err, errsz, "%s: larger than %d KiB, not a key file",
		    path, KEY_FILE_MAX / 1024);
		goto fail;
	}
	close(fd);
	*lenp = len;
	*why = KEY_LOAD_OK;
	return buf;
syserr:
	errstr_set(err, errsz, "%s: %s", path, strerror(errno));
fail:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	if (fd != -1)
		close(fd);
	return NULL;
}

EVP_PKEY *
key_load(const char *path, int priv, enum key_load_err *why, char *err,
    size_t errsz)
{
	enum key_load_err w;
	char msg[256];
	char *buf;
	size_t len;
	EVP_PKEY *pk = NULL;

	if ((buf = read_file(path, priv, &len, &w, err, errsz)) == NULL)
		goto done;
	if (priv)
		pk = key_private_from_text(buf, len, msg, sizeof(msg));
	else
		pk = key_public_from_text(buf, len, msg, sizeof(msg));
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (pk == NULL) {
		w = KEY_LOAD_EDATA;
		errstr_set(err, errsz, "%s: %s", path, msg);
	}
done:
	if (why != NULL)
		*why = w;
	return pk;
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
		pk = d2i_PUBKEY(NULL, &q, (long)len);
		if (pk != NULL && (q != p + len || !EVP_PKEY_is_a(pk, "RSA"))) {
			EVP_PKEY_free(pk);
			pk = NULL;
		}
		pk = check_key(pk, NULL, 0);
		break;
	default:
		break;
	}
	ERR_pop_to_mark();
	return pk;
}

int
key_spki_sha256(const EVP_PKEY *key, unsigned char out[KEY_SHA256_LEN])
{
	unsigned char *der = NULL;
	unsigned int mdlen = 0;
	int n, rc = -1;

	ERR_set_mark();
	if ((n = i2d_PUBKEY(key, &der)) > 0 &&
	    EVP_Digest(der, (size_t)n, out, &mdlen, EVP_sha256(), NULL) &&
	    mdlen == KEY_SHA256_LEN)
		rc = 0;
	OPENSSL_free(der);
	ERR_pop_to_mark();
	return rc;
}

int
key_fingerprint(const EVP_PKEY *key, char *out, size_t outsz)
{
	unsigned char md[KEY_SHA256_LEN];

	if (outsz < KEY_FP_SIZE || key_spki_sha256(key, md) == -1)
		return -1;
	/* OPENSSL_buf2hexstr_ex writes uppercase "AB:CD", as Postfix. */
	if (!OPENSSL_buf2hexstr_ex(out, outsz, NULL, md, sizeof(md), ':'))
		return -1;
	return 0;
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
