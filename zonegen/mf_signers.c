/*
 * mf_signers.c: the OpenSSH allowed_signers manifest (ssh-keygen(1)
 * "ALLOWED SIGNERS", specs/manifest.md section 3): one line per key,
 *
 *   principals [options] keytype base64 [comment]
 *
 * principals a comma-separated list of addresses (no patterns), options
 * valid-after=, valid-before= and namespaces= (ignored); cert-authority is
 * refused.  The key stays text ("keytype base64") for key.c to decode.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mf_base.h"
#include "mf_signers.h"

#define TOK_MAX		16	/* tokens looked at on one line */

static const char *const keytypes[] = {
	"ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256",
	"ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
	"sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
};

static int
is_keytype(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(keytypes) / sizeof(keytypes[0]); i++)
		if (strlen(keytypes[i]) == len && memcmp(s, keytypes[i], len) ==
		    0)
			return 1;
	return 0;
}

/*
 * tok: the next whitespace-separated token of LINE from *I, where double
 * quotes protect whitespace.  Returns its length (0 at the end) with
 * *START set; -1 for an unterminated quote.
 */
static long
tok(const char *line, size_t len, size_t *i, size_t *start)
{
	int q = 0;

	while (*i < len && (line[*i] == ' ' || line[*i] == '\t'))
		(*i)++;
	*start = *i;
	for (; *i < len; (*i)++) {
		if (line[*i] == '"')
			q = !q;
		else if (!q && (line[*i] == ' ' || line[*i] == '\t'))
			break;
	}
	if (q)
		return -1;
	return (long)(*i - *start);
}

/* ssh_time: YYYYMMDD[HHMM[SS]][Z], read as UTC; returns 0 or -1. */
static int
ssh_time(const char *s, size_t len, int64_t *out)
{
	char iso[21];
	size_t i;

	if (len > 0 && s[len - 1] == 'Z')
		len--;
	if (len != 8 && len != 12 && len != 14)
		return -1;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	memcpy(iso, "0000-00-00T00:00:00Z", 21);
	memcpy(iso, s, 4);
	memcpy(iso + 5, s + 4, 2);
	memcpy(iso + 8, s + 6, 2);
	if (len >= 12) {
		memcpy(iso + 11, s + 8, 2);
		memcpy(iso + 14, s + 10, 2);
	}
	if (len == 14)
		memcpy(iso + 17, s + 12, 2);
	return mf_base_time_parse(iso, 20, out);
}

struct opts {
	int64_t	nb, na;
};

/* options: parse the options token; returns 0 or -1 (reported). */
static int
options(struct manifest *m, const char *file, unsigned long line,
    const char *s, size_t len, struct opts *o)
{
	char q[128];
	size_t i = 0, j, eq, vs, vl;
	int quoted, rc = 0;

	while (i < len) {
		quoted = 0;
		for (j = i; j < len && (quoted || s[j] != ','); j++)
			if (s[j] == '"')
				quoted = !quoted;
		for (eq = i; eq < j && s[eq] != '='; eq++)
			;
		vs = eq < j ? eq + 1 : j;
		vl = j - vs;
		if (vl >= 2 && s[vs] == '"' && s[vs + vl - 1] == '"') {
			vs++;
			vl -= 2;
		}
		if (eq - i == 14 && strncasecmp(s + i, "cert-authority", 14) ==
		    0) {
			mf_base_err(m, file, line,
			    "cert-authority: a certificate authority is not a "
			    "sender key");
			rc = -1;
		} else if (eq - i == 10 &&
		    strncasecmp(s + i, "namespaces", 10) == 0 && eq < j) {
			;	/* SSHSIG namespaces do not apply */
		} else if (eq - i == 11 &&
		    strncasecmp(s + i, "valid-after", 11) == 0 && eq < j) {
			if (ssh_time(s + vs, vl, &o->nb) == -1) {
				mf_base_err(m, file, line,
				    "bad valid-after \"%s\": expected "
				    "YYYYMMDD[HHMM[SS]][Z]",
				    mf_base_quote(s + vs, vl, q, sizeof(q)));
				rc = -1;
			}
		} else if (eq - i == 12 &&
		    strncasecmp(s + i, "valid-before", 12) == 0 && eq < j) {
			if (ssh_time(s + vs, vl, &o->na) == -1) {
				mf_base_err(m, file, line,
				    "bad valid-before \"%s\": expected "
				    "YYYYMMDD[HHMM[SS]][Z]",
				    mf_base_quote(s + vs, vl, q, sizeof(q)));
				rc = -1;
			}
		} else {
			mf_base_err(m, file, line, "unknown option \"%s\"",
			    mf_base_quote(s + i, j - i, q, sizeof(q)));
			rc = -1;
		}
		i = j + 1;
	}
	return rc;
}

