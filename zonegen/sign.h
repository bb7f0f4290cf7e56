/*
 * sign: the DNSSEC zone signer.  Takes an unsigned zone (struct sign_zone)
 * and keys (struct sign_key) and writes the signed zone in canonical order
 * (names in RFC 4034 canonical order; at each name the RRsets by type, each
 * followed by its RRSIGs), with the DNSKEY RRset signed by the KSKs and all
 * else by the ZSKs (keys of one kind only: each signs everything, a CSK),
 * an NSEC3 chain (RFC 9276: SHA-1, 0 extra iterations, empty salt, no
 * opt-out) plus NSEC3PARAM, or an NSEC chain.  Signing runs on a pool of
 * threads over chunks of names; the output is deterministic (the same
 * input, keys and times give the same bytes, except that ECDSA signatures
 * are randomised).
 *
 * Defaults: inception = now - 1 hour (clock skew), expiration = now + 14
 * days, threads = the number of online cores.  TTLs: DNSKEY gets the SOA
 * TTL; NSEC, NSEC3 and NSEC3PARAM get min(SOA TTL, SOA MINIMUM) (RFC 9077).
 * Names below a delegation (NS not at the apex) are written unsigned and
 * left out of the chain; at a delegation only DS is signed.
 *
 * The only I/O is writing to the FILE *s the caller gives.
 */
#ifndef SK_SIGN_H
#define SK_SIGN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sign_key.h"
#include "sign_zone.h"

#define SIGN_MAX_KEYS		16
#define SIGN_MAX_THREADS	256
#define SIGN_MAX_SALT		255
#define SIGN_MAX_ITERATIONS	500
#define SIGN_DEFAULT_VALIDITY	(14 * 86400)
#define SIGN_DEFAULT_SKEW	3600

enum sign_denial {
	SIGN_DENIAL_NSEC3 = 0,	/* the default */
	SIGN_DENIAL_NSEC,
};

struct sign_opts {
	enum sign_denial denial;
	uint16_t	 iterations;	/* NSEC3 extra iterations: 0 */
	uint8_t		 salt[SIGN_MAX_SALT];
	size_t		 saltlen;	/* 0: no salt */
	int64_t		 inception;	/* seconds since 1970; 0: default */
	int64_t		 expiration;	/* 0: default */
	unsigned	 threads;	/* 0: every online core */
	/* Called by the writing thread after each chunk, when not NULL. */
	void		(*progress)(void *arg, size_t done, size_t total);
	void		*progress_arg;
};

struct sign_stats {
	size_t	records;	/* records written, not counting the below */
	size_t	rrsigs;
	size_t	denials;	/* NSEC or NSEC3 records */
	size_t	names;		/* owner names of the unsigned zone */
	size_t	dropped;	/* old RRSIG/NSEC/NSEC3/NSEC3PARAM dropped */
};

/* sign_opts_init: the defaults above into O. */
void	sign_opts_init(struct sign_opts *o);

/*
 * sign_run: sign Z with the NKEYS keys KEYS (all owned by the zone
 * apex) and write the signed zone to OUT and, when DS is not NULL, the DS
 * records (SHA-256) of the KSKs (of every key when none is a KSK) to DS.
 * Adds the DNSKEY (and NSEC3PARAM) records to Z and sorts it.  Fills ST
 * when not NULL.  Returns 0, or -1 with ERR set (no SOA at the apex, bad
 * times or options, a key for another zone, a write error, no memory);
 * OUT may then hold part of a zone: write to a temporary file.
 */
int	sign_run(struct sign_zone *z, struct sign_key *const *keys,
	    size_t nkeys, const struct sign_opts *o, FILE *out, FILE *ds,
	    struct sign_stats *st, char *err, size_t errsz);

#endif
