/*
 * mf_signers: the OpenSSH allowed_signers manifest reader
 * (specs/manifest.md section 3).
 * Private to zonegen/: callers use manifest_parse (manifest.h), the
 * shared parts are in mf_base.h.  Pure: no I/O.
 */
#ifndef SK_MF_SIGNERS_H
#define SK_MF_SIGNERS_H

#include <stddef.h>

struct manifest;

/*
 * mf_signers_parse: LEN octets at BUF as an allowed_signers file named
 * PATH, with the contract of manifest_parse: entries and errors are
 * appended to M; returns 0 when the file had no error, else -1.
 */
int	 mf_signers_parse(struct manifest *m, const char *path, const char *buf,
	    size_t len);

#endif
