/*
 * proto_line_req: build a request line of the line protocol
 * (specs/protocol.md 3.1, 3.2) from a struct proto_line_request, the
 * inverse of proto_line_parse: what it builds parses back to the same
 * values, and what could not be parsed back (a control octet, a space
 * outside quotes, an unclosed quote, a bad value, a missing argument, a
 * line over PROTO_LINE_MAX) is refused rather than sent.  The clients
 * (the CLI, the milter) build every request here.  Pure: no I/O, no
 * allocation.  Not here: sending it (lib/dial.h and the callers).
 */
#ifndef SK_PROTO_LINE_REQ_H
#define SK_PROTO_LINE_REQ_H

#include <stddef.h>

#include "proto_line.h"

/*
 * proto_line_req_build: RQ as one request line, LF included, into BUF
 * (BUFSZ octets, NUL-terminated).  Reads RQ->cmd and, for AUTHZ,
 * sender, recipient, sig (VSIG_UNKNOWN: no sig=), have_key and key
 * (written as uppercase hex with colons), queue_id (NULL: none); for
 * LOOKUP and DKIMKEY, address (which addr_parse must accept); for LEARN, user,
 * sender (may be "": the null sender) and recipient.  sender_null and buf
 * are not read.  Addresses go as the single RFC 5321 token they are
 * (3.1): quotes kept, nothing escaped.  Returns the line length, or -1
 * with *ERR (when not NULL) the error the daemon would have answered
 * (PLE_BAD_SYNTAX, PLE_BAD_ARGUMENT, PLE_MISSING_ARGUMENT,
 * PLE_BAD_ADDRESS, PLE_LINE_TOO_LONG, PLE_BAD_COMMAND), or PLE_INTERNAL
 * when BUFSZ is too small for a line the protocol allows.
 */
int		 proto_line_req_build(char *buf, size_t bufsz,
		    const struct proto_line_request *rq,
		    enum proto_line_err *err);

#endif
