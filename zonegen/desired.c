/*
 * desired.c: manifests and key files to zonegen records (desired.h).  The
 * code that was cmd_zonegen's, moved here so that publish builds the same
 * records.  Not here: output formats (zoneout.c), signing (sign.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lib/addr.h"
#include "lib/key.h"
#include "lib/key_ssh.h"
#include "lib/pgp.h"
#include "lib/secret.h"
#include "desired.h"
#include "keygen.h"
#include "manifest.h"
#include "zonegen.h"

#define MANIFEST_FILE_MAX	(1024UL * 1024 * 1024)

/* is_pgp: LEN octets at P are an armored or binary OpenPGP public key. */
static int
is_pgp(const unsigned char *p, size_t len)
{
	if (len == 0)
		return 0;
	static const char armor[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

	if (memmem(p, len, armor, sizeof(armor) - 1) != NULL)
		return 1;
	if ((p[0] & 0x80) == 0)
		return 0;
	/* New format: tag in the low 6 bits; old format: bits 5-2. */
	return ((p[0] & 0x40) ? (p[0] & 0x3f) : ((p[0] >> 2) & 0x0f)) == 6;
}

/* What key_judge keeps: a copy of the file's text. */
struct key_text {
	char	*text;
	size_t	 len;
};

/*
 * key_judge: secret_load's judge for a manifest's key file: keep a copy
 * of any text; a private key in it makes the file a secret, so the
 * private key file checks apply (key.h, key_load).
 */
static enum secret_kind
key_judge(const char *buf, size_t len, void *arg, char *err, size_t errsz)
{
	struct key_text *t = arg;

	if ((t->text = malloc(len + 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return SECRET_NOT;
	}
	memcpy(t->text, buf, len + 1);
	t->len = len;
	return key_text_private(buf, len) ? SECRET_SECRET : SECRET_PUBLIC;
}

/*
 * read_key_file: the text of the key file PATH (malloc'd, NUL added, *LEN
 * octets; the caller wipes and frees it), read as key_load reads keys: no
 * FIFO or device, and a private key in it only from a file of mode 0600
 * (lib/secret.h).  NULL with ERR set.
 */
static char *
read_key_file(const char *path, size_t *len, char *err, size_t errsz)
{
	struct key_text t = { NULL, 0 };

	if (secret_load(path, KEY_FILE_MAX, "private key", key_judge, &t,
	    NULL, err, errsz) == -1) {
		if (t.text != NULL)
			OPENSSL_cleanse(t.text, t.len);
		free(t.text);
		return NULL;
	}
	*len = t.len;
	return t.text;
}

int
desired_entry_key(const struct manifest_entry *e, const char *key_dir,
    enum keygen_alg alg, int64_t now, int make, EVP_PKEY **pk,
    unsigned char **pgp, size_t *pgplen, char *err, size_t errsz)
{
	char buf[512], *text = NULL, *priv = NULL, *pub = NULL;
	const unsigned char *data = e->data;
	size_t len = e->datalen;
	struct pgp_key *k = NULL;
	int made, rc = -1;

	*pk = NULL;
	if (pgp != NULL)
		*pgp = NULL;
	if (pgplen != NULL)
		*pgplen = 0;
	switch (e->key) {
	case MANIFEST_KEY_NONE:
		if (e->flags & MANIFEST_F_REVOKED)
			return 0;
		snprintf(err, errsz, "%s:%lu: %s: no key (give one, or "
		    "\"generate\")", e->file, e->line, e->address);
		return -1;
	case MANIFEST_KEY_GENERATE:
		if (!make) {
			if (keygen_paths(key_dir, addr_canon(e->addr), &priv,
			    &pub, buf, sizeof(buf)) == 0)
				*pk = key_load_public(pub, buf, sizeof(buf));
			free(priv);
			free(pub);
			if (*pk == NULL) {
				snprintf(err, errsz, "%s:%lu: \"generate\": "
				    "%s (give --key-dir)", e->file, e->line,
				    buf);
				return -1;
			}
			return 0;
		}
		*pk = keygen_load_or_make(key_dir, addr_canon(e->addr), alg,
		    &made, buf, sizeof(buf));
		if (*pk == NULL) {
			snprintf(err, errsz, "%s:%lu: %s", e->file, e->line,
			    buf);
			return -1;
		}
		if (made)
			fprintf(stderr, "senderkey: %s: new %s key in %s\n",
			    addr_canon(e->addr), keygen_alg_name(alg),
			    key_dir);
		return 0;
	case MANIFEST_KEY_FILE:
		if ((text = read_key_file(e->path, &len, buf,
		    sizeof(buf))) == NULL) {
			snprintf(err, errsz, "%s:%lu: %s", e->file, e->line,
			    buf);
			return -1;
		}
		data = (const unsigned char *)text;
		break;
	case MANIFEST_KEY_DATA:
		break;
	}
	if (is_pgp(data, len) ||
	    (e->key == MANIFEST_KEY_DATA && e->keytype == MANIFEST_KT_PGP)) {
		if ((k = pgp_key_parse(data, len, buf, sizeof(buf))) == NULL)
			goto bad;
		if ((*pk = pgp_key_signing_pkey(k, (time_t)now, NULL, buf,
		    sizeof(buf))) == NULL)
			goto bad;
		/*
		 * GnuPG imports a key found through DANE only for a user ID
		 * of the address looked up: without one, the OPENPGPKEY
		 * record would be useless, but the sender key still stands.
		 */
		if (pgp != NULL && pgp_key_minimal_at(k, addr_canon(e->addr),
		    (time_t)now, pgp, pgplen, buf, sizeof(buf)) == -1)
			fprintf(stderr, "%s:%lu: warning: %s: no OPENPGPKEY "
			    "record: %s\n", e->file, e->key_line != 0 ?
			    e->key_line : e->line, addr_canon(e->addr), buf);
	} else if ((*pk = key_public_from_text((const char *)data, len, buf,
	    sizeof(buf))) == NULL)
		goto bad;
	rc = 0;
	goto done;
bad:
	snprintf(err, errsz, "%s:%lu: %s: %s", e->file,
	    e->key_line != 0 ? e->key_line : e->line,
	    e->key == MANIFEST_KEY_FILE ? e->path : "key", buf);
	EVP_PKEY_free(*pk);
	*pk = NULL;
	if (pgp != NULL) {
		free(*pgp);
		*pgp = NULL;
		*pgplen = 0;
	}
done:
	pgp_key_free(k);
	if (text != NULL)
		OPENSSL_cleanse(text, len);	/* may be a private key */
	free(text);
	return rc;
}

/*
 * origin: "FILE:LINE" in BUF (SZ octets), for messages: snprintf's work
 * without its cost, once per sender of a million.
 */
static const char *
origin(const char *file, unsigned long line, char *buf, size_t sz)
{
	char d[24];
	size_t fl = strlen(file), n = 0;

	do {
		d[n++] = (char)('0' + line % 10);
		line /= 10;
	} while (line != 0);
	if (fl + 1 + n + 1 > sz)
		fl = sz > n + 2 ? sz - n - 2 : 0;
	memcpy(buf, file, fl);
	buf[fl++] = ':';
	while (n > 0 && fl + 1 < sz)
		buf[fl++] = d[--n];
	buf[fl] = '\0';
	return buf;
}

static void
print_errors(const struct manifest *m)
{
	size_t i;

	for (i = 0; i < manifest_nkept(m); i++)
		fprintf(stderr, "%s\n", manifest_error(m, i));
	if (manifest_nerrors(m) > manifest_nkept(m))
		fprintf(stderr, "senderkey: %zu more errors\n",
		    manifest_nerrors(m) - manifest_nkept(m));
}

enum desired_status
desired_read(struct manifest *m, char *const *files, int n,
    const char *domain, const struct desired_opts *o)
{
	struct manifest_stats st;
	char err[512], *buf;
	size_t len;
	int i;

	for (i = 0; i < n; i++) {
		if ((buf = o->read(files[i], MANIFEST_FILE_MAX, &len, err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "senderkey: %s\n", err);
			return DESIRED_NOINPUT;
		}
		manifest_parse(m, manifest_detect(files[i], buf, len), files[i],
		    buf, len);
		free(buf);
	}
	if (manifest_validate(m, domain, o->vflags, &st) == -1) {
		print_errors(m);
		return DESIRED_INVALID;
	}
	return DESIRED_OK;
}

enum desired_status
desired_build(struct zonegen *zg, const struct manifest *m,
    const struct desired_opts *a)
{
	const struct manifest_entry *e;
	struct zonegen_key k;
	unsigned char *pgp, raw[KEY_ED25519_LEN];
	const unsigned char *ed;
	size_t i, pgplen, nerr = 0;
	EVP_PKEY *pk;
	char err[1024];

	/* One allocation for all records (a hint: failure is no error). */
	(void)zonegen_reserve(zg, manifest_count(m));
	for (i = 0; (e = manifest_entry(m, i)) != NULL; i++) {
		if (e->foreign)
			continue;
		ed = NULL;
		pk = NULL;
		pgp = NULL;
		pgplen = 0;
		/* Inline ssh-ed25519 keys, most of a big zone: no EVP_PKEY. */
		if (e->key == MANIFEST_KEY_DATA &&
		    e->keytype == MANIFEST_KT_SSH &&
		    key_ssh_ed25519_raw((const char *)e->data, e->datalen,
		    raw) == 0)
			ed = raw;
		else if (desired_entry_key(e, a->key_dir, a->alg, a->now, 1,
		    &pk, &pgp, &pgplen, err, sizeof(err)) == -1) {
			fprintf(stderr, "%s\n", err);
			nerr++;
			continue;
		}
		memset(&k, 0, sizeof(k));
		k.addr = e->addr;
		k.pk = pk;
		k.ed25519 = ed;
		k.revoked = (e->flags & MANIFEST_F_REVOKED) != 0;
		k.testing = (e->flags & MANIFEST_F_TESTING) != 0;
		k.not_before = e->not_before;
		k.not_after = e->not_after;
		k.openpgp = pgp;
		k.openpgp_len = pgplen;
		k.origin = origin(e->file, e->line, err, sizeof(err));
		{
			char msg[1024];

			if (zonegen_add(zg, &k, msg, sizeof(msg)) == -1) {
				fprintf(stderr, "%s\n", msg);
				nerr++;
			}
		}
		EVP_PKEY_free(pk);
		free(pgp);
	}
	return nerr == 0 ? DESIRED_OK : DESIRED_INVALID;
}
