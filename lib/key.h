/*
 * key: public and private key I/O with OpenSSL 3 (EVP_PKEY).  Reads PEM
 * (SubjectPublicKeyInfo, PKCS#1 RSA, PKCS#8) and OpenSSH public key lines,
 * produces the bytes of a sender key record's p= tag and back, the SHA-256
 * SPKI fingerprint (as Postfix prints ccert_pubkey_fingerprint) and PEM text
 * for new keys.  Only Ed25519 and RSA keys are accepted.
 *
 * Everything is pure except key_load*, which read one file.  Every EVP_PKEY
 * returned belongs to the caller, who frees it with EVP_PKEY_free.  Error
 * texts are one short English sentence without a final period, written to
 * ERR (ERRSZ bytes, truncated to fit) when ERR is not NULL.
 */
#ifndef SK_KEY_H
#define SK_KEY_H

#include <stddef.h>
#include <openssl/evp.h>

#define KEY_FILE_MAX	65536		/* the largest key file read */
#define KEY_FP_LEN	95		/* "AB:CD:..": 32 octets, 31 ':' */
#define KEY_FP_SIZE	(KEY_FP_LEN + 1)
#define KEY_SHA256_LEN	32
#define KEY_ED25519_LEN	32		/* a raw Ed25519 public key */
#define KEY_RSA_MAX_BITS 16384		/* larger RSA keys are refused */

/* Why key_load failed. */
enum key_load_err {
	KEY_LOAD_OK = 0,
	KEY_LOAD_EFILE,	/* cannot open or read, not a regular file, or a
			   private key file others could read or replace
			   (see key_load; lib/secret.h) */
	KEY_LOAD_EDATA,	/* read, but too large or not a usable key */
};

/*
 * key_public_from_text: parse LEN octets at BUF (need not be NUL-terminated)
 * holding one public key: a PEM "PUBLIC KEY" (SPKI) or "RSA PUBLIC KEY"
 * (PKCS#1) block, one OpenSSH public key line ("ssh-ed25519 AAAA... c"),
 * or an unencrypted PKCS#8 / PKCS#1 RSA private key PEM, of which only the
 * public part is kept.  Returns a new public-only key, or NULL with ERR set.
 */
EVP_PKEY	*key_public_from_text(const char *buf, size_t len, char *err,
		    size_t errsz);

/*
 * key_private_from_text: parse one unencrypted private key PEM at BUF (LEN
 * octets): PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY".  Returns a new
 * key pair, or NULL with ERR set.  The caller still owns BUF and should
 * OPENSSL_cleanse it.  Decoding buffers are wiped before they are freed.
 */
EVP_PKEY	*key_private_from_text(const char *buf, size_t len, char *err,
		    size_t errsz);

/*
 * key_text_private: 1 when the LEN octets at BUF start (after white space)
 * with a PEM block that holds a private key (PKCS#8, PKCS#1, encrypted,
 * OpenSSH, EC, DSA, OpenPGP private), else 0.  Pure.
 */
int		 key_text_private(const char *buf, size_t len);

/*
 * key_load: read the file PATH (at most KEY_FILE_MAX octets) and parse it
 * with key_private_from_text when PRIV is non-zero, else with
 * key_public_from_text.  This is the one reader of private key files
 * (sign, the milter's KeyTable, keygen and zonegen re-reading keys, and
 * fingerprint, record and zonegen's key files when they hold a private
 * key): it makes the checks of lib/secret.h in their order: the file can
 * be opened and is a regular file; then its content (a public key, a
 * record or garbage where a private key is needed is said as such);
 * then, for a file holding a private key (whatever PRIV), that it is not
 * a symbolic link, has no group or other permission bit, is owned by the
 * effective user or root, in a directory owned by the effective user or
 * root that group and others cannot write (or that is sticky, like /tmp).
 * Returns a new key, or NULL with ERR set to a text starting with PATH and
 * *WHY (when WHY is not NULL) telling a file problem (KEY_LOAD_EFILE,
 * including the mode and owner checks) from a content one.  The file's
 * contents are wiped from memory before returning.
 */
