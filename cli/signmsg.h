/*
 * signmsg: the signing step shared by `senderkey sign` and `senderkey
 * sendmail`: a parsed message and a private key to the Sender-Key-Signature
 * field (or the DKIM test mode's field, or the Sender-Key-Signature and
 * the DKIM bridge's DKIM-Signature) written in the message's own line
 * ends, with the one error line and exit status each failure gets.
 */
#ifndef SK_SIGNMSG_H
#define SK_SIGNMSG_H

#include <stddef.h>

#include <openssl/evp.h>

#include "lib/msg.h"
#include "lib/sig.h"

/*
 * signmsg_field: sign M with KEY and O (lib/sig.h).  Returns the field to
 * put on top of the message as it was read: LF line ends when M had bare
 * LF ends, else CRLF, with its final line end; malloc'd and
 * NUL-terminated, *FLEN set.  With O->dkim_bridge it returns two fields,
 * the Sender-Key-Signature and below it the DKIM bridge's DKIM-Signature
 * (specs/signature.md section 11.1), each signed over M alone.  NULL
 * after one line on standard error, with *RC set: EX_DATAERR when the
 * message cannot be signed (From:, -s), EX_SOFTWARE for memory or
 * OpenSSL trouble.
 */
char	*signmsg_field(const struct msg *m, EVP_PKEY *key,
	    const struct sig_sign_opts *o, size_t *flen, int *rc);

#endif
