/*
 * key_ssh.c: OpenSSH public key lines ("ssh-ed25519 AAAA... comment",
 * "ssh-rsa ...") for key.c: the line split, base64 through lib/b64
 * (OpenSSL's coder), the SSH wire blob (RFC 4251 section 5, RFC 8709)
 * parsed strictly, and the fast path that gives an Ed25519 key's raw
 * octets without an EVP_PKEY.  Not for PEM or private keys (key.c).
 * Pure: no I/O.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "b64.h"
#include "errstr.h"
#include "key.h"
#include "key_int.h"
#include "key_ssh.h"
#include "spki.h"

#define ED25519_LEN	KEY_ED25519_LEN
/* An ssh-ed25519 blob in base64, and the part that never changes. */
#define ED25519_B64_LEN		68
#define ED25519_B64_HEAD	"AAAAC3NzaC1lZDI1NTE5AAAA"

/* A read cursor over an SSH wire blob (RFC 4251 section 5). */
struct sshbuf {
	const unsigned char	*p;
	size_t			 left;
};

/* ssh_string: take one SSH string (uint32 length, octets) off B. */
static int
ssh_string(struct sshbuf *b, const unsigned char **s, size_t *slen)
{
	uint32_t n;

	if (b->left < 4)
		return -1;
	n = (uint32_t)b->p[0] << 24 | (uint32_t)b->p[1] << 16 |
	    (uint32_t)b->p[2] << 8 | (uint32_t)b->p[3];
	b->p += 4;
	b->left -= 4;
	if (n > b->left)
		return -1;
	*s = b->p;
	*slen = n;
	b->p += n;
	b->left -= n;
	return 0;
}

/*
 * ssh_mpint: take one positive SSH mpint off B as a new BIGNUM.  Refuses
 * zero, negative numbers and needless leading zero octets.  *TRUNC is set
 * when B ran out.
 */
static BIGNUM *
ssh_mpint(struct sshbuf *b, int *trunc)
{
	const unsigned char *s;
	size_t n;

	if (ssh_string(b, &s, &n) == -1) {
		*trunc = 1;
		return NULL;
	}
	if (n == 0 || n > INT_MAX || (s[0] & 0x80) != 0 ||
	    (s[0] == 0 && (n == 1 || (s[1] & 0x80) == 0)))
		return NULL;
	return BN_bin2bn(s, (int)n, NULL);
}

/*
 * ssh_blob_key: the key in SSH wire blob B whose line said TYPE (already
 * known to be "ssh-ed25519" or "ssh-rsa"), or NULL with ERR set.
 */
static EVP_PKEY *
ssh_blob_key(struct sshbuf *b, const char *type, char *err, size_t errsz)
{
	static const char truncated[] = "OpenSSH key data is truncated";
	const unsigned char *s, *raw = NULL;
	size_t slen;
	BIGNUM *n = NULL, *e = NULL;
	EVP_PKEY *pk = NULL;
	int trunc = 0;

	if (ssh_string(b, &s, &slen) == -1) {
		errstr_set(err, errsz, "%s", truncated);
		goto fail;
	}
	if (slen != strlen(type) || memcmp(s, type, slen) != 0) {
		if (slen > 0 && slen < 40 && printable((const char *)s, slen))
			errstr_set(err, errsz,
			    "OpenSSH key line says %s but its "
			    "key data is %.*s", type, (int)slen, s);
		else
			errstr_set(err, errsz,
			    "OpenSSH key line says %s but its "
			    "key data is of another type", type);
		goto fail;
	}
	if (strcmp(type, "ssh-ed25519") == 0) {
		if (ssh_string(b, &raw, &slen) == -1) {
			errstr_set(err, errsz, "%s", truncated);
			goto fail;
		}
		if (slen != ED25519_LEN) {
			errstr_set(err, errsz, "ed25519 key is %zu bytes long, "
			    "not %d", slen, ED25519_LEN);
			goto fail;
		}
	} else if ((e = ssh_mpint(b, &trunc)) == NULL ||
	    (n = ssh_mpint(b, &trunc)) == NULL) {
		errstr_set(err, errsz, "%s", trunc ? truncated :
		    "rsa key has a malformed number");
		goto fail;
	}
	if (b->left != 0) {
		errstr_set(err, errsz, "OpenSSH key data has trailing bytes");
		goto fail;
	}
	if (raw != NULL)
		pk = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, raw,
		    ED25519_LEN);
	else
		pk = spki_rsa_from_ne(n, e);
	if (pk == NULL)
		errstr_set(err, errsz,
		    "cannot make a key of the OpenSSH key data");
fail:
	BN_free(n);
	BN_free(e);
	return pk;
}

