/*
 * dispatch: one framed request of a senderkeyd connection, parsed and
 * sent where it goes: PING and STATS answered at once, AUTHZ, LOOKUP and
 * a Postfix request at RCPT started as a request (server_req.c), a
 * Postfix request at another stage answered DUNNO (proto_policy.c's
 * transaction rules), a request that does not parse answered with its
 * error.  Counts the requests of each kind for STATS.  Not here: framing
 * (conn.c), the syntax (proto_line.c, proto_policy.c), deciding and
 * answering a request (server_req.c).
 */
#ifndef SK_DISPATCH_H
#define SK_DISPATCH_H

#include <stddef.h>

struct sconn;

/* dispatch_line: the line-protocol request LINE (LEN octets) on SC. */
void	dispatch_line(struct sconn *sc, const char *line, size_t len);

/* dispatch_policy: the Postfix attribute block BLOCK (LEN) on SC. */
void	dispatch_policy(struct sconn *sc, const char *block, size_t len);

#endif
