/*
 * test_manifest: the manifest readers and the validation pass
 * (zonegen/manifest.h, specs/manifest.md).
 *
 * Fixtures in tests/data/manifest/: every input file X (not *.golden,
 * *.err, *.domain, README) is parsed with the format manifest_detect picks
 * and validated for the domain in X.domain (default example.test).  When
 * X.golden exists, X must give no error and its entries, one
 * manifest_entry_format line each, must equal X.golden.  When X.err exists,
 * the error texts must equal X.err line by line.  A fixture without either
 * is a failure.  SK_REGEN=1 rewrites the golden and error files from the
 * code (review the diff before committing it).  The remaining checks
 * (dates, cross-file duplicates, skip_foreign, the error cap, long owner
 * names, key paths) are in code below.
 */
#include <sys/types.h>

#include <dirent.h>
#include <stdint.h>
#include <unistd.h>

#include "lib/addr.h"
#include "zonegen/manifest.h"
#include "zonegen/mf_base.h"
#include "t.h"

#define DIR	"tests/data/manifest/"

static char *
slurp(const char *path, size_t *lenp)
{
	FILE *f;
	char *buf = NULL, *n;
	size_t len = 0, cap = 0, got;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			if ((n = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = n;
		}
		if ((got = fread(buf + len, 1, 4096, f)) == 0)
			break;
		len += got;
	}
	fclose(f);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/* text of all entries or all errors, one per line */
static char *
dump(const struct manifest *m, int errors)
{
	char *out = NULL, *line;
	size_t i, n = errors ? manifest_nkept(m) : manifest_count(m);
	size_t len = 0, l;

	if ((out = calloc(1, 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		line = errors ? strdup(manifest_error(m, i)) :
		    manifest_entry_format(manifest_entry(m, i));
		if (line == NULL)
			break;
		l = strlen(line);
		out = realloc(out, len + l + 2);
		memcpy(out + len, line, l);
		out[len + l] = '\n';
		len += l + 1;
		out[len] = '\0';
		free(line);
	}
	return out;
}

static int
endswith(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

static void
fixture(const char *name)
{
	char path[300], gold[512], errp[512], domp[512], *buf, *want, *got;
	char *dom;
	size_t len, wlen, dlen;
	struct manifest *m;
	int isgold, iserr, regen = getenv("SK_REGEN") != NULL;
	FILE *f;

	snprintf(path, sizeof(path), DIR "%s", name);
	snprintf(gold, sizeof(gold), "%s.golden", path);
	snprintf(errp, sizeof(errp), "%s.err", path);
	snprintf(domp, sizeof(domp), "%s.domain", path);
	if ((buf = slurp(path, &len)) == NULL) {
		T_OK(0, "%s: readable", name);
		return;
	}
	if ((dom = slurp(domp, &dlen)) != NULL) {
		dom[strcspn(dom, "\n")] = '\0';
	} else
		dom = strdup("example.test");
	m = manifest_new();
	manifest_parse(m, manifest_detect(path, buf, len), path, buf, len);
	manifest_validate(m, dom, 0, NULL);
	isgold = access(gold, F_OK) == 0;
	iserr = access(errp, F_OK) == 0;
	T_OK(isgold || iserr, "%s: has a .golden or .err file", name);
	if (isgold) {
		got = dump(m, 1);
		T_STREQ(got, "", "%s: no errors", name);
		free(got);
	}
	got = dump(m, iserr);
	if (regen && (isgold || iserr) &&
	    (f = fopen(isgold ? gold : errp, "w")) != NULL) {
		fputs(got, f);
		fclose(f);
	}
	if ((isgold || iserr) &&
	    (want = slurp(isgold ? gold : errp, &wlen)) != NULL) {
		T_STREQ(got, want, "%s: %s as expected", name,
		    isgold ? "entries" : "errors");
		if (iserr)
			T_OK(manifest_nerrors(m) > 0 && *want != '\0',
			    "%s: fails", name);
		free(want);
	}
	free(got);
	free(buf);
	free(dom);
	manifest_free(m);
}

static int
is_input(const struct dirent *d)
{
	return d->d_name[0] != '.' && !endswith(d->d_name, ".golden") &&
	    !endswith(d->d_name, ".err") && !endswith(d->d_name, ".domain") &&
	    strcmp(d->d_name, "README") != 0;
}

static void
fixtures(void)
{
	struct dirent **list;
	int n, i;

	n = scandir(DIR, &list, is_input, alphasort);
	T_OK(n > 40, "at least 40 fixtures (%d)", n);
	for (i = 0; i < n; i++) {
		fixture(list[i]->d_name);
		free(list[i]);
	}
	if (n > 0)
		free(list);
}

static void
times(void)
{
	int64_t t = 0;
	char out[21];

	T_OK(mf_base_time_parse("2026-01-01", 10, &t) == 0 &&
	    t == 1767225600, "date: 2026-01-01 is 1767225600");
	T_OK(mf_base_time_parse("2024-02-29T12:00:00Z", 20, &t) == 0 &&
	    t == 1709208000, "date-time: leap day");
	T_OK(mf_base_time_parse("2023-02-29", 10, &t) == -1,
	    "date: 2023-02-29 refused");
	T_OK(mf_base_time_parse("1900-03-01", 10, &t) == -1,
	    "date: before 1970 refused");
	T_OK(mf_base_time_parse("1970-01-01", 10, &t) == -1,
	    "date: the epoch itself refused (0 means unset)");
	T_OK(mf_base_time_parse("2026-01-01T24:00:00Z", 20, &t) == -1,
	    "date-time: hour 24 refused");
	T_OK(mf_base_time_parse("2026-01-01T10:00:00", 19, &t) == -1,
	    "date-time: without Z refused");
	T_OK(mf_base_time_parse("2026-1-01", 9, &t) == -1,
	    "date: one-digit month refused");
	T_OK(mf_base_time_parse("9999-12-31T23:59:59Z", 20, &t) == 0 &&
	    t == INT64_C(253402300799), "date-time: 9999-12-31T23:59:59Z");
	mf_base_time_format(t, out);
	T_STREQ(out, "9999-12-31T23:59:59Z", "format: 9999 round trip");
	mf_base_time_format(1709208000, out);
	T_STREQ(out, "2024-02-29T12:00:00Z", "format: leap day");
}

static void
detect(void)
{
	T_INTEQ(manifest_detect("x.CSV", "", 0), MANIFEST_CSV,
	    "detect: .CSV extension");
	T_INTEQ(manifest_detect("x.vcf", "a,b", 3), MANIFEST_VCARD,
	    "detect: .vcf extension wins over content");
	T_INTEQ(manifest_detect("-", "\xef\xbb\xbf\r\nbegin:vcard", 16),
	    MANIFEST_VCARD, "detect: BEGIN:VCARD after a BOM");
	T_INTEQ(manifest_detect("list", "Address,Key\n", 12), MANIFEST_CSV,
	    "detect: CSV header");
	T_INTEQ(manifest_detect("allowed_signers", "a@b.test ssh-ed25519 A",
	    22), MANIFEST_SIGNERS, "detect: otherwise allowed_signers");
	T_STREQ(manifest_format_name(MANIFEST_SIGNERS), "allowed_signers",
	    "format name");
}

static const char *
err_at(struct manifest *m, size_t i)
{
	const char *e = manifest_error(m, i);

	return e != NULL ? e : "(none)";
}

static void
crossfile(void)
{
	static const char csv[] = "address,key\n"
	    "alice@example.test,ssh-ed25519 AAAAkey alice@laptop\n"
	    "bob@example.test,ssh-ed25519 AAAAkey\n";
	static const char sig[] = "Alice@example.test ssh-ed25519 AAAAkey\n"
	    "bob@example.test valid-after=20260101 ssh-ed25519 AAAAkey\n"
	    "bob@other.test ssh-ed25519 AAAAkey\n";
	struct manifest_stats st;
	struct manifest *m = manifest_new();

	T_INTEQ(manifest_parse(m, MANIFEST_CSV, "a.csv", csv,
	    sizeof(csv) - 1), 0, "crossfile: csv parses");
	T_INTEQ(manifest_parse(m, MANIFEST_SIGNERS, "s", sig,
	    sizeof(sig) - 1), 0, "crossfile: signers parse");
	T_INTEQ(manifest_validate(m, "example.test", MANIFEST_V_SKIP_FOREIGN,
	    &st), -1, "crossfile: validation fails");
	T_INTEQ(manifest_nerrors(m), 2, "crossfile: two errors");
	T_STREQ(err_at(m, 0), "s:1: conflicting entries for alice@example.test"
	    " with the same key (other at a.csv:2)",
	    "crossfile: same key, written differently: conflict (comment "
	    "ignored)");
	T_STREQ(err_at(m, 1), "s:2: conflicting entries for bob@example.test "
	    "with the same key (other at a.csv:3)",
	    "crossfile: same key, other dates: conflict");
	T_INTEQ(st.entries, 5, "crossfile: 5 entries");
	T_INTEQ(st.foreign, 1, "crossfile: skip_foreign counts 1");
	T_INTEQ(st.senders, 2, "crossfile: 2 senders");
	T_OK(manifest_entry(m, 4)->foreign, "crossfile: foreign entry marked");
	T_OK(!manifest_entry(m, 0)->foreign, "crossfile: own entry unmarked");
	manifest_free(m);
}

/*
 * many: duplicates found through the hash table of validation, among many
 * senders: errors in the order of the canonical addresses (not of the
 * file), each group's first entry named, senders counted once, and the
 * address as written kept apart from its canonical form.
 */
static void
many(void)
{
	struct manifest_stats st;
	struct manifest *m = manifest_new();
	char *csv, *p;
	size_t i, n = 3000, cap = 64 * n + 256;
	const struct manifest_entry *e;

	if (m == NULL || (csv = malloc(cap)) == NULL) {
		T_OK(0, "many: memory");
		manifest_free(m);
		return;
	}
	p = csv;
	p += sprintf(p, "address,key\n");
	for (i = 0; i < n; i++)
		p += sprintf(p, "u%zu@example.test,ssh-ed25519 K%zu\n", i, i);
	/* lines n + 2 ..: zed twice (same key), U7 (other key), u5 again */
	p += sprintf(p, "zed@example.test,ssh-ed25519 Z\n");
	p += sprintf(p, "zed@example.test,ssh-ed25519 Z\n");
	p += sprintf(p, "U7@example.test,ssh-ed25519 K7b\n");
	p += sprintf(p, "u5@example.test,ssh-ed25519 K5\n");
	T_INTEQ(manifest_parse(m, MANIFEST_CSV, "m.csv", csv,
	    (size_t)(p - csv)), 0, "many: parses");
	T_INTEQ(manifest_validate(m, "example.test", 0, &st), -1,
	    "many: validation fails");
	T_INTEQ(st.senders, n + 1, "many: %zu senders, each counted once",
	    n + 1);
	T_INTEQ(manifest_nerrors(m), 2, "many: two errors (U7 has another "
	    "key: no error)");
	T_STREQ(err_at(m, 0), "m.csv:3005: duplicate entry for "
	    "u5@example.test (first at m.csv:7)",
	    "many: u5 first (canonical order), naming the first entry");
	T_STREQ(err_at(m, 1), "m.csv:3003: duplicate entry for "
	    "zed@example.test (first at m.csv:3002)",
	    "many: then zed");
	e = manifest_entry(m, n + 2);
	T_OK(e != NULL && strcmp(e->address, "U7@example.test") == 0 &&
	    strcmp(addr_canon(e->addr), "u7@example.test") == 0,
	    "many: address as written kept beside the canonical one");
	e = manifest_entry(m, 7);
	T_OK(e != NULL && strcmp(e->address, "u7@example.test") == 0 &&
	    strcmp(addr_canon(e->addr), "u7@example.test") == 0 &&
	    strcmp(addr_domain(e->addr), "example.test") == 0 &&
	    strcmp(addr_local(e->addr), "u7") == 0,
	    "many: a canonical address reads the same through every accessor");
	free(csv);
	manifest_free(m);
}

static void
skip_foreign(void)
{
	static const char csv[] = "address,key\n"
	    "a@example.test,generate\n"
	    "b@elsewhere.test,generate\n";
	static const char vcf[] = "BEGIN:VCARD\nVERSION:4.0\n"
	    "EMAIL:c@example.test\nEND:VCARD\n";
	struct manifest_stats st;
	struct manifest *m = manifest_new();

	manifest_parse(m, MANIFEST_CSV, "f.csv", csv, sizeof(csv) - 1);
	manifest_parse_vcard(m, "c.vcf", vcf, sizeof(vcf) - 1);
	T_INTEQ(manifest_validate(m, "example.test", MANIFEST_V_SKIP_FOREIGN,
	    &st), 0, "skip_foreign: valid");
	T_INTEQ(st.foreign, 1, "skip_foreign: one foreign");
	T_INTEQ(st.nokey, 1, "skip_foreign: one entry without key");
	T_INTEQ(st.senders, 2, "skip_foreign: two senders");
	T_INTEQ(manifest_validate(m, "example.test", 0, &st), -1,
	    "without skip_foreign: invalid");
	T_STREQ(err_at(m, 0), "f.csv:3: b@elsewhere.test is not in the domain "
	    "example.test (use --skip-foreign to skip it)",
	    "without skip_foreign: the error");
	manifest_free(m);
}

static void
cap(void)
{
	struct manifest *m = manifest_new();
	char *buf;
	size_t i, len = 0;

	buf = malloc(150 * 8 + 16);
	len = (size_t)sprintf(buf, "address,key\n");
	for (i = 0; i < 150; i++)
		len += (size_t)sprintf(buf + len, "bad,k\n");
	T_INTEQ(manifest_parse(m, MANIFEST_CSV, "cap.csv", buf, len), -1,
	    "cap: 150 bad lines fail");
	T_INTEQ(manifest_nerrors(m), 150, "cap: all 150 counted");
	T_INTEQ(manifest_nkept(m), MANIFEST_MAX_ERRORS, "cap: 100 kept");
	T_OK(manifest_error(m, MANIFEST_MAX_ERRORS) == NULL,
	    "cap: no text past the cap");
	T_STREQ(err_at(m, 99), "cap.csv:101: bad address \"bad\": no '@' "
	    "between local part and domain", "cap: the 100th text");
	free(buf);
	manifest_free(m);
}

static void
long_owner(void)
{
	char dom[300], csv[600];
	struct manifest *m = manifest_new();
	int n;

	/*
	 * 185 octets: "<56>._senderkey.<domain>" is 255 octets on the wire,
	 * "<56>._openpgpkey.<domain>" one more.
	 */
	snprintf(dom, sizeof(dom), "%s.%s.%s.test",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	    "cccccccccccccccccccccccccccccccccccccccccccccccccccc");
	T_INTEQ(strlen(dom), 185, "long_owner: a 185-octet domain");
	n = snprintf(csv, sizeof(csv), "address,key\nx@%s,generate\n"
	    "y@%s,k.pgp\n", dom, dom);
	manifest_parse(m, MANIFEST_CSV, "l.csv", csv, (size_t)n);
	T_INTEQ(manifest_validate(m, dom, 0, NULL), -1,
	    "long_owner: invalid");
	T_INTEQ(manifest_nerrors(m), 1, "long_owner: one error");
	T_OK(strstr(err_at(m, 0), "l.csv:3: y@aaa") == err_at(m, 0) &&
	    strstr(err_at(m, 0), ": owner name over 255 octets (the domain "
	    "is too long)") != NULL,
	    "long_owner: the key file entry, which may be OpenPGP (%s)",
	    err_at(m, 0));
	manifest_free(m);
}

static void
paths(void)
{
	static const char csv[] = "address,key\n"
	    "a@example.test,k/a.pub\n"
	    "b@example.test,/abs/b.pub\n";
	struct manifest *m = manifest_new();

	manifest_parse(m, MANIFEST_CSV, "dir/sub/m.csv", csv, sizeof(csv) - 1);
	manifest_parse(m, MANIFEST_CSV, "m.csv", csv, sizeof(csv) - 1);
	T_STREQ(manifest_entry(m, 0)->path, "dir/sub/k/a.pub",
	    "path: relative to the manifest's directory");
	T_STREQ(manifest_entry(m, 1)->path, "/abs/b.pub",
	    "path: absolute kept");
	T_STREQ(manifest_entry(m, 2)->path, "k/a.pub",
	    "path: manifest in the working directory");
	T_OK(manifest_entry(m, 99) == NULL, "entry past the end is NULL");
	manifest_free(m);
	manifest_free(NULL);
}

static void
binary(void)
{
	static const char csv[] = "address,key\na@exa\0mple.test,k\n";
	static const char sig[] = "a@example.test ssh-ed25519 AA\0AA\n";
	static const char vcf[] = "BEGIN:VCARD\nEMAIL:a\0b@example.test\n";
	struct manifest *m = manifest_new();

	manifest_parse(m, MANIFEST_CSV, "n.csv", csv, sizeof(csv) - 1);
	manifest_parse(m, MANIFEST_SIGNERS, "n.sig", sig, sizeof(sig) - 1);
	manifest_parse_vcard(m, "n.vcf", vcf, sizeof(vcf) - 1);
	T_STREQ(err_at(m, 0), "n.csv:2: NUL octet", "NUL: csv");
	T_STREQ(err_at(m, 1), "n.sig:1: NUL octet", "NUL: signers");
	T_STREQ(err_at(m, 2), "n.vcf:2: NUL octet", "NUL: vcard");
	T_STREQ(err_at(m, 3), "n.vcf:1: contact not ended (END:VCARD "
	    "missing)", "vcard: unended contact");
	T_INTEQ(manifest_count(m), 0, "NUL: no entries");
	manifest_free(m);
}

int
main(void)
{
	times();
	detect();
	crossfile();
	many();
	skip_foreign();
	cap();
	long_owner();
	paths();
	binary();
	fixtures();
	return t_done();
}
