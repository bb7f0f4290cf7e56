/*
 * test_pgp: lib/pgp (and pgp_armor, pgp_mbox, pgp_pkey, pgp_sig) against
 * fixtures made by GnuPG 2.2.40 (tests/data/pgp/gen.sh): the reduced key
 * must be byte-identical to gpg's export-dane RDATA in expected.tsv, for
 * binary and armored input; malformed input must give an error, never a
 * crash (truncated at every offset, every octet flipped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/key.h"
#include "lib/pgp.h"
#include "lib/pgp_armor.h"
#include "lib/pgp_mbox.h"
#include "t.h"
#include "vec.h"

#define DIR	"tests/data/pgp/"
#define NOW	1767225600	/* 2026-01-01: all fixtures valid */

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	unsigned char *buf;
	size_t n;

	*len = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if ((buf = malloc(PGP_KEY_MAX)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, PGP_KEY_MAX, f);
	fclose(f);
	*len = n;
	return buf;
}

static struct pgp_key *
load(const char *name)
{
	char path[256], err[256] = "";
	unsigned char *buf;
	size_t len;
	struct pgp_key *k;

	snprintf(path, sizeof(path), DIR "%s", name);
	if ((buf = slurp(path, &len)) == NULL)
		return NULL;
	k = pgp_key_parse(buf, len, err, sizeof(err));
	if (k == NULL)
		printf("# %s: %s\n", name, err);
	free(buf);
	return k;
}

static char *
hex(const unsigned char *p, size_t len)
{
	char *s = malloc(2 * len + 1);
	size_t i;

	for (i = 0; s != NULL && i < len; i++)
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	if (s != NULL)
		s[2 * len] = '\0';
	return s;
}

static void
row(struct vec_row *r, void *arg)
{
	const char *suffix[] = { ".gpg", ".asc" };
	char name[128], err[256];
	struct pgp_key *k;
	unsigned char *out;
	size_t outlen, i;
	char *h;
	int rc;

	(void)arg;
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%.*s%s",
		    (int)(strlen(r->f[0]) - 4), r->f[0], suffix[i]);
		if ((k = load(name)) == NULL) {
			T_OK(0, "line %d: %s parses", r->line, name);
			continue;
		}
		rc = pgp_key_minimal_at(k, r->f[1], NOW, &out, &outlen, err,
		    sizeof(err));
		if (strcmp(r->f[2], "-") == 0) {
			T_OK(rc == -1 && err[0] != '\0', "%s for %s: no record, "
			    "as gpg (%s)", name, r->f[1], err);
		} else if (rc == -1) {
			T_OK(0, "%s for %s: %s", name, r->f[1], err);
		} else {
			h = hex(out, outlen);
			T_STREQ(h, r->f[2], "%s reduced for %s equals gpg's "
			    "export-dane RDATA", name, r->f[1]);
			free(h);
			free(out);
		}
		pgp_key_free(k);
	}
}

static void
test_fixtures(void)
{
	T_OK(vec_each(DIR "expected.tsv", row, NULL) >= 10,
	    "expected.tsv has the gpg export-dane rows");
}

static void
test_accessors(void)
{
	struct pgp_key *k;
	unsigned char *fpr;
	size_t len, i, n;
	char err[256] = "";
	EVP_PKEY *pk, *pk2;
	int sub = -1;

	k = load("alice.gpg");
	fpr = slurp(DIR "alice.fpr", &len);
	T_OK(k != NULL && fpr != NULL && len > 40 &&
	    memcmp(pgp_key_fingerprint_hex(k), fpr, 40) == 0,
	    "alice's fingerprint is gpg's");
	free(fpr);
	if (k == NULL)
		return;
	T_INTEQ(pgp_key_uid_count(k), 6, "alice has 6 user IDs");
	n = 0;
	for (i = 0; i < pgp_key_uid_count(k); i++)
		if (pgp_key_uid_mbox(k, i) != NULL && strcmp(
		    pgp_key_uid_mbox(k, i), "alice.smith@example.test") == 0)
			n++;
	T_INTEQ(n, 1, "mailboxes are lower-cased as gpg does");
	T_OK(pgp_key_uid(k, 99, &len) == NULL, "uid out of range is NULL");
	pk = pgp_key_pkey(k, err, sizeof(err));
	T_STREQ(pk ? key_type_name(pk) : err, "ed25519",
	    "alice's primary is Ed25519 (algorithm 22)");
	pk2 = pgp_key_signing_pkey(k, NOW, &sub, err, sizeof(err));
	T_OK(pk2 != NULL && sub == 0 && EVP_PKEY_eq(pk, pk2) == 1,
	    "alice signs with her primary key");
	EVP_PKEY_free(pk);
	EVP_PKEY_free(pk2);
	pgp_key_free(k);

	k = load("bob.asc");
	pk = k ? pgp_key_pkey(k, err, sizeof(err)) : NULL;
	T_OK(pk != NULL && strcmp(key_type_name(pk), "rsa") == 0 &&
	    key_bits(pk) == 3072, "bob's armored key is RSA 3072");
	EVP_PKEY_free(pk);
	pgp_key_free(k);

	k = load("dave.gpg");
	pk = k ? pgp_key_pkey(k, err, sizeof(err)) : NULL;
	pk2 = k ? pgp_key_signing_pkey(k, NOW, &sub, err, sizeof(err)) : NULL;
	T_OK(pk != NULL && pk2 != NULL && sub == 1 &&
	    EVP_PKEY_eq(pk, pk2) != 1 && strcmp(key_type_name(pk2),
	    "ed25519") == 0, "dave's certify-only primary: the Ed25519 "
	    "signing subkey is used");
	EVP_PKEY_free(pk);
	EVP_PKEY_free(pk2);
	pgp_key_free(k);
}

