/*
 * desired: from manifest files to a zonegen record set: the records a
 * domain should publish.  Shared by `senderkey zonegen` (which writes
 * them) and `senderkey publish` (which pushes them to a primary), so both
 * read manifests and load keys in exactly one way.  An edge module: it
 * reads manifest and key files (through the caller's reader) and reports
 * each problem once, as "FILE:LINE: what is wrong", on standard error.
 */
#ifndef SK_DESIRED_H
#define SK_DESIRED_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "keygen.h"

struct manifest;
struct manifest_entry;
struct zonegen;

/*
 * desired_reader: read all of PATH, at most MAX octets, into a malloc'd
 * NUL-terminated buffer (*LEN excludes the NUL), or NULL with ERR set
 * ("PATH: reason").  The CLI passes util_read_file.
 */
typedef char	*(*desired_reader)(const char *path, size_t max, size_t *len,
		    char *err, size_t errsz);

struct desired_opts {
	desired_reader	 read;		/* required */
	const char	*key_dir;	/* for "generate" entries */
	enum keygen_alg	 alg;		/* for keys made here */
	int64_t		 now;		/* for OpenPGP key selection */
	unsigned	 vflags;	/* MANIFEST_V_* */
};

enum desired_status {
	DESIRED_OK,
	DESIRED_NOINPUT,	/* a manifest could not be read */
	DESIRED_INVALID,	/* errors in the manifests or keys */
};

/*
 * desired_read: parse the N manifest FILES into M and validate them all
 * together for DOMAIN.  Prints every error.  Returns DESIRED_OK,
 * DESIRED_NOINPUT or DESIRED_INVALID.
 */
enum desired_status desired_read(struct manifest *m, char *const *files,
		    int n, const char *domain, const struct desired_opts *o);

/*
 * desired_entry_key: the public key manifest entry E stands for, in *PK
 * (caller frees), and when PGP is not NULL, for an OpenPGP key the
 * reduced key for the OPENPGPKEY record in *PGP and *PGPLEN (malloc'd, caller
 * frees; NULL when there is none).  Key files are read as key_load
 * reads them (lib/secret.h: regular files only, and one holding a private
 * key only at mode 0600 or stricter, checked after its content).  A
 * "generate" entry uses KEY_DIR's key: with MAKE set a missing key is
 * created (algorithm ALG, announced on standard error); with MAKE 0 the
 * existing public key file is read and nothing is ever created.  NOW
 * selects the OpenPGP signing subkey.  A revoked entry without a key
 * gives 0 with *PK NULL.  Returns 0, or -1 with "FILE:LINE: ..." in ERR.
 */
int		 desired_entry_key(const struct manifest_entry *e,
		    const char *key_dir, enum keygen_alg alg, int64_t now,
		    int make, EVP_PKEY **pk,
		    unsigned char **pgp, size_t *pgplen, char *err,
		    size_t errsz);

/*
 * desired_build: load the key of every entry of M (not foreign) and add
 * its records to ZG (the caller then calls zonegen_finish).  Prints every
 * error.  Returns DESIRED_OK or DESIRED_INVALID (after trying them all).
 */
enum desired_status desired_build(struct zonegen *zg,
		    const struct manifest *m, const struct desired_opts *o);

#endif
