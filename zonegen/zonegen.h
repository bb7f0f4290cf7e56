/*
 * zonegen: from the keys of a domain's senders to the records to publish
 * (specs/zonegen.md).  Pure: the caller has parsed the manifests and
 * loaded the keys; this module decides which records exist, builds them
 * with ldns and orders them canonically.  zoneout.c writes them.
 */
#ifndef SK_ZONEGEN_H
#define SK_ZONEGEN_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>
#include <openssl/evp.h>

#include "lib/policyrec.h"

struct addr;

/* One key of one sender, as the manifests describe it. */
struct zonegen_key {
	const struct addr	*addr;		/* canonical sender */
	const EVP_PKEY		*pk;		/* NULL: revoked, or ed25519 */
	/* The raw Ed25519 key instead of PK (key_ssh_ed25519_raw), or NULL */
	const unsigned char	*ed25519;
	int			 revoked;	/* publish p= empty */
	int			 testing;	/* t=y */
	int64_t			 not_before;	/* 0: none */
	int64_t			 not_after;	/* 0: none */
	const unsigned char	*openpgp;	/* OPENPGPKEY RDATA, or NULL */
	size_t			 openpgp_len;
	const char		*origin;	/* "FILE:LINE", for messages */
};

struct zonegen_opts {
	const char		*domain;	/* A-label, no trailing dot */
	uint32_t		 ttl;		/* every record (default 3600) */
	int64_t			 now;		/* Unix time the zone is for */
	int64_t			 prepublish;	/* seconds before not_before */
	int			 policy;	/* 0, or an enum policyrec_policy */
	int			 dkim;		/* also DKIM key records */
	/* SOA and NS (all NULL: no apex records, for $INCLUDE) */
	const char		*soa_mname;
	const char		*soa_rname;
	uint32_t		 soa_serial;
	const char *const	*ns;
	size_t			 nns;
};

/* What became of the keys, for the zone header and the report. */
struct zonegen_counts {
	size_t	senders;	/* distinct senders with a record */
	size_t	keys;		/* _senderkey records with a key */
	size_t	revoked;	/* _senderkey records with p= empty */
	size_t	pending;	/* not published yet (not_before) */
	size_t	retired;	/* not published any more (not_after) */
	size_t	openpgp;	/* OPENPGPKEY records */
	size_t	dkim;		/* DKIM key records (opts dkim) */
	size_t	records;	/* all records written */
};

enum zonegen_kind {
	ZONEGEN_APEX,		/* SOA, NS, the policy record */
	ZONEGEN_KEY,		/* _senderkey TXT with a key */
	ZONEGEN_REVOKED,	/* _senderkey TXT with p= empty */
	ZONEGEN_OPENPGP,	/* OPENPGPKEY */
	ZONEGEN_DKIM,		/* <selector>._domainkey TXT (DKIM bridge) */
};

#define ZONEGEN_RDBUF	128	/* RDATA built on the fly (key records) */

/*
 * A record in wire form and, for people, the sender it belongs to: what
 * writers and the signer (sign_zone_add_wire) need, without an ldns_rr.
 * The zonegen keeps records compactly (hash octets, raw keys) and builds
 * owner and RDATA into the buffers of this struct when asked: OWNER and
 * RDATA point into them or into the zonegen.
 */
struct zonegen_wire {
	const uint8_t		*owner;		/* uncompressed wire name */
	size_t			 ownlen;
	uint16_t		 type;
	uint32_t		 ttl;
	const uint8_t		*rdata;		/* canonical wire RDATA */
	size_t			 rdlen;
	const char		*address;	/* canonical address, or NULL */
	enum zonegen_kind	 kind;
	/*
	 * 1 when the owner's labels hold only letters, digits, '-' and '_'
	 * and the record is a TXT whose strings hold only printable ASCII
	 * but '"' and '\\' (zone-file text without escapes), else 0.
	 */
	int			 plain;
	uint8_t			 ownbuf[LDNS_MAX_DOMAINLEN + 1];
	uint8_t			 rdbuf[ZONEGEN_RDBUF];
};

/* A record as an ldns_rr and, for people, the sender it belongs to. */
struct zonegen_rec {
	ldns_rr			*rr;
	const char		*address;	/* canonical address, or NULL */
	enum zonegen_kind	 kind;
};

struct zonegen;

/*
 * zonegen_new: an empty record set for OPTS (copied; the strings must
 * outlive the zonegen).  NULL when out of memory.
 */
struct zonegen	*zonegen_new(const struct zonegen_opts *opts);
void		 zonegen_free(struct zonegen *);

/*
 * zonegen_reserve: room for the records of about NKEYS keys, allocated at
 * once (a hint for big zones: growing by doubling copies and touches
 * twice the memory).  zonegen_add grows past it as needed.  Returns 0, or
 * -1 when out of memory (nothing changed).
 */
int		 zonegen_reserve(struct zonegen *, size_t nkeys);

/*
 * zonegen_add: add the records for K (the strings and the key are copied
 * or referenced only during the call).  Returns 0, or -1 with ERR set
 * ("ORIGIN: what is wrong") when K cannot be published (sender of another
 * domain, owner name too long, record invalid, more than 16 keys at one
 * name).
 */
int		 zonegen_add(struct zonegen *, const struct zonegen_key *k,
		    char *err, size_t errsz);

/*
 * zonegen_finish: add the apex records (policy, SOA, NS), drop duplicates
 * and sort in canonical DNS order.  Returns 0 or -1 with ERR set.  After
 * it, zonegen_records lists the result (owned by the zonegen).
 */
int		 zonegen_finish(struct zonegen *, char *err, size_t errsz);

/*
 * zonegen_count, zonegen_wire: after zonegen_finish, the number of records
 * and record I (I < count) in wire form, in canonical order.  The pointers
 * in *W stay valid until the next zonegen_wire call on the same W or
 * zonegen_free, whichever comes first.  Cheap: no allocation.
 */
size_t		 zonegen_count(const struct zonegen *);
void		 zonegen_wire(const struct zonegen *, size_t i,
		    struct zonegen_wire *w);

/*
 * zonegen_wire_rr: record W as a new ldns_rr (the caller frees it with
 * ldns_rr_free), parsed by ldns from the wire form; NULL when out of
 * memory.
 */
ldns_rr		*zonegen_wire_rr(const struct zonegen_wire *w);

/*
 * zonegen_records: the same records as ldns_rr objects (owned by the
 * zonegen), built on the first call (an ldns_rr per record: slow and
 * large for big zones; prefer zonegen_wire).  NULL with *N = 0 when out
 * of memory.
 */
const struct zonegen_rec *zonegen_records(const struct zonegen *, size_t *n);
const struct zonegen_counts *zonegen_counts(const struct zonegen *);
const char	*zonegen_domain(const struct zonegen *);
uint32_t	 zonegen_ttl(const struct zonegen *);

#endif
