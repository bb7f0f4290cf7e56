/*
 * key_ssh: OpenSSH public key lines for key.c (which callers use:
 * key_public_from_text reads these lines too), and the Ed25519 fast path
 * zonegen uses for inline keys.  Pure: no I/O.
 */
#ifndef SK_KEY_SSH_H
#define SK_KEY_SSH_H

#include <stddef.h>

#include <openssl/evp.h>

#include "key.h"

/*
 * key_ssh_public: the key on the one OpenSSH public key line at BUF (LEN
 * octets, no leading whitespace): "ssh-ed25519" or "ssh-rsa", BASE64, an
 * optional comment, nothing but whitespace after the line.  Returns a new
 * key owned by the caller (not yet checked: key.c applies its RSA sanity
 * checks), or NULL with ERR set.
 */
EVP_PKEY	*key_ssh_public(const char *buf, size_t len, char *err,
		    size_t errsz);

/*
 * key_ssh_ed25519_raw: the fast path of key_public_from_text for the
 * commonest key of all: when BUF (LEN octets) is one OpenSSH line
 * "ssh-ed25519 BASE64 [COMMENT]" that key_public_from_text accepts, and
 * its blob is exactly the ssh-ed25519 form, stores the 32 key octets in
 * RAW and returns 0, without making an EVP_PKEY (which costs OpenSSL 3
 * microseconds).  Returns -1 for anything else, good or bad: the caller
 * then uses key_public_from_text, which gives the key or the error.
 */
int		 key_ssh_ed25519_raw(const char *buf, size_t len,
		    unsigned char raw[KEY_ED25519_LEN]);

#endif
