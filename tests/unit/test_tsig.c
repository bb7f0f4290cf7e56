/*
 * test_tsig: publisher/tsig.c reads TSIG keys in BIND, Knot and
 * K*.private form, and rejects bad ones with FILE:LINE.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "publisher/tsig.h"
#include "t.h"

#define SECRET	"c2VuZGVya2V5IHRzaWcgdGVzdCBzZWNyZXQgMzIgb2N0ZXRzIQ=="

static struct tsig *
parse(const char *text, const char *fname, char *err, size_t errsz)
{
	err[0] = '\0';
	return tsig_parse(text, strlen(text), fname, err, errsz);
}

static void
good(const char *what, const char *text, const char *fname, const char *name,
    const char *alg)
{
	char err[256];
	struct tsig *k = parse(text, fname, err, sizeof(err));

	T_OK(k != NULL, "%s: parsed (%s)", what, err);
	if (k == NULL)
		return;
	T_STREQ(tsig_name(k), name, "%s: key name", what);
	T_STREQ(tsig_algorithm(k), alg, "%s: algorithm", what);
	T_STREQ(tsig_secret(k), SECRET, "%s: secret", what);
	tsig_free(k);
}

static void
bad(const char *what, const char *text, const char *fname, const char *want)
{
	char err[256];
	struct tsig *k = parse(text, fname, err, sizeof(err));

	T_OK(k == NULL, "%s: rejected", what);
	T_OK(strstr(err, want) != NULL, "%s: error says '%s' (got '%s')",
	    what, want, err);
	tsig_free(k);
}

/*
 * load_mode: tsig_load of TEXT written to a temporary file of MODE (in
 * a 0700 directory); NULL with ERR set when refused.
 */
static struct tsig *
load_mode(const char *text, mode_t mode, char *path, size_t pathsz,
    char *err, size_t errsz)
{
	char dir[] = "/tmp/test_tsig.XXXXXX";
	struct tsig *k = NULL;
	FILE *f;

	err[0] = '\0';
	if (mkdtemp(dir) == NULL)
		return NULL;
	snprintf(path, pathsz, "%s/tsig.key", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(text, f);
		if (fclose(f) == 0 && chmod(path, mode) == 0)
			k = tsig_load(path, err, errsz);
	}
	unlink(path);
	rmdir(dir);
	return k;
}

/* test_load_modes: a TSIG key file is a secret: lib/secret.h's rules. */
static void
test_load_modes(void)
{
	static const char key[] = "key \"k.\" { algorithm hmac-sha256; "
	    "secret \"" SECRET "\"; };\n";
	char err[512], path[256];
	struct tsig *k;

	k = load_mode(key, 0600, path, sizeof(path), err, sizeof(err));
	T_OK(k != NULL, "tsig_load: a 0600 key file loads (%s)", err);
	tsig_free(k);
	k = load_mode(key, 0644, path, sizeof(path), err, sizeof(err));
	T_OK(k == NULL && strncmp(err, path, strlen(path)) == 0 &&
	    strstr(err, "mode 0644") != NULL && strstr(err, "chmod 600") !=
	    NULL, "tsig_load: a 0644 key file is refused: '%s'", err);
	tsig_free(k);
	k = load_mode(key, 0640, path, sizeof(path), err, sizeof(err));
	T_OK(k == NULL && strstr(err, "chmod 600") != NULL,
	    "tsig_load: a 0640 key file is refused: '%s'", err);
	tsig_free(k);
	k = load_mode("hello\n", 0644, path, sizeof(path), err, sizeof(err));
	T_OK(k == NULL && strncmp(err, path, strlen(path)) == 0 &&
	    err[strlen(path)] == ':' && strstr(err, "chmod") == NULL,
	    "tsig_load: a 0644 file without a key says so, not its mode: "
	    "'%s'", err);
	tsig_free(k);
}

int
main(void)
{
	test_load_modes();
	good("BIND tsig-keygen output",
	    "key \"Pub-Key.Example\" {\n\talgorithm hmac-sha256;\n"
	    "\tsecret \"" SECRET "\";\n};\n", "k.conf",
	    "pub-key.example.", "hmac-sha256.");
	good("BIND with comments, trailing dot, sha512",
	    "# made by hand\n// another\n/* block\n */ key pub. { "
	    "algorithm HMAC-SHA512; secret \"" SECRET "\"; };",
	    "k.conf", "pub.", "hmac-sha512.");
	good("BIND md5 wire name", "key \"x\" { algorithm "
	    "hmac-md5.sig-alg.reg.int.; secret \"" SECRET "\"; };", "k",
	    "x.", "hmac-md5.sig-alg.reg.int.");
	good("Knot with algorithm", "hmac-sha384:pub-key:" SECRET "\n",
	    "k.txt", "pub-key.", "hmac-sha384.");
	good("Knot without algorithm (sha256)", "pub-key.example.:" SECRET,
	    "k.txt", "pub-key.example.", "hmac-sha256.");
	good("K*.private", "Private-key-format: v1.3\nAlgorithm: 163 "
	    "(HMAC_SHA256)\nKey: " SECRET "\nBits: AAA=\n",
	    "/tmp/x/Kpub-key.example.+163+01234.private", "pub-key.example.",
	    "hmac-sha256.");

	bad("BIND unknown algorithm", "key \"x\" {\n algorithm "
	    "hmac-sha3;\n secret \"" SECRET "\"; };", "k.conf",
	    "k.conf:2: unknown TSIG algorithm");
	bad("BIND missing secret", "key \"x\" { algorithm hmac-sha256; };",
	    "k.conf", "needs an algorithm and a secret");
	bad("BIND secret not base64", "key x {\nalgorithm hmac-sha256;\n"
	    "secret \"no*base64\";\n};", "k.conf", "k.conf:3: the secret is "
	    "not base64");
	bad("BIND missing semicolon", "key x { algorithm hmac-sha256 "
	    "secret \"" SECRET "\"; };", "k.conf", "expected ';'");
	bad("BIND unterminated", "key x { algorithm hmac-sha256;",
	    "k.conf", "expected '}'");
	bad("no key statement", "options { };", "k.conf",
	    "expected key \"NAME\"");
	bad("Knot unknown algorithm", "hmac-foo:x:" SECRET, "k.txt",
	    "unknown TSIG algorithm");
	bad("Knot bad secret", "hmac-sha256:x:!!!", "k.txt",
	    "not base64");
	bad("Knot bad name", "hmac-sha256:a b:" SECRET, "k.txt",
	    "expected key");
	bad("K*.private not HMAC", "Private-key-format: v1.3\n"
	    "Algorithm: 13 (ECDSAP256SHA256)\nPrivateKey: AAAA\n",
	    "Kx.+013+1.private", "Kx.+013+1.private:2: not an HMAC");
	bad("K*.private bad file name", "Private-key-format: v1.3\n"
	    "Algorithm: 163 (HMAC_SHA256)\nKey: " SECRET "\n", "key.private",
	    "expected a file named K");
	bad("K*.private without Key", "Private-key-format: v1.3\n"
	    "Algorithm: 163 (HMAC_SHA256)\n", "Kx.+163+1.private",
	    "expected Algorithm: and Key:");
	{
		char err[256];

		T_OK(tsig_parse("a\0b", 3, "nul", err, sizeof(err)) == NULL,
		    "a NUL octet is rejected");
		T_OK(tsig_load("/nonexistent/k", err, sizeof(err)) == NULL &&
		    strstr(err, "/nonexistent/k") != NULL,
		    "tsig_load: a missing file names the path");
	}
	tsig_free(NULL);
	return t_done();
}
