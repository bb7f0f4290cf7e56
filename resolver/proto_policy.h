/*
 * proto_policy: the Postfix policy delegation protocol of
 * specs/protocol.md section 2.  Pure: no I/O.
 *
 *  - an incremental parser, fed one framed line at a time by the
 *    connection layer, that builds a proto_policy_request and says when
 *    the request is complete (the empty line) or malformed;
 *  - the reply encoder (verdict -> "action=...\n\n", 2.4);
 *  - the per-connection transaction state of 2.5 (class splitting).
 *
 * Not here: reading sockets, timeouts, deciding verdicts (verdict.c).
 */
#ifndef SK_PROTO_POLICY_H
#define SK_PROTO_POLICY_H

#include <stddef.h>

#include "core/trustfield.h"
#include "core/verdict.h"

#define PROTO_POLICY_LINE_MAX	2048	/* octets per line, LF included */
#define PROTO_POLICY_ATTR_MAX	64	/* attribute lines per request */
#define PROTO_POLICY_REQ_MAX	16384	/* octets per request, empty line
					   included */
/*
 * The parser's arena (names and known values of one request) starts at
 * this size, which a Postfix request of up to about 1 KiB fits, and grows
 * on demand up to PROTO_POLICY_REQ_MAX.
 */
#define PROTO_POLICY_ARENA_INIT	1024
#define PROTO_POLICY_NAME_MAX	64	/* octets of an attribute name */
#define PROTO_POLICY_ACTION_MAX	512	/* octets of a configured action */
/* A reply ("action=" ACTION LF LF, NUL) always fits in this. */
#define PROTO_POLICY_REPLY_MAX	(PROTO_POLICY_ACTION_MAX + TRUSTFIELD_MAX + 128)

/* Fixed actions of 2.3 and 2.4. */
#define PROTO_POLICY_MALFORMED \
	"DEFER_IF_PERMIT 4.7.0 senderkey: malformed policy request"
#define PROTO_POLICY_INTERNAL \
	"DEFER_IF_PERMIT 4.7.0 senderkey: temporary failure (internal)"
#define PROTO_POLICY_SPLIT "452 4.5.3 senderkey: too many recipients " \
	"of another policy class, send separately"
#define PROTO_POLICY_DUNNO "DUNNO"

/*
 * Default actions of 2.4; "{reason}", "{tag}", "{text}" (what the
 * refused sender reads, core/refusal.h) and "{trust}" (the whole
 * Sender-Key-Trust value, trustfield.h) are replaced.
 */
#define PROTO_POLICY_DEF_TEMPFAIL \
	"DEFER_IF_PERMIT 4.7.0 senderkey: temporary failure ({reason})"
#define PROTO_POLICY_DEF_UNAUTHORIZED \
	"REJECT 5.7.1 {text}"
#define PROTO_POLICY_DEF_UNTRUSTED \
	"PREPEND Sender-Key-Trust: {trust}"
#define PROTO_POLICY_DEF_AUTHORIZED \
	"PREPEND Sender-Key-Trust: {trust}"
/*
 * Deny mode prepends the same field as allow mode: a message accepted for
 * a deny-mode recipient must carry senderkey's own Sender-Key-Trust on
 * top too, or a sender's forged copy is the first one a client reads.
 */
#define PROTO_POLICY_DEF_UNTRUSTED_DENY		PROTO_POLICY_DEF_UNTRUSTED
#define PROTO_POLICY_DEF_AUTHORIZED_DENY	PROTO_POLICY_DEF_AUTHORIZED

/* Why a request is malformed (2.3).  Every one means: reply, then close. */
enum proto_policy_err {
	PPE_OK = 0,
	PPE_LINE_TOO_LONG,	/* "line-too-long": over PROTO_POLICY_LINE_MAX */
	PPE_TOO_MANY,		/* "too-many-attributes": over ATTR_MAX */
	PPE_TOO_BIG,		/* "request-too-big": over REQ_MAX */
	PPE_NUL,		/* "nul": a NUL octet */
	PPE_CR,			/* "cr": a CR not right before the LF */
	PPE_NO_EQUALS,		/* "no-equals": a line without '=' */
	PPE_NAME,		/* "bad-name": empty or outside [a-z0-9_]{1,64} */
	PPE_DUPLICATE,		/* "duplicate": the same name twice */
	PPE_TRUNCATED,		/* "truncated": last line without LF (EOF) */
	PPE_NO_REQUEST,		/* "no-request": request= missing */
	PPE_BAD_REQUEST,	/* "bad-request": not smtpd_access_policy */
	PPE_NO_STATE,		/* "no-protocol-state" */
	PPE_NO_RECIPIENT,	/* "no-recipient": empty or missing at RCPT */
	PPE_NOMEM,		/* "nomem": out of memory (answer INTERNAL) */
	PPE_AFTER_ERROR,	/* "after-error": fed after an error or done
				   without proto_policy_reset */
};