/* ssh_type_check: 0 for "ssh-ed25519" or "ssh-rsa" (N octets), else -1. */
static int
ssh_type_check(const char *type, size_t n, char *err, size_t errsz)
{
	if ((n == 11 && memcmp(type, "ssh-ed25519", n) == 0) ||
	    (n == 7 && memcmp(type, "ssh-rsa", n) == 0))
		return 0;
	if (has_prefix(type, n, "ecdsa-sha2-"))
		errstr_set(err, errsz, "ecdsa" UNSUPPORTED);
	else if ((has_prefix(type, n, "ssh-") || has_prefix(type, n, "sk-")) &&
	    n < 64 && printable(type, n))
		errstr_set(err, errsz,
		    "OpenSSH key type %.*s is not supported: "
		    "use ed25519 or rsa", (int)n, type);
	else
		errstr_set(err, errsz, "not a PEM key or an OpenSSH public key "
		    "line");
	return -1;
}

EVP_PKEY *
key_ssh_public(const char *buf, size_t len, char *err, size_t errsz)
{
	const char *eol;
	char *line, *b64;
	unsigned char *blob = NULL;
	size_t tlen, bloblen;
	struct sshbuf b;
	EVP_PKEY *pk = NULL;

	if ((eol = memchr(buf, '\n', len)) == NULL)
		eol = buf + len;
	if ((line = strndup(buf, (size_t)(eol - buf))) == NULL) {
		errstr_set(err, errsz, "out of memory");
		return NULL;
	}
	tlen = strcspn(line, SPACES);
	b64 = line + tlen + strspn(line + tlen, SPACES);
	b64[strcspn(b64, SPACES)] = '\0';
	line[tlen] = '\0';
	if (ssh_type_check(line, tlen, err, errsz) == -1)
		goto fail;
	if (!only_space(eol, len - (size_t)(eol - buf)))
		errstr_set(err, errsz, "more than one line in an OpenSSH key");
	else if (*b64 == '\0')
		errstr_set(err, errsz, "OpenSSH key line has no key data");
	else if (b64_decode(b64, &blob, &bloblen) == -1)
		errstr_set(err, errsz, "OpenSSH key line has invalid base64");
	else {
		b.p = blob;
		b.left = bloblen;
		pk = ssh_blob_key(&b, line, err, errsz);
	}
fail:
	free(blob);
	free(line);
	return pk;
}

int
key_ssh_ed25519_raw(const char *buf, size_t len,
    unsigned char raw[KEY_ED25519_LEN])
{
	/* The only blob an ssh-ed25519 line may carry: type, then the key. */
	static const unsigned char head[] = {
		0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1',
		'9', 0, 0, 0, ED25519_LEN,
	};
	const char *p = buf, *end = buf + len, *eol, *t;
	char tok[128];
	unsigned char *blob = NULL, tail[36];
	size_t bloblen, n;
	int rc = -1;

	/* The steps of key.c's from_text and key_ssh_public, no EVP_PKEY. */
	while (p < end && is_space((unsigned char)*p))
		p++;
	if (p == end || memchr(buf, '\0', len) != NULL ||
	    (size_t)(end - p) < 12 || memcmp(p, "ssh-ed25519", 11) != 0 ||
	    !is_space((unsigned char)p[11]) || p[11] == '\n')
		return -1;
	if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
		eol = end;
	if (!only_space(eol, (size_t)(end - eol)))
		return -1;
	for (t = p + 11; t < eol && is_space((unsigned char)*t); t++)
		;
	for (n = 0; t + n < eol && !is_space((unsigned char)t[n]); n++)
		;
	if (n == 0 || n >= sizeof(tok))
		return -1;
	/*
	 * The usual line: 68 characters without padding, of which the first
	 * 24 spell the first 18 octets of HEAD (base64 is one to one on whole
	 * groups); decode only the 44 after them (HEAD's last octet and the
	 * key).  Anything else takes the general way below.
	 */
	if (n == ED25519_B64_LEN && memcmp(t, ED25519_B64_HEAD, 24) == 0 &&
	    memchr(t + 24, '=', n - 24) == NULL &&
	    EVP_DecodeBlock(tail, (const unsigned char *)t + 24, 44) == 33 &&
	    tail[0] == ED25519_LEN) {
		memcpy(raw, tail + 1, ED25519_LEN);
		return 0;
	}
	memcpy(tok, t, n);
	tok[n] = '\0';
	if (b64_decode(tok, &blob, &bloblen) == -1)
		return -1;
	if (bloblen == sizeof(head) + ED25519_LEN &&
	    memcmp(blob, head, sizeof(head)) == 0) {
		memcpy(raw, blob + sizeof(head), ED25519_LEN);
		rc = 0;
	}
	free(blob);
	return rc;
}
