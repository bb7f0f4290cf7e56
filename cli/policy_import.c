/*
 * policy_import.c: read vCard files, GnuPG keyring exports and the
 * policy export format into lists of pending changes for cmd_policy.c.
 * vCards are parsed by zonegen/manifest.h and OpenPGP keys by lib/pgp.h;
 * this file only splits a keyring into keys (lib/pgp.h reads one key)
 * and turns keys into pins.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lib/addr.h"
#include "lib/key.h"
#include "lib/pgp.h"
#include "lib/pgp_armor.h"
#include "zonegen/manifest.h"
#include "policy_import.h"
#include "util.h"

#define IMPORT_FILE_MAX	(16 * 1024 * 1024)
#define ARMOR_BEGIN	"-----BEGIN PGP PUBLIC KEY BLOCK-----"
#define ARMOR_END	"-----END PGP PUBLIC KEY BLOCK-----"

void
policy_import_list_free(struct policy_import_list *l)
{
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static struct policy_import_item *
push(struct policy_import_list *l)
{
	struct policy_import_item *n;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap == 0 ? 32 : l->cap * 2;
		if (cap > SIZE_MAX / sizeof(*n) ||
		    (n = realloc(l->items, cap * sizeof(*n))) == NULL) {
			fprintf(stderr, "senderkey: out of memory\n");
			return NULL;
		}
		l->items = n;
		l->cap = cap;
	}
	n = &l->items[l->n++];
	memset(n, 0, sizeof(*n));
	return n;
}

/* pin_of: the pin (64 lowercase hex) of PK in OUT; 0 or -1. */
static int
pin_of(const EVP_PKEY *pk, char out[STORE_PIN_HEX])
{
	unsigned char d[KEY_SHA256_LEN];

	if (key_spki_sha256(pk, d) == -1)
		return -1;
	store_canon_pin_hex(d, out);
	return 0;
}

static int
add_allow(struct policy_import_list *l, const char *rcpt, const char *sender,
    const char *pin)
{
	struct policy_import_item *it;

	if ((it = push(l)) == NULL)
		return -1;
	it->kind = POLICY_IMPORT_ALLOW;
	snprintf(it->recipient, sizeof(it->recipient), "%s", rcpt);
	snprintf(it->sender, sizeof(it->sender), "%s", sender);
	if (pin != NULL)
		snprintf(it->pin, sizeof(it->pin), "%s", pin);
	return 0;
}

int
policy_import_vcard(const char *path, const char *rcpt, int64_t now,
    struct policy_import_list *l)
{
	struct manifest *m = NULL;
	const struct manifest_entry *e;
	struct pgp_key *k = NULL;
	EVP_PKEY *pk = NULL;
	char err[512], pin[STORE_PIN_HEX], *buf = NULL;
	size_t len, i;
	int rc = EX_DATAERR, bad = 0;

