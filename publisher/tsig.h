/*
 * tsig: TSIG keys (RFC 8945) for publish, read from the three formats
 * operators have: BIND's `key "NAME" { algorithm ALG; secret "B64"; };`
 * (tsig-keygen, rndc-confgen), Knot's and knsupdate's `[ALG:]NAME:B64`,
 * and dnssec-keygen's `K<name>.+<alg>+<id>.private`.  tsig_parse is pure;
 * tsig_load reads a file.  The key goes to ldns as name, algorithm and
 * base64 secret (ldns_pkt_tsig_sign, ldns_resolver_set_tsig_*).
 */
#ifndef SK_TSIG_H
#define SK_TSIG_H

#include <stddef.h>

#define TSIG_FILE_MAX	65536	/* the largest key file read */

struct tsig;

/*
 * tsig_parse: the first key in LEN octets of TEXT.  FNAME names the text
 * in messages; for the K*.private format its base name also gives the key
 * name.  Returns a new key (tsig_free), or NULL with "FNAME:LINE: what was
 * expected" in ERR.
 */
struct tsig	*tsig_parse(const char *text, size_t len, const char *fname,
		    char *err, size_t errsz);

/*
 * tsig_load: read PATH (at most TSIG_FILE_MAX octets) and tsig_parse it,
 * with the checks of lib/secret.h: a TSIG key is a secret, so its file
 * must be a regular file of mode 0600 (or stricter), owned by the
 * effective user or root, in a directory others cannot write; a file
 * that holds no key is said to be so before any mode complaint.  The
 * buffer is wiped before it is freed.  NULL with ERR on failure.
 */
struct tsig	*tsig_load(const char *path, char *err, size_t errsz);

/* tsig_free: wipe the secret and free K.  NULL is a no-op. */
void		 tsig_free(struct tsig *k);

/* tsig_name: the key name, absolute and lowercase ("key.example."). */
const char	*tsig_name(const struct tsig *k);

/*
 * tsig_algorithm: the algorithm as a domain name for ldns and the wire
 * ("hmac-sha256.", "hmac-md5.sig-alg.reg.int.").
 */
const char	*tsig_algorithm(const struct tsig *k);

/* tsig_secret: the secret in base64, as ldns takes it.  Points into K. */
const char	*tsig_secret(const struct tsig *k);

#endif
