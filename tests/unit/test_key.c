/*
 * test_key: key I/O (lib/key.c) against the fixtures in tests/data/key/.
 * Expected fingerprints come from tests/data/key/fingerprints.txt, which
 * the openssl command line computed (see the README there), never from the
 * code under test.  Private key files are copied to 0600 temp files, since
 * git checks them out 0644.
 */
#include <sys/stat.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "lib/key.h"
#include "lib/keyrec.h"
#include "t.h"

#define DIR	"tests/data/key/"
#define MAXFP	32

struct fps {
	int	n;
	char	name[MAXFP][64];
	char	fp[MAXFP][KEY_FP_SIZE];
};

/* DER before the raw key in an Ed25519 SPKI (RFC 8410): 12 octets. */
static const unsigned char ed25519_spki_prefix[] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
};

static char *
slurp(const char *path, size_t *lenp)
{
	FILE *f;
	char *buf;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	buf = malloc(1 << 17);
	n = buf == NULL ? 0 : fread(buf, 1, (1 << 17) - 1, f);
	fclose(f);
	if (buf != NULL) {
		buf[n] = '\0';
		*lenp = n;
	}
	return buf;
}

/* tmp_write: a new temp file holding LEN octets of BUF with MODE. */
static char *
tmp_write(const char *buf, size_t len, mode_t mode)
{
	char *path = strdup("/tmp/test_key.XXXXXX");
	int fd;

	if (path == NULL || (fd = mkstemp(path)) == -1) {
		free(path);
		return NULL;
	}
	if (write(fd, buf, len) != (ssize_t)len || fchmod(fd, mode) == -1) {
		close(fd);
		unlink(path);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

static char *
tmp_copy(const char *name, mode_t mode)
{
	char path[256], *buf, *tmp;
	size_t len;

	snprintf(path, sizeof(path), DIR "%s", name);
	if ((buf = slurp(path, &len)) == NULL)
		return NULL;
	tmp = tmp_write(buf, len, mode);
	free(buf);
	return tmp;
}

/*
 * load_any: key_load_public of the test file NAME; a private key file
 * (*.key) from a 0600 copy, since key_load refuses a private key others
 * can read even when only its public part is wanted.
 */
static EVP_PKEY *
load_any(const char *name, char *err, size_t errsz)
{
	char path[256], *tmp = NULL;
	size_t n = strlen(name);
	EVP_PKEY *pk;

	snprintf(path, sizeof(path), DIR "%s", name);
	if (n > 4 && strcmp(name + n - 4, ".key") == 0 &&
	    (tmp = tmp_copy(name, 0600)) != NULL)
		snprintf(path, sizeof(path), "%s", tmp);
	pk = key_load_public(path, err, errsz);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	return pk;
}

static void
load_fps(struct fps *fps)
{
	FILE *f = fopen(DIR "fingerprints.txt", "r");
	char line[256];

	fps->n = 0;
	T_OK(f != NULL, "fingerprints.txt opens");
	if (f == NULL)
		return;
	while (fps->n < MAXFP && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%63s %95s", fps->name[fps->n],
		    fps->fp[fps->n]) == 2)
			fps->n++;
	fclose(f);
	T_OK(fps->n >= 10, "fingerprints.txt has %d entries", fps->n);
}

static const char *
want_fp(const struct fps *fps, const char *name)
{
	int i;

	for (i = 0; i < fps->n; i++)
		if (strcmp(fps->name[i], name) == 0)
			return fps->fp[i];
	return NULL;
}

static void
fp_of(const EVP_PKEY *pk, char fp[KEY_FP_SIZE])
{
	if (pk == NULL || key_fingerprint(pk, fp, KEY_FP_SIZE) == -1)
		strcpy(fp, "(none)");
}

/* good_public: NAME loads as a public key of TYPE and BITS, right print. */
static void
good_public(const struct fps *fps, const char *name, const char *type,
    unsigned bits)
{
	char err[256] = "", fp[KEY_FP_SIZE], *pem = NULL;
	EVP_PKEY *pk;

	pk = load_any(name, err, sizeof(err));
	T_OK(pk != NULL, "%s loads (%s)", name, err);
	fp_of(pk, fp);
	T_STREQ(fp, want_fp(fps, name), "%s: fingerprint as openssl's", name);
	T_STREQ(pk ? key_type_name(pk) : NULL, type, "%s: type", name);
	T_INTEQ(pk ? key_bits(pk) : 0, bits, "%s: bits", name);
	T_OK(pk != NULL && key_private_pem(pk, &pem) == -1 && pem == NULL,
	    "%s: public only", name);
	EVP_PKEY_free(pk);
}

/*
 * bad_load: NAME fails to load with WANT in the error.  PRIV: as a private
 * key, from a 0600 copy so that the mode check passes.
 */
static void
bad_load(const char *name, int priv, const char *want)
{
	char path[256], err[256] = "", *tmp = NULL;
	enum key_load_err why = KEY_LOAD_OK;
	EVP_PKEY *pk = NULL;
	size_t plen;

	snprintf(path, sizeof(path), DIR "%s", name);
	if (priv && (tmp = tmp_copy(name, 0600)) != NULL)
		snprintf(path, sizeof(path), "%s", tmp);
	plen = strlen(path);
	if (!priv || tmp != NULL)
		pk = key_load(path, priv, &why, err, sizeof(err));
	T_OK(pk == NULL && strncmp(err, path, plen) == 0 &&
	    strncmp(err + plen, ": ", 2) == 0 && strstr(err, want) != NULL &&
	    why == KEY_LOAD_EDATA, "%s refused%s: '%s'", name,
	    priv ? " as private key" : "", err);
	EVP_PKEY_free(pk);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
}

/* bad_text: TEXT is refused as a public key with WANT in the error. */
static void
bad_text(const char *text, size_t len, const char *want, const char *what)
{
	char err[256] = "";
	EVP_PKEY *pk;

	pk = key_public_from_text(text, len, err, sizeof(err));
	T_OK(pk == NULL && strstr(err, want) != NULL, "%s refused: '%s'",
	    what, err);
	EVP_PKEY_free(pk);
}

/* ssh_line: "TYPE base64(BLOB)" in OUT, the base64 by OpenSSL. */
static void
ssh_line(char *out, size_t outsz, const char *type, const unsigned char *blob,
    size_t len)
{
	unsigned char b64[1024];

	EVP_EncodeBlock(b64, blob, (int)len);
	snprintf(out, outsz, "%s %s test\n", type, (char *)b64);
}

/* put_string: an SSH string (uint32 length + octets) at P, returns end. */
static unsigned char *
put_string(unsigned char *p, const void *s, size_t n)
{
	p[0] = (unsigned char)(n >> 24);
	p[1] = (unsigned char)(n >> 16);
	p[2] = (unsigned char)(n >> 8);
	p[3] = (unsigned char)n;
	memcpy(p + 4, s, n);
	return p + 4 + n;
}

static void
test_public_files(const struct fps *fps)
{
	good_public(fps, "ed25519.spki.pem", "ed25519", 256);
	good_public(fps, "ed25519.pub", "ed25519", 256);
	good_public(fps, "ed25519.key", "ed25519", 256);
	good_public(fps, "rsa2048.spki.pem", "rsa", 2048);
	good_public(fps, "rsa2048.pkcs1.pem", "rsa", 2048);
	good_public(fps, "rsa2048.pub", "rsa", 2048);
	good_public(fps, "rsa2048.key", "rsa", 2048);
	good_public(fps, "rsa2048.pkcs1.key", "rsa", 2048);
	good_public(fps, "rsa1024.spki.pem", "rsa", 1024);
	good_public(fps, "rsa1024.key", "rsa", 1024);
}

static void
test_twins(void)
{
	static const char *twins[][2] = {
		{ "ed25519.pub", "ed25519.spki.pem" },
		{ "rsa2048.pub", "rsa2048.spki.pem" },
		{ "rsa2048.pkcs1.pem", "rsa2048.spki.pem" },
		{ "rsa2048.pkcs1.key", "rsa2048.key" },
	};
	char fa[KEY_FP_SIZE], fb[KEY_FP_SIZE], err[256];
	EVP_PKEY *a, *b;
	size_t i;

	for (i = 0; i < sizeof(twins) / sizeof(twins[0]); i++) {
		a = load_any(twins[i][0], err, sizeof(err));
		b = load_any(twins[i][1], err, sizeof(err));
		fp_of(a, fa);
		fp_of(b, fb);
		T_OK(a != NULL && b != NULL && strcmp(fa, fb) == 0 &&
		    EVP_PKEY_eq(a, b) == 1, "%s and %s: same key and "
		    "fingerprint", twins[i][0], twins[i][1]);
		EVP_PKEY_free(a);
		EVP_PKEY_free(b);
	}
}

static void
test_refused_files(void)
{
	static const char *cases[][2] = {
		{ "ecdsa-p256.spki.pem", "ecdsa keys are not supported: "
		    "use ed25519 or rsa" },
		{ "ecdsa-p256.key", "ecdsa keys are not supported" },
		{ "ecdsa-p256.sec1.key", "ecdsa keys are not supported" },
		{ "ecdsa-p256.pub", "ecdsa keys are not supported" },
		{ "ed448.key", "ed448 keys are not supported" },
		{ "ed25519.enc.key", "encrypted private keys are not" },
		{ "openssh-ed25519.key", "OpenSSH private keys are not" },
		{ "truncated.pem", "truncated" },
		{ "garbage-b64.pem", "PEM block has invalid base64" },
		{ "not-der.pem", "does not hold a valid key" },
		{ "two-blocks.pem", "more than one PEM block" },
		{ "garbage-b64.pub", "invalid base64" },
		{ "mismatch.pub", "says ssh-ed25519 but its key data is "
		    "ssh-rsa" },
		{ "trailing.pub", "trailing bytes" },
		{ "short-ed25519.pub", "ed25519 key is 31 bytes long" },
		{ "truncated-blob.pub", "OpenSSH key data is truncated" },
		{ "README", "not a PEM key or an OpenSSH public key line" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		bad_load(cases[i][0], 0, cases[i][1]);
}

static void
test_refused_texts(void)
{
	static const char ed[] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAebWONc"
	    "W5/XagEQ0alsYKWfPagA1th8/Du4T7QVlquL";
	unsigned char blob[600], *p, k[33], e[4], n[257];
	char text[2048], err[256];
	EVP_PKEY *pk;

	bad_text("", 0, "no key in the text", "empty text");
	bad_text(" \n\t\r\n", 5, "no key in the text", "blank text");
	bad_text("ssh-ed25519\0AAAA", 16, "NUL byte", "NUL byte");
	bad_text("hello world", 11, "not a PEM key or an OpenSSH",
	    "plain words");
	bad_text("ssh-ed25519\n", 12, "has no key data", "type alone");
	bad_text("ssh-dss AAAA x", 14, "OpenSSH key type ssh-dss is not "
	    "supported: use ed25519 or rsa", "ssh-dss");
	bad_text("sk-ssh-ed25519@openssh.com AAAA", 31, "OpenSSH key type "
	    "sk-ssh-ed25519@openssh.com is not supported", "sk- key");
	bad_text("ssh-ed25519-cert-v01@openssh.com AAAA", 37,
	    "key type ssh-ed25519-cert-v01@openssh.com is not supported",
	    "certificate line");
	bad_text("ecdsa-sha2-nistp384 AAAA", 24, "ecdsa keys are not supported",
	    "ecdsa-sha2-nistp384");
	bad_text("ssh-foo AAAA", 12, "key type ssh-foo is not supported",
	    "unknown ssh- type");
	snprintf(text, sizeof(text), "%s a\n%s b\n", ed, ed);
	bad_text(text, strlen(text), "more than one line", "two key lines");
	snprintf(text, sizeof(text), "%.*s", (int)strlen(ed) - 1, ed);
	bad_text(text, strlen(text), "invalid base64", "base64 cut by one");
	snprintf(text, sizeof(text), "ssh-ed25519 AAAAC3Nz=C1lZDI1");
	bad_text(text, strlen(text), "invalid base64", "'=' inside base64");
	bad_text("-----BEGIN CERTIFICATE-----\n", 28,
	    "certificates are not supported", "certificate PEM");
	bad_text("-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n", 42,
	    "unsupported PEM block \"FOO\"", "unknown PEM label");
	bad_text("-----BEGIN PUBLIC KEY\n", 22, "malformed PEM BEGIN line",
	    "BEGIN line without dashes");
	bad_text("-----BEGIN PGP PUBLIC KEY BLOCK-----\n", 37,
	    "OpenPGP keys are not supported", "OpenPGP armor");
	snprintf(text, sizeof(text), "-----BEGIN RSA PRIVATE KEY-----\n"
	    "Proc-Type: 4,ENCRYPTED\n"
	    "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n"
	    "AAAA\n-----END RSA PRIVATE KEY-----\n");
	bad_text(text, strlen(text), "encrypted private keys are not supported",
	    "Proc-Type ENCRYPTED");
	snprintf(text, sizeof(text), "-----BEGIN PUBLIC KEY-----\n"
	    "MCowBQYDK2VwAyEAB5tY41xbn9dqARDRqWxgpZ89qADW2Hz8O7hPtBWWq4s=\n"
	    "-----END PUBLIC KEY-----\njunk\n");
	bad_text(text, strlen(text), "text after the PEM block",
	    "text after PEM");
	text[strlen(text) - 5] = '\0';
	pk = key_public_from_text(text, strlen(text), err, sizeof(err));
	T_OK(pk != NULL && strcmp(key_type_name(pk), "ed25519") == 0,
	    "same SPKI PEM without the junk loads");
	EVP_PKEY_free(pk);

	/* Crafted SSH blobs, base64 by OpenSSL. */
	memset(k, 0x42, sizeof(k));
	p = put_string(blob, "ssh-ed25519", 11);
	p = put_string(p, k, 33);
	ssh_line(text, sizeof(text), "ssh-ed25519", blob, (size_t)(p - blob));
	bad_text(text, strlen(text), "ed25519 key is 33 bytes long", "33 "
	    "octet ed25519 key");
	p = put_string(blob, "ssh-ed25519", 11);
	p = put_string(p, k, 32);
	ssh_line(text, sizeof(text), "ssh-ed25519", blob, (size_t)(p - blob));
	pk = key_public_from_text(text, strlen(text), err, sizeof(err));
	T_OK(pk != NULL, "crafted 32-octet ed25519 blob loads (%s)", err);
	EVP_PKEY_free(pk);
	ssh_line(text, sizeof(text), "ssh-ed25519", blob, 3);
	bad_text(text, strlen(text), "truncated", "blob of 3 octets");

	e[0] = 0x01; e[1] = 0x00; e[2] = 0x01;
	memset(n, 0xc3, sizeof(n));
	n[0] = 0x00;
	p = put_string(blob, "ssh-rsa", 7);
	p = put_string(p, e, 3);
	p = put_string(p, n, sizeof(n));
	ssh_line(text, sizeof(text), "ssh-rsa", blob, (size_t)(p - blob));
	pk = key_public_from_text(text, strlen(text), err, sizeof(err));
	T_OK(pk != NULL && key_bits(pk) == 2048, "crafted rsa blob loads (%s)",
	    err);
	EVP_PKEY_free(pk);
	ssh_line(text, sizeof(text), "ssh-ed25519", blob, (size_t)(p - blob));
	bad_text(text, strlen(text), "says ssh-ed25519 but its key data is "
	    "ssh-rsa", "rsa blob on an ed25519 line");
	ssh_line(text, sizeof(text), "ssh-rsa", blob, (size_t)(p - blob) - 1);
	bad_text(text, strlen(text), "truncated", "rsa blob cut by one");
	/* e = 0x00 0x01 0x00 0x01: needless leading zero */
	e[0] = 0x00; e[1] = 0x01; e[2] = 0x00; e[3] = 0x01;
	p = put_string(blob, "ssh-rsa", 7);
	p = put_string(p, e, 4);
	p = put_string(p, n, sizeof(n));
	ssh_line(text, sizeof(text), "ssh-rsa", blob, (size_t)(p - blob));
	bad_text(text, strlen(text), "malformed number", "non-minimal mpint");
	e[0] = 0x81;
	p = put_string(blob, "ssh-rsa", 7);
	p = put_string(p, e, 1);
	p = put_string(p, n, sizeof(n));
	ssh_line(text, sizeof(text), "ssh-rsa", blob, (size_t)(p - blob));
	bad_text(text, strlen(text), "malformed number", "negative mpint");
	e[0] = 0x04;
	p = put_string(blob, "ssh-rsa", 7);
	p = put_string(p, e, 1);
	p = put_string(p, n, sizeof(n));
	ssh_line(text, sizeof(text), "ssh-rsa", blob, (size_t)(p - blob));
	bad_text(text, strlen(text), "rsa key is invalid", "even exponent");
	e[0] = 0x03;
	n[256] = 0xc2;
	p = put_string(blob, "ssh-rsa", 7);
	p = put_string(p, e, 1);
	p = put_string(p, n, sizeof(n));
	ssh_line(text, sizeof(text), "ssh-rsa", blob, (size_t)(p - blob));
	bad_text(text, strlen(text), "rsa key is invalid", "even modulus");

	snprintf(text, sizeof(text), "-----BEGIN PUBLIC KEY-----\r\n"
	    "MCowBQYDK2VwAyEAB5tY41xbn9dqARDRqWxgpZ89qADW2Hz8O7hPtBWWq4s=\r\n"
	    "-----END PUBLIC KEY-----\r\n");
	pk = key_public_from_text(text, strlen(text), err, sizeof(err));
	T_OK(pk != NULL, "SPKI PEM with CRLF line ends loads (%s)", err);
	EVP_PKEY_free(pk);
	snprintf(text, sizeof(text), "\r\n  %s\r\n\r\n", ed);
	pk = key_public_from_text(text, strlen(text), err, sizeof(err));
	T_OK(pk != NULL, "CRLF line, no comment, blank lines around loads");
	EVP_PKEY_free(pk);
	T_OK(ERR_peek_error() == 0, "no OpenSSL errors left queued");
}

static void
test_private(const struct fps *fps)
{
	static const char *good[] = { "ed25519.key", "rsa2048.key",
	    "rsa2048.pkcs1.key" };
	char path[256], err[256], fp[KEY_FP_SIZE], *tmp, *pem, *buf;
	enum key_load_err why;
	EVP_PKEY *pk, *again;
	size_t i, len;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err[0] = '\0';
		tmp = tmp_copy(good[i], 0600);
		pk = tmp ? key_load_private(tmp, err, sizeof(err)) : NULL;
		T_OK(pk != NULL, "%s loads as private key, mode 0600 (%s)",
		    good[i], err);
		fp_of(pk, fp);
		T_STREQ(fp, want_fp(fps, good[i]), "%s: fingerprint", good[i]);
		pem = NULL;
		T_OK(pk != NULL && key_private_pem(pk, &pem) == 0,
		    "%s: PKCS#8 PEM written", good[i]);
		again = pem ? key_private_from_text(pem, strlen(pem), err,
		    sizeof(err)) : NULL;
		T_OK(again != NULL && EVP_PKEY_eq(pk, again) == 1 &&
		    strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0,
		    "%s: PKCS#8 PEM reads back", good[i]);
		if (i == 0 && pem != NULL) {
			snprintf(path, sizeof(path), DIR "%s", good[i]);
			buf = slurp(path, &len);
			T_STREQ(pem, buf, "ed25519 PKCS#8 PEM as openssl's");
			free(buf);
		}
		if (pem != NULL) {
			OPENSSL_cleanse(pem, strlen(pem));
			free(pem);
		}
		EVP_PKEY_free(again);
		EVP_PKEY_free(pk);
		if (tmp != NULL) {
			unlink(tmp);
			free(tmp);
		}
	}

	tmp = tmp_copy("ed25519.key", 0644);
	pk = tmp ? key_load(tmp, 1, &why, err, sizeof(err)) : NULL;
	T_OK(pk == NULL && why == KEY_LOAD_EFILE && strstr(err, "chmod 600") &&
	    strncmp(err, tmp, strlen(tmp)) == 0 && strstr(err, "0644"),
	    "private key file of mode 0644 refused: '%s'", err);
	EVP_PKEY_free(pk);
	if (tmp != NULL) {
		T_OK(chmod(tmp, 0640) == 0 && key_load_private(tmp, err,
		    sizeof(err)) == NULL && strstr(err, "chmod 600") != NULL,
		    "mode 0640 refused too");
		T_OK(chmod(tmp, 0644) == 0, "back to mode 0644");
		pk = key_load(tmp, 0, &why, err, sizeof(err));
		T_OK(pk == NULL && why == KEY_LOAD_EFILE &&
		    strstr(err, "chmod 600") != NULL,
		    "a private key of mode 0644 is refused even when only its "
		    "public part is wanted (fingerprint, record, zonegen): "
		    "'%s'", err);
		EVP_PKEY_free(pk);
		T_OK(chmod(tmp, 0600) == 0 && (pk = key_load_public(tmp, err,
		    sizeof(err))) != NULL, "its public part at mode 0600");
		EVP_PKEY_free(pk);
		unlink(tmp);
		free(tmp);
	}

	bad_load("rsa2048.spki.pem", 1, "public key where a private key");
	bad_load("ed25519.pub", 1, "OpenSSH public key where a private key");
	bad_load("README", 1, "not a PEM private key");
	bad_load("ed25519.enc.key", 1, "encrypted private keys are not");
	bad_load("openssh-ed25519.key", 1, "OpenSSH private keys are not "
	    "supported: use the .pub file or a PKCS#8 PEM key");
	bad_load("ecdsa-p256.key", 1, "ecdsa keys are not supported");
	bad_load("ed448.key", 1, "ed448 keys are not supported");
	T_OK(ERR_peek_error() == 0, "no OpenSSL errors left queued");
}

static void
test_files(void)
{
	char err[256], *big, *tmp;
	enum key_load_err why;
	EVP_PKEY *pk;
	size_t len, klen;

	pk = key_load(DIR "missing.pem", 0, &why, err, sizeof(err));
	T_OK(pk == NULL && why == KEY_LOAD_EFILE &&
	    strcmp(err, DIR "missing.pem: No such file or directory") == 0,
	    "missing file: '%s'", err);
	pk = key_load(DIR "missing.pem", 1, &why, err, sizeof(err));
	T_OK(pk == NULL && why == KEY_LOAD_EFILE, "missing private file");
	pk = key_load("tests/data/key", 0, &why, err, sizeof(err));
	T_OK(pk == NULL && why == KEY_LOAD_EFILE &&
	    strstr(err, "not a regular file"), "directory: '%s'", err);

	/* A key padded with spaces to exactly KEY_FILE_MAX loads... */
	big = slurp(DIR "ed25519.spki.pem", &klen);
	if (big == NULL)
		return;
	len = KEY_FILE_MAX;
	memset(big + klen, ' ', len + 1 - klen);
	tmp = tmp_write(big, len, 0600);
	pk = tmp ? key_load(tmp, 0, &why, err, sizeof(err)) : NULL;
	T_OK(pk != NULL && why == KEY_LOAD_OK, "key file of 64 KiB loads");
	EVP_PKEY_free(pk);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	/* ...one octet more does not. */
	tmp = tmp_write(big, len + 1, 0600);
	pk = tmp ? key_load(tmp, 0, &why, err, sizeof(err)) : NULL;
	T_OK(pk == NULL && why == KEY_LOAD_EDATA &&
	    strncmp(err, tmp, strlen(tmp)) == 0 &&
	    strstr(err, "larger than 64 KiB"), "file of 64 KiB + 1 refused: "
	    "'%s'", err);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(big);
}

static void
test_record_bytes(const struct fps *fps)
{
	static const char *names[] = { "ed25519.spki.pem", "rsa2048.pub",
	    "rsa1024.spki.pem" };
	unsigned char *out, md[32], spki[44], pin[32], *junk;
	char err[256], hex[KEY_FP_SIZE];
	EVP_PKEY *pk, *back, *ec;
	size_t i, len;
	int alg;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(err, sizeof(err), DIR "%s", names[i]);
		pk = key_load_public(err, err, sizeof(err));
		out = NULL;
		len = 0;
		T_OK(pk != NULL && key_record_bytes(pk, &alg, &out, &len) == 0,
		    "%s: record bytes", names[i]);
		T_INTEQ(alg, i == 0 ? KEYREC_ED25519 : KEYREC_RSA,
		    "%s: alg", names[i]);
		/* p= hashed (SPKI) must give openssl's fingerprint. */
		if (i == 0 && len == 32) {
			memcpy(spki, ed25519_spki_prefix, 12);
			memcpy(spki + 12, out, 32);
			EVP_Digest(spki, 44, md, NULL, EVP_sha256(), NULL);
		} else if (out != NULL)
			EVP_Digest(out, len, md, NULL, EVP_sha256(), NULL);
		OPENSSL_buf2hexstr_ex(hex, sizeof(hex), NULL, md, 32, ':');
		T_STREQ(hex, want_fp(fps, names[i]), "%s: p= octets (%zu) "
		    "match openssl's SPKI", names[i], len);
		back = out ? key_from_record_bytes(alg, out, len) : NULL;
		T_OK(back != NULL && EVP_PKEY_eq(pk, back) == 1,
		    "%s: record bytes round trip", names[i]);
		T_OK(back != NULL && key_fingerprint_parse(want_fp(fps,
		    names[i]), pin) == 0 && key_spki_sha256(back, md) == 0 &&
		    memcmp(pin, md, 32) == 0, "%s: pin matches", names[i]);
		if (out != NULL && alg == KEYREC_RSA) {
			T_OK(key_from_record_bytes(KEYREC_RSA, out, len - 1) ==
			    NULL, "%s: DER cut by one refused", names[i]);
			junk = malloc(len + 1);
			memcpy(junk, out, len);
			junk[len] = 0;
			T_OK(key_from_record_bytes(KEYREC_RSA, junk, len + 1) ==
			    NULL, "%s: DER with a trailing octet refused",
			    names[i]);
			free(junk);
			T_OK(key_from_record_bytes(KEYREC_ED25519, out, len) ==
			    NULL, "%s: RSA DER as ed25519 refused", names[i]);
		}
		free(out);
		EVP_PKEY_free(back);
		EVP_PKEY_free(pk);
	}
	memcpy(spki, ed25519_spki_prefix, 12);
	memset(spki + 12, 7, 32);
	T_OK(key_from_record_bytes(KEYREC_RSA, spki, 44) == NULL,
	    "ed25519 SPKI as rsa refused");
	T_OK(key_from_record_bytes(KEYREC_ED25519, spki, 31) == NULL,
	    "31-octet ed25519 refused");
	T_OK(key_from_record_bytes(KEYREC_ED25519, spki, 33) == NULL,
	    "33-octet ed25519 refused");
	T_OK(key_from_record_bytes(KEYREC_RSA, spki, 0) == NULL,
	    "empty rsa refused");
	T_OK(key_from_record_bytes(99, spki, 32) == NULL, "unknown alg");
	back = key_from_record_bytes(KEYREC_ED25519, spki + 12, 32);
	T_OK(back != NULL && key_bits(back) == 256, "any 32 octets: ed25519");
	EVP_PKEY_free(back);

	/* A key type the loaders never return, made directly. */
	ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	out = NULL;
	T_OK(ec != NULL && key_record_bytes(ec, &alg, &out, &len) == -1 &&
	    out == NULL, "ecdsa key has no record bytes");
	T_OK(ec != NULL && key_bits(ec) == 0 &&
	    strcmp(key_type_name(ec), "unknown") == 0,
	    "ecdsa: 0 bits, type unknown");
	EVP_PKEY_free(ec);
	T_OK(ERR_peek_error() == 0, "no OpenSSL errors left queued");
}

static void
test_fingerprint_parse(const struct fps *fps)
{
	static const char *bad[] = {
		"", "5C", "5C87D35EB540472F4B94CAED6A76EAD2DC9D39D61FE2108E1A5"
		    "ED56D37FA5DD",
		"5C87D35EB540472F4B94CAED6A76EAD2DC9D39D61FE2108E1A5ED56D37F"
		    "A5DDA0",
		"5C87D35EB540472F4B94CAED6A76EAD2DC9D39D61FE2108E1A5ED56D37F"
		    "A5DG",
		"5C-87:D3:5E:B5:40:47:2F:4B:94:CA:ED:6A:76:EA:D2:DC:9D:39:D6:"
		    "1F:E2:10:8E:1A:5E:D5:6D:37:FA:5D:DA",
		"5C:87:D3:5E:B5:40:47:2F:4B:94:CA:ED:6A:76:EA:D2:DC:9D:39:D6:"
		    "1F:E2:10:8E:1A:5E:D5:6D:37:FA:5D:DA:",
		"5C:87:D3:5E:B5:40:47:2F:4B:94:CA:ED:6A:76:EA:D2:DC:9D:39:D6:"
		    "1F:E2:10:8E:1A:5E:D5:6D:37:FA:5DDA",
		" 5C:87:D3:5E:B5:40:47:2F:4B:94:CA:ED:6A:76:EA:D2:DC:9D:39:D6:"
		    "1F:E2:10:8E:1A:5E:D5:6D:37:FA:5D:DA",
		"5C:87:D3:5E:B5:40:47:2F:4B:94:CA:ED:6A:76:EA:D2:DC:9D:39:D6:"
		    "1F:E2:10:8E:1A:5E:D5:6D:37:FA:5D:D",
		"5C:87:D3:5E:B5:40:47:2F:4B:94:CA:ED:6A:76:EA:D2:DC:9D:39:D6:"
		    "1F:E2:10:8E:1A:5E:D5:6D:37:FA:5D:DA\n",
		"sha256:5C87D35EB540472F4B94CAED6A76EAD2DC9D39D61FE2108E1A5ED5"
		    "6D37FA5DDA",
		"5C87D35EB540472F4B94CAED6A76EAD2DC9D39D61FE2108E1A5ED56D37FA5"
		    "D DA",
		"+C87D35EB540472F4B94CAED6A76EAD2DC9D39D61FE2108E1A5ED56D37FA5"
		    "DDA",
	};
	const char *colon = want_fp(fps, "ed25519.spki.pem");
	char plain[65], lower[KEY_FP_SIZE], fp[KEY_FP_SIZE], err[256];
	unsigned char a[32], b[32], md[32];
	EVP_PKEY *pk;
	size_t i, j;

	if (colon == NULL)
		return;
	for (i = 0, j = 0; colon[i] != '\0'; i++)
		if (colon[i] != ':')
			plain[j++] = colon[i];
	plain[j] = '\0';
	for (i = 0; colon[i] != '\0'; i++)
		lower[i] = (char)(colon[i] >= 'A' && colon[i] <= 'F' ?
		    colon[i] - 'A' + 'a' : colon[i]);
	lower[i] = '\0';

	pk = key_load_public(DIR "ed25519.spki.pem", err, sizeof(err));
	T_OK(pk != NULL && key_spki_sha256(pk, md) == 0, "SPKI digest");
	T_OK(key_fingerprint_parse(colon, a) == 0 && memcmp(a, md, 32) == 0,
	    "colon form, uppercase");
	T_OK(key_fingerprint_parse(lower, b) == 0 && memcmp(b, md, 32) == 0,
	    "colon form, lowercase");
	T_OK(key_fingerprint_parse(plain, b) == 0 && memcmp(b, md, 32) == 0,
	    "64 hex digits, uppercase");
	for (i = 0; plain[i] != '\0'; i++)
		if (plain[i] >= 'A' && plain[i] <= 'F')
			plain[i] = (char)(plain[i] - 'A' + 'a');
	T_OK(key_fingerprint_parse(plain, b) == 0 && memcmp(b, md, 32) == 0,
	    "64 hex digits, lowercase");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(b, 0xee, sizeof(b));
		T_OK(key_fingerprint_parse(bad[i], b) == -1 && b[0] == 0xee &&
		    b[31] == 0xee, "bad fingerprint %zu refused, out untouched",
		    i);
	}
	T_OK(key_fingerprint_parse(NULL, b) == -1, "NULL refused");

	T_OK(pk != NULL && key_fingerprint(pk, fp, KEY_FP_SIZE - 1) == -1,
	    "key_fingerprint: 95-octet buffer too small");
	T_OK(pk != NULL && key_fingerprint(pk, fp, KEY_FP_SIZE) == 0 &&
	    strlen(fp) == KEY_FP_LEN, "key_fingerprint: 96 octets suffice");
	EVP_PKEY_free(pk);
}

