/*
 * proto_line_lookup: the LOOKUP reply of specs/protocol.md 3.3 as values,
 * and its codec (and the DKIMKEY reply's, the same values without
 * policy=): senderkeyd encodes it, the milter and the CLI decode it.
 * Pure: no I/O, no allocation.  Not here: the request (proto_line.h,
 * proto_line_req.h).
 */
#ifndef SK_PROTO_LINE_LOOKUP_H
#define SK_PROTO_LINE_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "lookup.h"
#include "proto_line.h"

#define PROTO_LINE_KEYS_MAX	LOOKUP_MAX_KEY_RECORDS	/* key= per LOOKUP */

/*
 * A LOOKUP reply (3.3) as values.  The strings point into the line given
 * to proto_line_lookup_decode (or the caller's, for encoding).
 */
struct proto_line_lookup {
	enum lookup_state	 state;
	enum lookup_nokey	 nokey;		/* NONE: no nokey= */
	const char		*owner;		/* NULL: no owner= */
	enum verdict_policy	 policy;	/* VPOL_SOME without policy= */
	const char		*keys[PROTO_LINE_KEYS_MAX]; /* ALG,FP,FLAG,P */
	size_t			 nkeys;
	uint64_t		 malformed;	/* 0: not written */
	const char		*why;		/* NULL: no why= */
	size_t			 whylen;	/* decoded octets of why */
	uint64_t		 ttl;
};

/*
 * proto_line_lookup_encode: L as "ok state=S [nokey=N] owner=O policy=P
 * key=... [malformed=N] [why=W] ttl=T" LF into BUF (keys in the order
 * given; why percent-encoded, WHYLEN octets).  nokey= is written when
 * L->nokey is not NONE, which only secure-nokey answers should carry.
 * Returns the length, or -1 (a key or owner that is not tchar, a value
 * out of range, BUF too small).
 */
int		 proto_line_lookup_encode(char *buf, size_t bufsz,
		    const struct proto_line_lookup *l);

/*
 * proto_line_lookup_decode: one LOOKUP reply LINE (NUL-terminated, a
 * final LF allowed), split in place, into *OUT, whose strings then point
 * into LINE (why= is percent-decoded in place).  "ok" and a known state=
 * are required; a nokey= value that is not known reads as ABSENT (still
 * no key); more than PROTO_LINE_KEYS_MAX key= values, a bad number or a
 * bad percent escape fail.  Unknown attributes are ignored.  Returns 0,
 * or -1 (an "error" reply included).
 */
int		 proto_line_lookup_decode(char *line,
		    struct proto_line_lookup *out);

/*
 * proto_line_lookup_dkim_encode, proto_line_lookup_dkim_decode: the DKIMKEY
 * reply (3.3), "ok state=S [nokey=N] owner=O key=... [malformed=N]
 * [why=W] ttl=T": as proto_line_lookup_encode / _decode without policy=
 * (not written; when read, ignored as an unknown attribute, and L->policy
 * is VPOL_SOME).  OWNER is the DKIM owner name, the key= values the DKIM
 * record's usable keys, in LOOKUP's form.
 */
int		 proto_line_lookup_dkim_encode(char *buf, size_t bufsz,
		    const struct proto_line_lookup *l);
int		 proto_line_lookup_dkim_decode(char *line,
		    struct proto_line_lookup *out);

#endif
