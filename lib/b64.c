/*
 * b64.c: strict base64 around OpenSSL's block coder.  OpenSSL decodes;
 * this file only enforces the shape (groups of four, padding at the end)
 * and removes folding whitespace first.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64.h"

static int
is_b64char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

int
b64_decode(const char *text, unsigned char **out, size_t *outlen)
{
	char *copy = NULL;
	const char *s = text;
	unsigned char *buf = NULL;
	size_t i, n = 0, len = strlen(text), pad = 0;
	int r;

	*out = NULL;
	*outlen = 0;
	if (len > INT_MAX / 2)
		return -1;
	n = strcspn(text, " \t\r\n");
	if (n < len) {
		/* Folded: a copy without the whitespace. */
		if ((copy = malloc(len + 1)) == NULL)
			return -1;
		for (i = 0, n = 0; i < len; i++) {
			char c = text[i];

			if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
				continue;
			copy[n++] = c;
		}
		copy[n] = '\0';
		s = copy;
	}
	if (n % 4 != 0)
		goto fail;
	while (pad < 2 && n > pad && s[n - 1 - pad] == '=')
		pad++;
	for (i = 0; i < n - pad; i++)
		if (!is_b64char(s[i]))
			goto fail;
	if ((buf = malloc(n / 4 * 3 + 1)) == NULL)
		goto fail;
	if (n > 0) {
		r = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n);
		if (r < 0 || (size_t)r < pad)
			goto fail;
		*outlen = (size_t)r - pad;
	}
	free(copy);
	*out = buf;
	return 0;
fail:
	free(copy);
	free(buf);
	return -1;
}

char *
b64_encode(const unsigned char *in, size_t len)
{
	char *out;

	if (len > INT_MAX / 4 * 3 - 3)
		return NULL;
	if ((out = malloc((len + 2) / 3 * 4 + 1)) == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}
