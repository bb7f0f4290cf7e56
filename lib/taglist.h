/*
 * taglist: the DKIM tag-list syntax (RFC 6376 section 3.2) shared by sender
 * key records, the domain policy record and Sender-Key-Signature headers.
 * Pure: no I/O.
 *
 *   tag-list = tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *
 * Whitespace around names and values is dropped; whitespace inside a value
 * is kept as written (callers that need it removed, as for base64, do so).
 */
#ifndef SK_TAGLIST_H
#define SK_TAGLIST_H

#include <stddef.h>

enum taglist_err {
	TAGLIST_OK = 0,
	TAGLIST_ESYNTAX,	/* no '=', bad tag name, bad value character */
	TAGLIST_EDUP,		/* the same tag twice */
	TAGLIST_EEMPTY,		/* no tags at all */
	TAGLIST_ENUL,		/* a NUL byte inside the text */
	TAGLIST_ETOOMANY,	/* more than TAGLIST_MAX_TAGS tags */
};

#define TAGLIST_MAX_TAGS	64

struct taglist;

/* One tag as taglist_scan finds it: spans of the caller's text. */
struct taglist_span {
	const char	*name;
	size_t		 namelen;
	const char	*value;		/* not NUL-terminated */
	size_t		 valuelen;	/* outer whitespace dropped */
};

/*
 * taglist_scan: parse LEN octets at TEXT as taglist_parse does, with the
 * same errors and positions, into the caller's TAGS without allocating
 * or copying (the spans point into TEXT).  Returns the number of tags
 * (at least 1), or 0 with *ERR and *POS set when not NULL.
 */
size_t		 taglist_scan(const char *text, size_t len,
		    struct taglist_span tags[TAGLIST_MAX_TAGS],
		    enum taglist_err *err, size_t *pos);

/*
 * taglist_parse: parse LEN octets at TEXT (need not be NUL-terminated).
 * Returns a new taglist owned by the caller, or NULL with *ERR and *POS
 * (byte offset of the problem) set when not NULL.
 */
struct taglist	*taglist_parse(const char *text, size_t len,
		    enum taglist_err *err, size_t *pos);
void		 taglist_free(struct taglist *);

size_t		 taglist_count(const struct taglist *);
/* Name and value of the I-th tag (0-based, in input order). */
const char	*taglist_name(const struct taglist *, size_t i);
const char	*taglist_value(const struct taglist *, size_t i);
/* taglist_get: value of tag NAME, or NULL when absent. */
const char	*taglist_get(const struct taglist *, const char *name);

const char	*taglist_errname(enum taglist_err);

#endif
