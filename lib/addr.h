/*
 * addr: parse one RFC 5321/5322 addr-spec (with RFC 6531 UTF-8) and
 * compute the canonical forms senderkey works with.  Pure: no I/O.
 *
 *  - local part as written: quotes removed, quoted-pairs unescaped, NFC;
 *  - canonical local part (hashed into owner names): the above with the
 *    ASCII letters A-Z lowercased, nothing else folded (as GnuPG does);
 *  - domain: IDNA2008 A-label form (libidn2), lowercase, no trailing dot.
 */
#ifndef SK_ADDR_H
#define SK_ADDR_H

#include <stddef.h>

enum addr_err {
	ADDR_OK = 0,
	ADDR_EEMPTY,		/* empty input */
	ADDR_ETOOLONG,		/* more than 254 octets in all */
	ADDR_ENOAT,		/* no '@' outside quotes */
	ADDR_ELOCAL_EMPTY,	/* nothing before '@' */
	ADDR_ELOCAL_TOOLONG,	/* local part over 64 octets */
	ADDR_ELOCAL_CHAR,	/* character not allowed in a dot-atom */
	ADDR_ELOCAL_DOT,	/* leading, trailing or doubled '.' */
	ADDR_EQUOTE,		/* unterminated quote or bad quoted-pair */
	ADDR_EUTF8,		/* not valid UTF-8 */
	ADDR_EDOMAIN_EMPTY,	/* nothing after '@' */
	ADDR_EDOMAIN_LITERAL,	/* [192.0.2.1]: no DNS name to publish under */
	ADDR_EDOMAIN_SYNTAX,	/* bad label: empty, too long, bad character */
	ADDR_EDOMAIN_IDN,	/* libidn2 refused the name */
	ADDR_EDOMAIN_TOOLONG,	/* over 253 octets as an A-label name */
	ADDR_EDOMAIN_SINGLE,	/* a single label ("root@localhost") */
	ADDR_EROUTE,		/* routing (a!b!c, a%b%c@h, ! with %) that
				   names no one mailbox (rcpt_mailbox) */
};

/*
 * The two forms an address reaches senderkey in.  ADDR_FORM_SMTP: RFC 5321
 * (a dot-atom or quoted-string local part), as in the line protocol and
 * on the command line.  ADDR_FORM_INTERNAL: Postfix's unquoted internal
 * form, as in its policy attributes ("john doe@example.test" for
 * "\"john doe\"@example.test"): the text up to the LAST '@' is the local
 * part, literally.
 */
enum addr_form {
	ADDR_FORM_SMTP,
	ADDR_FORM_INTERNAL,
};

struct addr;

/*
 * addr_parse: parse the NUL-terminated addr-spec IN.  On success returns a
 * new addr owned by the caller (free with addr_free).  On failure returns
 * NULL and, when ERR/POS are not NULL, stores the error and the byte
 * offset in IN where it was found.
 */
struct addr	*addr_parse(const char *in, enum addr_err *err, size_t *pos);
void		 addr_free(struct addr *);

/*
 * addr_parse_form: as addr_parse, for an address in FORM.  ADDR_FORM_SMTP
 * is exactly addr_parse.  ADDR_FORM_INTERNAL reads the local part as
 * literal text and gives the addr of its RFC 5321 spelling (quoted when
 * it is not a dot-atom): "john doe@example.test" gives the same addr_canon
 * as "\"john doe\"@example.test".  POS is an offset in IN.
 */
struct addr	*addr_parse_form(const char *in, enum addr_form form,
		    enum addr_err *err, size_t *pos);

/*
 * addr_make: the addr of the literal local part LOCAL (no quotes, no
 * escapes) at DOMAIN (as addr_parse takes it), or NULL with ERR set.
 */
struct addr	*addr_make(const char *local, const char *domain,
		    enum addr_err *err);

/*
 * addr_split: split IN (in FORM) without judging its domain.  The local
 * part goes to LOCAL (LOCALSZ octets, more than strlen(IN)) as literal
 * text: quotes removed and quoted-pairs unescaped (SMTP form, whose
 * dot-atom or quoted-string syntax is checked; no NFC) or as it is
 * (internal form, split at the last '@').  *DOMAIN receives the offset in
 * IN of the text after that '@'.  Returns 0; 1 when IN has no '@' (LOCAL
 * then holds all of IN, a dot-atom in SMTP form); -1 with ERR/POS set.
 * For callers that rewrite routing forms (rcpt_mailbox).
 */
int		 addr_split(const char *in, enum addr_form form, char *local,
		    size_t localsz, size_t *domain, enum addr_err *err,
		    size_t *pos);

/*
 * addr_size, addr_copy: an addr is one block of addr_size(A) octets that
 * holds no pointers, so a copy of it anywhere (BUF: addr_size(A) octets,
 * 2-octet aligned) is the same addr: addr_copy returns it, owned with BUF
 * by the caller (never passed to addr_free).  For callers that keep a
 * million addresses in their own blocks (the manifest).
 */
size_t		 addr_size(const struct addr *a);
struct addr	*addr_copy(const struct addr *a, void *buf);

/* addr_dup: a new addr equal to A (free with addr_free), or NULL. */
struct addr	*addr_dup(const struct addr *a);

/* Accessors: strings owned by the addr, valid until addr_free. */
const char	*addr_local(const struct addr *);	/* as written, NFC */
const char	*addr_canon_local(const struct addr *);	/* NFC, ASCII lower */
const char	*addr_domain(const struct addr *);	/* A-labels, lower */
/* addr_canon: canonical "local@domain" (local quoted again if needed). */
const char	*addr_canon(const struct addr *);

/* addr_strerror: a short English text for an error, never NULL. */
const char	*addr_strerror(enum addr_err);
/* addr_errname: a stable name ("local-char"), as used in specs/vectors. */
const char	*addr_errname(enum addr_err);

/*
 * addr_domain_parse: check and convert a bare domain (as in "*@DOMAIN" or
 * -d DOMAIN) to its A-label form.  Returns a malloc'd string or NULL with
 * ERR set.  A single trailing dot is accepted and dropped.
 */
char		*addr_domain_parse(const char *in, enum addr_err *err);

#endif
