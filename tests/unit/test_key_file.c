/*
 * test_key_file: which private key files key_load accepts (lib/key.c,
 * specs/security.md section 6).  Builds key files in a temp directory with
 * chosen modes and owners: a key must be a regular file reached without a
 * final symbolic link, owned by the effective user or root, mode 0600 or
 * stricter, in a directory owned by the effective user or root that group
 * and others cannot write unless it is sticky.  The owner cases need root
 * (chown, and a child that switches its effective uid to nobody); run as
 * another user, they are left out and say so.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lib/key.h"
#include "t.h"

#define KEYSRC	"tests/data/key/ed25519.key"
#define NOBODY	65534		/* the child's effective uid and gid */
#define OTHER	1		/* a uid that is neither root nor NOBODY */

static char	top[64];
static char	*keytext;
static size_t	 keylen;

/* slurp_key: KEYSRC into keytext. */
static int
slurp_key(void)
{
	FILE *f;

	if ((f = fopen(KEYSRC, "rb")) == NULL)
		return -1;
	keytext = malloc(8192);
	keylen = keytext == NULL ? 0 : fread(keytext, 1, 8192, f);
	fclose(f);
	return keylen > 0 ? 0 : -1;
}

/* path_of: TOP/REL in a static buffer (one at a time). */
static const char *
path_of(const char *rel)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s/%s", top, rel);
	return buf;
}

/* mkdir_as: directory TOP/REL with MODE (chmod'ed: no umask) and OWNER. */
static int
mkdir_as(const char *rel, mode_t mode, uid_t owner)
{
	const char *p = path_of(rel);

	if (mkdir(p, 0700) == -1 || chmod(p, mode) == -1)
		return -1;
	return owner == (uid_t)-1 ? 0 : chown(p, owner, (gid_t)-1);
}

/* put_key: the test key in TOP/REL with MODE and OWNER (-1: unchanged). */
static int
put_key(const char *rel, mode_t mode, uid_t owner)
{
	const char *p = path_of(rel);
	int fd, rc = 0;

	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	if (write(fd, keytext, keylen) != (ssize_t)keylen ||
	    fchmod(fd, mode) == -1 ||
	    (owner != (uid_t)-1 && fchown(fd, owner, (gid_t)-1) == -1))
		rc = -1;
	close(fd);
	return rc;
}

/* try_load: key_load(PATH, 1); 1 when a key came back.  ERR, WHY set. */
static int
try_load(const char *path, char *err, size_t errsz, enum key_load_err *why)
{
	EVP_PKEY *pk;

	err[0] = '\0';
	pk = key_load(path, 1, why, err, errsz);
	EVP_PKEY_free(pk);
	return pk != NULL;
}

/* put_pub: the test key's public part in TOP/REL, mode 0644. */
static int
put_pub(const char *rel)
{
	char err[256], *pem = NULL;
	EVP_PKEY *pk;
	FILE *f;
	int rc = -1;

	if ((pk = key_private_from_text(keytext, keylen, err,
	    sizeof(err))) == NULL || key_spki_pem(pk, &pem) == -1)
		goto done;
	if ((f = fopen(path_of(rel), "w")) != NULL) {
		if (fputs(pem, f) != EOF)
			rc = 0;
		if (fclose(f) == EOF)
			rc = -1;
	}
done:
	free(pem);
	EVP_PKEY_free(pk);
	return rc;
}

/* accepted: the private key at TOP/REL loads. */
static void
accepted(const char *rel, const char *what)
{
	char err[512], path[256];
	enum key_load_err why;

	snprintf(path, sizeof(path), "%s", path_of(rel));
	T_OK(try_load(path, err, sizeof(err), &why) && why == KEY_LOAD_OK,
	    "accepted: %s (%s)", what, err);
}

/*
 * refused_path: the private key at PATH is refused as a file problem
 * (KEY_LOAD_EFILE), with an error that starts with "PATH: " and holds
 * WANT1 and WANT2 (unless NULL).  refused: the same for TOP/REL.
 */