EVP_PKEY	*key_load(const char *path, int priv, enum key_load_err *why,
		    char *err, size_t errsz);
/* key_load_public, key_load_private: key_load without WHY. */
EVP_PKEY	*key_load_public(const char *path, char *err, size_t errsz);
EVP_PKEY	*key_load_private(const char *path, char *err, size_t errsz);

/*
 * key_record_bytes: the octets of a record's p= tag for KEY: the raw
 * 32-octet key for Ed25519, the DER SubjectPublicKeyInfo for RSA.  Sets
 * *ALG to KEYREC_ED25519 or KEYREC_RSA (lib/keyrec.h), *OUT to a malloc'd
 * buffer the caller frees with free(), *OUTLEN to its length.  Returns 0,
 * or -1 (nothing allocated) for another key type or on allocation failure.
 */
int		 key_record_bytes(const EVP_PKEY *key, int *alg,
		    unsigned char **out, size_t *outlen);

/*
 * key_from_record_bytes: the inverse of key_record_bytes: a new public key
 * from LEN octets at P for ALG (an enum keyrec_alg value).  NULL when the
 * octets are not such a key (wrong length, not DER, not RSA, trailing
 * bytes) or ALG is unknown.
 */
EVP_PKEY	*key_from_record_bytes(int alg, const unsigned char *p,
		    size_t len);

/*
 * key_spki_sha256: the SHA-256 digest of KEY's DER SubjectPublicKeyInfo in
 * OUT.  Returns 0, or -1 when KEY cannot be encoded or hashed.
 */
int		 key_spki_sha256(const EVP_PKEY *key,
		    unsigned char out[KEY_SHA256_LEN]);

/*
 * key_fingerprint: that digest as uppercase hex octets joined by colons
 * ("5C:87:...:DA", KEY_FP_LEN characters and a NUL), exactly as Postfix
 * prints ccert_pubkey_fingerprint.  Returns 0, or -1 when OUTSZ is under
 * KEY_FP_SIZE or the digest failed.
 */
int		 key_fingerprint(const EVP_PKEY *key, char *out,
		    size_t outsz);

/*
 * key_record_fingerprint: key_fingerprint of key_from_record_bytes(ALG, P,
 * LEN) in OUT, the same text; an Ed25519 record is hashed without OpenSSL
 * (its SubjectPublicKeyInfo is a fixed prefix and the 32 octets), so that
 * a process printing it never initialises OpenSSL.  Returns 0, or -1 when
 * the octets are not such a key or OUTSZ is under KEY_FP_SIZE.
 */
int		 key_record_fingerprint(int alg, const unsigned char *p,
		    size_t len, char *out, size_t outsz);

/*
 * key_fingerprint_parse: read a fingerprint written as key_fingerprint
 * does or as 64 hex digits without colons, either case, nothing else (no
 * spaces).  Stores the 32 octets in OUT and returns 0, or returns -1.
 */
int		 key_fingerprint_parse(const char *text,
		    unsigned char out[KEY_SHA256_LEN]);

/* key_bits: 256 for Ed25519, the modulus size for RSA, 0 otherwise. */
unsigned	 key_bits(const EVP_PKEY *key);
/* key_type_name: "ed25519", "rsa", or "unknown"; a static string. */
const char	*key_type_name(const EVP_PKEY *key);

/*
 * key_spki_pem: KEY's public part as a "PUBLIC KEY" PEM text, malloc'd and
 * NUL-terminated in *OUT (caller frees with free()).  Returns 0 or -1.
 */
int		 key_spki_pem(const EVP_PKEY *key, char **out);

/*
 * key_private_pem: KEY's private key as an unencrypted PKCS#8 "PRIVATE KEY"
 * PEM text, malloc'd and NUL-terminated in *OUT.  The caller must
 * OPENSSL_cleanse(*OUT, strlen(*OUT)) before free().  Returns 0, or -1
 * (nothing allocated) when KEY has no private part or on failure.
 */
int		 key_private_pem(const EVP_PKEY *key, char **out);

#endif
