/*
 * owner: the DNS owner names senderkey publishes under.  Pure: no I/O.
 *
 *   <hex(SHA-256(local))[0:56]>._senderkey.<domain>.
 *   <hex(SHA-256(local))[0:56]>._openpgpkey.<domain>.   (RFC 7929)
 *   _senderkey.<domain>.                                  (policy record)
 *   sk<hex(SHA-256(local))[0:32]>._domainkey.<domain>.     (DKIM bridge key)
 *
 * Names are absolute, lowercase, with the trailing dot.
 */
#ifndef SK_OWNER_H
#define SK_OWNER_H

#include <stddef.h>

#include <openssl/evp.h>

struct addr;

#define OWNER_HASH_LEN	56		/* hex digits in the first label */
#define OWNER_NAME_MAX	256		/* buffer size for any owner name */
#define OWNER_DKIM_HEX	32		/* hex digits after "sk" */
#define OWNER_DKIM_SEL_LEN (2 + OWNER_DKIM_HEX)	/* selector label */

enum owner_kind {
	OWNER_SENDERKEY,	/* _senderkey */
	OWNER_OPENPGPKEY,	/* _openpgpkey */
	OWNER_DKIM,		/* <selector>._domainkey (record-format.md 2.3) */
};

/*
 * owner_hash: the 56-hex-digit label for local part LOCAL (LEN octets,
 * taken as given: the caller chooses canonical or as-written).  OUT must
 * hold OWNER_HASH_LEN + 1 bytes.  Returns 0 (nettle's SHA-256, which
 * cannot fail and does not touch OpenSSL; -1 stays in the contract).
 */
int	owner_hash(const char *local, size_t len, char out[OWNER_HASH_LEN + 1]);

/*
 * owner_hash_md: owner_hash with the SHA-256 digest MD fetched once by the
 * caller (EVP_MD_fetch(NULL, "SHA256", NULL)): the same label, without
 * OpenSSL's implicit fetch per call (about 3x faster on short inputs).
 */
int	owner_hash_md(const EVP_MD *md, const char *local, size_t len,
	    char out[OWNER_HASH_LEN + 1]);

/*
 * owner_hash_ctx: owner_hash_md that also reuses the caller's digest
 * context CTX (EVP_MD_CTX_new, owned by the caller) instead of allocating
 * one per call: for callers hashing a million names.  Same label.
 */
int	owner_hash_ctx(EVP_MD_CTX *ctx, const EVP_MD *md, const char *local,
	    size_t len, char out[OWNER_HASH_LEN + 1]);

/*
 * owner_name_fits: 1 when the owner names of KIND under the A-label DOMAIN
 * (no trailing dot) fit in a DNS name (owner_name would not fail on
 * length), else 0.  No digest is computed.
 */
int	owner_name_fits(const char *domain, enum owner_kind kind);

/*
 * owner_name: the owner name for A's canonical local part under KIND,
 * written to OUT (OUTSZ bytes, OWNER_NAME_MAX is always enough).
 * Returns 0, or -1 if the name does not fit or the digest failed.
 */
int	owner_name(const struct addr *a, enum owner_kind kind, char *out,
	    size_t outsz);

/*
 * owner_name_ctx: owner_name with the digest MD fetched once by the
 * caller and its digest context CTX reused (as owner_hash_ctx): for the
 * daemon, which names one owner per request.  Same name, same returns.
 */
int	owner_name_ctx(EVP_MD_CTX *ctx, const EVP_MD *md, const struct addr *a,
	    enum owner_kind kind, char *out, size_t outsz);

/*
 * owner_name_local: as owner_name, for an explicit local part LOCAL and an
 * A-label DOMAIN (no trailing dot), e.g. the local part as written for the
 * RFC 7929 name that systemd queries.
 */
int	owner_name_local(const char *local, const char *domain,
	    enum owner_kind kind, char *out, size_t outsz);

/*
 * owner_dkim_selector: the DKIM selector of local part LOCAL (LEN octets,
 * taken as given: callers pass the canonical local part): "sk" and the
 * first OWNER_DKIM_HEX lowercase hex digits of SHA-256(LOCAL), one label
 * (record-format.md 2.3).  OUT must hold OWNER_DKIM_SEL_LEN + 1 bytes.
 */
void	owner_dkim_selector(const char *local, size_t len,
	    char out[OWNER_DKIM_SEL_LEN + 1]);

/* owner_policy_name: "_senderkey.<domain>." for an A-label DOMAIN. */
int	owner_policy_name(const char *domain, char *out, size_t outsz);

#endif
