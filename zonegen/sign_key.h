/*
 * sign_key: DNSSEC signing keys for the zone signer.  Loads the BIND-style
 * K<zone>+<alg>+<id>.key / .private pairs written by ldns-keygen and
 * dnssec-keygen (algorithms 8 RSASHA256, 13 ECDSAP256SHA256, 15 ED25519),
 * and makes RRSIG signature octets with OpenSSL EVP.  A loaded key is
 * read-only and may be shared by threads; each thread signs through its own
 * struct sign_key_ctx.  Only sign_key_load does I/O (it reads the pair).
 *
 * Error texts are one short sentence, written to ERR (ERRSZ bytes) when
 * ERR is not NULL.
 */
#ifndef SK_SIGN_KEY_H
#define SK_SIGN_KEY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIGN_KEY_SIG_MAX	1024	/* the largest signature (RSA-8192) */
#define SIGN_KEY_RDATA_MAX	1100	/* the largest DNSKEY RDATA */

struct sign_key;
struct sign_key_ctx;

/*
 * sign_key_load: load the pair PATH.key and PATH.private; PATH may also
 * name either file itself.  The DNSKEY in .key decides the owner, flags
 * (257: KSK, 256: ZSK) and algorithm; the private key must match its
 * public key.  Returns a new key owned by the caller, or NULL with ERR set.
 */
struct sign_key	*sign_key_load(const char *path, char *err, size_t errsz);

/* sign_key_free: release K (private material is wiped).  NULL is a no-op. */
void		 sign_key_free(struct sign_key *k);

/* sign_key_alg: the DNSSEC algorithm number (8, 13 or 15). */
uint8_t		 sign_key_alg(const struct sign_key *k);

/* sign_key_tag: the key tag (RFC 4034 appendix B). */
uint16_t	 sign_key_tag(const struct sign_key *k);

/* sign_key_is_ksk: 1 when the SEP flag is set (flags 257), else 0. */
int		 sign_key_is_ksk(const struct sign_key *k);

/*
 * sign_key_owner: the key's owner name in canonical wire form (lowercase);
 * *LEN gets its length.  Points into K.
 */
const uint8_t	*sign_key_owner(const struct sign_key *k, size_t *len);

/* sign_key_rdata: the DNSKEY RDATA in wire form; *LEN gets its length. */
const uint8_t	*sign_key_rdata(const struct sign_key *k, size_t *len);

/* sign_key_siglen: the length of every signature this key makes. */
size_t		 sign_key_siglen(const struct sign_key *k);

/*
 * sign_key_print_ds: write the DS record (digest type 2, SHA-256) of K
 * with TTL to OUT in presentation format, one line.  Returns 0 or -1.
 */
int		 sign_key_print_ds(const struct sign_key *k, uint32_t ttl,
		    FILE *out);

/*
 * sign_key_ctx_new: a signing context for one thread and key K (K must
 * outlive it).  Returns NULL on allocation or OpenSSL failure.
 */
struct sign_key_ctx *sign_key_ctx_new(const struct sign_key *k);

/* sign_key_ctx_free: release C.  NULL is a no-op. */
void		 sign_key_ctx_free(struct sign_key_ctx *c);

/*
 * sign_key_sign: sign LEN octets at DATA (RFC 4034 section 3.1.8.1 input)
 * and write the DNSSEC signature field (RSA: PKCS#1 v1.5; ECDSA: r || s,
 * 64 octets; Ed25519: 64 octets) to SIG, which holds SIGN_KEY_SIG_MAX
 * octets.  Returns the signature length, or 0 on failure.
 */
size_t		 sign_key_sign(struct sign_key_ctx *c, const uint8_t *data,
		    size_t len, uint8_t *sig);

#endif