/* one_line: LINE (LEN octets, no line end) numbered LNO. */
static void
one_line(struct manifest *m, const char *file, unsigned long lno,
    const char *line, size_t len)
{
	struct opts o = { 0, 0 };
	struct manifest_entry *e;
	size_t i = 0, ps, os = 0, ks, bs, p, q, keylen;
	long pl, ol = 0, kl, bl;
	char qb[128];

	if (memchr(line, '\0', len) != NULL) {
		mf_base_err(m, file, lno, "NUL octet");
		return;
	}
	if ((pl = tok(line, len, &i, &ps)) <= 0 ||
	    (kl = tok(line, len, &i, &ks)) < 0)
		goto quote;
	if (kl == 0) {
		mf_base_err(m, file, lno, "expected principals and a key");
		return;
	}
	if (!is_keytype(line + ks, (size_t)kl) &&
	    memchr(line + ks, '=', (size_t)kl) == NULL &&
	    strncasecmp(line + ks, "cert-authority", (size_t)kl) != 0) {
		mf_base_err(m, file, lno, "unknown key type \"%s\"",
		    mf_base_quote(line + ks, (size_t)kl, qb, sizeof(qb)));
		return;
	}
	if (!is_keytype(line + ks, (size_t)kl)) {
		os = ks;
		ol = kl;
		if ((kl = tok(line, len, &i, &ks)) < 0)
			goto quote;
		if (!is_keytype(line + ks, (size_t)kl)) {
			mf_base_err(m, file, lno, "unknown key type \"%s\"",
			    mf_base_quote(line + ks, (size_t)kl, qb,
			    sizeof(qb)));
			return;
		}
	}
	if ((bl = tok(line, len, &i, &bs)) <= 0) {
		mf_base_err(m, file, lno, "no base64 key after %.*s", (int)kl,
		    line + ks);
		return;
	}
	if (ol > 0 && options(m, file, lno, line + os, (size_t)ol, &o) == -1)
		return;
	keylen = bs + (size_t)bl - ks;
	/* Principals: strip quotes, split on commas. */
	if (pl >= 2 && line[ps] == '"' && line[ps + (size_t)pl - 1] == '"') {
		ps++;
		pl -= 2;
	}
	for (p = ps; p <= ps + (size_t)pl; p = q + 1) {
		for (q = p; q < ps + (size_t)pl && line[q] != ','; q++)
			;
		if (memchr(line + p, '*', q - p) != NULL ||
		    memchr(line + p, '?', q - p) != NULL ||
		    (q > p && line[p] == '!')) {
			mf_base_err(m, file, lno, "\"%s\": patterns are not "
			    "allowed, name each address",
			    mf_base_quote(line + p, q - p, qb, sizeof(qb)));
			continue;
		}
		if ((e = mf_base_add(m, file, lno, line + p, q - p)) == NULL)
			continue;
		e->not_before = o.nb;
		e->not_after = o.na;
		mf_base_set_data(m, e, MANIFEST_KT_SSH, line + ks, keylen);
	}
	return;
quote:
	mf_base_err(m, file, lno, "unterminated quote");
}

int
mf_signers_parse(struct manifest *m, const char *path, const char *buf,
    size_t len)
{
	size_t pos = 0, end, n, before = mf_base_nerrors(m);
	unsigned long lno = 0;
	const char *file, *nl;

	if ((file = mf_base_file(m, path)) == NULL) {
		mf_base_err(m, path, 0, "out of memory");
		return -1;
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		lno++;
		nl = memchr(buf + pos, '\n', len - pos);
		end = nl != NULL ? (size_t)(nl - buf) : len;
		n = end - pos;
		if (n > 0 && buf[pos + n - 1] == '\r')
			n--;
		if (n > MF_FIELD_MAX)
			mf_base_err(m, file, lno, "line too long");
		else {
			size_t i = pos;

			while (i < pos + n && (buf[i] == ' ' || buf[i] == '\t'))
				i++;
			if (i < pos + n && buf[i] != '#')
				one_line(m, file, lno, buf + i, pos + n - i);
		}
		pos = end + 1;
	}
	return mf_base_nerrors(m) == before ? 0 : -1;
}
