/*
 * answer: parse senderkeyd's line-protocol replies (specs/protocol.md 3.3)
 * as the milter needs them: an AUTHZ verdict line, a LOOKUP "ok" line
 * turned into the key state and candidate keys of lib/sig.h, and a
 * DKIMKEY "ok" line into the state and fingerprints of the DKIM record.
 * Pure: no I/O.  Not here: talking to the daemon (daemon.h), deciding (verify.h).
 */
#ifndef SK_MILTER_ANSWER_H
#define SK_MILTER_ANSWER_H

#include <stddef.h>

#include "lib/key.h"
#include "lib/sig.h"
#include "core/refusal.h"
#include "core/verdict.h"

#define ANSWER_MAX_KEYS		16	/* LOOKUP_MAX_KEY_RECORDS */
#define ANSWER_REASON_MAX	64
#define ANSWER_CLASS_MAX	32

/* One AUTHZ reply. */
struct answer_authz {
	enum verdict	 verdict;
	enum verdict_tag tag;
	char		 reason[ANSWER_REASON_MAX];	/* the reason code */
	char		 class_id[ANSWER_CLASS_MAX];	/* "-" when absent */
	char		 text[REFUSAL_TEXT_SIZE];	/* text=; "" absent */
};

/*
 * answer_authz_parse: LINE (NUL-terminated, no LF) decoded by
 * proto_line_authz_decode into *OUT.  "error ..." lines, unknown
 * verdicts, reasons or tags, a missing tag= or one that does not go with
 * the verdict return -1 (callers tempfail).  Returns 0 or -1.
 */
int		 answer_authz_parse(const char *line,
		    struct answer_authz *out);

/* The keys of one LOOKUP reply; answer_lookup_free releases them. */
struct answer_lookup {
	enum sig_keystate state;
	struct sig_key	 keys[ANSWER_MAX_KEYS];	/* pkey owned here */
	size_t		 nkeys;
};

/*
 * answer_lookup_parse: LINE as "ok state=S ... key=ALG,FP,FLAG,P ...",
 * decoded by proto_line_lookup_decode.  The state maps to sig_keystate
 * as signature.md 6.1 step 7 says; SECURE_NOKEY is revoked / expired
 * with nokey=revoked / nokey=expired, else "no key".  A key whose P does
 * not decode or
 * whose fingerprint differs from FP is skipped.  Returns 0 with *OUT
 * filled (free with answer_lookup_free), or -1 (an "error" reply, no
 * state=, or out of memory) with *OUT empty.
 */
int		 answer_lookup_parse(const char *line,
		    struct answer_lookup *out);
void		 answer_lookup_free(struct answer_lookup *a);

/* One LOOKUP reply split into words but no key decoded. */
struct answer_lookup_raw {
	enum sig_keystate state;
	const char	*keys[ANSWER_MAX_KEYS];	/* "ALG,FP,FLAG,P", in buf */
	size_t		 nkeys;		/* 0 unless state is SIG_KEYS_FOUND */
	unsigned	 ttl;		/* ttl=; 0 when absent or not a number */
	char		*buf;
};

/*
 * answer_lookup_split: LINE as answer_lookup_parse reads it, without
 * decoding the keys: *OUT gets the state, the ttl= and, for SIG_KEYS_FOUND
 * only, the text of every key= value (at most ANSWER_MAX_KEYS).  Returns 0
 * (free with answer_lookup_raw_free), or -1 as answer_lookup_parse.
 */
int		 answer_lookup_split(const char *line,
		    struct answer_lookup_raw *out);
void		 answer_lookup_raw_free(struct answer_lookup_raw *r);

/* One DKIMKEY reply (the DKIM bridge's DKIM key record lookup). */
struct answer_dkimkey {
	enum sig_keystate state;
	char		 fps[ANSWER_MAX_KEYS][KEY_FP_SIZE];	/* FOUND only */
	size_t		 nfps;
};

/*
 * answer_dkimkey_parse: LINE as a DKIMKEY reply ("ok state=S ...
 * key=ALG,FP,FLAG,P ...", proto_line_lookup_dkim_decode) into *OUT, what
 * sig_verify_dkim takes: the state mapped as answer_lookup_parse maps a
 * LOOKUP reply's, and for SIG_KEYS_FOUND only the fingerprints FP of the
 * key= values, in reply order, each as key_fingerprint writes it; a key=
 * whose P does not decode or is not FP's key is skipped (fewer
 * candidates: fail closed).  Returns 0, or -1 (an "error" reply, no
 * state=, out of memory) with *OUT empty.
 */
int		 answer_dkimkey_parse(const char *line,
		    struct answer_dkimkey *out);

/*
 * answer_key_decode: one key= value SPEC ("ALG,FP,FLAG,P") as a new public
 * key (the caller's), *TESTING set from FLAG.  NULL when ALG is unknown, P
 * is empty or does not decode to a key, or the key's fingerprint is not FP.
 */
EVP_PKEY	*answer_key_decode(const char *spec, int *testing);

#endif
