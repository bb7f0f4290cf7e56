/*
 * trustfield: the value of senderkey's Sender-Key-Trust header field
 * (specs/verdicts.md 7.1): "TAG; reason=CODE[; sender=ADDR][; key=FPR]".
 * The one encoder every writer uses (the policy service's PREPEND, the
 * milter's verify path, the AUTHZ reply Exim's ACL copies) and the one
 * parser (senderkeyd's MOVE, senderkey imap-move).  Pure: no I/O.
 *
 * Not here: finding the topmost field in a message, unfolding it (the
 * caller hands the unfolded value), deciding anything.
 */
#ifndef SK_TRUSTFIELD_H
#define SK_TRUSTFIELD_H

#include <stddef.h>

#include "verdict.h"

#define TRUSTFIELD_MAX		1024	/* octets of a value, NUL excluded */
#define TRUSTFIELD_SENDER_MAX	320	/* a canonical address and its NUL */
#define TRUSTFIELD_KEY_LEN	32	/* SPKI SHA-256 */

/* One field's meaning. */
struct trustfield {
	enum verdict_tag	 tag;		/* never VT_NONE */
	enum verdict_reason	 reason;
	char			 sender[TRUSTFIELD_SENDER_MAX]; /* "": none */
	int			 has_key;	/* trusted, authorized only */
	unsigned char		 key[TRUSTFIELD_KEY_LEN];
};

/* Why a value does not parse; the names are those of the vectors. */
enum trustfield_err {
	TFE_OK = 0,
	TFE_TOO_LONG,		/* "too-long": over TRUSTFIELD_MAX */
	TFE_SYNTAX,		/* "syntax": not TAG; name=value ... */
	TFE_TAG,		/* "tag": not one of the four tags */
	TFE_REASON,		/* "reason": missing or unknown reason code */
	TFE_SENDER,		/* "sender": not a canonical address */
	TFE_KEY,		/* "key": not 64 lowercase hex digits, or on
				   a tag other than trusted or authorized */
	TFE_PARAM,		/* "param": unknown, repeated or misplaced */
};

/*
 * trustfield_set: fill *F for TAG and REASON, SENDER (a canonical
 * address, or NULL for none) and KEY (TRUSTFIELD_KEY_LEN octets, or NULL;
 * kept only for the tags trusted and authorized).  A sender that does not
 * fit is left out.  Never fails.
 */
void		 trustfield_set(struct trustfield *f, enum verdict_tag tag,
		    enum verdict_reason reason, const char *sender,
		    const unsigned char *key);

/*
 * trustfield_encode: F as a field value in BUF (BUFSZ octets, NUL
 * written): the sender bare when it has no octet a quoted-string needs
 * (control, space, ()<>,;:\"[] or non-ASCII), else as a quoted-string
 * with '"' and '\' escaped; the key as 64 lowercase hex digits.  Returns
 * the length, or -1 (a tag of VT_NONE or out of range, a control octet in
 * the sender, a key on another tag, BUF too small).
 */
int		 trustfield_encode(const struct trustfield *f, char *buf,
		    size_t bufsz);

/*
 * trustfield_parse: the unfolded field VALUE (LEN octets; blanks around
 * it and around each ';' allowed) into *OUT: the tag, "reason=", then
 * optionally "sender=" (bare or quoted; it must parse as an address and
 * be its canonical form) and "key=" (trusted, authorized), in that order.
 * Returns 0, or -1 with *ERR set (when not NULL).
 */
int		 trustfield_parse(const char *value, size_t len,
		    struct trustfield *out, enum trustfield_err *err);

/* trustfield_errname: the name of E ("syntax"; "?" out of range). */
const char	*trustfield_errname(enum trustfield_err e);

#endif