static void
refused_path(const char *path, const char *want1, const char *want2,
    const char *what)
{
	char err[512];
	enum key_load_err why = KEY_LOAD_OK;
	int ok;

	ok = !try_load(path, err, sizeof(err), &why) &&
	    why == KEY_LOAD_EFILE && strncmp(err, path, strlen(path)) == 0 &&
	    strncmp(err + strlen(path), ": ", 2) == 0 &&
	    strstr(err, want1) != NULL && (want2 == NULL ||
	    strstr(err, want2) != NULL);
	T_OK(ok, "refused: %s: '%s'", what, err);
	if (!ok)
		printf("#   want: '%s'%s%s%s\n", want1, want2 ? " and '" : "",
		    want2 ? want2 : "", want2 ? "'" : "");
}

static void
refused(const char *rel, const char *want1, const char *want2,
    const char *what)
{
	char path[256];

	snprintf(path, sizeof(path), "%s", path_of(rel));
	refused_path(path, want1, want2, what);
}

/* test_modes: the file's own mode, type and name. */
static void
test_modes(void)
{
	char want[512], err[512];
	enum key_load_err why;
	EVP_PKEY *pk;

	T_OK(mkdir_as("d", 0700, (uid_t)-1) == 0 &&
	    put_key("d/k600", 0600, (uid_t)-1) == 0 &&
	    put_key("d/k400", 0400, (uid_t)-1) == 0 &&
	    put_key("d/k640", 0640, (uid_t)-1) == 0 &&
	    put_key("d/k604", 0604, (uid_t)-1) == 0 &&
	    put_key("d/k610", 0610, (uid_t)-1) == 0, "key files written");
	accepted("d/k600", "mode 0600 in a 0700 directory");
	accepted("d/k400", "mode 0400");
	snprintf(want, sizeof(want), "run chmod 600 %s", path_of("d/k640"));
	refused("d/k640", "mode 0640", want, "mode 0640 (group may read)");
	refused("d/k604", "mode 0604", "chmod 600", "mode 0604 (others)");
	refused("d/k610", "mode 0610", "chmod 600", "mode 0610 (group x)");

	T_OK(symlink("k600", path_of("d/link")) == 0, "symlink made");
	snprintf(want, sizeof(want), "readlink -f %s", path_of("d/link"));
	refused("d/link", "is a symbolic link", want,
	    "a symbolic link to a good key (O_NOFOLLOW)");
	pk = key_load(path_of("d/link"), 0, &why, err, sizeof(err));
	T_OK(pk == NULL && why == KEY_LOAD_EFILE &&
	    strstr(err, "symbolic link") != NULL, "a private key read for "
	    "its public part is refused through a symlink too: '%s'", err);
	EVP_PKEY_free(pk);
	T_OK(put_pub("d/k.pub") == 0 && symlink("k.pub",
	    path_of("d/publink")) == 0, "public key and symlink made");
	pk = key_load(path_of("d/publink"), 0, &why, err, sizeof(err));
	T_OK(pk != NULL, "a public key may still be read through a symlink "
	    "(%s)", err);
	EVP_PKEY_free(pk);

	T_OK(mkfifo(path_of("d/fifo"), 0600) == 0, "fifo made");
	refused("d/fifo", "not a regular file", NULL,
	    "a FIFO (opened without blocking, then refused)");
	T_OK(mkdir_as("d/sub", 0700, (uid_t)-1) == 0, "subdirectory made");
	refused("d/sub", "not a regular file", NULL, "a directory");
	refused("d/sub/", "not a regular file", NULL, "a path ending in /");
	refused("d/missing", "No such file or directory", NULL,
	    "a missing file");
	refused("nodir/k", "No such file or directory", NULL,
	    "a file in a missing directory");
}

/*
 * test_order: what a file holds is said before its mode: each of these
 * is mode 0644 in a 0700 directory, read as a private key, and refused
 * for its content (KEY_LOAD_EDATA), not with "chmod 600".
 */