static void
test_pem_out(void)
{
	static const char *names[] = { "ed25519.spki.pem", "rsa2048.spki.pem" };
	char path[256], err[256], *pem, *want;
	EVP_PKEY *pk;
	size_t i, len;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), DIR "%s", names[i]);
		pk = key_load_public(path, err, sizeof(err));
		want = slurp(path, &len);
		pem = NULL;
		T_OK(pk != NULL && key_spki_pem(pk, &pem) == 0,
		    "%s: SPKI PEM written", names[i]);
		T_STREQ(pem, want, "%s: SPKI PEM as openssl's", names[i]);
		free(pem);
		free(want);
		EVP_PKEY_free(pk);
	}
}

/*
 * The SPKI digest of Ed25519 and RSA keys is taken over DER written by
 * key.c, not by OpenSSL's encoders: it must equal SHA-256 over
 * i2d_PUBKEY's DER for any key (fresh ones here; RSA moduli whose top
 * octet has its high bit set and ones where it has not, so the INTEGER
 * is written with and without its leading zero octet, and lengths in one
 * and two octets).
 */
static void
test_spki_direct(void)
{
	static const size_t rsa_bits[] = { 1024, 1025, 2047, 2048, 3072 };
	unsigned char md[32], want[32], *der;
	unsigned int mdlen;
	EVP_PKEY *pk;
	size_t i, nrsa = sizeof(rsa_bits) / sizeof(rsa_bits[0]);
	int n, same;

	for (i = 0; i < 6 + nrsa; i++) {
		pk = i < 6 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519") :
		    EVP_PKEY_Q_keygen(NULL, NULL, "RSA", rsa_bits[i - 6]);
		der = NULL;
		mdlen = 0;
		n = pk != NULL ? i2d_PUBKEY(pk, &der) : -1;
		same = n > 0 && EVP_Digest(der, (size_t)n, want, &mdlen,
		    EVP_sha256(), NULL) && mdlen == 32 &&
		    key_spki_sha256(pk, md) == 0 && memcmp(md, want, 32) == 0;
		if (i < 6)
			T_OK(same, "Ed25519 key %zu: SPKI digest = SHA-256 of "
			    "i2d_PUBKEY", i);
		else
			T_OK(same, "RSA-%zu key: SPKI digest = SHA-256 of "
			    "i2d_PUBKEY", rsa_bits[i - 6]);
		OPENSSL_free(der);
		EVP_PKEY_free(pk);
	}
}

int
main(void)
{
	struct fps fps;

	load_fps(&fps);
	test_public_files(&fps);
	test_twins();
	test_refused_files();
	test_refused_texts();
	test_private(&fps);
	test_files();
	test_record_bytes(&fps);
	test_fingerprint_parse(&fps);
	test_pem_out();
	test_spki_direct();
	return t_done();
}
