/*
 * daemon: the milter's line-protocol client to senderkeyd (specs/
 * protocol.md section 3): connections kept in a pool and reused across
 * requests, messages and threads, the request lines of one step
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

#define DAEMON_POOL_IDLE	64	/* idle connections kept at most */

/*
 * A pool of connections to one senderkeyd line socket, safe to share
 * between threads.  A connection goes back into it only after every
 * reply to what was sent on it has been read and understood, so a
 * request never follows an unread reply; one that shows input or its
 * end while idle (the daemon went away, or timed it out) is closed
 * instead of used.  Connects lazily: making a pool never dials.
 */
struct daemon_pool;

/*
 * daemon_pool_new: a pool for L (unix: or inet:; L must outlive it)
 * keeping at most MAX idle connections (0: none, a connection per
 * request).  NULL when out of memory.
 */
struct daemon_pool *daemon_pool_new(const struct config_listen *l,
		    size_t max);

/* daemon_pool_free: closes P's idle connections, frees P.  NULL: no-op. */
void		 daemon_pool_free(struct daemon_pool *p);

/*
 * daemon_pool_counts: how many connections P has made (*DIALS) and how
 * many times it handed out a kept one (*REUSES), since it was made.
 */
void		 daemon_pool_counts(struct daemon_pool *p,
		    unsigned long long *dials, unsigned long long *reuses);

/*
 * daemon_ask: on a kept connection of POOL or a new one, write REQ
 * (NLINES request lines, each ending in LF) and read NLINES reply lines,
 * all within TIMEOUT_MS.  A kept connection that turns out closed or
 * reset before any reply octet is retried once on a new connection
 * (still within TIMEOUT_MS).  Returns 0 with *REPLIES a malloc'd array
 * of NLINES malloc'd NUL-terminated lines without their LF (free with
 * daemon_replies_free) and *CONN the connection (-1 when it cannot be
 * reused; hand it to daemon_release either way), or -1 with the reason
 * in ERR (ERRSZ octets) and *CONN -1.
 */
int		 daemon_ask(struct daemon_pool *pool, const char *req,
		    size_t nlines, unsigned timeout_ms, char ***replies,
		    int *conn, char *err, size_t errsz);

/*
 * daemon_release: CONN from daemon_ask back into POOL when OK (its
 * replies understood), else closed.  CONN -1 is a no-op.
 */
void		 daemon_release(struct daemon_pool *pool, int conn, int ok);

/* daemon_replies_free: frees the N lines of R and R.  NULL is a no-op. */
void		 daemon_replies_free(char **r, size_t n);

/*
 * daemon_lookup_replies: "LOOKUP SENDER" and, when DK is not NULL,
 * "DKIMKEY SENDER" pipelined on one connection of POOL (protocol.md 5.4
 * step 1): *LINE gets the LOOKUP reply line (malloc'd, the caller frees;
 * it reads as a LOOKUP answer), *DK the DKIMKEY reply decoded
 * (answer_dkimkey_parse).  Returns 0, or -1 with the reason in ERR
 * (SENDER cannot be sent, the daemon unreachable or silent past
 * TIMEOUT_MS, a reply that is not the answer asked for) and *LINE NULL.
 */
int		 daemon_lookup_replies(struct daemon_pool *pool,
		    unsigned timeout_ms, const char *sender,
		    struct answer_dkimkey *dk, char **line, char *err,
		    size_t errsz);

/*
 * daemon_lookup: "LOOKUP SENDER" through POOL (protocol.md 5.4 step 1),
 * and "DKIMKEY SENDER" pipelined on the same connection when V has a
 * pending DKIM bridge signature (sig_verify_need_dkim): the DKIMKEY reply
 * goes to sig_verify_dkim, then the LOOKUP reply is turned into V's key
 * state and keys through KC (keycache_verify_reply).  Returns 0, or -1
 * with the reason in ERR (SENDER cannot be sent, the daemon unreachable
 * or silent past TIMEOUT_MS, a reply that is not the answer asked for);
 * the caller tempfails.
 */
int		 daemon_lookup(struct daemon_pool *pool,
		    unsigned timeout_ms, struct keycache *kc,
		    struct sig_verify *v, const char *sender, char *err,
		    size_t errsz);

/*
 * daemon_authz: one "AUTHZ sender=SENDER recipient=R sig=... [key=FP]
 * [queue_id=QID]" per recipient of RCPTS (NRCPTS > 0), pipelined on one
 * connection of POOL (5.4 step 2): sig= and key= from O (key= with pass
 * only), queue_id= when QID is not NULL.  ANS (NRCPTS entries) gets the replies
 * in order.  Returns 0, or -1 with the reason in ERR (a request that
 * cannot be sent, the daemon unreachable, an error or unreadable reply).
 */
int		 daemon_authz(struct daemon_pool *pool,
		    unsigned timeout_ms, const char *sender,
		    const struct sig_outcome *o, const char *qid,
		    const char *const *rcpts, size_t nrcpts,
		    struct answer_authz *ans, char *err, size_t errsz);

/*
 * daemon_learn: one "LEARN user=LOGIN sender=SENDER recipient=R" per
 * recipient of RCPTS (NRCPTS > 0), pipelined on one connection of
 * POOL (protocol.md 5.3); N (3 counters, indexed by enum proto_line_entry)
 * counts the replies.  Returns 0, or -1 with the reason in ERR (a
 * request that cannot be sent, the daemon unreachable or silent, an
 * error or unreadable reply); the message goes on either way.
 */
int		 daemon_learn(struct daemon_pool *pool,
		    unsigned timeout_ms, const char *login, const char *sender,
		    const char *const *rcpts, size_t nrcpts, size_t n[3],
		    char *err, size_t errsz);

#endif