static void
test_order(void)
{
	static const struct {
		const char	*rel;
		const char	*text;
		const char	*want;
	} cases[] = {
		{ "ord/pub", NULL, "this is a public key where a private key" },
		{ "ord/ssh", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOh0 x\n",
		    "OpenSSH public key where a private key" },
		{ "ord/rec", "v=SK1; k=ed25519; "
		    "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n",
		    "sender key record (v=SK1) where a private key" },
		{ "ord/asc", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ\n"
		    "-----END PGP PUBLIC KEY BLOCK-----\n",
		    "OpenPGP public key where a private key" },
		{ "ord/gpg", "\x98\x33\x04", "OpenPGP public key where a "
		    "private key" },
		{ "ord/dns", "Private-key-format: v1.3\nAlgorithm: 15\n",
		    "DNSSEC (BIND format) private key" },
		{ "ord/junk", "hello\n", "not a PEM private key" },
	};
	char err[512];
	enum key_load_err why;
	size_t i;
	FILE *f;
	int ok;

	T_OK(mkdir_as("ord", 0700, (uid_t)-1) == 0 && put_pub("ord/pub") == 0,
	    "order: directory and public key made");
	for (i = 1; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if ((f = fopen(path_of(cases[i].rel), "w")) == NULL)
			continue;
		fputs(cases[i].text, f);
		fclose(f);
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ok = chmod(path_of(cases[i].rel), 0644) == 0 &&
		    !try_load(path_of(cases[i].rel), err, sizeof(err), &why) &&
		    why == KEY_LOAD_EDATA && strstr(err, cases[i].want) !=
		    NULL && strstr(err, "chmod") == NULL;
		T_OK(ok, "0644 %s is refused for what it is: '%s'",
		    cases[i].rel, err);
	}
}

/* test_dirs: the directory's mode. */
static void
test_dirs(void)
{
	char want[512], err[512];
	enum key_load_err why;
	int cwd;

	T_OK(mkdir_as("g", 0770, (uid_t)-1) == 0 &&
	    put_key("g/k", 0600, (uid_t)-1) == 0 &&
	    mkdir_as("o", 0703, (uid_t)-1) == 0 &&
	    put_key("o/k", 0600, (uid_t)-1) == 0 &&
	    mkdir_as("r", 0755, (uid_t)-1) == 0 &&
	    put_key("r/k", 0600, (uid_t)-1) == 0 &&
	    mkdir_as("s", 01777, (uid_t)-1) == 0 &&
	    put_key("s/k", 0600, (uid_t)-1) == 0 &&
	    mkdir_as("gs", 01770, (uid_t)-1) == 0 &&
	    put_key("gs/k", 0600, (uid_t)-1) == 0, "directories written");
	snprintf(want, sizeof(want), "run chmod go-w %s", path_of("g"));
	refused("g/k", "directory", want,
	    "a 0600 key in a group-writable directory (0770)");
	refused("g/k", "has mode 0770", NULL, "... the mode is named");
	refused("o/k", "has mode 0703", "chmod go-w",
	    "a 0600 key in an other-writable directory (0703)");
	accepted("r/k", "a key in a 0755 directory (readable is fine)");
	accepted("s/k", "a key in a sticky world-writable directory (1777)");
	accepted("gs/k", "a key in a sticky group-writable directory (1770)");

	/* a bare name: the directory is "." */
	cwd = open(".", O_RDONLY | O_DIRECTORY);
	T_OK(cwd != -1 && chdir(path_of("g")) == 0, "chdir to the 0770 dir");
	refused_path("k", "directory . has mode 0770", "chmod go-w .",
	    "a bare file name in a group-writable working directory");
	T_OK(chdir(path_of("d")) == 0, "chdir to the 0700 dir");
	T_OK(try_load("k600", err, sizeof(err), &why),
	    "a bare file name in a 0700 working directory: %s", err);
	T_OK(cwd != -1 && fchdir(cwd) == 0, "back to the top directory");
	if (cwd != -1)
		close(cwd);
}

