/*
 * rcpt: the mailbox a recipient address is delivered to, as the MTA's
 * default rewriting makes it (specs/record-format.md 1.3).  Pure: no
 * I/O, no configuration of its own; the delimiter set is passed in.
 */
#ifndef SK_RCPT_H
#define SK_RCPT_H

#include <stddef.h>

#include "addr.h"

/* rcpt_delims_bad: returns the first octet of DELIMS that cannot be a
 * recipient delimiter ('@', '"', '\\', white space, a control or non-ASCII
 * octet), or NULL when every one can.  NULL DELIMS is fine (none). */
const char	*rcpt_delims_bad(const char *delims);

/*
 * rcpt_mailbox: the mailbox the recipient IN (in FORM) is delivered to, as
 * Postfix's default rewriting makes it:
 *  - one trailing dot of the domain removed ("carol@example.net.");
 *  - one level of routing undone: "domain!user" (swap_bangpath) and
 *    "user%domain" without '@', and "user%domain@host", "domain!user@host"
 *    or a quoted "user@domain"@host (the forms Postfix rewrites once host
 *    is one of its local domains) all give user@domain;
 *  - the address extension removed with DELIMS (a set of characters, as
 *    Postfix's recipient_delimiter: the first one found in the local part
 *    splits the rest off; NULL or "" for none), except for postmaster,
 *    mailer-daemon and double-bounce, and, when '-' is in DELIMS, for
 *    owner-* and *-request (Postfix's split_addr); never to an empty
 *    local part;
 *  - the case of the local part folded as Postfix folds it before every
 *    table lookup when smtputf8_enable = yes (its default): full Unicode
 *    default case folding ("\xc3\x89MILE" and "\xc3\xa9mile" are one
 *    mailbox, "stra\xc3\x9fe" is "strasse"), then quoting and NFC as
 *    addr_parse (addr_canon).  Senders are not folded this way: their
 *    canonical form (owner names) lowers only A-Z.
 * Returns a new addr (free with addr_free), or NULL with *ERR set when IN
 * does not name one mailbox with certainty: a syntax error, no '@' and no
 * route (the MTA would append its own domain), more than one level of
 * routing (a!b!c, a%b%c@h, a%b@c@h) or '!' with '%' (ADDR_EROUTE), an
 * empty local part (Postfix's MAILER-DAEMON), over-long input.  On NULL,
 * when DOMAIN is not NULL it receives the A-label domain of every mailbox
 * IN can be delivered to when that one domain can be told, else "" (the
 * caller cannot tell the domain: it applies the strictest outcome of all).
 * DOMAINSZ: 254 octets are enough.
 */
struct addr	*rcpt_mailbox(const char *in, enum addr_form form,
		    const char *delims, char *domain, size_t domainsz,
		    enum addr_err *err);

/*
 * rcpt_fold: the canonical address CANON (as addr_canon gives it) with the
 * case of its local part folded as rcpt_mailbox folds it, and nothing
 * else changed, in OUT (OUTSZ octets; STORE_TARGET_MAX is enough when
 * the result is a valid address).  For rules stored under a recipient
 * before recipients were folded.  Returns 0 (OUT is CANON when there was
 * nothing to fold), or -1 with *ERR set (ERR may be NULL).
 */
int		 rcpt_fold(const char *canon, char *out, size_t outsz,
		    enum addr_err *err);

#endif
