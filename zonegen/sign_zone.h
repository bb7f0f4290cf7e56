/*
 * sign_zone: the unsigned zone as the signer holds it, compactly: one
 * arena of octets and one small fixed-size struct per record, instead of
 * an ldns_rr per record (at a million records ldns objects cost gigabytes).
 * Owner names are stored lowercase in "reversed" form: the wire labels
 * from the one nearest the root to the leftmost, without the root label
 * (www.example. -> \7example\3www), so that canonical order (RFC 4034
 * section 6.1) and ancestry are cheap to test.  RDATA is in canonical wire
 * form (RFC 4034 section 6.2).
 *
 * Only sign_zone_read does I/O (reads a zone file through ldns).
 */
#ifndef SK_SIGN_ZONE_H
#define SK_SIGN_ZONE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ldns/ldns.h>

#define SIGN_ZONE_MAX_RECORDS	100000000	/* refused beyond this */

/* One record.  Owner (reversed form) then RDATA live at OFF in the arena. */
struct sign_rec {
	size_t		off;
	uint32_t	ttl;
	uint32_t	line;		/* input line; 0 when generated */
	uint16_t	type;
	uint16_t	rdlen;
	uint8_t		ownlen;		/* octets of the reversed owner */
	uint8_t		nlabels;	/* labels, not counting the root */
};

struct sign_zone;

/*
 * sign_zone_new: an empty zone with origin ORIGIN (text, e.g.
 * "example.com." or "example.com").  Returns NULL with ERR set.
 */
struct sign_zone *sign_zone_new(const char *origin, char *err, size_t errsz);

/* sign_zone_free: release Z.  NULL is a no-op. */
void	sign_zone_free(struct sign_zone *z);

/*
 * sign_zone_read: add every record of the zone file FP (named FNAME in
 * messages; $ORIGIN starts as the zone origin, $TTL as 3600).  Returns 0,
 * or -1 with ERR set to "FNAME:LINE: what is wrong".
 */
int	sign_zone_read(struct sign_zone *z, FILE *fp, const char *fname,
	    char *err, size_t errsz);

/*
 * sign_zone_add_rr: add a copy of RR (the caller keeps RR); LINE is for
 * messages (0: none).  RRSIG, NSEC, NSEC3 and NSEC3PARAM records are
 * dropped (the signer makes its own) and counted.  Owners outside the
 * zone and classes other than IN are refused.  Returns 0, or -1 with ERR.
 */
int	sign_zone_add_rr(struct sign_zone *z, const ldns_rr *rr,
	    unsigned line, char *err, size_t errsz);

/*
 * sign_zone_add_wire: add one record given in parts: OWNER in wire form
 * (any case), TYPE, TTL and RDATA (RDLEN octets, canonical wire form).
 * Returns 0 or -1 (not in the zone, too many records, no memory).
 */
int	sign_zone_add_wire(struct sign_zone *z, const uint8_t *owner,
	    size_t ownlen, uint16_t type, uint32_t ttl, const uint8_t *rdata,
	    size_t rdlen, unsigned line);

/*
 * sign_zone_sort: sort the records into canonical order (owner, type,
 * RDATA), drop exact duplicates and give every RRset the smallest TTL
 * of its records.  Records added later are not sorted.
 */
void	sign_zone_sort(struct sign_zone *z);

/* sign_zone_count: the number of records. */
size_t	sign_zone_count(const struct sign_zone *z);

/* sign_zone_dropped: records dropped by sign_zone_add_rr (old DNSSEC). */
size_t	sign_zone_dropped(const struct sign_zone *z);

/* sign_zone_rec: record I (I < count); valid until the next add. */
const struct sign_rec *sign_zone_rec(const struct sign_zone *z, size_t i);

/* sign_zone_owner: the reversed owner of R; valid until the next add. */
const uint8_t *sign_zone_owner(const struct sign_zone *z,
	    const struct sign_rec *r);

/* sign_zone_rdata: the RDATA of R; valid until the next add. */
const uint8_t *sign_zone_rdata(const struct sign_zone *z,
	    const struct sign_rec *r);

/*
 * sign_zone_origin: the origin in reversed form; *LEN and *NLABELS (when
 * not NULL) get its length and label count.
 */
const uint8_t *sign_zone_origin(const struct sign_zone *z, size_t *len,
	    unsigned *nlabels);

/*
 * sign_zone_name_cmp: compare two reversed names in canonical DNS order
 * (RFC 4034 section 6.1).  Returns <0, 0 or >0.
 */
int	sign_zone_name_cmp(const uint8_t *a, size_t alen, const uint8_t *b,
	    size_t blen);

/*
 * sign_zone_name_wire: write reversed name REV (LEN octets) as a wire
 * name (with the root label) to OUT (LDNS_MAX_DOMAINLEN + 1 octets).
 * Returns the wire length.
 */
size_t	sign_zone_name_wire(const uint8_t *rev, size_t len, uint8_t *out);

/*
 * sign_zone_name_rev: wire name WIRE (WLEN octets, uncompressed) to
 * reversed form in OUT (LDNS_MAX_DOMAINLEN octets), lowercased.  Returns
 * the reversed length, or -1 on a malformed name; *NLABELS gets the
 * label count.
 */
int	sign_zone_name_rev(const uint8_t *wire, size_t wlen, uint8_t *out,
	    unsigned *nlabels);

/*
 * sign_zone_name_prefix: the length of the first K labels of reversed
 * name REV (LEN octets): the reversed form of its ancestor with K labels.
 */
size_t	sign_zone_name_prefix(const uint8_t *rev, size_t len, unsigned k);

/*
 * sign_zone_name_common: the number of leading labels (from the root)
 * that reversed names A and B share.
 */
unsigned sign_zone_name_common(const uint8_t *a, size_t alen,
	    const uint8_t *b, size_t blen);

#endif
