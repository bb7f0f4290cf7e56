/*
 * secret: reading a file that may hold a secret (a private key, a TSIG
 * key) with one set of checks, in the order an operator should hear of
 * the problems (specs/security.md section 6):
 *   1. the file exists and can be opened for reading;
 *   2. it is a regular file (a FIFO, device or directory is refused
 *      without blocking), reached without a final symbolic link;
 *   3. its content is what the caller expects (the caller's judge says
 *      what it is instead: a public key, a record, garbage ...);
 *   4. then, for a file the judge found secret: no group or other
 *      permission bit (the fix: chmod 600 FILE), owned by the effective
 *      user or root, in a directory owned by them that group and others
 *      cannot write unless it is sticky.
 * Every check after the open is an fstat of an opened descriptor, so
 * nothing can be swapped between check and read.  Not here: parsing
 * (the judge's), writing keys (zonegen/keygen.c, which applies
 * secret_dir_ok to the directory it writes into).
 */
#ifndef SK_SECRET_H
#define SK_SECRET_H

#include <stddef.h>
#include <sys/stat.h>

/* Why secret_load failed. */
enum secret_err {
	SECRET_OK = 0,
	SECRET_EFILE,	/* cannot open or read, not a regular file, or a
			   secret others could read or replace */
	SECRET_EDATA,	/* read, but too large or not what was expected */
};

/* What a judge found in a file. */
enum secret_kind {
	SECRET_NOT,	/* not what the caller expects; ERR says what */
	SECRET_PUBLIC,	/* expected, and nothing secret: no mode checks */
	SECRET_SECRET,	/* expected, and secret: the mode checks apply */
};

/*
 * secret_judge: look at the LEN octets at BUF (NUL-terminated after them)
 * and say what they are; on SECRET_NOT write a sentence saying what the
 * content is instead to ERR (ERRSZ), which secret_load puts after "PATH: "
 * (or right after PATH when it starts with ':', as ":LINE: ..." does).
 * ARG is the caller's: a judge that parses keeps its result there.
 */
typedef enum secret_kind (*secret_judge)(const char *buf, size_t len,
    void *arg, char *err, size_t errsz);

/*
 * secret_load: read PATH (at most MAX octets) and apply the checks above,
 * calling JUDGE(…, ARG) on the content at step 3.  A file the judge calls
 * SECRET_PUBLIC may be a symbolic link (followed) and have any mode and
 * owner.  WHAT names the secret in messages ("private key", "TSIG key").
 * Returns 0 when everything passed, or -1 with ERR set to "PATH: what is
 * wrong[: the command that fixes it]" and *WHY (not NULL) set; after a
 * judge's SECRET_SECRET, -1 means the caller must discard what the judge
 * kept in ARG.  The file's octets are wiped from memory before return.
 */
int	secret_load(const char *path, size_t max, const char *what,
	    secret_judge judge, void *arg, enum secret_err *why, char *err,
	    size_t errsz);

/*
 * secret_dir_ok: the rule for the directory DIR, with status ST, that
 * holds secrets: owned by the effective user or root, not writable by
 * group or others unless sticky.  Returns 0, or -1 with ERR set to
 * "PREFIX: the key's directory DIR ...: run ..." (PREFIX: the file
 * concerned, or DIR itself).
 */
int	secret_dir_ok(const struct stat *st, const char *dir,
	    const char *prefix, char *err, size_t errsz);

#endif