static void
mbox_case(const char *uid, const char *want)
{
	char *m = pgp_mbox_from_uid(uid, strlen(uid));

	if (want == NULL)
		T_OK(m == NULL, "no mailbox in '%s'", uid);
	else
		T_STREQ(m, want, "mailbox of '%s'", uid);
	free(m);
}

static void
test_mbox(void)
{
	mbox_case("Alice <Alice@Example.TEST>", "alice@example.test");
	mbox_case("bare@Example.test", "bare@example.test");
	mbox_case("o'hara{x}@example.test", "o'hara{x}@example.test");
	mbox_case("Jörg <JÖRG@example.test>", "jÖrg@example.test");
	mbox_case("Alice", NULL);
	mbox_case("Alice <>", NULL);
	mbox_case("Alice <a@b@c>", NULL);
	mbox_case("Alice <a b@c>", NULL);
	mbox_case("Alice <a@b.>", NULL);
	mbox_case("Alice <a@b_c!d>", NULL);
	mbox_case("a..b@example.test", NULL);
	mbox_case("A <a..b@example.test>", "a..b@example.test");
	mbox_case("no close <a@b", NULL);
}

/* parse_err: parse LEN octets, expect failure with NEEDLE in the text. */
static void
parse_err(const unsigned char *buf, size_t len, const char *needle,
    const char *what)
{
	char err[256] = "";
	struct pgp_key *k = pgp_key_parse(buf, len, err, sizeof(err));

	T_OK(k == NULL && strstr(err, needle) != NULL, "%s: %s", what, err);
	pgp_key_free(k);
}

