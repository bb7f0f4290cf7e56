/*
 * proto_line_entry: the reply of the line protocol's commands that write
 * a user entry (specs/protocol.md 3.3; LEARN): "ok entry=written",
 * "ok entry=unchanged" or "ok entry=none why=CODE".  senderkeyd encodes,
 * its clients (the milter) decode, through this one codec.  Pure: no
 * I/O, no allocation.  Not here: deciding what to write (resolver/).
 */
#ifndef SK_PROTO_LINE_ENTRY_H
#define SK_PROTO_LINE_ENTRY_H

#include <stddef.h>

#define PROTO_LINE_WHY_MAX	64	/* a why= code, NUL included */

enum proto_line_entry {
	PLENT_WRITTEN,		/* "written": a user entry was written */
	PLENT_UNCHANGED,	/* "unchanged": one was there already */
	PLENT_NONE,		/* "none": nothing to do; why= says why */
};

/* An entry reply as values. */
struct proto_line_entry_reply {
	enum proto_line_entry	 entry;
	char			 why[PROTO_LINE_WHY_MAX]; /* "" unless NONE */
};

/* proto_line_entry_name: "written", "unchanged", "none" ("?" if none). */
const char	*proto_line_entry_name(enum proto_line_entry e);

/*
 * proto_line_entry_encode: "ok entry=NAME" and, for PLENT_NONE, " why=WHY"
 * LF into BUF.  WHY (a code of lowercase letters, digits and '-', at most
 * PROTO_LINE_WHY_MAX - 1 octets) is required with PLENT_NONE and refused
 * with the others.  Returns the length, or -1.
 */
int		 proto_line_entry_encode(char *buf, size_t bufsz,
		    enum proto_line_entry e, const char *why);

/*
 * proto_line_entry_decode: LINE (LEN octets, a final LF allowed) as an
 * entry reply into *OUT: "ok", a known entry= value, why= present exactly
 * when it is "none" (any code of that syntax: a client shows codes it
 * does not know); other attributes are ignored.  Returns 0, or -1 (an
 * "error" reply included: see proto_line_error_decode).
 */
int		 proto_line_entry_decode(const char *line, size_t len,
		    struct proto_line_entry_reply *out);

#endif
