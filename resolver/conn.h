/*
 * conn: one client connection of senderkeyd: non-blocking reads into a
 * bounded buffer, request framing (one line, or a block of lines ended
 * by an empty line), one request at a time, a write queue that survives
 * partial writes, half-close (Exim's ${readsocket}), lingering close and
 * the timeouts of specs/protocol.md section 1.  It does not parse what a
 * request says (proto_line.c, proto_policy.c) nor decide (server.c).
 */
#ifndef SK_CONN_H
#define SK_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct loop;
struct conn;

enum conn_framing {
	CONN_LINE,	/* a request is one line (line protocol) */
	CONN_BLOCK,	/* lines up to an empty line (Postfix policy) */
};

struct conn_limits {
	size_t		max_line;	/* octets, LF included */
	size_t		max_lines;	/* lines per block, empty line not counted */
	size_t		max_request;	/* octets, final empty line included */
	unsigned	request_ms;	/* first octet to end of request */
	unsigned	idle_ms;	/* between requests */
	unsigned	write_ms;	/* to write a reply */
	unsigned	linger_ms;	/* lingering close: read and discard */
	size_t		linger_bytes;
	/*
	 * The read buffer starts at rbuf_init octets and grows (doubling)
	 * on demand up to the largest request the framing allows
	 * (max_line for lines, max_request for blocks); once the
	 * connection has been idle with nothing buffered for shrink_ms
	 * (0: at once), a grown buffer goes back to rbuf_init, the write
	 * buffer is freed and conn_ops.idle is called.
	 */
	size_t		rbuf_init;
	unsigned	shrink_ms;
};

/* The limits of specs/protocol.md section 1 for each framing. */
void		 conn_default_limits(enum conn_framing f,
		    struct conn_limits *out);

struct conn_ops {
	/*
	 * request: a complete request, REQ (LEN octets, not NUL-free) is
	 * valid during the call only.  A line comes without its LF; a block
	 * with every line's LF, without the final empty line.  The callee
	 * answers later (or now) with conn_reply; no other request is
	 * delivered before that.  After the peer half-closed, a final line
	 * without LF is delivered as a request too (line framing).
	 */
	void	(*request)(void *arg, struct conn *c, const char *req,
		    size_t len);
	/*
	 * overlimit: the request broke a limit of conn_limits (the octets are
	 * not delivered).  The callee answers with conn_reply_close.
	 */
	void	(*overlimit)(void *arg, struct conn *c);
	/*
	 * closed: C is about to be freed (peer gone, timeout, error, or after
	 * a reply with close).  Forget C and cancel its pending work; do not
	 * call conn_* on it any more.
	 */
	void	(*closed)(void *arg, struct conn *c);
	/*
	 * idle: optional (NULL: none).  C has been idle (no request, nothing
	 * buffered, nothing to write) for shrink_ms and has given back its
	 * grown read buffer and its write buffer; the owner may release
	 * what it keeps per request too.  At most once per idle period; do
	 * not call conn_* on C from here.
	 */
	void	(*idle)(void *arg, struct conn *c);
};

/*
 * conn_new: take over the connected FD (made non-blocking; closed by
 * conn_free or when the conn closes itself).  OPS and ARG stay the caller's and must outlive the conn;
 * LIMITS is copied.  Returns the conn, or NULL (FD then left open).
 */
struct conn	*conn_new(struct loop *l, int fd, uint64_t id,
		    enum conn_framing f, const struct conn_limits *limits,
		    const struct conn_ops *ops, void *arg);

/*
 * conn_free: close and free C without calling ops->closed.  NULL is a
 * no-op.
 */
void		 conn_free(struct conn *c);

/*
 * conn_reply: queue REPLY (LEN octets, copied) as the answer to the
 * current request; the next request is delivered after it is written.
 * Returns 0, or -1 when out of memory (C is then closed, ops->closed
 * runs before conn_reply returns).
 */
int		 conn_reply(struct conn *c, const char *reply, size_t len);

/*
 * conn_reply_close: queue REPLY, then shut down the sending side, read
 * and discard for at most linger_ms / linger_bytes, and close.
 */
void		 conn_reply_close(struct conn *c, const char *reply,
		    size_t len);

/* conn_busy: 1 while a delivered request has no reply yet. */
int		 conn_busy(const struct conn *c);

/* conn_id: the ID given to conn_new, for the log. */
uint64_t	 conn_id(const struct conn *c);

/*
 * conn_bufsize: the octets of C's read buffer now (rbuf_init, or more
 * while a large request is read), for tests and the log.
 */
size_t		 conn_bufsize(const struct conn *c);

/* conn_fd: the descriptor. */
int		 conn_fd(const struct conn *c);

/*
 * conn_peercred: the Unix peer's SO_PEERCRED; 0, or -1 when C is not a
 * Unix socket.
 */
int		 conn_peercred(const struct conn *c, pid_t *pid, uid_t *uid,
		    gid_t *gid);

/* conn_set_data, conn_data: one pointer for the owner. */
void		 conn_set_data(struct conn *c, void *data);
void		*conn_data(const struct conn *c);

#endif