	if ((buf = util_read_file(path, IMPORT_FILE_MAX, &len, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		return EX_NOINPUT;
	}
	if ((m = manifest_new()) == NULL) {
		rc = EX_SOFTWARE;
		goto done;
	}
	if (manifest_parse_vcard(m, path, buf, len) == -1 ||
	    manifest_count(m) == 0) {
		for (i = 0; i < manifest_nkept(m); i++)
			fprintf(stderr, "%s\n", manifest_error(m, i));
		if (manifest_nerrors(m) == 0)
			fprintf(stderr, "%s: no contact with an EMAIL\n", path);
		goto done;
	}
	for (i = 0; (e = manifest_entry(m, i)) != NULL; i++) {
		if (e->key == MANIFEST_KEY_NONE) {
			if (add_allow(l, rcpt, addr_canon(e->addr), NULL) == -1)
				goto oom;
			continue;
		}
		if (e->key != MANIFEST_KEY_DATA) {
			fprintf(stderr, "%s:%lu: unexpected key source\n",
			    e->file, e->line);
			bad = 1;
			continue;
		}
		if (e->keytype == MANIFEST_KT_PGP) {
			if ((k = pgp_key_parse(e->data, e->datalen, err,
			    sizeof(err))) != NULL)
				pk = pgp_key_signing_pkey(k, (time_t)now, NULL,
				    err, sizeof(err));
			pgp_key_free(k);
			k = NULL;
		} else
			pk = key_public_from_text((const char *)e->data,
			    e->datalen, err, sizeof(err));
		if (pk == NULL || pin_of(pk, pin) == -1) {
			fprintf(stderr, "%s:%lu: KEY of %s: %s\n", e->file,
			    e->key_line != 0 ? e->key_line : e->line,
			    addr_canon(e->addr), pk == NULL ? err :
			    "cannot hash the key");
			bad = 1;
		} else if (add_allow(l, rcpt, addr_canon(e->addr), pin) == -1)
			goto oom;
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	rc = bad ? EX_DATAERR : 0;
	goto done;
oom:
	rc = EX_SOFTWARE;
done:
	manifest_free(m);
	free(buf);
	return rc;
}

/*
 * packet_end: the offset after the packet at BUF[POS] (a tag in *TAG), or
 * 0 when the header is bad or the body runs past LEN.  Only the framing
 * of RFC 4880 4.2 is read here; pgp_key_parse checks everything else.
 */
static size_t
packet_end(const unsigned char *b, size_t len, size_t pos, unsigned *tag)
{
	size_t hl, n = 0, i;
	unsigned c = b[pos];

	if (!(c & 0x80) || len - pos < 2)
		return 0;
	if (c & 0x40) {
		*tag = c & 0x3f;
		c = b[pos + 1];
		if (c < 192) {
			hl = 2;
			n = c;
		} else if (c < 224) {
			if (len - pos < 3)
				return 0;
			hl = 3;
			n = ((size_t)(c - 192) << 8) + b[pos + 2] + 192;
		} else if (c == 255) {
			if (len - pos < 6)
				return 0;
			hl = 6;
			n = (size_t)b[pos + 2] << 24 | (size_t)b[pos + 3] << 16 |
			    (size_t)b[pos + 4] << 8 | b[pos + 5];
		} else
			return 0;
	} else {
		*tag = (c >> 2) & 0x0f;
		if ((c & 3) == 3)
			return 0;
		hl = (size_t)1 << (c & 3);
		hl += 1;
		if (len - pos < hl)
			return 0;
		for (i = 1; i < hl; i++)
			n = n << 8 | b[pos + i];
	}
	if (n > len - pos - hl)
		return 0;
	return pos + hl + n;
}

/* dearmor: the binary of every armor block in TEXT, concatenated. */
static unsigned char *
dearmor(const char *path, const char *text, size_t len, size_t *outlen)
{
	unsigned char *out = NULL, *blk, *n;
	const char *p = text, *b, *e;
	size_t blen, olen = 0, left;
	char err[256];

	for (;;) {
		left = len - (size_t)(p - text);
		if ((b = memmem(p, left, ARMOR_BEGIN, strlen(ARMOR_BEGIN))) ==
		    NULL)
			break;
		left = len - (size_t)(b - text);
		if ((e = memmem(b, left, ARMOR_END, strlen(ARMOR_END))) ==
		    NULL) {
			fprintf(stderr, "%s: armor without its END line\n",
			    path);
			goto fail;
		}
		e += strlen(ARMOR_END);
		if (pgp_armor_decode(b, (size_t)(e - b), &blk, &blen, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "%s: armor block at octet %zu: %s\n",
			    path, (size_t)(b - text), err);
			goto fail;
		}
		if ((n = realloc(out, olen + blen + 1)) == NULL) {
			free(blk);
			goto fail;
		}
		out = n;
		memcpy(out + olen, blk, blen);
		olen += blen;
		free(blk);
		p = e;
	}
	if (out == NULL)
		fprintf(stderr, "%s: no \"%s\" line and not binary OpenPGP "
		    "either\n", path, ARMOR_BEGIN);
	*outlen = olen;
	return out;
fail:
	free(out);
	return NULL;
}

/* one_key: the pins of one key (LEN octets at B) for its mailboxes. */
static int
one_key(const char *path, size_t off, const unsigned char *b, size_t len,
    const char *rcpt, int64_t now, struct policy_import_list *l, size_t *added)
{
	struct pgp_key *k = NULL;
	EVP_PKEY *pk = NULL;
	unsigned char *min;
	size_t i, minlen;
	const char *mbox;
	char err[512], pin[STORE_PIN_HEX], canon[STORE_TARGET_MAX];
	int rc = -1;

	if ((k = pgp_key_parse(b, len, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s: key at octet %zu: %s\n", path, off, err);
		return -1;
	}
	if ((pk = pgp_key_signing_pkey(k, (time_t)now, NULL, err,
	    sizeof(err))) == NULL || pin_of(pk, pin) == -1) {
		fprintf(stderr, "%s: key %s: %s\n", path,
		    pgp_key_fingerprint_hex(k), pk == NULL ? err :
		    "cannot hash the key");
		goto done;
	}
	for (i = 0; i < pgp_key_uid_count(k); i++) {
		if ((mbox = pgp_key_uid_mbox(k, i)) == NULL)
			continue;
		/* A revoked or expired user ID exports nothing: skip it. */
		if (pgp_key_minimal_at(k, mbox, (time_t)now, &min, &minlen,
		    NULL, 0) == -1)
			continue;
		free(min);
		if (store_canon(mbox, canon, err, sizeof(err)) == -1) {
			fprintf(stderr, "%s: key %s: user ID %zu: %s "
			    "(skipped)\n", path, pgp_key_fingerprint_hex(k),
			    i + 1, err);
			continue;
		}
		if (add_allow(l, rcpt, canon, pin) == -1)
			goto done;
		(*added)++;
	}
	rc = 0;
done:
	EVP_PKEY_free(pk);
	pgp_key_free(k);
	return rc;
}

int
policy_import_gpg(const char *path, const char *rcpt, int64_t now,
    struct policy_import_list *l)
{
	unsigned char *bin = NULL;
	const unsigned char *b;
	char err[512], *buf = NULL;
	size_t len, blen, pos, end, start, added = 0, nkeys = 0;
	unsigned tag = 0;
	int bad = 0;

	if ((buf = util_read_file(path, IMPORT_FILE_MAX, &len, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		return EX_NOINPUT;
	}
	if (len > 0 && ((unsigned char)buf[0] & 0x80)) {
		b = (const unsigned char *)buf;
		blen = len;
	} else {
		if ((bin = dearmor(path, buf, len, &blen)) == NULL) {
			free(buf);
			return EX_DATAERR;
		}
		b = bin;
	}
	for (pos = 0, start = 0; pos < blen; pos = end) {
		if ((end = packet_end(b, blen, pos, &tag)) == 0) {
			fprintf(stderr, "%s: octet %zu: not an OpenPGP packet "
			    "or truncated\n", path, pos);
			bad = 1;
			break;
		}
		if (tag == 6 && pos > start) {
			nkeys++;
			if (one_key(path, start, b + start, pos - start, rcpt,
			    now, l, &added) == -1)
				bad = 1;
			start = pos;
		}
	}
	if (!bad && start < blen) {
		nkeys++;
		if (one_key(path, start, b + start, blen - start, rcpt, now, l,
		    &added) == -1)
			bad = 1;
	}
	if (!bad && added == 0) {
		fprintf(stderr, "%s: no valid user ID with a mailbox in %zu "
		    "key%s\n", path, nkeys, nkeys == 1 ? "" : "s");
		bad = 1;
	}
	free(bin);
	free(buf);
	return bad ? EX_DATAERR : 0;
}

/*
 * token: the next word of LINE at *P (a double-quoted part may hold
 * blanks, '\' escapes inside quotes), copied to OUT.  Returns 1, 0 at the
 * end of the line, -1 when too long or unterminated.
 */
static int
token(const char *line, size_t *p, char *out, size_t outsz)
{
	size_t i = *p, n = 0;
	int q = 0;

	while (line[i] == ' ' || line[i] == '\t')
		i++;
	if (line[i] == '\0' || line[i] == '#') {
		*p = i;
		return 0;
	}
	for (; line[i] != '\0' && (q || (line[i] != ' ' && line[i] != '\t'));
	    i++) {
		if (n + 2 >= outsz)
			return -1;
		if (q && line[i] == '\\' && line[i + 1] != '\0')
			out[n++] = line[i++];
		else if (line[i] == '"')
			q = !q;
		out[n++] = line[i];
	}
	if (q)
		return -1;
	out[n] = '\0';
	*p = i;
	return 1;
}

/* text_line: one line of the export format into L; 0 or -1 (printed). */
static int
text_line(const char *path, unsigned long lno, const char *line,
    struct policy_import_list *l)
{
	char w[5][STORE_TARGET_MAX], extra[STORE_TARGET_MAX], err[512];
	struct policy_import_item it;
	size_t p = 0, n = 0;
	int r, kind;

	r = 1;
	while (r == 1 && n < 5)
		if ((r = token(line, &p, w[n], sizeof(w[n]))) == 1)
			n++;
	if (r == -1 || (n == 5 && token(line, &p, extra, sizeof(extra)) != 0)) {
		fprintf(stderr, "%s:%lu: expected at most 5 words, quotes "
		    "closed\n", path, lno);
		return -1;
	}
	if (n == 0)
		return 0;
	memset(&it, 0, sizeof(it));
	if (n < 3)
		goto syntax;
	if (store_canon(w[0], it.recipient, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s:%lu: recipient %s\n", path, lno, err);
		return -1;
	}
	if (strcmp(w[1], "mode") == 0) {
		if (n != 3 || (strcmp(w[2], "allow") != 0 &&
		    strcmp(w[2], "deny") != 0))
			goto syntax;
		it.kind = POLICY_IMPORT_MODE;
		memcpy(it.mode, w[2], strlen(w[2]) + 1);	/* "allow"|"deny" */
	} else if (strcmp(w[1], "allow") == 0 || strcmp(w[1], "deny") == 0) {
		it.kind = w[1][0] == 'a' ? POLICY_IMPORT_ALLOW :
		    POLICY_IMPORT_DENY;
		if ((kind = store_canon(w[2], it.sender, err,
		    sizeof(err))) == -1) {
			fprintf(stderr, "%s:%lu: sender %s\n", path, lno, err);
			return -1;
		}
		if (n == 5 && strcmp(w[3], "pin") == 0 &&
		    it.kind == POLICY_IMPORT_ALLOW && kind == STORE_T_ADDR) {
			if (store_canon_pin(w[4], it.pin) == -1) {
				fprintf(stderr, "%s:%lu: expected a SHA-256 "
				    "fingerprint after pin\n", path, lno);
				return -1;
			}
		} else if (n != 3)
			goto syntax;
	} else
		goto syntax;
	if (push(l) == NULL)
		return -1;
	l->items[l->n - 1] = it;
	return 0;
syntax:
	fprintf(stderr, "%s:%lu: expected \"RECIPIENT mode allow|deny\", "
	    "\"RECIPIENT allow SENDER [pin FPR]\" or \"RECIPIENT deny "
	    "SENDER\"\n", path, lno);
	return -1;
}

int
policy_import_text(const char *path, struct policy_import_list *l)
{
	char err[512], *buf = NULL, *line, *nl;
	unsigned long lno = 0;
	size_t len;
	int bad = 0;

	if ((buf = util_read_file(path, IMPORT_FILE_MAX, &len, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		return EX_NOINPUT;
	}
	if (memchr(buf, '\0', len) != NULL) {
		fprintf(stderr, "%s: holds a NUL octet\n", path);
		free(buf);
		return EX_DATAERR;
	}
	for (line = buf; line < buf + len; line = nl + 1) {
		lno++;
		if ((nl = strchr(line, '\n')) == NULL)
			nl = buf + len;
		*nl = '\0';
		if (nl > line && nl[-1] == '\r')
			nl[-1] = '\0';
		if (text_line(path, lno, line, l) == -1)
			bad = 1;
	}
	free(buf);
	return bad ? EX_DATAERR : 0;
}
