/*
 * msg: split an RFC 5322 message into its header fields and its body, and
 * read the From: mailbox.  Pure: no I/O.  Not here: canonicalisation
 * (canon.h) or anything about signatures (sig.h).
 *
 * The input is kept as it is when every line ends in CRLF; a message with
 * bare LF line ends is copied once with each LF not preceded by CR turned
 * into CRLF (specs/signature.md section 4).  Fields point into that text:
 * nothing else is copied.
 */
#ifndef SK_MSG_H
#define SK_MSG_H

#include <stddef.h>

#include "addr.h"

#define MSG_MAX_SIZE	(64u * 1024 * 1024)	/* whole message, octets */
#define MSG_MAX_FIELDS	1000			/* header fields */
#define MSG_MAX_FIELD	65536			/* one field, folded, octets */

enum msg_err {
	MSG_OK = 0,
	MSG_ETOOBIG,		/* over MSG_MAX_SIZE */
	MSG_ETOOMANY,		/* over MSG_MAX_FIELDS header fields */
	MSG_EFIELDLONG,		/* one field over MSG_MAX_FIELD */
	MSG_ESYNTAX,		/* a header line that is no field and no
				   continuation (no name, no colon) */
	MSG_ECONT,		/* a continuation line before any field */
	MSG_EUNTERMINATED,	/* the header ends without CRLF */
	MSG_ENOMEM,
};

/* Why the From: mailbox could not be read (msg_from). */
enum msg_from_err {
	MSG_FROM_OK = 0,
	MSG_FROM_NONE,		/* no From: field */
	MSG_FROM_MULTIPLE,	/* two or more From: fields */
	MSG_FROM_EMPTY,		/* From: without an address */
	MSG_FROM_GROUP,		/* group syntax ("x: a@b;") */
	MSG_FROM_LIST,		/* two or more mailboxes */
	MSG_FROM_SYNTAX,	/* not a mailbox (bad quotes, comments inside
				   the addr-spec, route, stray '<') */
	MSG_FROM_ADDR,		/* addr_parse refused the addr-spec */
	MSG_FROM_ENOMEM,
};

/*
 * One header field.  RAW covers the name through the final CRLF (folding
 * included); NAME is RAW's first NAMELEN octets (whitespace before the
 * colon not included); VALUE is what follows the colon, up to but not
 * including the final CRLF.  All point into the message's text.
 */
struct msg_field {
	const char	*raw;
	size_t		 rawlen;
	size_t		 namelen;
	const char	*value;
	size_t		 valuelen;
};

struct msg;

/*
 * msg_parse: split LEN octets at BUF.  When BUF already uses CRLF it is
 * borrowed and must outlive the msg; otherwise the msg holds its own CRLF
 * copy.  A message without an empty line is all header and an empty body.
 * Returns a new msg (caller frees with msg_free) or NULL with *ERR and
 * *LINE (the 1-based line of the problem) set when not NULL.
 */
struct msg	*msg_parse(const char *buf, size_t len, enum msg_err *err,
		    size_t *line);
void		 msg_free(struct msg *);

/* msg_text: the whole message in CRLF form (borrowed or the copy). */
const char	*msg_text(const struct msg *, size_t *len);
/* msg_had_lf: 1 when the input used bare LF line ends (and was copied). */
int		 msg_had_lf(const struct msg *);
/* msg_nfields, msg_field: the header fields, top to bottom. */
size_t		 msg_nfields(const struct msg *);
const struct msg_field *msg_field(const struct msg *, size_t i);
/* msg_body: the body (after the empty line), in CRLF form; may be empty. */
const char	*msg_body(const struct msg *, size_t *len);

/* msg_field_is: 1 when F's name equals NAME without regard to ASCII case. */
int		 msg_field_is(const struct msg_field *f, const char *name);
/* msg_count: how many fields are named NAME (any case). */
size_t		 msg_count(const struct msg *, const char *name);

/*
 * msg_unfold: F's value with every CRLF removed (unfolded, RFC 5322
 * section 2.2.3), as a malloc'd NUL-terminated string, *LEN set when LEN
 * is not NULL.  A NUL octet in the value is kept (callers that need a C
 * string check *LEN against strlen).  NULL when out of memory.
 */
char		*msg_unfold(const struct msg_field *f, size_t *len);

/*
 * msg_mailbox: parse VALUE (LEN octets, unfolded) as an RFC 5322
 * mailbox-list holding exactly one mailbox: an addr-spec, or
 * [display-name] "<" addr-spec ">", with comments and whitespace around
 * the parts.  Returns a new addr (caller frees) or NULL with *ERR set.
 */
struct addr	*msg_mailbox(const char *value, size_t len,
		    enum msg_from_err *err);

/*
 * msg_from: the single From: field's single mailbox, as msg_mailbox.
 * Returns a new addr (caller frees) or NULL with *ERR set.
 */
struct addr	*msg_from(const struct msg *, enum msg_from_err *err);

const char	*msg_errname(enum msg_err);		/* "syntax" */
const char	*msg_strerror(enum msg_err);
const char	*msg_from_errname(enum msg_from_err);	/* "group" */

#endif
