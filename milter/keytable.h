/*
 * keytable: the sign-mode table of senderkey-milter (KeyTable in the
 * configuration): which private key signs for which From: address, and
 * which SMTP AUTH logins ({auth_authen}) may use that address.  One entry
 * a line:
 *
 *	ADDRESS  KEYFILE  LOGIN[,LOGIN...]
 *
 * '#' starts a comment line; blank lines are ignored.  ADDRESS is parsed
 * with addr_parse and stored canonical; KEYFILE is an absolute path to an
 * unencrypted private key readable by its owner only.  keytable_parse is
 * pure; keytable_load reads the table and every key file (at start-up,
 * before privileges are dropped).
 */
#ifndef SK_MILTER_KEYTABLE_H
#define SK_MILTER_KEYTABLE_H

#include <stddef.h>

#include <openssl/evp.h>

#define KEYTABLE_FILE_MAX	(1024 * 1024)
#define KEYTABLE_MAX_ENTRIES	100000
#define KEYTABLE_MAX_LOGINS	64
#define KEYTABLE_LINE_MAX	4096

struct keytable;

/*
 * keytable_parse: LEN octets of TEXT; FILENAME for errors.  Keys are not
 * loaded (keytable_key returns NULL until keytable_load_keys).  Returns a
 * new table (caller frees) or NULL with "FILE:LINE: what was expected" in
 * ERR (ERRSZ octets).
 */
struct keytable	*keytable_parse(const char *text, size_t len,
		    const char *filename, char *err, size_t errsz);

/*
 * keytable_load_keys: load every entry's private key (key_load_private:
 * refuses a file readable by group or others).  Returns 0, or -1 with
 * "FILE:LINE: KEYFILE: why" in ERR.
 */
int		 keytable_load_keys(struct keytable *, char *err,
		    size_t errsz);

/* keytable_load: read PATH, parse it, load the keys.  NULL with ERR. */
struct keytable	*keytable_load(const char *path, char *err, size_t errsz);

void		 keytable_free(struct keytable *);

/* keytable_count: the number of entries. */
size_t		 keytable_count(const struct keytable *);

/*
 * keytable_find: the entry index for the canonical address ADDR (as
 * addr_canon writes it), or -1 when the table has none.
 */
long		 keytable_find(const struct keytable *, const char *addr);

/* keytable_allowed: 1 when LOGIN (exact, case-sensitive) may use entry I. */
int		 keytable_allowed(const struct keytable *, long i,
		    const char *login);

/* keytable_key: entry I's private key (borrowed), NULL if not loaded. */
EVP_PKEY	*keytable_key(const struct keytable *, long i);

#endif
