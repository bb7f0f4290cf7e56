/*
 * move: MOVE, the mail client's request (specs/protocol.md 3.2): a user
 * moved a message into the Allow or Block folder, and senderkeyd makes
 * the sender that senderkey's own trust field names a user entry of that
 * user (resolver/uentry.h, source imap), but only when the journal shows
 * the sender wrote to the user (and, for a pinned Allow, with that key).
 * Not here: who may send MOVE (dispatch.c: the ClientSocket only), the
 * field's syntax (core/trustfield.h), writing the entry (uentry.c).
 */
#ifndef SK_MOVE_H
#define SK_MOVE_H

#include <stddef.h>

#include "core/proto_line.h"

struct server;

/*
 * move_answer: decide and carry out the parsed MOVE RQ on server S, and
 * write its reply line (core/proto_line_entry.h, or "error internal") to
 * BUF (BUFSZ octets).  Logs one line.  Returns the reply length, or -1
 * (nothing fits).
 */
int		 move_answer(struct server *s,
		    const struct proto_line_request *rq, char *buf,
		    size_t bufsz);

#endif