enum proto_policy_status {
	PPS_MORE,		/* line taken; feed the next one */
	PPS_DONE,		/* the empty line: request complete */
	PPS_ERROR,		/* malformed: answer MALFORMED, then close */
};

enum proto_policy_state {
	PPST_RCPT,		/* "RCPT": decided */
	PPST_END_OF_MESSAGE,	/* "END-OF-MESSAGE": ends the transaction */
	PPST_OTHER,		/* anything else: DUNNO */
};

/*
 * A complete request (valid after PPS_DONE until the next feed or reset;
 * owned by the parser).  Absent attributes are NULL; values are
 * NUL-terminated copies (they hold no NUL, CR or LF).
 */
struct proto_policy_request {
	enum proto_policy_state	 state;
	const char	*protocol_state;
	const char	*sender;	/* NULL or "": the null sender */
	const char	*recipient;	/* non-empty at RCPT; may be "" else */
	const char	*instance;
	const char	*queue_id;
	const char	*client_address;
	const char	*client_name;
	const char	*sasl_username;
	const char	*ccert_pubkey_fingerprint;
	size_t		 nattrs;	/* attribute lines, unknown included */
	size_t		 size;		/* octets, empty line included */
};

struct proto_policy_parser;

/* proto_policy_parser_new: an empty parser, or NULL when out of memory. */
struct proto_policy_parser *proto_policy_parser_new(void);
/* proto_policy_parser_free: frees P and its request.  NULL: no-op. */
void		 proto_policy_parser_free(struct proto_policy_parser *p);
/* proto_policy_reset: forget the current request; ready for the next. */
void		 proto_policy_reset(struct proto_policy_parser *p);
/*
 * proto_policy_shrink: proto_policy_reset, and give back an arena grown
 * beyond PROTO_POLICY_ARENA_INIT by a large request (for a connection
 * gone idle).  The current request, if any, is gone.
 */
void		 proto_policy_shrink(struct proto_policy_parser *p);
/*
 * proto_policy_arena_size: the octets P's arena holds now
 * (PROTO_POLICY_ARENA_INIT up to PROTO_POLICY_REQ_MAX); for tests.
 */
size_t		 proto_policy_arena_size(const struct proto_policy_parser *p);

/*
 * proto_policy_feed: take one line of LEN octets: its content and the LF
 * that ends it (a CR right before the LF is dropped).  LEN is checked
 * against PROTO_POLICY_LINE_MAX before anything is stored.  The
 * connection layer passes each line with its LF; when it has buffered
 * PROTO_POLICY_LINE_MAX octets without finding a LF it passes those
 * (no LF): that is PPE_LINE_TOO_LONG.  A shorter line without LF (the
 * peer closed mid-line) is PPE_TRUNCATED.
 *
 * Returns PPS_MORE, PPS_DONE (proto_policy_request is then valid), or
 * PPS_ERROR with *ERR set (when not NULL).  After DONE or ERROR, call
 * proto_policy_reset before feeding the next request.
 */
enum proto_policy_status proto_policy_feed(struct proto_policy_parser *p,
		    const char *line, size_t len, enum proto_policy_err *err);

/*
 * proto_policy_parse: a whole request as the connection layer frames it
 * (BLOCK, LEN octets: every line with its LF, without the final empty
 * line): proto_policy_reset, each line through proto_policy_feed (a last
 * piece without LF is ignored), then the empty line.  The same status,
 * error and request as that loop, with less work per line.
 */
enum proto_policy_status proto_policy_parse(struct proto_policy_parser *p,
		    const char *block, size_t len, enum proto_policy_err *err);

/* proto_policy_request: the request after PPS_DONE, else NULL. */
const struct proto_policy_request *proto_policy_request(
		    const struct proto_policy_parser *p);

/* proto_policy_errname: the stable name of E ("line-too-long"). */
const char	*proto_policy_errname(enum proto_policy_err e);

/*
 * Configured actions (checked by config_action_check: no OK, no
 * newline).  NULL fields use the defaults above.  "{reason}" becomes the
 * reason code, "{tag}" the trust tag, "{text}" the text refusal_text
 * gives for the verdict's reason, the recipient's mode and the recipient
 * as the request named it, "{trust}" the Sender-Key-Trust value
 * (verdicts.md 7.1) of the decision.
 */
