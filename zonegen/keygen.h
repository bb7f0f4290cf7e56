/*
 * keygen: make sender key pairs and store them as files, for
 * "senderkey keygen" and for zonegen's "generate" manifest entries.
 *
 *   DIR/ADDRESS.private   PKCS#8 PEM, mode 0600, never replaced unless
 *                         FORCE is given
 *   DIR/ADDRESS.pub       SubjectPublicKeyInfo PEM, mode 0644
 */
#ifndef SK_KEYGEN_H
#define SK_KEYGEN_H

#include <stddef.h>
#include <openssl/evp.h>

enum keygen_alg {
	KEYGEN_ED25519,
	KEYGEN_RSA2048,
	KEYGEN_RSA3072,
	KEYGEN_RSA4096,
};

/* keygen_alg_parse: "ed25519", "rsa2048", ...; returns 0 or -1. */
int		 keygen_alg_parse(const char *name, enum keygen_alg *out);
const char	*keygen_alg_name(enum keygen_alg);

/*
 * keygen_generate: a new key pair (caller frees with EVP_PKEY_free), or
 * NULL with ERR set.
 */
EVP_PKEY	*keygen_generate(enum keygen_alg alg, char *err, size_t errsz);

/*
 * keygen_paths: the two file names for canonical address ADDR under DIR,
 * malloc'd (caller frees both).  Returns 0, or -1 with ERR set when ADDR
 * cannot be a file name (it holds '/', or starts with '.').
 */
int		 keygen_paths(const char *dir, const char *addr, char **priv,
		    char **pub, char *err, size_t errsz);

/*
 * keygen_make_dir: make the key directory DIR (mode 0700) when it is
 * missing, only its last component (a missing parent is an error naming
 * it), and check it as keygen_write does.  `senderkey keygen -o` calls it;
 * zonegen's --key-dir is not created.  Returns 0, or -1 with ERR set.
 */
int		 keygen_make_dir(const char *dir, char *err, size_t errsz);

/*
 * keygen_write: store PK for ADDR under DIR, each file written atomically.
 * DIR must exist and be a directory that key_load takes keys from
 * (lib/secret.h: not writable by group or others unless sticky, owned by
 * the effective user or root).  Without FORCE an
 * existing private key file is an error ("PATH: already exists (use
 * --force to replace it)") and nothing is written.  If the public file
 * cannot be written after the private one was created, the private one
 * is removed again.  Returns 0 or -1 with ERR set.
 */
int		 keygen_write(const char *dir, const char *addr,
		    const EVP_PKEY *pk, int force, char *err, size_t errsz);

/*
 * keygen_load_or_make: the key pair stored for ADDR under DIR, or a new
 * one of ALG written there when there is none.  *MADE tells which.
 * Returns the key (caller frees) or NULL with ERR set.
 */
EVP_PKEY	*keygen_load_or_make(const char *dir, const char *addr,
		    enum keygen_alg alg, int *made, char *err, size_t errsz);

#endif
