/*
 * daemon: the milter's line-protocol client to senderkeyd (specs/
 * protocol.md section 3): one connection per message, the request lines
 * pipelined, every reply read under one deadline.  A dead, slow or
 * misbehaving daemon is an error the caller turns into a tempfail; it is
 * never an answer.  The requests are built by the protocol's codec
 * (core/proto_line_req.h).  Not here: reading replies' contents
 * (answer.h, keycache.h), deciding (verify.h).
 */
#ifndef SK_MILTER_DAEMON_H
#define SK_MILTER_DAEMON_H

#include <stddef.h>

#include "lib/config.h"
#include "lib/sig.h"
#include "answer.h"
#include "keycache.h"

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

/*
 * daemon_lookup: "LOOKUP SENDER" to L (protocol.md 5.4 step 1), the reply
 * turned into V's key state and keys through KC (keycache_verify_reply).
 * Returns 0, or -1 with the reason in ERR (SENDER cannot be sent, the
 * daemon unreachable or silent past TIMEOUT_MS, a reply that is not a
 * LOOKUP answer); the caller tempfails.
 */
int		 daemon_lookup(const struct config_listen *l,
		    unsigned timeout_ms, struct keycache *kc,
		    struct sig_verify *v, const char *sender, char *err,
		    size_t errsz);

/*
 * daemon_authz: one "AUTHZ sender=SENDER recipient=R sig=... [key=FP]
 * [queue_id=QID]" per recipient of RCPTS (NRCPTS > 0), pipelined on one
 * connection (5.4 step 2): sig= and key= from O (key= with pass only),
 * queue_id= when QID is not NULL.  ANS (NRCPTS entries) gets the replies
 * in order.  Returns 0, or -1 with the reason in ERR (a request that
 * cannot be sent, the daemon unreachable, an error or unreadable reply).
 */
int		 daemon_authz(const struct config_listen *l,
		    unsigned timeout_ms, const char *sender,
		    const struct sig_outcome *o, const char *qid,
		    const char *const *rcpts, size_t nrcpts,
		    struct answer_authz *ans, char *err, size_t errsz);

/*
 * daemon_learn: one "LEARN user=LOGIN sender=SENDER recipient=R" per
 * recipient of RCPTS (NRCPTS > 0), pipelined on one connection
 * (protocol.md 5.3); N (3 counters, indexed by enum proto_line_entry)
 * counts the replies.  Returns 0, or -1 with the reason in ERR (a
 * request that cannot be sent, the daemon unreachable or silent, an
 * error or unreadable reply); the message goes on either way.
 */
int		 daemon_learn(const struct config_listen *l,
		    unsigned timeout_ms, const char *login, const char *sender,
		    const char *const *rcpts, size_t nrcpts, size_t n[3],
		    char *err, size_t errsz);

#endif
