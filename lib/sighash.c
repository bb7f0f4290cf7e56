/*
 * sighash.c: the body hash and the header hash of a signature (see
 * sighash.h).  The header hash input is gathered in a buffer on the stack
 * (canonical fields written straight into it, one digest update per
 * buffer-full) so that a verification costs no allocation here unless a
 * field is larger than the buffer.  Not here: which fields a signer lists
 * (sig.c), canonicalisation rules (canon.c).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "canon.h"
#include "msg.h"
#include "sighash.h"

#define HBUF		4096	/* hash input gathered before an update */
#define USED_STACK	256	/* fields tracked without calloc */
#define SIGBUF		2048	/* a signature field stripped of b= */

int
sighash_body(const EVP_MD *sha256, const struct msg *m, enum canon_alg alg,
    unsigned char out[SIGHASH_LEN])
{
	struct canon_body *cb;
	const char *body;
	size_t len;
	int rc = -1;

	body = msg_body(m, &len);
	if ((cb = canon_body_new(alg, sha256)) == NULL)
		return -1;
	if (canon_body_update(cb, body, len) == 0 &&
	    canon_body_final(cb, out) == 0)
		rc = 0;
	canon_body_free(cb);
	return rc;
}

/* The hash input on its way to the digest. */
struct hbuf {
	EVP_MD_CTX	*md;
	size_t		 n;
	char		 b[HBUF];
};

/*
 * hb_field: the canonical form of FIELD (LEN octets), and CRLF when asked,
 * appended to H.  0 or -1.
 */
static int
hb_field(struct hbuf *h, enum canon_alg alg, const char *field, size_t len,
    int crlf)
{
	char *big = NULL, *dst;
	size_t n;
	int ok = 1;

	if (len + 2 > HBUF - h->n) {
		if (h->n > 0 && !EVP_DigestUpdate(h->md, h->b, h->n))
			return -1;
		h->n = 0;
		if (len + 2 > HBUF && (big = malloc(len + 2)) == NULL)
			return -1;
	}
	dst = big != NULL ? big : h->b + h->n;
	if ((n = canon_header_to(alg, field, len, dst)) == (size_t)-1) {
		free(big);
		return -1;
	}
	if (crlf) {
		dst[n++] = '\r';
		dst[n++] = '\n';
	}
	if (big != NULL) {
		ok = EVP_DigestUpdate(h->md, big, n);
		free(big);
	} else
		h->n += n;
	return ok ? 0 : -1;
}

int
sighash_header(EVP_MD_CTX *md, const EVP_MD *sha256, const struct msg *m,
    char *const *h, size_t nh, enum canon_alg alg, const char *sigfield,
    size_t siglen, size_t cut, size_t resume, unsigned char out[SIGHASH_LEN])
{
	const struct msg_field *f;
	struct hbuf hb;
	unsigned char usedbuf[USED_STACK], *used = usedbuf;
	char sbuf[SIGBUF], *strip = NULL, *sf;
	unsigned int mdlen = 0;
	size_t i, j, hl, nf = msg_nfields(m), sl;
	int rc = -1;

	if (cut > resume || resume > siglen)
		return -1;
	if (nf > USED_STACK) {
		if ((used = calloc(nf, 1)) == NULL)
			return -1;
	} else
		memset(used, 0, nf);
	hb.md = md;
	hb.n = 0;
	if (!EVP_DigestInit_ex(md, sha256, NULL))
		goto fail;
	for (i = 0; i < nh; i++) {
		hl = strlen(h[i]);
		for (j = nf; j > 0; j--) {
			f = msg_field(m, j - 1);
			if (used[j - 1] || f->namelen != hl ||
			    strncasecmp(f->raw, h[i], hl) != 0)
				continue;
			used[j - 1] = 1;
			if (hb_field(&hb, alg, f->raw, f->rawlen, 1) == -1)
				goto fail;
			break;
		}
	}
	/* the signature field without the value of b= */
	sl = cut + (siglen - resume);
	if (cut == resume)
		sf = (char *)sigfield;
	else {
		if (sl > sizeof(sbuf) && (strip = malloc(sl)) == NULL)
			goto fail;
		sf = strip != NULL ? strip : sbuf;
		memcpy(sf, sigfield, cut);
		memcpy(sf + cut, sigfield + resume, siglen - resume);
	}
	if (hb_field(&hb, alg, sf, sl, 0) == -1 ||
	    (hb.n > 0 && !EVP_DigestUpdate(md, hb.b, hb.n)) ||
	    !EVP_DigestFinal_ex(md, out, &mdlen) || mdlen != SIGHASH_LEN)
		goto fail;
	rc = 0;
fail:
	free(strip);
	if (used != usedbuf)
		free(used);
	return rc;
}
