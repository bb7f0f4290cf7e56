/*
 * daemon: the milter's line-protocol client to senderkeyd (specs/
 * protocol.md section 3): one connection per message, the request lines
 * pipelined, every reply read under one deadline.  A dead, slow or
 * misbehaving daemon is an error the caller turns into a tempfail; it is
 * never an answer.  Not here: building requests or reading replies'
 * contents (answer.h).
 */
#ifndef SK_MILTER_DAEMON_H
#define SK_MILTER_DAEMON_H

#include <stddef.h>

#include "lib/config.h"

#define DAEMON_REPLY_MAX	65536	/* PROTO_LINE_REPLY_MAX */

/*
 * daemon_ask: connect to L (unix: or inet:), write REQ (NLINES request
 * lines, each ending in LF), and read NLINES reply lines, all within
 * TIMEOUT_MS.  Returns 0 with *REPLIES a malloc'd array of NLINES
 * malloc'd NUL-terminated lines without their LF (free with
 * daemon_replies_free), or -1 with the reason in ERR (ERRSZ octets).
 */
int		 daemon_ask(const struct config_listen *l, const char *req,
		    size_t nlines, unsigned timeout_ms, char ***replies,
		    char *err, size_t errsz);

/* daemon_replies_free: frees the N lines of R and R.  NULL is a no-op. */
void		 daemon_replies_free(char **r, size_t n);

#endif
