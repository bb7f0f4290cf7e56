/*
 * test_zonegen_fast.c: the fast path of zonegen (zonegen/zg_fast.c)
 * against the general path (manifest -> desired_build -> zonegen ->
 * zoneout) on the same CSV bytes.  Where the fast path takes a manifest,
 * its zone output must be the general path's byte for byte (header
 * counts, apex records, comments, order): generated manifests with mixed
 * case, every atext character, dots, foreign rows under --skip-foreign,
 * other column orders, a BOM, empty lines, key comments, no final LF,
 * other TTLs and apex options, no senders at all; and the golden CSV
 * files of tests/data.  Where it must not (anything it cannot reproduce
 * or any error), it must give up (NULL), so that the general path runs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "zonegen/desired.h"
#include "zonegen/manifest.h"
#include "zonegen/zg_fast.h"
#include "zonegen/zonegen.h"
#include "zonegen/zoneout.h"
#include "t.h"

static const char *const ns2[] = { "ns1.example.test.",
	"ns2.elsewhere.invalid." };

struct sbuf {
	char	*p;
	size_t	 len, cap;
};

static void
sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* A deterministic generator (xorshift). */
static uint64_t rng = 88172645463325252ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* ssh_line: "ssh-ed25519 BASE64" for 32 random key octets, in OUT. */
static void
ssh_line(char out[128])
{
	unsigned char blob[51] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd',
		'2', '5', '5', '1', '9', 0, 0, 0, 32 };
	size_t i;

	for (i = 19; i < sizeof(blob); i++)
		blob[i] = (unsigned char)rnd(256);
	memcpy(out, "ssh-ed25519 ", 12);
	EVP_EncodeBlock((unsigned char *)out + 12, blob, sizeof(blob));
}

