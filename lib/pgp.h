/*
 * pgp: a strict reader for OpenPGP v4 transferable public keys (RFC 4880
 * section 11.1, with the EdDSA "legacy" algorithm 22 of RFC 6637 and
 * draft-koch-eddsa-for-openpgp as GnuPG 2.2 writes it), binary or ASCII
 * armored.  It gives the fingerprint, the user IDs, the key as an OpenSSL
 * EVP_PKEY for the _senderkey record, and the key reduced to one mailbox
 * exactly as GnuPG's
 *
 *   gpg --export-options export-minimal,export-dane \
 *       --export-filter keep-uid='mbox = ADDR' --export FPR
 *
 * writes it (the OPENPGPKEY RDATA of RFC 7929).  Pure: no I/O.
 *
 * Signatures are parsed, not verified: the key file is the domain owner's
 * own export.  Error texts are one line without a final period, written
 * to ERR (ERRSZ bytes, truncated to fit) when ERR is not NULL.
 */
#ifndef SK_PGP_H
#define SK_PGP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>

#define PGP_KEY_MAX	(1024 * 1024)	/* the largest key (octets) read */
#define PGP_MAX_PACKETS	4096		/* packets in one key */
#define PGP_FPR_LEN	20		/* v4 fingerprint, octets */
#define PGP_FPR_HEX	(2 * PGP_FPR_LEN + 1)

struct pgp_key;

/*
 * pgp_key_parse: parse LEN octets at BUF holding one transferable public
 * key, binary or armored ("-----BEGIN PGP PUBLIC KEY BLOCK-----", CRC-24
 * checked).  Returns a new key owned by the caller (pgp_key_free), or NULL
 * with ERR set ("packet 3 at offset 120: length 70000 exceeds the
 * remaining 40 octets").  BUF is copied; the caller keeps it.
 */
struct pgp_key	*pgp_key_parse(const unsigned char *buf, size_t len,
		    char *err, size_t errsz);
/* pgp_key_free: release K; NULL is a no-op. */
void		 pgp_key_free(struct pgp_key *k);

/* pgp_key_fingerprint: the 20-octet v4 fingerprint, owned by K. */
const unsigned char *pgp_key_fingerprint(const struct pgp_key *k);
/* pgp_key_fingerprint_hex: the same as 40 upper-case hex digits, K's. */
const char	*pgp_key_fingerprint_hex(const struct pgp_key *k);
/* pgp_key_created: the primary key's creation time. */
uint32_t	 pgp_key_created(const struct pgp_key *k);

/* pgp_key_uid_count: the number of user ID packets (tag 13). */
size_t		 pgp_key_uid_count(const struct pgp_key *k);
/*
 * pgp_key_uid: user ID I (0-based) as stored, *LEN octets, NUL-terminated
 * by this module (the packet itself may hold NULs: use LEN); K owns it.
 * NULL when I is out of range.
 */
const char	*pgp_key_uid(const struct pgp_key *k, size_t i, size_t *len);
/*
 * pgp_key_uid_mbox: the mailbox GnuPG finds in user ID I (the part in
 * <...>, or the whole ID when it is a bare address), ASCII lower-cased;
 * K owns it.  NULL when the ID holds no mailbox or I is out of range.
 */
const char	*pgp_key_uid_mbox(const struct pgp_key *k, size_t i);


/*
 * pgp_key_pkey: the primary key as a new public EVP_PKEY (caller frees):
 * Ed25519 from algorithm 22 on curve 1.3.6.1.4.1.11591.15.1, RSA from
 * algorithm 1 or 3.  NULL with ERR set for any other algorithm.
 */
EVP_PKEY	*pgp_key_pkey(const struct pgp_key *k, char *err,
		    size_t errsz);

/*
 * pgp_key_signing_pkey: the key a sender signs mail with, for the
 * _senderkey record.  The primary key when its newest self-signature
 * allows signing (key flag 0x02, or no key flags at all); otherwise the
 * newest valid, unrevoked, unexpired subkey at NOW whose binding
 * signature has flag 0x02 and that is Ed25519 or RSA.  Sets *SUBKEY
 * (when not NULL) to 1 for a subkey.  NULL with ERR set when there is
 * none or its algorithm is not supported.
 */
EVP_PKEY	*pgp_key_signing_pkey(const struct pgp_key *k, time_t now,
		    int *subkey, char *err, size_t errsz);

/*
 * pgp_key_minimal_at: the binary key reduced for ADDR_SPEC at time NOW,
 * byte for byte what GnuPG 2.2 exports with export-minimal, export-dane
 * and keep-uid='mbox = ADDR_SPEC': the primary key and its exportable
 * direct signatures; each user ID whose mailbox equals ADDR_SPEC (ASCII
 * case-insensitively) with only its newest self-signature (a revoked or
 * expired one: its revocation or expired signature alone); each subkey
 * that is bound, unrevoked and unexpired with its newest binding
 * signature.  Packets are written with old-format headers and the
 * shortest length form, as GnuPG does.  Returns 0 with a malloc'd buffer
 * in *OUT (caller frees) and *OUTLEN set; -1 with ERR set when no valid
 * user ID has that mailbox (gpg prints no record then) or on ENOMEM.
 */
int		 pgp_key_minimal_at(const struct pgp_key *k,
		    const char *addr_spec, time_t now, unsigned char **out,
		    size_t *outlen, char *err, size_t errsz);
/* pgp_key_minimal_for: pgp_key_minimal_at now, without an error text. */
int		 pgp_key_minimal_for(const struct pgp_key *k,
		    const char *addr_spec, unsigned char **out,
		    size_t *outlen);

#endif
