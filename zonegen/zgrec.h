/*
 * zgrec: the compact records of a zonegen, shared by zonegen.c (which
 * decides and adds them) and zgrec.c (which rebuilds their names and
 * RDATA and puts them in canonical order).  Internal to zonegen/: callers
 * use zonegen.h.
 */
#ifndef SK_ZGREC_H
#define SK_ZGREC_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>
#include <openssl/evp.h>

#include "lib/key.h"
#include "lib/owner.h"
#include "zonegen.h"

#define TXT_MAX_RDATA	2048	/* a key record's text is far shorter */
#define HASH_OCTETS	(OWNER_HASH_LEN / 2)
#define DKIM_OCTETS	(OWNER_DKIM_HEX / 2)
#define NO_ADDR		UINT64_MAX

enum group {
	G_OTHER,	/* owner in the arena (apex records) */
	G_SENDERKEY,	/* HASH._senderkey.DOMAIN. */
	G_OPENPGPKEY,	/* HASH._openpgpkey.DOMAIN. */
	G_DKIM,		/* "sk" HASH[0:16]._domainkey.DOMAIN. (the hash
			   octets past DKIM_OCTETS are zero) */
	G_N,
};

enum form {
	F_RDATA,	/* RDATA in the arena */
	F_ED25519,	/* a plain Ed25519 key record: only the key is kept,
			   zgrec_rdata encodes it with keyrec_encode_buf */
	F_DKIM_ED25519,	/* the same for a DKIM key record (not testing),
			   through keyrec_dkim_encode_buf */
};

struct rec {
	uint8_t		 hash[HASH_OCTETS];	/* the hashed groups */
	uint32_t	 rdlen;			/* F_RDATA */
	union {
		uint8_t	 key[KEY_ED25519_LEN];	/* F_*ED25519 */
		struct {
			uint64_t owner;		/* G_OTHER: wire owner */
			uint64_t rdata;		/* F_RDATA */
		} off;
	} u;
	uint64_t	 addr;		/* address in the arena, or NO_ADDR */
	uint16_t	 type;
	uint8_t		 kind;
	uint8_t		 group;
	uint8_t		 form;
	uint8_t		 ownlen;	/* G_OTHER */
};

struct zonegen {
	struct zonegen_opts	 o;
	struct rec		*recs;		/* in the order of adding */
	size_t			 n, cap;
	size_t			*ord;		/* zonegen_finish: sorted */
	size_t			 nord;
	uint8_t			*arena;
	size_t			 alen, acap;
	struct zonegen_counts	 counts;
	char			*domain;
	EVP_MD			*sha256;
	EVP_MD_CTX		*mdctx;		/* reused for every name */
	/* per group: the wire suffix after the hash label, its rank in */
	/* canonical order, and whether its labels print as themselves */
	uint8_t			 suffix[G_N][LDNS_MAX_DOMAINLEN + 1];
	size_t			 sufflen[G_N];
	int			 rank[G_N];
	int			 plain[G_N];
	struct zonegen_rec	*pub;		/* zonegen_records, lazily */
	size_t			 npub;
};

/*
 * zgrec_owner: R's owner in wire form, built in BUF (LDNS_MAX_DOMAINLEN +
 * 1 octets) or found in the arena; sets *LEN.
 * zgrec_rdata: R's RDATA, built in BUF (ZONEGEN_RDBUF octets; a plain
 * Ed25519 key record through keyrec_encode_buf or, for a DKIM one,
 * keyrec_dkim_encode_buf) or found in the arena; sets *LEN.
 */
const uint8_t	*zgrec_owner(const struct zonegen *zg, const struct rec *r,
		    uint8_t *buf, size_t *len);
const uint8_t	*zgrec_rdata(const struct zonegen *zg, const struct rec *r,
		    uint8_t *buf, size_t *len);

/* zgrec_namecmp: wire names A and B in canonical DNS order (-1, 0, 1). */
int		 zgrec_namecmp(const uint8_t *a, size_t alen, const uint8_t *b,
		    size_t blen);

/*
 * zgrec_sort: the canonical order of ZG's records in zg->ord (a new
 * array, zg->nord entries), without exact duplicates; the records stay
 * where they are.  Returns 0, or -1 when out of memory.
 */
int		 zgrec_sort(struct zonegen *zg);

#endif