static void
test_malformed(void)
{
	unsigned char *buf, *cp;
	size_t len, cut, bounds[64], nb = 0, p = 0, i, hl, plen;
	struct pgp_key *k;
	char err[256];
	int bad = 0, crash_free = 1;

	if ((buf = slurp(DIR "carol.gpg", &len)) == NULL ||
	    (cp = malloc(len + 16)) == NULL) {
		T_OK(0, "carol.gpg readable");
		free(buf);
		return;
	}
	/* gpg writes old-format headers: find the packet boundaries. */
	while (p < len && nb < 64) {
		hl = (buf[p] & 3) == 0 ? 2 : 3;
		plen = hl == 2 ? buf[p + 1] : (size_t)buf[p + 1] << 8 |
		    buf[p + 2];
		p += hl + plen;
		bounds[nb++] = p;
	}
	T_INTEQ(p, len, "carol.gpg walks to its end");
	for (cut = 0; cut < len; cut++) {
		k = pgp_key_parse(buf, cut, err, sizeof(err));
		for (i = 0; i < nb && bounds[i] != cut; i++)
			;
		if (k != NULL && i == nb)
			bad++;
		pgp_key_free(k);
	}
	T_INTEQ(bad, 0, "every cut inside a packet is refused");
	for (i = 0; i < len; i++) {
		memcpy(cp, buf, len);
		cp[i] ^= 0xFF;
		k = pgp_key_parse(cp, len, err, sizeof(err));
		if (k != NULL) {
			unsigned char *o = NULL;
			size_t ol;

			if (pgp_key_minimal_at(k, "carol@example.org", NOW, &o,
			    &ol, err, sizeof(err)) == 0)
				free(o);
		}
		pgp_key_free(k);
	}
	T_OK(crash_free, "every octet flipped: no crash");

	memcpy(cp, buf, len);
	cp[1] = 0xFF;
	parse_err(cp, len, "exceeds the remaining", "first length too large");
	memcpy(cp, buf, len);
	cp[0] = 0x94;	/* old format tag 5: secret key */
	parse_err(cp, len, "secret key", "a secret key is refused");
	memcpy(cp, buf, len);
	cp[0] = 0x9B;	/* old format tag 6, indeterminate length */
	parse_err(cp, len, "indeterminate", "indeterminate length");
	memcpy(cp, buf, len);
	cp[0] = 0xC6;	/* new format tag 6, partial length */
	cp[1] = 0xE1;
	parse_err(cp, len, "partial", "partial body length");
	parse_err(buf, 0, "empty", "empty input");
	parse_err((const unsigned char *)"hello\n", 6,
	    "BEGIN PGP PUBLIC KEY BLOCK", "text without armor is refused");
	memcpy(cp, buf, len);
	cp[0] = 0x7F;
	parse_err(cp, len, "NUL", "binary without a packet tag is refused");

	/* Unknown packets: critical refused, non-critical ignored. */
	memcpy(cp, buf, len);
	memcpy(cp + len, "\xDE\x01\x00", 3);	/* tag 30 */
	parse_err(cp, len + 3, "tag 30", "unknown critical packet tag 30");
	memcpy(cp + len, "\xFC\x01\x00\xB0\x02\x00\x00", 7); /* 60, trust */
	k = pgp_key_parse(cp, len + 7, err, sizeof(err));
	T_OK(k != NULL, "non-critical tag 60 and a trust packet are ignored");
	if (k != NULL) {
		unsigned char *o = NULL;
		size_t ol = 0;

		T_OK(pgp_key_minimal_at(k, "carol@example.org", NOW, &o, &ol,
		    NULL, 0) == 0 && ol == len && memcmp(o, buf, len) == 0,
		    "... and left out of the reduced key");
		free(o);
	}
	pgp_key_free(k);
	/* A new-format header for the same key gives the same output. */
	cp[0] = 0xC6;
	cp[1] = buf[1];
	memcpy(cp + 2, buf + 2, len - 2);
	k = pgp_key_parse(cp, len, err, sizeof(err));
	T_OK(k != NULL && strcmp(pgp_key_fingerprint_hex(k),
	    "") != 0, "new-format key header parses");
	if (k != NULL) {
		unsigned char *o = NULL;
		size_t ol = 0;

		T_OK(pgp_key_minimal_at(k, "carol@example.org", NOW, &o, &ol,
		    NULL, 0) == 0 && ol == len && memcmp(o, buf, len) == 0,
		    "... and is written back in gpg's old format");
		free(o);
	}
	pgp_key_free(k);
	free(cp);
	free(buf);
}

static void
test_armor(void)
{
	unsigned char *buf, *cp;
	size_t len;
	char *crc, *end;

	if ((buf = slurp(DIR "carol.asc", &len)) == NULL ||
	    (cp = malloc(len + 1)) == NULL) {
		T_OK(0, "carol.asc readable");
		free(buf);
		return;
	}
	memcpy(cp, buf, len);
	cp[len] = '\0';
	crc = strstr((char *)cp, "\n=");
	T_OK(crc != NULL, "carol.asc has a CRC line");
	if (crc != NULL) {
		crc[2] = crc[2] == 'A' ? 'B' : 'A';
		parse_err(cp, len, "CRC-24", "a wrong CRC-24 is refused");
		memcpy(cp, buf, len);
		memset(crc + 1, ' ', 5);	/* no CRC line */
		parse_err(cp, len, "CRC-24 line", "a missing CRC is refused");
	}
	memcpy(cp, buf, len);
	end = strstr((char *)cp, "-----END");
	if (end != NULL) {
		parse_err(cp, (size_t)(end - (char *)cp), "without",
		    "armor without END line");
		end[5] = 'X';
		parse_err(cp, len, "", "a mangled END line is refused");
	}
	memcpy(cp, buf, len);
	memcpy(cp + len - 10, "garbage!\n\n", 10);
	parse_err(cp, len, "line", "text after END is refused");
	memcpy(cp, buf, len);
	cp[60] = '*';
	parse_err(cp, len, "", "a bad base64 character is refused");
	T_INTEQ(pgp_armor_crc24((const unsigned char *)"", 0), 0xB704CE,
	    "CRC-24 of nothing is the initial value");
	free(cp);
	free(buf);
}

int
main(void)
{
	test_fixtures();
	test_accessors();
	test_mbox();
	test_malformed();
	test_armor();
	return t_done();
}
