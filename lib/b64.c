/*
 * b64.c: strict base64 around OpenSSL's block coder.  OpenSSL decodes;
 * this file only enforces the shape (groups of four, padding at the end)
 * and removes folding whitespace, gathering the text in chunks on the
 * stack (no copy of the whole text, no allocation in b64_decode_buf).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64.h"

#define CHUNK	256	/* base64 characters decoded per EVP call */

/* Octet classes: 0 is bad. */
#define B_WSP	1
#define B_CHAR	2
#define B_PAD	3

static const unsigned char bcls[256] = {
	[' '] = B_WSP, ['\t'] = B_WSP, ['\r'] = B_WSP, ['\n'] = B_WSP,
	['+'] = B_CHAR, ['/'] = B_CHAR, ['='] = B_PAD,
	['0'] = B_CHAR, ['1'] = B_CHAR, ['2'] = B_CHAR, ['3'] = B_CHAR,
	['4'] = B_CHAR, ['5'] = B_CHAR, ['6'] = B_CHAR, ['7'] = B_CHAR,
	['8'] = B_CHAR, ['9'] = B_CHAR,
	['A'] = B_CHAR, ['B'] = B_CHAR, ['C'] = B_CHAR, ['D'] = B_CHAR,
	['E'] = B_CHAR, ['F'] = B_CHAR, ['G'] = B_CHAR, ['H'] = B_CHAR,
	['I'] = B_CHAR, ['J'] = B_CHAR, ['K'] = B_CHAR, ['L'] = B_CHAR,
	['M'] = B_CHAR, ['N'] = B_CHAR, ['O'] = B_CHAR, ['P'] = B_CHAR,
	['Q'] = B_CHAR, ['R'] = B_CHAR, ['S'] = B_CHAR, ['T'] = B_CHAR,
	['U'] = B_CHAR, ['V'] = B_CHAR, ['W'] = B_CHAR, ['X'] = B_CHAR,
	['Y'] = B_CHAR, ['Z'] = B_CHAR,
	['a'] = B_CHAR, ['b'] = B_CHAR, ['c'] = B_CHAR, ['d'] = B_CHAR,
	['e'] = B_CHAR, ['f'] = B_CHAR, ['g'] = B_CHAR, ['h'] = B_CHAR,
	['i'] = B_CHAR, ['j'] = B_CHAR, ['k'] = B_CHAR, ['l'] = B_CHAR,
	['m'] = B_CHAR, ['n'] = B_CHAR, ['o'] = B_CHAR, ['p'] = B_CHAR,
	['q'] = B_CHAR, ['r'] = B_CHAR, ['s'] = B_CHAR, ['t'] = B_CHAR,
	['u'] = B_CHAR, ['v'] = B_CHAR, ['w'] = B_CHAR, ['x'] = B_CHAR,
	['y'] = B_CHAR, ['z'] = B_CHAR,
};

int
b64_decode_buf(const char *text, size_t len, unsigned char *out,
    size_t outsz, size_t *outlen)
{
	unsigned char chunk[CHUNK + 4], last[CHUNK / 4 * 3 + 3];
	size_t i, j, n = 0, o = 0, pad = 0, take;
	int r;

	*outlen = 0;
	if (len > INT_MAX / 2)
		return -1;
	for (i = 0; i < len; i++) {
		if (bcls[(unsigned char)text[i]] == B_CHAR && pad == 0) {
			/* the common case: a run of base64 characters */
			for (j = i + 1; j < len &&
			    bcls[(unsigned char)text[j]] == B_CHAR; j++)
				;
			while (i < j) {
				if (n == CHUNK) {
					/* full, without padding: decode it */
					if (outsz - o < CHUNK / 4 * 3 ||
					    EVP_DecodeBlock(out + o, chunk,
					    CHUNK) != CHUNK / 4 * 3)
						return -1;
					o += CHUNK / 4 * 3;
					n = 0;
				}
				take = CHUNK - n < j - i ? CHUNK - n : j - i;
				memcpy(chunk + n, text + i, take);
				n += take;
				i += take;
			}
			i--;
			continue;
		}
		switch (bcls[(unsigned char)text[i]]) {
		case B_WSP:
			continue;
		case B_PAD:
			if (++pad > 2)
				return -1;
			/* padding ends the text: never decoded early */
			chunk[n++] = '=';
			continue;
		default:
			return -1;	/* not base64, or after '=' */
		}
	}
	/* decoded chunks are whole groups: N has the remainder */
	if (n % 4 != 0)
		return -1;
	if (n > 0) {
		r = EVP_DecodeBlock(last, chunk, (int)n);
		if (r < 0 || (size_t)r < pad || (size_t)r - pad > outsz - o)
			return -1;
		memcpy(out + o, last, (size_t)r - pad);
		o += (size_t)r - pad;
	}
	*outlen = o;
	return 0;
}

int
b64_decode(const char *text, unsigned char **out, size_t *outlen)
{
	unsigned char *buf;
	size_t len = strlen(text);

	*out = NULL;
	*outlen = 0;
	if (len > INT_MAX / 2 || (buf = malloc(len / 4 * 3 + 3)) == NULL)
		return -1;
	if (b64_decode_buf(text, len, buf, len / 4 * 3 + 3, outlen) == -1) {
		free(buf);
		*outlen = 0;
		return -1;
	}
	*out = buf;
	return 0;
}

char *
b64_encode(const unsigned char *in, size_t len)
{
	size_t sz, n;
	char *out;

	if (len > INT_MAX / 4 * 3 - 3)
		return NULL;
	sz = (len + 2) / 3 * 4 + 1;
	if ((out = malloc(sz)) == NULL)
		return NULL;
	(void)b64_encode_buf(in, len, out, sz, &n);
	return out;
}

int
b64_encode_buf(const unsigned char *in, size_t len, char *out, size_t outsz,
    size_t *outlen)
{
	if (len > INT_MAX / 4 * 3 - 3 || (len + 2) / 3 * 4 >= outsz)
		return -1;
	*outlen = (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return 0;
}