struct proto_policy_actions {
	const char	*tempfail;
	const char	*unauthorized;
	const char	*untrusted;		/* recipient mode allow */
	const char	*authorized;		/* recipient mode allow */
	const char	*untrusted_deny;	/* recipient mode deny */
	const char	*authorized_deny;	/* recipient mode deny */
};

/*
 * proto_policy_action: the action text (no "action=", no LF) for verdict
 * V of recipient RCPT (as the request named it; NULL: not named in
 * {text}) in MODE with ACTS (NULL: all defaults), written to BUF (BUFSZ
 * octets, NUL-terminated).  "{trust}" is TF encoded (TF NULL: V's tag
 * and reason alone); when the action does not fit with TF's sender, the
 * sender is left out.  Returns its length, or -1 when it does not fit or
 * would contain a CR, LF or NUL (BUF then holds PROTO_POLICY_INTERNAL
 * when that fits).
 */
int		 proto_policy_action(const struct proto_policy_actions *acts,
		    enum verdict_mode mode, const struct verdict_output *v,
		    const char *rcpt, const struct trustfield *tf, char *buf,
		    size_t bufsz);

/*
 * proto_policy_reply: "action=" ACTION LF LF in BUF (BUFSZ octets, NUL
 * added).  Returns the length without the NUL, or -1 when it does not fit
 * or ACTION holds a CR, LF or NUL.
 */
int		 proto_policy_reply(const char *action, char *buf,
		    size_t bufsz);

/*
 * The transaction state of one connection (2.5): a plain value the
 * connection keeps, set up with proto_policy_txn_init at accept.  Its
 * size is fixed: the instance is kept as a PROTO_POLICY_TXN_KEY-octet
 * key (the text when short, else its SHA-256), the action as text (an
 * action always fits in PROTO_POLICY_REPLY_MAX).
 */
#define PROTO_POLICY_TXN_KEY	33
struct proto_policy_txn {
	int		 have_instance;
	unsigned char	 instance[PROTO_POLICY_TXN_KEY];
	int		 fixed;		/* an accepted recipient fixed it */
	char		 class_id[VERDICT_CLASS_IDSIZE];
	char		 action[PROTO_POLICY_REPLY_MAX];	/* its action */
};

enum proto_policy_answer {
	PPA_ACTION,		/* send the recipient's own action */
	PPA_DUNNO,		/* send DUNNO */
	PPA_SPLIT,		/* send PROTO_POLICY_SPLIT */
};

/* proto_policy_txn_init: the state of a new connection. */
void		 proto_policy_txn_init(struct proto_policy_txn *t);

/*
 * proto_policy_txn_step: what to answer for a request of state ST with
 * INSTANCE (NULL when absent) whose recipient got verdict V, class
 * CLASS_ID and action ACTION (V, CLASS_ID and ACTION are read at RCPT
 * only and may be NULL otherwise), and the new state in *T (2.5):
 * END-OF-MESSAGE and a new or absent instance forget the state; other
 * states than RCPT answer DUNNO; unauthorized/tempfail get their action
 * and change nothing; the first accepted recipient fixes class and
 * action; a later one gets DUNNO when both are the same, else SPLIT.
 * MONITOR: every recipient is accepted, never split: the first one of
 * a transaction (each one without instance) gets its ACTION, later ones
 * DUNNO, whatever their verdict.  An
 * accepted recipient's ACTION of PROTO_POLICY_REPLY_MAX octets or more
 * cannot be compared: SPLIT, unless it stands alone (no instance).
 */
enum proto_policy_answer proto_policy_txn_step(struct proto_policy_txn *t,
		    enum proto_policy_state st, const char *instance,
		    enum verdict v, const char *class_id, const char *action,
		    int monitor);

/*
 * proto_policy_respond: the whole answer to request RQ: the action for
 * verdict V (proto_policy_action; V may be NULL when RQ is not at RCPT),
 * through proto_policy_txn_step (updating *T), encoded as a reply in BUF
 * (BUFSZ >= PROTO_POLICY_REPLY_MAX).  Returns the reply length, or -1
 * (nothing fits).  When the action cannot be built the reply is
 * PROTO_POLICY_INTERNAL.  MONITOR: ACTS is not read; the action is
 * "PREPEND Sender-Key-Trust: " and the value of TF (TAG untrusted for a
 * tempfail), so the field on top is senderkey's (2.4).  TF (NULL: V's
 * tag and reason alone) is the decision's field, trustfield_set.
 */
int		 proto_policy_respond(struct proto_policy_txn *t,
		    const struct proto_policy_actions *acts,
		    const struct proto_policy_request *rq,
		    enum verdict_mode mode, const struct verdict_output *v,
		    const struct trustfield *tf,
		    const char *class_id, int monitor, char *buf,
		    size_t bufsz);

#endif
