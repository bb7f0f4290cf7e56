/*
 * keyrec: sender key records, the TXT RDATA at
 * <hash>._senderkey.<domain> (specs/record-format.md).  Pure: no I/O.
 *
 *   v=SK1; k=ed25519; p=<base64 raw 32-octet key>
 *   v=SK1; k=rsa; p=<base64 DER SubjectPublicKeyInfo, >= 2048 bits>
 *   optional: t=y (testing), x=<unix time, not after>, n=<notes>
 *   an empty p= is a revoked key.
 *
 * and the same key as a DKIM key record (RFC 6376 3.6.1, RFC 8463), the
 * TXT RDATA at <selector>._domainkey.<domain> of the DKIM bridge
 * (record-format.md 3.3):
 *
 *   v=DKIM1; k=ed25519; h=sha256; s=email; t=s; p=<same p= as SK1>
 */
#ifndef SK_KEYREC_H
#define SK_KEYREC_H

#include <stddef.h>
#include <stdint.h>

enum keyrec_alg {
	KEYREC_ED25519 = 1,
	KEYREC_RSA = 2,
};

enum keyrec_err {
	KEYREC_OK = 0,
	KEYREC_ESYNTAX,		/* tag-list syntax (see taglist) */
	KEYREC_EDUPTAG,		/* a tag appears twice */
	KEYREC_EVERSION,	/* v= missing, not first, or not "SK1" */
	KEYREC_EMISSING,	/* k= or p= missing */
	KEYREC_EALG,		/* k= names an unknown algorithm */
	KEYREC_EBASE64,		/* p= is not valid base64 */
	KEYREC_EKEYLEN,		/* ed25519 key not 32 octets */
	KEYREC_EKEY,		/* rsa p= not a DER RSA SubjectPublicKeyInfo */
	KEYREC_ERSASMALL,	/* RSA modulus under 2048 bits */
	KEYREC_EEXPIRY,		/* x= not a decimal Unix time */
	KEYREC_ENOTES,		/* n= has characters a tag value cannot hold */
	KEYREC_ETOOLONG,	/* over KEYREC_MAX_LEN octets */
	KEYREC_EHASH,		/* DKIM: h= does not list sha256 */
	KEYREC_ESERVICE,	/* DKIM: s= lists neither "*" nor "email" */
};

#define KEYREC_MAX_LEN		4096	/* longest record text accepted */
#define KEYREC_RSA_MIN_BITS	2048
#define KEYREC_MAX_PER_NAME	16	/* more key records at a name: refused */

/* What a record says; for keyrec_encode the caller owns the pointers. */
struct keyrec_fields {
	enum keyrec_alg		 alg;
	const unsigned char	*key;	/* raw ed25519 key or RSA SPKI DER */
	size_t			 keylen;	/* 0: revoked (empty p=) */
	int			 testing;	/* t=y */
	int64_t			 not_after;	/* x=, 0 when absent */
	const char		*notes;	/* n=, NULL when absent */
};

struct keyrec;

/*
 * keyrec_parse: parse the joined TXT text (LEN octets).  Returns a new
 * keyrec owned by the caller, or NULL with *ERR / *POS set when not NULL.
 * Unknown tags are ignored (forward compatibility, as in DKIM).
 */
struct keyrec	*keyrec_parse(const char *text, size_t len,
		    enum keyrec_err *err, size_t *pos);
void		 keyrec_free(struct keyrec *);

/*
 * keyrec_flat_size: the octets keyrec_flat_copy needs for KR (a multiple
 * of 8).
 */
size_t		 keyrec_flat_size(const struct keyrec *kr);

/*
 * keyrec_flat_copy: a copy of KR laid out in BUF (keyrec_flat_size(KR)
 * octets, 8-aligned): the record, its key and its notes in that one
 * block, so that reading it costs one cache miss, not three.  The copy
 * belongs to whoever owns BUF and goes with it: never keyrec_free it.
 * Returns the copy (at BUF).
 */
struct keyrec	*keyrec_flat_copy(const struct keyrec *kr, void *buf);

/* keyrec_get: the parsed fields, owned by the keyrec. */
const struct keyrec_fields *keyrec_get(const struct keyrec *);
/* keyrec_bits: key size in bits (256 for ed25519), 0 if revoked. */
unsigned	 keyrec_bits(const struct keyrec *);

/*
 * keyrec_usable: 1 if the key may verify signatures at time NOW (not
 * revoked, not past x=), else 0.  The testing flag does not change this.
 */
int		 keyrec_usable(const struct keyrec *, int64_t now);

/*
 * keyrec_encode: the record text for F in canonical tag order
 * (v k [t] [x] [n] p), malloc'd and NUL-terminated, or NULL with *ERR set
 * when F is invalid (same checks as the parser).
 */
char		*keyrec_encode(const struct keyrec_fields *f,
		    enum keyrec_err *err);

/*
 * keyrec_encode_buf: keyrec_encode into the caller's OUT (OUTSZ octets:
 * the text and a NUL), without allocating; zonegen encodes every key
 * record through it.  Returns 0 with *OUTLEN set to the text's length, or
 * -1 with *ERR set: F invalid as for keyrec_encode, or KEYREC_ETOOLONG
 * when the text is over KEYREC_MAX_LEN or does not fit in OUTSZ.
 */
int		 keyrec_encode_buf(const struct keyrec_fields *f, char *out,
		    size_t outsz, size_t *outlen, enum keyrec_err *err);

/*
 * keyrec_dkim_parse: parse the joined TXT text (LEN octets) of a DKIM key
 * record into the same struct as keyrec_parse: v= optional but, when
 * present, first and "DKIM1"; k= optional (default rsa), "ed25519" or
 * "rsa"; p= required, the key checked as for SK1 (empty: revoked, RSA of
 * at least 2048 bits); h=, when present, must list "sha256"; s=, when
 * present, "*" or "email"; t= flag "y" sets testing, other flags are
 * ignored; n=, x= and unknown tags are ignored (DKIM has no x=: never an
 * expiry).  Returns a new keyrec, or NULL with *ERR / *POS set.
 */
struct keyrec	*keyrec_dkim_parse(const char *text, size_t len,
		    enum keyrec_err *err, size_t *pos);

/*
 * keyrec_dkim_encode_buf / keyrec_dkim_encode: the DKIM key record for
 * F's key: "v=DKIM1; k=ALG; h=sha256; s=email; t=s; p=B64" ("t=y:s" when
 * F is testing).  F's x= and n= have no DKIM counterpart and are left
 * out.  Same returns and errors as keyrec_encode_buf / keyrec_encode.
 */
int		 keyrec_dkim_encode_buf(const struct keyrec_fields *f,
		    char *out, size_t outsz, size_t *outlen,
		    enum keyrec_err *err);
char		*keyrec_dkim_encode(const struct keyrec_fields *f,
		    enum keyrec_err *err);

const char	*keyrec_alg_name(enum keyrec_alg);	/* "ed25519" */
const char	*keyrec_errname(enum keyrec_err);	/* "bad-base64" */
const char	*keyrec_strerror(enum keyrec_err);

#endif
