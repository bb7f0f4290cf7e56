/*
 * sigheader: the Sender-Key-Signature field value (specs/signature.md
 * section 1): parse it strictly, with every error of section 6.1 step 1,
 * and build it folded as section 7 says.  Also the DKIM-Signature form
 * of the DKIM test mode (section 9) and of the DKIM bridge (section 11).
 * Pure: no I/O.  Not here: hashing, keys, verification policy (sig.h).
 */
#ifndef SK_SIGHEADER_H
#define SK_SIGHEADER_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "canon.h"

#define SIGHEADER_NAME		"Sender-Key-Signature"
#define SIGHEADER_DKIM_NAME	"DKIM-Signature"
#define SIGHEADER_MAX_LEN	8192	/* unfolded field, octets */
#define SIGHEADER_MAX_H		64	/* names in h= */
#define SIGHEADER_BH_LEN	32
#define SIGHEADER_ED25519_LEN	64

/*
 * Which field: ours, or DKIM's for the test mode and RFC 8463 checks, or
 * DKIM's read for the DKIM bridge (signature.md 11.2): parsed exactly as
 * SIGHEADER_DKIM, and i= decoded into ident.
 */
enum sigheader_kind {
	SIGHEADER_SKS = 0,
	SIGHEADER_DKIM = 1,
	SIGHEADER_DKIM_BRIDGE = 2,
};

enum sigheader_alg {
	SIGHEADER_ED25519_SHA256 = 1,
	SIGHEADER_RSA_SHA256 = 2,
};

/* Parse errors, in the order they are checked (signature.md 6.1). */
enum sigheader_err {
	SIGHEADER_OK = 0,
	SIGHEADER_ETOOLONG,	/* too-long */
	SIGHEADER_ESYNTAX,	/* syntax */
	SIGHEADER_EDUPTAG,	/* duplicate-tag */
	SIGHEADER_EVERSION,	/* bad-version */
	SIGHEADER_ELTAG,	/* l-tag */
	SIGHEADER_EMISSING,	/* missing-tag */
	SIGHEADER_EALG,		/* bad-algorithm */
	SIGHEADER_ECANON,	/* bad-canon */
	SIGHEADER_ESENDER,	/* bad-sender */
	SIGHEADER_EH,		/* bad-h */
	SIGHEADER_EBASE64,	/* bad-base64 */
	SIGHEADER_ETIME,	/* bad-time */
	SIGHEADER_ENOMEM,
};

/* What a field says; owned by the sigheader (sigheader_get). */
struct sigheader_fields {
	enum sigheader_kind	 kind;
	enum sigheader_alg	 alg;
	enum canon_alg		 hcanon, bcanon;
	struct addr		*sender;	/* SKS: decoded s= */
	char			*domain;	/* DKIM: d= */
	char			*selector;	/* DKIM: s= */
	struct addr		*ident;		/* DKIM_BRIDGE: decoded i=, or
						   NULL when absent or not
						   an address */
	char			**h;		/* names, lowercased */
	size_t			 nh;
	unsigned char		 bh[SIGHEADER_BH_LEN];
	unsigned char		*b;
	size_t			 blen;
	int64_t			 t, x;		/* DKIM: -1 when absent */
};

struct sigheader;

/*
 * sigheader_parse: parse the field VALUE (LEN octets after the colon,
 * folding included) as KIND.  Returns a new sigheader (caller frees) or
 * NULL with *ERR set to the first failing check.  SIGHEADER_DKIM_BRIDGE
 * fails exactly where SIGHEADER_DKIM does: an i= that is not
 * DKIM-Quoted-Printable or not an address is no error, ident stays NULL.
 */
struct sigheader *sigheader_parse(enum sigheader_kind kind, const char *value,
		    size_t len, enum sigheader_err *err);
void		 sigheader_free(struct sigheader *);
const struct sigheader_fields *sigheader_get(const struct sigheader *);

/*
 * sigheader_strip_b: a malloc'd copy of the field FIELD (LEN octets, name
 * included) in which the value of the tag b is empty: everything after
 * "b=" up to the next ';' or the end of the field (a final CRLF is kept)
 * is deleted (signature.md 4.3).  *OUTLEN set.  NULL when out of memory or
 * when there is no b tag.
 */
char		*sigheader_strip_b(const char *field, size_t len,
		    size_t *outlen);

/*
 * sigheader_b_span: what sigheader_strip_b deletes from FIELD (LEN
 * octets), without copying: octets [*CUT, *RESUME).  Returns 0, or -1
 * when there is no b tag (or no colon).
 */
int		 sigheader_b_span(const char *field, size_t len, size_t *cut,
		    size_t *resume);

/* What to build; the caller owns the pointers. */
struct sigheader_params {
	enum sigheader_kind	 kind;
	enum sigheader_alg	 alg;
	enum canon_alg		 hcanon, bcanon;
	const char		*sender;	/* SKS: canonical address */
	const char		*domain;	/* DKIM: d= */
	const char		*selector;	/* DKIM: s= */
	const char *const	*h;
	size_t			 nh;
	const unsigned char	*bh;		/* SIGHEADER_BH_LEN octets */
	int64_t			 t, x;
	const char		*ident;		/* DKIM: i=, canonical address;
						   NULL: no i= */
};

/*
 * sigheader_format: the whole field "Name: v=1; ..." for P with b= set to
 * B64 (NULL or "": empty), folded with CRLF + SP (CRLF + 2 SP inside h and
 * b) so that no line reaches 78 octets, tags in the order v a c s t x h bh
 * b (DKIM: v a c d s i t x h bh b, i= only when P->ident is set, written
 * in DKIM-Quoted-Printable), without a final CRLF, malloc'd and
 * NUL-terminated (*LEN set).  NULL when out of memory.
 */
char		*sigheader_format(const struct sigheader_params *p,
		    const char *b64, size_t *len);

/*
 * sigheader_qp_encode: the DKIM-Quoted-Printable form of the NUL-terminated
 * address A (signature.md 1.1), malloc'd; NULL when out of memory.
 */
char		*sigheader_qp_encode(const char *a);

const char	*sigheader_errname(enum sigheader_err);	/* "bad-h" */
const char	*sigheader_alg_name(enum sigheader_alg);	/* "ed25519-sha256" */

#endif
