/*
 * hdr: the message senderkey-milter checks, rebuilt from what libmilter
 * hands over (specs/protocol.md section 5.2.1): each header field as a
 * NAME and a VALUE whose line breaks are LF, the end of the header, the
 * body.  The result is the octets the MTA will deliver, in CRLF form, for
 * msg_parse: each LF of a value becomes CRLF, nothing else changes.
 *
 * A field that cannot be written so that msg_parse reads back exactly
 * that one field is refused, never reinterpreted: a CR in a value (some
 * readers end a line there, msg_parse does not), a line break not
 * followed by whitespace and text (it would start another field or end
 * the header), a name that is empty or not printable ASCII without ':'.
 * The first problem sticks (hdr_error) and the rest of the message is
 * skipped.  Pure: no I/O, no libmilter.  Not here: what the milter
 * replies (main.c).
 */
#ifndef SK_MILTER_HDR_H
#define SK_MILTER_HDR_H

#include <stddef.h>

enum hdr_err {
	HDR_OK = 0,
	HDR_ENAME,	/* field name empty, or not %d33-57 / %d59-126 */
	HDR_ECR,	/* a CR in a field value */
	HDR_EBREAK,	/* a line break in a value not followed by SP or
			   HTAB and then some text */
	HDR_ETOOBIG,	/* the message is over MSG_MAX_SIZE */
	HDR_ENOMEM,
};

struct hdr;

/*
 * hdr_new: an empty message.  LEADSPC: the MTA hands each value with
 * the whitespace after the colon (SMFIP_HDR_LEADSPC); without it the MTA
 * ate one space, and one is put back.  NULL when out of memory.
 */
struct hdr	*hdr_new(int leadspc);
void		 hdr_free(struct hdr *);
/* hdr_reset: empty again for the next message (LEADSPC kept). */
void		 hdr_reset(struct hdr *);

/*
 * hdr_field: append the field NAME: VALUE (NUL-terminated, as libmilter
 * passes them).  A refused field sets hdr_error and is not appended.
 * Returns 0, or -1 only when out of memory (hdr_error then HDR_ENOMEM).
 */
int		 hdr_field(struct hdr *, const char *name, const char *value);
/* hdr_eoh: the empty line ending the header.  0, or -1 (no memory). */
int		 hdr_eoh(struct hdr *);
/* hdr_body: LEN octets of body, as they come.  0, or -1 (no memory). */
int		 hdr_body(struct hdr *, const void *p, size_t len);

/*
 * hdr_error: the first problem (HDR_OK when none), and in *FIELD (when
 * not NULL) the 1-based number of the field it was found in (0: not in a
 * field).  Once set, nothing more is appended.
 */
enum hdr_err	 hdr_error(const struct hdr *, size_t *field);
/* hdr_text: the message so far, *LEN octets ("" when empty). */
const char	*hdr_text(const struct hdr *, size_t *len);

/*
 * hdr_check: whether NAME: VALUE can be rebuilt faithfully (HDR_OK) or
 * why not, without appending anything.
 */
enum hdr_err	 hdr_check(const char *name, const char *value);

const char	*hdr_errname(enum hdr_err);	/* "cr" */
const char	*hdr_strerror(enum hdr_err);

#endif
