/*
 * canon: RFC 6376 section 3.4 canonicalisation, "simple" and "relaxed",
 * of header fields and of the body (specs/signature.md section 4).  The
 * body is canonicalised as a stream: feed it in chunks of any size (a
 * milter gets it that way) and get the SHA-256 at the end.  Pure: no I/O.
 * Not here: which fields are signed, tag lists, keys.
 */
#ifndef SK_CANON_H
#define SK_CANON_H

#include <stddef.h>

#include <openssl/evp.h>

enum canon_alg {
	CANON_SIMPLE = 1,
	CANON_RELAXED = 2,
};

#define CANON_HASH_LEN	32	/* SHA-256 */

/*
 * canon_header: the canonical form of one header field, FIELD (LEN
 * octets: name, colon, value, folding, with or without the final CRLF),
 * WITHOUT the final CRLF, as a malloc'd NUL-terminated string (*OUTLEN
 * set).  simple: the octets as they are; relaxed: lowercase name, value
 * unfolded, runs of WSP made one SP, WSP around the colon and at the end
 * removed.  NULL when out of memory or when FIELD has no colon.
 */
char		*canon_header(enum canon_alg alg, const char *field, size_t len,
		    size_t *outlen);

/*
 * canon_header_to: canon_header into the caller's OUT, which has room for
 * LEN octets (the canonical form is never longer than the field); no NUL
 * is added.  Returns the canonical length, or (size_t)-1 when FIELD has
 * no colon.  Allocates nothing.
 */
size_t		 canon_header_to(enum canon_alg alg, const char *field,
		    size_t len, char *out);

/* A body canonicaliser with its running hash. */
struct canon_body;

/*
 * canon_body_new: a canonicaliser for ALG hashing with MD (SHA-256,
 * fetched once by the caller and kept alive while this lives).  NULL when
 * out of memory or MD is unusable.
 */
struct canon_body *canon_body_new(enum canon_alg alg, const EVP_MD *md);
void		 canon_body_free(struct canon_body *);

/*
 * canon_body_tee: also pass every canonical octet to FN(ARG, data, len)
 * (tests and debugging).  FN NULL stops that.
 */
void		 canon_body_tee(struct canon_body *,
		    void (*fn)(void *, const char *, size_t), void *arg);

/*
 * canon_body_update: feed LEN octets of the body (CRLF line ends; a CRLF
 * may be split between chunks).  Returns 0, or -1 on a digest failure or
 * after canon_body_final.
 */
int		 canon_body_update(struct canon_body *, const char *data,
		    size_t len);

/*
 * canon_body_final: finish and store the SHA-256 of the canonical body in
 * OUT.  Returns 0 or -1.  Further updates fail.
 */
int		 canon_body_final(struct canon_body *,
		    unsigned char out[CANON_HASH_LEN]);

/* canon_body_length: canonical octets hashed so far (after final: all). */
unsigned long long canon_body_length(const struct canon_body *);

/* canon_name: "simple" / "relaxed"; canon_parse: the inverse, 0 if none. */
const char	*canon_name(enum canon_alg);
enum canon_alg	 canon_parse(const char *s, size_t len);

#endif
