/*
 * keygen.c: key pair generation (OpenSSL EVP) and the key files of one
 * sender.  Private key text is wiped from memory once written.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lib/afile.h"
#include "lib/errstr.h"
#include "lib/key.h"
#include "lib/secret.h"
#include "keygen.h"

static const struct {
	enum keygen_alg	 alg;
	const char	*name;
	unsigned	 bits;
} algs[] = {
	{ KEYGEN_ED25519, "ed25519", 0 },
	{ KEYGEN_RSA2048, "rsa2048", 2048 },
	{ KEYGEN_RSA3072, "rsa3072", 3072 },
	{ KEYGEN_RSA4096, "rsa4096", 4096 },
};

int
keygen_alg_parse(const char *name, enum keygen_alg *out)
{
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (strcmp(name, algs[i].name) == 0) {
			*out = algs[i].alg;
			return 0;
		}
	}
	return -1;
}

const char *
keygen_alg_name(enum keygen_alg alg)
{
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].alg == alg)
			return algs[i].name;
	return "unknown";
}

EVP_PKEY *
keygen_generate(enum keygen_alg alg, char *err, size_t errsz)
{
	EVP_PKEY *pk = NULL;
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (algs[i].alg != alg)
			continue;
		if (algs[i].bits == 0)
			pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		else
			pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
			    (size_t)algs[i].bits);
		break;
	}
	if (pk == NULL)
		snprintf(err, errsz, "cannot generate a %s key",
		    keygen_alg_name(alg));
	return pk;
}

int
keygen_paths(const char *dir, const char *addr, char **priv, char **pub,
    char *err, size_t errsz)
{
	*priv = *pub = NULL;
	if (strchr(addr, '/') != NULL || addr[0] == '.' || addr[0] == '\0') {
		snprintf(err, errsz, "%s: cannot be used as a file name", addr);
		return -1;
	}
	if (asprintf(priv, "%s/%s.private", dir, addr) == -1) {
		*priv = NULL;
		goto fail;
	}
	if (asprintf(pub, "%s/%s.pub", dir, addr) == -1) {
		*pub = NULL;
		goto fail;
	}
	return 0;
fail:
	free(*priv);
	*priv = NULL;
	snprintf(err, errsz, "out of memory");
	return -1;
}

/* write_text: TEXT into PATH atomically with MODE. */
static int
write_text(const char *path, const char *text, mode_t mode, int noclobber,
    char *err, size_t errsz)
{
	struct afile *af;

	if ((af = afile_open(path, mode, err, errsz)) == NULL)
		return -1;
	if (fputs(text, afile_fp(af)) == EOF) {
		snprintf(err, errsz, "%s: cannot write: %s", path,
		    strerror(errno));
		afile_abort(af);
		return -1;
	}
	return afile_commit(af, noclobber, err, errsz);
}

/*
 * missing_dir: make DIR (mode 0700), whose last component is missing.  A
 * missing parent is an error naming it: only the last component is made.
 */
static int
missing_dir(const char *dir, char *err, size_t errsz)
{
	struct stat st;
	char *copy;
	const char *parent;
	int rc = -1;

	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT || (copy = strdup(dir)) == NULL)
		return errstr_set(err, errsz, "cannot create the key directory "
		    "%s: %s", dir, strerror(errno));
	parent = dirname(copy);
	if (stat(parent, &st) == -1)
		errstr_set(err, errsz, "cannot create the key directory %s: "
		    "its parent directory %s does not exist (create it first)",
		    dir, parent);
	else
		errstr_set(err, errsz, "cannot create the key directory %s: "
		    "%s", dir, strerror(ENOENT));
	free(copy);
	return rc;
}

/*
 * prepare_dir: DIR can take key files: with CREATE it is made (mode 0700)
 * when missing, and it must be a directory that key_load accepts keys
 * from (secret_dir_ok: owned by us or root, not writable by group or
 * others unless sticky), or the key written could not be read again.
 */
static int
prepare_dir(const char *dir, int create, char *err, size_t errsz)
{
	struct stat st;

	if (stat(dir, &st) == -1) {
		if (errno != ENOENT)
			return errstr_set(err, errsz, "%s: %s", dir,
			    strerror(errno));
		if (!create)
			return errstr_set(err, errsz, "the key directory %s "
			    "does not exist", dir);
		if (missing_dir(dir, err, errsz) == -1)
			return -1;
		if (stat(dir, &st) == -1)
			return errstr_set(err, errsz, "%s: %s", dir,
			    strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return errstr_set(err, errsz, "%s: not a directory (the key "
		    "directory: -o DIR)", dir);
	return secret_dir_ok(&st, dir, dir, err, errsz);
}

int
keygen_make_dir(const char *dir, char *err, size_t errsz)
{
	return prepare_dir(dir, 1, err, errsz);
}

int
keygen_write(const char *dir, const char *addr, const EVP_PKEY *pk,
    int force, char *err, size_t errsz)
{
	char *priv = NULL, *pub = NULL, *ptext = NULL, *stext = NULL;
	int rc = -1;

	struct stat st;

	if (keygen_paths(dir, addr, &priv, &pub, err, errsz) == -1)
		return -1;
	if (prepare_dir(dir, 0, err, errsz) == -1)
		goto done;
	if (!force && lstat(priv, &st) == 0) {
		errstr_set(err, errsz, "%s: already exists (use --force to "
		    "replace it)", priv);
		goto done;
	}
	if (key_private_pem(pk, &ptext) == -1 || key_spki_pem(pk, &stext) ==
	    -1) {
		snprintf(err, errsz, "%s: cannot encode the key", addr);
		goto done;
	}
	if (write_text(priv, ptext, 0600, !force, err, errsz) == -1)
		goto done;
	if (write_text(pub, stext, 0644, 0, err, errsz) == -1) {
		unlink(priv);
		goto done;
	}
	rc = 0;
done:
	if (ptext != NULL) {
		OPENSSL_cleanse(ptext, strlen(ptext));
		free(ptext);
	}
	free(stext);
	free(priv);
	free(pub);
	return rc;
}

EVP_PKEY *
keygen_load_or_make(const char *dir, const char *addr, enum keygen_alg alg,
    int *made, char *err, size_t errsz)
{
	char *priv = NULL, *pub = NULL;
	EVP_PKEY *pk = NULL;
	struct stat st;

	*made = 0;
	if (keygen_paths(dir, addr, &priv, &pub, err, errsz) == -1)
		return NULL;
	if (stat(priv, &st) == 0)
		pk = key_load_private(priv, err, errsz);
	else if (errno != ENOENT)
		snprintf(err, errsz, "%s: %s", priv, strerror(errno));
	else if ((pk = keygen_generate(alg, err, errsz)) != NULL) {
		if (keygen_write(dir, addr, pk, 0, err, errsz) == -1) {
			EVP_PKEY_free(pk);
			pk = NULL;
		} else
			*made = 1;
	}
	free(priv);
	free(pub);
	return pk;
}
