/*
 * test_key_ssh.c: key_ssh_ed25519_raw, zonegen's fast path for inline
 * "ssh-ed25519 AAAA..." keys.  It must take the common lines, and whenever
 * it takes a line, key_public_from_text must accept that line too and give
 * the same key octets (key_record_bytes); everything else is left to
 * key_public_from_text (-1), including every malformed line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/b64.h"
#include "lib/key.h"
#include "lib/key_ssh.h"
#include "lib/keyrec.h"
#include "t.h"

static const unsigned char head[] = {
	0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9',
	0, 0, 0, 32,
};

/* blob_b64: base64 of HEAD (HLEN) + 32 key octets + EXTRA trailing. */
static char *
blob_b64(const unsigned char *h, size_t hlen, size_t keylen, size_t extra)
{
	unsigned char blob[256];
	size_t i, n = 0;

	memcpy(blob, h, hlen);
	n = hlen;
	for (i = 0; i < keylen + extra; i++)
		blob[n++] = (unsigned char)(i * 7 + 3);
	return b64_encode(blob, n);
}

/*
 * agree: the fast path's answer on LINE (LEN octets) is consistent with
 * the general one.  Returns 1 when the fast path took it, 0 when not, -1
 * when they disagree.
 */
static int
agree(const char *line, size_t len)
{
	unsigned char raw[KEY_ED25519_LEN], *bytes = NULL;
	size_t blen = 0;
	EVP_PKEY *pk;
	int alg, rc;

	if (key_ssh_ed25519_raw(line, len, raw) == -1)
		return 0;
	if ((pk = key_public_from_text(line, len, NULL, 0)) == NULL)
		return -1;
	rc = key_record_bytes(pk, &alg, &bytes, &blen) == 0 &&
	    alg == KEYREC_ED25519 && blen == sizeof(raw) &&
	    memcmp(bytes, raw, blen) == 0 ? 1 : -1;
	free(bytes);
	EVP_PKEY_free(pk);
	return rc;
}

static void
taken(const char *what, const char *line, size_t len)
{
	T_INTEQ(agree(line, len), 1, "fast path takes %s, same key", what);
}

static void
left(const char *what, const char *line, size_t len)
{
	unsigned char raw[KEY_ED25519_LEN];

	T_INTEQ(key_ssh_ed25519_raw(line, len, raw), -1,
	    "fast path leaves %s to key_public_from_text", what);
}

int
main(void)
{
	char *good, *b, line[1024];
	size_t i, n, bad = 0, tries = 0, took = 0;
	unsigned char h2[sizeof(head)];
	static const char subst[] = "A/+= \t\r\n\0x-";

	good = blob_b64(head, sizeof(head), 32, 0);
	T_OK(good != NULL, "test blob encodes");
	if (good == NULL)
		return t_done();

	snprintf(line, sizeof(line), "ssh-ed25519 %s", good);
	taken("a bare line", line, strlen(line));
	snprintf(line, sizeof(line), "ssh-ed25519 %s user@host", good);
	taken("a line with a comment", line, strlen(line));
	snprintf(line, sizeof(line), " \tssh-ed25519\t %s  a b c \n", good);
	taken("tabs, leading space and a newline", line, strlen(line));
	snprintf(line, sizeof(line), "ssh-ed25519 %s\r\n \n\n", good);
	taken("CRLF and blank lines after", line, strlen(line));

	snprintf(line, sizeof(line), "ssh-ed25519 %s\nssh-ed25519 %s", good,
	    good);
	left("two lines", line, strlen(line));
	snprintf(line, sizeof(line), "ssh-ed25519 %s", good);
	left("a NUL byte", line, strlen(line) + 1);
	left("the type alone", "ssh-ed25519\n", 12);
	left("an empty text", "", 0);
	snprintf(line, sizeof(line), "ssh-ed25519x %s", good);
	left("another type name", line, strlen(line));
	snprintf(line, sizeof(line), "ssh-rsa %s", good);
	left("an ssh-rsa line", line, strlen(line));
	left("PEM", "-----BEGIN PUBLIC KEY-----\n", 27);
	snprintf(line, sizeof(line), "ssh-ed25519 %.*s", (int)strlen(good) - 1,
	    good);
	left("truncated base64", line, strlen(line));
	free(good);

	b = blob_b64(head, sizeof(head), 32, 1);
	snprintf(line, sizeof(line), "ssh-ed25519 %s", b);
	left("a blob with a trailing byte", line, strlen(line));
	free(b);
	memcpy(h2, head, sizeof(head));
	h2[sizeof(head) - 1] = 31;
	b = blob_b64(h2, sizeof(h2), 31, 0);
	snprintf(line, sizeof(line), "ssh-ed25519 %s", b);
	left("a 31-octet key", line, strlen(line));
	free(b);
	memcpy(h2, head, sizeof(head));
	h2[14] = '8';
	b = blob_b64(h2, sizeof(h2), 32, 0);
	snprintf(line, sizeof(line), "ssh-ed25519 %s", b);
	left("a blob of another type", line, strlen(line));
	free(b);
	memset(line, 'A', sizeof(line));
	memcpy(line, "ssh-ed25519 ", 12);
	left("a 1000-character base64 token", line, sizeof(line));

	/* Many keys: the base64 of each key octet lands everywhere. */
	for (i = 0, bad = 0; i < 500; i++) {
		unsigned char blob[sizeof(head) + 32];
		size_t j;

		memcpy(blob, head, sizeof(head));
		for (j = 0; j < 32; j++)
			blob[sizeof(head) + j] = (unsigned char)(i * 37 + j * 11 +
			    (i * j >> 3));
		if ((b = b64_encode(blob, sizeof(blob))) == NULL) {
			bad++;
			continue;
		}
		snprintf(line, sizeof(line), "ssh-ed25519 %s k%zu", b, i);
		if (agree(line, strlen(line)) != 1)
			bad++;
		free(b);
	}
	T_INTEQ(bad, 0, "500 different keys: all taken, all the same key "
	    "as key_public_from_text");

	/* Every one-octet change of a good line: never a disagreement. */
	good = blob_b64(head, sizeof(head), 32, 0);
	n = (size_t)snprintf(line, sizeof(line), " ssh-ed25519 %s c\n", good);
	for (i = 0; i < n; i++) {
		size_t j;
		char was = line[i];

		for (j = 0; j < sizeof(subst); j++) {
			int r;

			line[i] = subst[j];
			r = agree(line, n);
			tries++;
			if (r == -1) {
				bad++;
				printf("# disagree at %zu with 0x%02x\n", i,
				    (unsigned char)subst[j]);
			} else
				took += (size_t)r;
		}
		line[i] = was;
	}
	free(good);
	T_INTEQ(bad, 0, "%zu one-octet changes: the fast path never takes "
	    "a line key_public_from_text refuses or reads differently",
	    tries);
	T_OK(took > 0 && took < tries, "some changed lines are still taken "
	    "(%zu), most are not", took);
	return t_done();
}
