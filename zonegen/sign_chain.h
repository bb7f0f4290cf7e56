/*
 * sign_chain: the authenticated-denial layout of a sorted zone for the
 * signer (sign.c): the owner names grouped from the records, with zone
 * cuts and glue marked; the NSEC chain's successor of each name; the NSEC3
 * entries (one per authoritative name and per empty non-terminal, RFC 5155
 * section 7.1), hashed and sorted; the type bitmap list of a name; and
 * the order in which names and NSEC3 records are written (canonical).
 * Not for signing or formatting records (sign.c) nor for threads
 * (sign_pool.c): sign_chain_hash hashes a range, the caller runs ranges on
 * its threads.  Pure: no I/O.
 */
#ifndef SK_SIGN_CHAIN_H
#define SK_SIGN_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>
#include <openssl/evp.h>

#include "sign_zone.h"

#define SIGN_CHAIN_APEX		0x01	/* the zone apex */
#define SIGN_CHAIN_CUT		0x02	/* NS below the apex: a delegation */
#define SIGN_CHAIN_OCCLUDED	0x04	/* below a delegation: glue */
#define SIGN_CHAIN_DS		0x08	/* has a DS RRset */

#define SIGN_CHAIN_HASHLEN	20	/* SHA-1, the only NSEC3 algorithm */
#define SIGN_CHAIN_B32LEN	32	/* its base32hex label */
#define SIGN_CHAIN_MAX_TYPES	256	/* size of a type list */

/* One owner name: the records [first, first + n) of the zone. */
struct sign_chain_name {
	uint32_t	first, n;
	uint8_t		flags;		/* SIGN_CHAIN_* */
};

struct sign_chain;

/*
 * sign_chain_new: group the records of Z (already sorted with
 * sign_zone_sort; Z must outlive the chain and get no more records) by
 * owner and mark cuts and glue.  NSEC3 is nonzero for an NSEC3 chain with
 * ITERATIONS and the salt SALT (SALTLEN octets, copied), zero for NSEC.
 * Returns a new chain owned by the caller, or NULL (no memory, bad salt).
 */
struct sign_chain *sign_chain_new(const struct sign_zone *z, int nsec3,
	    uint16_t iterations, const uint8_t *salt, size_t saltlen);

/* sign_chain_free: release C.  NULL is a no-op. */
void	sign_chain_free(struct sign_chain *c);

/* sign_chain_nnames: the number of owner names. */
size_t	sign_chain_nnames(const struct sign_chain *c);

/* sign_chain_name: owner name I (I < nnames), owned by C. */
const struct sign_chain_name *sign_chain_name(const struct sign_chain *c,
	    size_t i);

/*
 * sign_chain_nsec3_layout: lay out the NSEC3 entries, unhashed.  Returns
 * their number (then hash every range [lo, hi) with sign_chain_hash and
 * call sign_chain_nsec3_sort), or (size_t)-1 when out of memory.
 */
size_t	sign_chain_nsec3_layout(struct sign_chain *c);

/*
 * sign_chain_hash: hash NSEC3 entries [LO, HI) with the caller's digest
 * context CTX and SHA-1 MD.  Disjoint ranges may run on several threads
 * at once.  Returns 0, or -1 when the digest fails.
 */
int	sign_chain_hash(struct sign_chain *c, size_t lo, size_t hi,
	    EVP_MD_CTX *ctx, const EVP_MD *md);

/*
 * sign_chain_nsec3_sort: sort the hashed entries.  Returns 0, or -1 when
 * two names have the same hash (a collision: another salt is needed).
 */
int	sign_chain_nsec3_sort(struct sign_chain *c);

/* sign_chain_nhashes: the number of NSEC3 entries (0 for NSEC). */
size_t	sign_chain_nhashes(const struct sign_chain *c);

/*
 * sign_chain_nsec3_owner: the wire owner of sorted NSEC3 entry J,
 * <base32hex>.<origin>, written to OUT (LDNS_MAX_DOMAINLEN + 1 octets).
 * Returns its length, or 0 on failure.
 */
size_t	sign_chain_nsec3_owner(const struct sign_chain *c, size_t j,
	    uint8_t *out);

/* sign_chain_nsec3_next: the hash (HASHLEN octets) after entry J. */
const uint8_t *sign_chain_nsec3_next(const struct sign_chain *c, size_t j);

/*
 * sign_chain_nsec3_name: the name of entry J, or NULL when J is an empty
 * non-terminal.
 */
const struct sign_chain_name *sign_chain_nsec3_name(
	    const struct sign_chain *c, size_t j);

/*
 * sign_chain_order: merge the names and the sorted NSEC3 entries into
 * canonical order (call after sign_chain_nsec3_sort, or at once for
 * NSEC).  Returns the number of items, or (size_t)-1 (no memory, too many).
 */
size_t	sign_chain_order(struct sign_chain *c);

/*
 * sign_chain_item: item I (I < the number sign_chain_order returned):
 * returns the name or NSEC3 entry index, with *NSEC3 set to 1 for an
 * NSEC3 entry, 0 for a name.
 */
size_t	sign_chain_item(const struct sign_chain *c, size_t i, int *nsec3);

/*
 * sign_chain_next_name: the wire name of the next authoritative name
 * after name I in the NSEC chain (wrapping to the apex), written to OUT
 * (LDNS_MAX_DOMAINLEN + 1 octets).  Returns its length.
 */
size_t	sign_chain_next_name(const struct sign_chain *c, size_t i,
	    uint8_t *out);

/*
 * sign_chain_types: the sorted type list of the NSEC or NSEC3 record of
 * NM into T (SIGN_CHAIN_MAX_TYPES entries): its types (only NS and DS at
 * a delegation), plus RRSIG and NSEC for NSEC, plus RRSIG for NSEC3 when
 * something at NM is signed.  Returns the number of types.
 */
size_t	sign_chain_types(const struct sign_chain *c,
	    const struct sign_chain_name *nm, ldns_rr_type *t);

#endif