/* local: a random dot-atom local part (every atext octet), in OUT. */
static void
local(char *out, unsigned seq)
{
	static const char atext[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"
	    "NOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~";
	size_t n = 1 + rnd(20), i, o = 0;

	o += (size_t)sprintf(out, "u%u", seq);
	for (i = 0; i < n; i++) {
		if (i > 0 && i + 1 < n && out[o - 1] != '.' && rnd(8) == 0)
			out[o++] = '.';
		else
			out[o++] = atext[rnd(sizeof(atext) - 1)];
	}
	out[o] = '\0';
}

/* no_read: key files are not read here (the fast path takes none). */
static char *
no_read(const char *path, size_t max, size_t *len, char *err, size_t errsz)
{
	(void)max;
	*len = 0;
	snprintf(err, errsz, "%s: not read in this test", path);
	return NULL;
}

/*
 * general: the zone output of the general path for CSV (LEN octets) with
 * O and VFLAGS, malloc'd, or NULL when it reports errors.
 */
static char *
general(const char *csv, size_t len, const struct zonegen_opts *o,
    unsigned vflags)
{
	struct manifest *m = manifest_new();
	struct zonegen *zg = zonegen_new(o);
	struct desired_opts d;
	char err[512], *out = NULL;
	size_t olen;
	FILE *fp;

	memset(&d, 0, sizeof(d));
	d.read = no_read;
	d.key_dir = "/nonexistent";
	d.now = o->now;
	d.vflags = vflags;
	manifest_parse(m, MANIFEST_CSV, "t.csv", csv, len);
	if (manifest_validate(m, o->domain, vflags, NULL) == -1 ||
	    desired_build(zg, m, &d) != DESIRED_OK ||
	    zonegen_finish(zg, err, sizeof(err)) == -1)
		goto done;
	if ((fp = open_memstream(&out, &olen)) == NULL)
		goto done;
	if (zoneout_write(fp, zg, ZONEOUT_ZONE) == -1) {
		fclose(fp);
		free(out);
		out = NULL;
		goto done;
	}
	fclose(fp);
done:
	zonegen_free(zg);
	manifest_free(m);
	return out;
}

/* fast: the same through zg_fast.c, or NULL when it gives up. */
static char *
fast(const char *csv, size_t len, const struct zonegen_opts *o,
    int skip_foreign)
{
	struct zonegen *apex = zonegen_new(o);
	struct zg_fast *f = NULL;
	char err[512], *out = NULL;
	size_t olen;
	FILE *fp;

	char *copy = malloc(len + 1);

	/* A copy, gone before the output: zg_fast keeps nothing of it. */
	memcpy(copy, csv, len);
	if (zonegen_finish(apex, err, sizeof(err)) == -1 ||
	    (f = zg_fast_csv(apex, copy, len, skip_foreign)) == NULL) {
		free(copy);
		goto done;
	}
	memset(copy, 'x', len);
	free(copy);
	if ((fp = open_memstream(&out, &olen)) == NULL)
		goto done;
	if (zoneout_write_zone(fp, apex, zg_fast_counts(f), zg_fast_count(f),
	    zg_fast_wire, f) == -1) {
		fclose(fp);
		free(out);
		out = NULL;
		goto done;
	}
	fclose(fp);
done:
	zg_fast_free(f);
	zonegen_free(apex);
	return out;
}

static void
opts(struct zonegen_opts *o, int apex)
{
	memset(o, 0, sizeof(*o));
	o->domain = "example.test";
	o->ttl = 3600;
	o->now = 1700000000;
	o->prepublish = 7 * 86400;
	if (apex >= 1)
		o->policy = POLICYREC_ALL;
	if (apex >= 2) {
		o->soa_mname = "ns1.example.test.";
		o->soa_rname = "hostmaster.example.test.";
		o->soa_serial = 7;
		o->ns = ns2;
		o->nns = 2;
	}
}

/* same: the fast path takes CSV and writes what the general path does. */
static void
same(const char *what, const char *csv, size_t len,
    const struct zonegen_opts *o, int skip_foreign)
{
	char *g = general(csv, len, o, skip_foreign ?
	    MANIFEST_V_SKIP_FOREIGN : 0);
	char *f = fast(csv, len, o, skip_foreign);

	T_OK(g != NULL, "%s: the general path takes it", what);
	T_OK(f != NULL, "%s: the fast path takes it", what);
	T_OK(g != NULL && f != NULL && strcmp(g, f) == 0,
	    "%s: the same bytes both ways", what);
	free(g);
	free(f);
}

/* gives_up: the fast path refuses CSV (the general path then runs). */
static void
gives_up(const char *what, const char *csv, int skip_foreign)
{
	struct zonegen_opts o;
	char *f;

	opts(&o, 2);
	f = fast(csv, strlen(csv), &o, skip_foreign);
	T_OK(f == NULL, "gives up: %s", what);
	free(f);
}

/*
 * generated: N senders in columns of HEADER (address at column A, key at
 * K, NCOL columns), FOREIGN rows of other domains among them, with
 * variations by FLAVOUR bits: 1 BOM, 2 empty lines, 4 key comments,
 * 8 no final LF, 16 upper-case domains.
 */
static void
generated(struct sbuf *b, const char *header, int a, int k, int ncol,
    int n, int foreign, int flavour)
{
	static const char *const other[] = { "other.test", "Sub.Example.test",
		"example.test.invalid", "EXAMPLE.org" };
	char loc[64], key[128], line[512];
	int i, c;

	if (flavour & 1)
		sb_str(b, "\xef\xbb\xbf");
	sb_str(b, header);
	sb_str(b, "\n");
	for (i = 0; i < n + foreign; i++) {
		local(loc, (unsigned)i);
		ssh_line(key);
		if (flavour & 4)
			strcat(key, rnd(2) ? " a comment" : " me@host");
		if ((flavour & 2) && rnd(10) == 0)
			sb_str(b, "\n");
		for (c = 0; c < ncol; c++) {
			if (c > 0)
				sb_str(b, ",");
			if (c == a) {
				snprintf(line, sizeof(line), "%s@%s", loc,
				    i >= n ? other[i % 4] : (flavour & 16) &&
				    rnd(2) ? "Example.TEST" : "example.test");
				sb_str(b, line);
			} else if (c == k)
				sb_str(b, key);
		}
		if (!(flavour & 8) || i + 1 < n + foreign)
			sb_str(b, "\n");
	}
}

static void
test_generated(void)
{
	struct zonegen_opts o;
	struct sbuf b = { 0 };

	opts(&o, 2);
	generated(&b, "address,key", 0, 1, 2, 700, 0, 16);
	same("700 senders, policy, SOA and NS", b.p, b.len, &o, 0);

	b.len = 0;
	opts(&o, 0);
	o.ttl = 300;
	generated(&b, "Key,ADDRESS,not_before,not_after,flags", 1, 0, 5, 300,
	    0, 1 | 2 | 4 | 8);
	same("other columns, BOM, empty lines, comments, no final LF, "
	    "TTL 300, no apex", b.p, b.len, &o, 0);

	b.len = 0;
	opts(&o, 1);
	o.policy = POLICYREC_SOME;
	generated(&b, "flags,address,not_after,key", 1, 3, 4, 200, 40, 16);
	same("--skip-foreign with 40 foreign rows, policy some", b.p, b.len,
	    &o, 1);
	{
		char *f;

		opts(&o, 1);
		f = fast(b.p, b.len, &o, 0);
		T_OK(f == NULL, "gives up: foreign rows without --skip-foreign");
		free(f);
	}

	b.len = 0;
	opts(&o, 2);
	sb_str(&b, "address,key\n");
	same("no senders at all", b.p, b.len, &o, 0);

	/* Key fields off the usual form, read by key_ssh_ed25519_raw. */
	b.len = 0;
	opts(&o, 1);
	sb_str(&b, "address,key\na@example.test,ssh-ed25519  AAAAC3NzaC1lZDI1"
	    "NTE5AAAAIAebWONcW5/XagEQ0alsYKWfPagA1th8/Du4T7QVlquL\n"
	    "b@example.test,ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPLSOLG+hi3fr"
	    "X/cesv/IEkI6FJHcicEy4p1ARHXvn1Z\tcomment\n"
	    "c@example.test,ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAebWONcW5/Xa"
	    "gEQ0alsYKWfPagA1th8/Du4T7QVlquL  \n");
	same("two spaces, a tab before the comment, trailing spaces", b.p,
	    b.len, &o, 0);

	/*
	 * --dkim: each sender's DKIM key record too, the _domainkey names
	 * between the apex's SOA and NS and its policy record.
	 */
	b.len = 0;
	opts(&o, 2);
	o.dkim = 1;
	generated(&b, "address,key", 0, 1, 2, 3000, 0, 16);
	same("--dkim, 3000 senders, policy, SOA and NS", b.p, b.len, &o, 0);
	opts(&o, 0);
	o.dkim = 1;
	o.ttl = 300;
	same("--dkim, 3000 senders, no apex, TTL 300", b.p, b.len, &o, 0);
	opts(&o, 1);
	o.dkim = 1;
	same("--dkim, 3000 senders, policy only", b.p, b.len, &o, 0);
	b.len = 0;
	opts(&o, 1);
	o.dkim = 1;
	generated(&b, "flags,address,not_after,key", 1, 3, 4, 200, 40,
	    1 | 2 | 4);
	same("--dkim, --skip-foreign, BOM, empty lines, comments", b.p, b.len,
	    &o, 1);
	b.len = 0;
	opts(&o, 2);
	o.dkim = 1;
	sb_str(&b, "address,key\n");
	same("--dkim, no senders at all", b.p, b.len, &o, 0);

	b.len = 0;
	opts(&o, 2);
	o.nns = 1;
	o.ns = (const char *const[]){ "ns1.example.test." };
	o.soa_serial = 4000000000U;
	generated(&b, "address,key", 0, 1, 2, 1, 0, 0);
	same("one sender, one NS", b.p, b.len, &o, 0);
	free(b.p);
}

/* Rows the fast path must not take. */
static void
test_gives_up(void)
{
	static const char k[] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAebWONcW"
	    "5/XagEQ0alsYKWfPagA1th8/Du4T7QVlquL";
	static const char k2[] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPLSOLG+"
	    "hi3frX/cesv/IEkI6FJHcicEy4p1ARHXvn1Z";
	char csv[2048];
	struct {
		const char *what, *fmt;
		int skip;
	} c[] = {
		{ "a quoted field", "address,key\n\"a@example.test\",%s\n", 0 },
		{ "CRLF", "address,key\r\na@example.test,%s\r\n", 0 },
		{ "a date", "address,key,not_before\na@example.test,%s,"
		    "2026-01-01\n", 0 },
		{ "a flag", "address,key,flags\na@example.test,%s,testing\n",
		    0 },
		{ "a revoked flag", "address,key,flags\na@example.test,%s,"
		    "revoked\n", 0 },
		{ "a non-ASCII address", "address,key\n\xc3\xa9@example.test,"
		    "%s\n", 0 },
		{ "a quoted local part", "address,key\n\"\"\"a b\"\"@example."
		    "test\",%s\n", 0 },
		{ "a duplicate row", "address,key\na@example.test,%s\n"
		    "a@example.test,%s\n", 0 },
		{ "the same sender in another case", "address,key\n"
		    "A@example.test,%s\na@example.test,%s\n", 0 },
		{ "a second key of a sender", "address,key\na@example.test,%s\n"
		    "a@example.test,%S\n", 0 },
		{ "another domain", "address,key\na@other.test,%s\n", 0 },
		{ "a bad domain under --skip-foreign", "address,key\n"
		    "a@-bad.test,%s\n", 1 },
		{ "a single-label domain under --skip-foreign", "address,key\n"
		    "a@localhost,%s\n", 1 },
		{ "a doubled dot", "address,key\na..b@example.test,%s\n", 0 },
		{ "a leading dot", "address,key\n.a@example.test,%s\n", 0 },
		{ "a trailing dot", "address,key\na.@example.test,%s\n", 0 },
		{ "a space in the address", "address,key\n a@example.test,%s\n",
		    0 },
		{ "a trailing dot on the domain", "address,key\n"
		    "a@example.test.,%s\n", 0 },
		{ "a 65-octet local part", "address,key\naaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.test,"
		    "%s\n", 0 },
		{ "no address", "address,key\n,%s\n", 0 },
		{ "too few fields", "address,key,flags\na@example.test,%s\n",
		    0 },
		{ "too many fields", "address,key\na@example.test,%s,\n", 0 },
		{ "an unknown column", "address,key,color\na@example.test,%s,"
		    "\n", 0 },
		{ "a column twice", "address,key,key\na@example.test,%s,%s\n",
		    0 },
		{ "no key column", "address,flags\na@example.test,\n", 0 },
		{ "no header", "", 0 },
		{ "only empty lines", "\n\n", 0 },
		{ "a key file", "address,key\na@example.test,../key/ed25519."
		    "pub\n", 0 },
		{ "generate", "address,key\na@example.test,generate\n", 0 },
		{ "an ssh-rsa key", "address,key\na@example.test,ssh-rsa "
		    "AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7\n", 0 },
		{ "a broken ed25519 key", "address,key\na@example.test,"
		    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAeb\n", 0 },
		{ "a key after spaces", "address,key\na@example.test, %s\n", 0 },
		{ "an empty key", "address,key\na@example.test,\n", 0 },
	};
	size_t i;
	char *p, *q;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		/* %s: the key; %S: another key (a tiny template language) */
		for (p = csv, q = (char *)c[i].fmt; *q != '\0'; q++) {
			if (q[0] == '%' && (q[1] == 's' || q[1] == 'S')) {
				strcpy(p, q[1] == 's' ? k : k2);
				p += strlen(p);
				q++;
			} else
				*p++ = *q;
		}
		*p = '\0';
		gives_up(c[i].what, csv, c[i].skip);
	}
	/* A NUL octet inside a row. */
	{
		struct zonegen_opts o;
		char buf[] = "address,key\na@example.test,ssh-ed25519 A\0B\n";
		char *f;

		opts(&o, 0);
		f = fast(buf, sizeof(buf) - 1, &o, 0);
		T_OK(f == NULL, "gives up: a NUL octet");
		free(f);
	}
}

/*
 * The golden CSV files.  Each says whether the fast path takes it without
 * and with --skip-foreign; where it takes one, its bytes must be the
 * general path's.  inline.csv (inline ssh-ed25519 keys only, one foreign
 * row) is taken with --skip-foreign only (also with --dkim); every other
 * file names key files, other key types or holds an error, so the fast
 * path gives up.
 */
static void
test_golden(void)
{
	static const struct {
		const char	*file;
		int		 takes[2];	/* without, with --skip-foreign */
	} files[] = {
		{ "tests/data/zonegen/inline.csv", { 0, 1 } },
		{ "tests/data/manifest/minimal.csv", { 0, 0 } },
		{ "tests/data/manifest/good.csv", { 0, 0 } },
		{ "tests/data/zonegen/senders.csv", { 0, 0 } },
		{ "tests/data/manifest/err-duplicate.csv", { 0, 0 } },
		{ "tests/data/manifest/err-conflict.csv", { 0, 0 } },
		{ "tests/data/manifest/err-foreign.csv", { 0, 0 } },
		{ "tests/data/manifest/err-bad-address.csv", { 0, 0 } },
		{ "tests/data/manifest/err-field-count.csv", { 0, 0 } },
		{ "tests/data/manifest/err-empty.csv", { 0, 0 } },
		{ "tests/data/manifest/err-only-bom.csv", { 0, 0 } },
		{ "tests/data/manifest/err-stray-cr.csv", { 0, 0 } },
		{ "tests/data/manifest/err-too-many-keys.csv", { 0, 0 } },
		{ "tests/data/manifest/err-unknown-column.csv", { 0, 0 } },
		{ "tests/data/manifest/err-empty-key.csv", { 0, 0 } },
	};
	static const struct {
		const char	*how;
		int		 skip, dkim;
	} mode[] = {
		{ "", 0, 0 },
		{ " --skip-foreign", 1, 0 },
		{ " --skip-foreign --dkim", 1, 1 },
	};
	struct zonegen_opts o;
	char path[1024], *buf, *g, *f;
	const char *top = getenv("SK_TOP");
	size_t i, m, len;
	long sz;
	FILE *fp;
	int skip;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", top != NULL ? top : ".",
		    files[i].file);
		if ((fp = fopen(path, "rb")) == NULL) {
			T_OK(0, "%s: readable", files[i].file);
			continue;
		}
		fseek(fp, 0, SEEK_END);
		sz = ftell(fp);
		rewind(fp);
		buf = malloc((size_t)sz + 1);
		len = fread(buf, 1, (size_t)sz, fp);
		fclose(fp);
		for (m = 0; m < sizeof(mode) / sizeof(mode[0]); m++) {
			const char *how = mode[m].how;

			skip = mode[m].skip;
			opts(&o, 2);
			o.dkim = mode[m].dkim;
			f = fast(buf, len, &o, skip);
			T_INTEQ(f != NULL, files[i].takes[skip],
			    "%s%s: the fast path %s it", files[i].file, how,
			    files[i].takes[skip] ? "takes" : "gives up on");
			/* Only then: the general path would make keys. */
			if (f != NULL) {
				g = general(buf, len, &o, skip ?
				    MANIFEST_V_SKIP_FOREIGN : 0);
				T_OK(g != NULL && strcmp(f, g) == 0,
				    "%s%s: the general path's bytes",
				    files[i].file, how);
				free(g);
			}
			free(f);
		}
		free(buf);
	}
}

int
main(void)
{
	test_generated();
	test_gives_up();
	test_golden();
	return t_done();
}
