/* test_b64: strict base64 over OpenSSL (RFC 4648 section 10 vectors). */
#include "lib/b64.h"
#include "t.h"

static const char *vec[][2] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

int
main(void)
{
	unsigned char *out;
	size_t i, n;
	char *e, buf[16];

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		e = b64_encode((const unsigned char *)vec[i][0],
		    strlen(vec[i][0]));
		T_STREQ(e, vec[i][1], "encode '%s'", vec[i][0]);
		free(e);
		buf[0] = '#';
		T_OK(b64_encode_buf((const unsigned char *)vec[i][0],
		    strlen(vec[i][0]), buf, strlen(vec[i][1]) + 1, &n) == 0 &&
		    n == strlen(vec[i][1]) && strcmp(buf, vec[i][1]) == 0,
		    "encode '%s' into a buffer that just fits", vec[i][0]);
		buf[0] = '#';
		T_OK(b64_encode_buf((const unsigned char *)vec[i][0],
		    strlen(vec[i][0]), buf, strlen(vec[i][1]), &n) == -1 &&
		    buf[0] == '#', "encode '%s': one octet short is refused, "
		    "buffer untouched", vec[i][0]);
		T_OK(b64_decode(vec[i][1], &out, &n) == 0 &&
		    n == strlen(vec[i][0]) && memcmp(out, vec[i][0], n) == 0,
		    "decode '%s'", vec[i][1]);
		free(out);
	}
	T_OK(b64_decode(" Zm9v\r\n YmFy\t", &out, &n) == 0 && n == 6,
	    "folding whitespace skipped");
	free(out);
	T_OK(b64_decode("Zm9", &out, &n) == -1, "length not a multiple of 4");
	T_OK(b64_decode("Zm=v", &out, &n) == -1, "'=' inside");
	T_OK(b64_decode("Z===", &out, &n) == -1, "three padding characters");
	T_OK(b64_decode("Zm9v!A==", &out, &n) == -1, "'!' is not base64");
	T_OK(b64_decode("Zm9v-_==", &out, &n) == -1, "base64url is not base64");
	T_OK(b64_decode("====", &out, &n) == -1, "only padding");
	return t_done();
}
