/*
 * mf_text.c: the manifest's texts that need no manifest internals: ISO
 * 8601 dates (parse, format, and the "bad date" error), format detection
 * and names, the dispatch to the format parsers, and an entry as one line
 * for listings and golden files (manifest.h).  Pure: no I/O.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

#include "lib/addr.h"
#include "manifest.h"

#define QUOTE_MAX	160	/* input quoted in an error text */

/* days_from_civil: days since 1970-01-01 (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, unsigned mo, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= mo <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
digits(const char *s, size_t n, unsigned *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

int
manifest_time_parse(const char *s, size_t len, int64_t *out)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
		31, 30, 31 };
	unsigned y, mo, d, h = 0, mi = 0, se = 0, dim;
	int64_t t;

	if (len != 10 && len != 20)
		return -1;
	if (digits(s, 4, &y) == -1 || s[4] != '-' ||
	    digits(s + 5, 2, &mo) == -1 || s[7] != '-' ||
	    digits(s + 8, 2, &d) == -1)
		return -1;
	if (len == 20 && (s[10] != 'T' || digits(s + 11, 2, &h) == -1 ||
	    s[13] != ':' || digits(s + 14, 2, &mi) == -1 || s[16] != ':' ||
	    digits(s + 17, 2, &se) == -1 || s[19] != 'Z'))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 ||
	    se > 59)
		return -1;
	dim = mdays[mo - 1];
	if (mo == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		dim = 29;
	if (d > dim)
		return -1;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	if (t <= 0)
		return -1;
	*out = t;
	return 0;
}

void
manifest_time_format(int64_t t, char out[21])
{
	int64_t z, era, doe, yoe, y, doy, mp, d, m, s;

	if (t < 0)
		t = 0;
	if (t > INT64_C(253402300799))		/* 9999-12-31T23:59:59Z */
		t = INT64_C(253402300799);
	s = t % 86400;
	z = t / 86400 + 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ",
	    (unsigned)y % 10000, (unsigned)m % 100, (unsigned)d % 100,
	    (unsigned)(s / 3600) % 100, (unsigned)(s / 60 % 60),
	    (unsigned)(s % 60));
}

int
manifest_date(struct manifest *m, const char *file, unsigned long line,
    const char *what, const char *s, size_t len, int64_t *out)
{
	char q[QUOTE_MAX];

	if (manifest_time_parse(s, len, out) == 0)
		return 0;
	manifest_err(m, file, line,
	    "bad %s \"%s\": expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", what,
	    manifest_quote(s, len, q, sizeof(q)));
	return -1;
}

static int
has_suffix(const char *path, const char *suf)
{
	size_t pl = strlen(path), sl = strlen(suf);

	return pl > sl && strcasecmp(path + pl - sl, suf) == 0;
}

enum manifest_format
manifest_detect(const char *path, const char *buf, size_t len)
{
	size_t i = 0, n;

	if (has_suffix(path, ".csv"))
		return MANIFEST_CSV;
	if (has_suffix(path, ".vcf") || has_suffix(path, ".vcard"))
		return MANIFEST_VCARD;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
	    buf[i] == '\n'))
		i++;
	n = len - i;
	if (n >= 11 && strncasecmp(buf + i, "BEGIN:VCARD", 11) == 0)
		return MANIFEST_VCARD;
	if (n >= 8 && strncasecmp(buf + i, "address,", 8) == 0)
		return MANIFEST_CSV;
	if (n >= 4 && strncasecmp(buf + i, "key,", 4) == 0)
		return MANIFEST_CSV;
	return MANIFEST_SIGNERS;
}

const char *
manifest_format_name(enum manifest_format f)
{
	switch (f) {
	case MANIFEST_CSV:
		return "csv";
	case MANIFEST_SIGNERS:
		return "allowed_signers";
	case MANIFEST_VCARD:
		return "vcard";
	}
	return "unknown";
}

int
manifest_parse(struct manifest *m, enum manifest_format fmt,
    const char *path, const char *buf, size_t len)
{
	switch (fmt) {
	case MANIFEST_CSV:
		return manifest_parse_csv(m, path, buf, len);
	case MANIFEST_SIGNERS:
		return manifest_parse_signers(m, path, buf, len);
	case MANIFEST_VCARD:
		return manifest_parse_vcard(m, path, buf, len);
	}
	manifest_err(m, path, 0, "unknown manifest format");
	return -1;
}

static const char *
keytype_name(enum manifest_keytype t)
{
	switch (t) {
	case MANIFEST_KT_SSH:
		return "ssh";
	case MANIFEST_KT_PEM:
		return "pem";
	case MANIFEST_KT_PGP:
		return "pgp";
	case MANIFEST_KT_NONE:
		break;
	}
	return "none";
}

char *
manifest_entry_format(const struct manifest_entry *e)
{
	char nb[21] = "-", na[21] = "-", *key = NULL, *out = NULL;
	unsigned char md[SHA256_DIGEST_LENGTH];
	const char *flags = "-";

	switch (e->key) {
	case MANIFEST_KEY_NONE:
		key = strdup("none");
		break;
	case MANIFEST_KEY_GENERATE:
		key = strdup("generate");
		break;
	case MANIFEST_KEY_FILE:
		if (asprintf(&key, "file:%s", e->path) == -1)
			key = NULL;
		break;
	case MANIFEST_KEY_DATA:
		SHA256(e->data, e->datalen, md);
		if (asprintf(&key, "%s:%zu:%02x%02x%02x%02x%02x%02x%02x%02x",
		    keytype_name(e->keytype), e->datalen, md[0], md[1], md[2],
		    md[3], md[4], md[5], md[6], md[7]) == -1)
			key = NULL;
		break;
	}
	if (key == NULL)
		return NULL;
	if (e->not_before != 0)
		manifest_time_format(e->not_before, nb);
	if (e->not_after != 0)
		manifest_time_format(e->not_after, na);
	if ((e->flags & (MANIFEST_F_TESTING | MANIFEST_F_REVOKED)) ==
	    (MANIFEST_F_TESTING | MANIFEST_F_REVOKED))
		flags = "testing,revoked";
	else if (e->flags & MANIFEST_F_TESTING)
		flags = "testing";
	else if (e->flags & MANIFEST_F_REVOKED)
		flags = "revoked";
	if (asprintf(&out, "%s:%lu %s %s %s not_before=%s not_after=%s "
	    "flags=%s", e->file, e->line, e->address, addr_canon(e->addr), key,
	    nb, na, flags) == -1)
		out = NULL;
	free(key);
	return out;
}
