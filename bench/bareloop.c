/*
 * bareloop.c: the floor for unsigned "senderkey zonegen" in make bench.
 * The least a zone generator must do per sender, in one bare C loop: the
 * SHA-256 of the local part (digest fetched once), its first 28 octets in
 * hex as the owner label, the base64 of a 32-octet Ed25519 key, and one
 * TXT line written through stdio.  No manifest parsing, no key checks, no
 * sorting, no records in memory.  The key octets are SHA-256("key" ||
 * local part), as bench/mkzone makes them, so the lines are the very
 * records of bench/mkzone's zone (in another order).
 *
 * Usage: bareloop [-d DOMAIN] [-o FILE] N
 *
 * The Makefile links bench programs without libraries, so libcrypto is
 * opened with dlopen(3) and its functions called through pointers (the
 * same code OpenSSL runs; one indirect call more).  With $(LIBS) on the
 * Makefile's bench rule, the C(...) indirection can go.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

/* The libcrypto functions used, resolved at start. */
struct crypto {
	__typeof__(EVP_MD_fetch)	*EVP_MD_fetch;
	__typeof__(EVP_MD_free)		*EVP_MD_free;
	__typeof__(EVP_MD_CTX_new)	*EVP_MD_CTX_new;
	__typeof__(EVP_MD_CTX_free)	*EVP_MD_CTX_free;
	__typeof__(EVP_DigestInit_ex)	*EVP_DigestInit_ex;
	__typeof__(EVP_DigestUpdate)	*EVP_DigestUpdate;
	__typeof__(EVP_DigestFinal_ex)	*EVP_DigestFinal_ex;
	__typeof__(EVP_EncodeBlock)	*EVP_EncodeBlock;
};

#define SYM(c, h, name) \
	((*(void **)&(c)->name = dlsym((h), #name)) != NULL)

static int
crypto_open(struct crypto *c)
{
	void *h;

	if ((h = dlopen("libcrypto.so.3", RTLD_NOW)) == NULL &&
	    (h = dlopen("libcrypto.so", RTLD_NOW)) == NULL) {
		fprintf(stderr, "bareloop: %s\n", dlerror());
		return -1;
	}
	if (!SYM(c, h, EVP_MD_fetch) || !SYM(c, h, EVP_MD_free) ||
	    !SYM(c, h, EVP_MD_CTX_new) || !SYM(c, h, EVP_MD_CTX_free) ||
	    !SYM(c, h, EVP_DigestInit_ex) || !SYM(c, h, EVP_DigestUpdate) ||
	    !SYM(c, h, EVP_DigestFinal_ex) || !SYM(c, h, EVP_EncodeBlock)) {
		fprintf(stderr, "bareloop: %s\n", dlerror());
		return -1;
	}
	return 0;
}

#define C(name)	(c.name)

int
main(int argc, char **argv)
{
	struct crypto c;
	static const char hex[] = "0123456789abcdef";
	const char *domain = "example.test", *out = NULL;
	unsigned char md[EVP_MAX_MD_SIZE], buf[64];
	char owner[57], b64[64];
	unsigned long i, n;
	unsigned mdlen;
	EVP_MD_CTX *ctx;
	EVP_MD *sha;
	FILE *fp = stdout;
	int ch, len, j;

	while ((ch = getopt(argc, argv, "d:o:")) != -1) {
		switch (ch) {
		case 'd':
			domain = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc)
		goto usage;
	n = strtoul(argv[optind], NULL, 10);
	if (out != NULL && (fp = fopen(out, "w")) == NULL) {
		perror(out);
		return 1;
	}
	if (crypto_open(&c) == -1)
		return 1;
	if ((sha = C(EVP_MD_fetch)(NULL, "SHA256", NULL)) == NULL ||
	    (ctx = C(EVP_MD_CTX_new)()) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		/* buf = "key" || "user<I>": the local part starts at buf + 3. */
		len = snprintf((char *)buf, sizeof(buf), "keyuser%lu", i);
		if (!C(EVP_DigestInit_ex)(ctx, sha, NULL) ||
		    !C(EVP_DigestUpdate)(ctx, buf + 3, (size_t)len - 3) ||
		    !C(EVP_DigestFinal_ex)(ctx, md, &mdlen))
			return 1;
		for (j = 0; j < 28; j++) {
			owner[2 * j] = hex[md[j] >> 4];
			owner[2 * j + 1] = hex[md[j] & 15];
		}
		owner[56] = '\0';
		if (!C(EVP_DigestInit_ex)(ctx, sha, NULL) ||
		    !C(EVP_DigestUpdate)(ctx, buf, (size_t)len) ||
		    !C(EVP_DigestFinal_ex)(ctx, md, &mdlen))
			return 1;
		C(EVP_EncodeBlock)((unsigned char *)b64, md, 32);
		fprintf(fp, "%s._senderkey.%s.\t3600\tIN\tTXT\t\"v=SK1; "
		    "k=ed25519; p=%s\"\n", owner, domain, b64);
	}
	C(EVP_MD_CTX_free)(ctx);
	C(EVP_MD_free)(sha);
	if (fflush(fp) == EOF || ferror(fp) || (out != NULL && fclose(fp))) {
		perror("write");
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: bareloop [-d DOMAIN] [-o FILE] N\n");
	return 64;
}