/* test_owners_root: owners other than root, judged by root. */
static void
test_owners_root(void)
{
	char want[512];

	T_OK(mkdir_as("u", 0700, (uid_t)-1) == 0 &&
	    put_key("u/other", 0600, OTHER) == 0 &&
	    put_key("u/nobody", 0600, NOBODY) == 0 &&
	    mkdir_as("du", 0755, OTHER) == 0 &&
	    put_key("du/k", 0600, (uid_t)-1) == 0 &&
	    mkdir_as("dus", 01777, OTHER) == 0 &&
	    put_key("dus/k", 0600, (uid_t)-1) == 0, "owned files written");
	snprintf(want, sizeof(want), "run chown 0 %s", path_of("u/other"));
	refused("u/other", "owned by uid 1, not by uid 0", want,
	    "a 0600 key owned by another user (uid 1), read by root");
	refused("u/nobody", "owned by uid 65534", "chown 0",
	    "a 0600 key owned by nobody, read by root");
	snprintf(want, sizeof(want), "run chown 0 %s", path_of("du"));
	refused("du/k", "directory", want,
	    "a root 0600 key in a 0755 directory owned by uid 1");
	refused("dus/k", "owned by uid 1", NULL,
	    "a sticky directory owned by uid 1 is refused too");
}

/*
 * test_owners_euid: a child with effective uid nobody reads keys it owns,
 * keys root owns, and is refused keys a third user owns.  Each result is
 * one bit of the child's exit status.
 */
static void
test_owners_euid(void)
{
	static const char *what[] = {
		"euid nobody: its own 0600 key in its own 0700 directory",
		"euid nobody: its own key in a root-owned sticky 1777 directory",
		"euid nobody: its own key in a root-owned 0755 directory",
		"euid nobody: a key owned by uid 1 (0604, so the kernel "
		    "lets it be read) is refused, for its mode first",
		"euid nobody: a directory owned by uid 1 is refused",
	};
	const char *rels[] = { "nb/own", "rs/own", "rd/own", "nb/other",
	    "od/own" };
	int i, st, ok;
	pid_t pid;

	T_OK(mkdir_as("nb", 0700, NOBODY) == 0 &&
	    put_key("nb/own", 0600, NOBODY) == 0 &&
	    mkdir_as("rs", 01777, 0) == 0 &&
	    put_key("rs/own", 0600, NOBODY) == 0 &&
	    put_key("nb/other", 0604, OTHER) == 0 &&
	    mkdir_as("rd", 0755, 0) == 0 &&
	    put_key("rd/own", 0600, NOBODY) == 0 &&
	    mkdir_as("od", 0755, OTHER) == 0 &&
	    put_key("od/own", 0600, NOBODY) == 0, "nobody's files written");
	fflush(stdout);
	if ((pid = fork()) == 0) {
		char err[512], path[256];
		enum key_load_err why;
		int bits = 0;

		if (setegid(NOBODY) == -1 || seteuid(NOBODY) == -1)
			_exit(255);
		for (i = 0; i < 5; i++) {
			snprintf(path, sizeof(path), "%s", path_of(rels[i]));
			ok = try_load(path, err, sizeof(err), &why);
			if (i >= 3)
				ok = !ok && why == KEY_LOAD_EFILE &&
				    strstr(err, i == 3 ? "mode 0604" :
				    "owned by uid 1, not by uid 65534") !=
				    NULL;
			if (ok)
				bits |= 1 << i;
			else
				printf("#   %s: '%s'\n", rels[i], err);
		}
		fflush(stdout);
		_exit(bits);
	}
	T_OK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) != 255, "child switched to euid nobody");
	for (i = 0; i < 5; i++)
		T_OK(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) != 255 &&
		    (WEXITSTATUS(st) & (1 << i)) != 0, "%s", what[i]);
}

int
main(void)
{
	char cmd[128];

	snprintf(top, sizeof(top), "/tmp/test_key_file.XXXXXX");
	if (slurp_key() == -1 || mkdtemp(top) == NULL ||
	    chmod(top, 0755) == -1) {
		T_OK(0, "set-up: %s and a temp directory", KEYSRC);
		return t_done();
	}
	test_modes();
	test_order();
	test_dirs();
	if (geteuid() == 0) {
		test_owners_root();
		test_owners_euid();
	} else
		printf("# not root: the owner cases (chown) were not run\n");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", top);
	OPENSSL_cleanse(keytext, keylen);
	free(keytext);
	return t_done();
}
