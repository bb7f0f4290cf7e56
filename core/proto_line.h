/*
 * proto_line: the line protocol of specs/protocol.md section 3 (Exim's
 * ${readsocket}, the milter, the CLI): parse one request line into a
 * struct, and format reply lines.  Pure: no I/O, no allocation.
 * Requests are built by proto_line_req.h (the inverse of
 * proto_line_parse), the STATS reply is proto_line_stats.h.
 *
 * Every reply has one codec, used by both halves of the protocol:
 * senderkeyd encodes, the milter and the CLI decode (proto_line_authz_*
 * here, proto_line_lookup.h, proto_line_stats.h; PING and errors here).
 *
 * Not here: framing lines off a socket, half-close handling, deciding
 * anything (verdict.c), address canonicalisation (addr.c).
 */
#ifndef SK_PROTO_LINE_H
#define SK_PROTO_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "lookup.h"
#include "proto_line_out.h"
#include "refusal.h"
#include "trustfield.h"
#include "verdict.h"

#define PROTO_LINE_MAX		8192	/* request octets, LF included */
#define PROTO_LINE_TOKENS_MAX	16	/* tokens, the command included */
#define PROTO_LINE_REPLY_MAX	65536	/* reply octets, LF included */
#define PROTO_LINE_QUEUE_ID_MAX	32
#define PROTO_LINE_VERSION	1	/* reported by PING as proto=1 */

enum proto_line_cmd {
	PLC_AUTHZ,
	PLC_LOOKUP,
	PLC_STATS,
	PLC_PING,
	PLC_LEARN,	/* LEARN user= sender= recipient= (protocol.md 3.2) */
	PLC_MOVE,	/* MOVE user= action= field= (protocol.md 3.2) */
	PLC_DKIMKEY,	/* DKIMKEY ADDRESS: the DKIM bridge key record */
};

/* The error codes of 3.4; the names are the wire names. */
enum proto_line_err {
	PLE_OK = 0,
	PLE_LINE_TOO_LONG,	/* "line-too-long": reply, then close */
	PLE_BAD_SYNTAX,		/* "bad-syntax" */
	PLE_BAD_COMMAND,	/* "bad-command" */
	PLE_BAD_ARGUMENT,	/* "bad-argument" */
	PLE_MISSING_ARGUMENT,	/* "missing-argument" */
	PLE_BAD_ADDRESS,	/* "bad-address" */
	PLE_NOT_PERMITTED,	/* "not-permitted" */
	PLE_INTERNAL,		/* "internal" */
};

/* MOVE's action= (protocol.md 3.2). */
enum proto_line_move {
	PLM_ALLOW,		/* "allow" */
	PLM_BLOCK,		/* "block" */
};

/*
 * A parsed request.  The strings point into the struct's own buffer
 * (valid while the struct lives, until the next parse into it); sizeable
 * (about 8 KiB), so keep one per connection rather than on a small stack.
 */
struct proto_line_request {
	enum proto_line_cmd	 cmd;
	/* AUTHZ */
	const char		*sender;	/* as sent, quotes kept */
	int			 sender_null;	/* sender was "" or "<>" */
	const char		*recipient;	/* as sent; non-empty */
	enum verdict_sig	 sig;		/* VSIG_UNKNOWN without sig= */
	int			 have_key;	/* key= given (sig=pass) */
	unsigned char		 key[32];	/* SPKI SHA-256 */
	const char		*queue_id;	/* NULL, or 1-32 alnum */
	/* LOOKUP, DKIMKEY */
	const char		*address;	/* as sent; not parsed yet */
	/* LEARN (and sender, sender_null, recipient above) */
	const char		*user;		/* the SASL login; non-empty */
	/* MOVE (and user above: the mail client's login, non-empty) */
	int			 have_move;	/* action= given */
	enum proto_line_move	 move;		/* action= */
	const char		*field;		/* unquoted; may be "" */
	char			 buf[PROTO_LINE_MAX + 1];
};

/*
 * proto_line_parse: parse one request line of LEN octets (with or
 * without its LF, and a CR right before the LF, which are dropped) into
 * *RQ.  LEN over PROTO_LINE_MAX is PLE_LINE_TOO_LONG whatever the
 * content (checked first; the connection layer may pass just the first
 * PROTO_LINE_MAX + 1 octets of a longer line).  A LOOKUP (or DKIMKEY)
 * address is not parsed here: whoever acts on it parses it, once, with addr_parse
 * and answers PLE_BAD_ADDRESS when it does not parse (senderkeyd's
 * dispatch.c; proto_line_req_build checks it before sending).  A LOOKUP
 * or DKIMKEY without its address is PLE_MISSING_ARGUMENT, with two
 * PLE_BAD_ARGUMENT.  Returns 0,
 * or -1 with *ERR set (when not NULL).
 */
int		 proto_line_parse(const char *line, size_t len,
		    struct proto_line_request *rq, enum proto_line_err *err);

/*
 * proto_line_authz_arg: apply one AUTHZ argument ARG ("name=value", 3.2)
 * to *RQ, as the parser does for each argument after the command: the
 * value is checked (sig, key, queue_id) and RQ's string fields point into
 * ARG, which must outlive RQ's use.  An argument without "=", an unknown
 * or repeated one, or a bad value is PLE_BAD_ARGUMENT.  Returns 0, or -1
 * with *ERR set (when not NULL).
 */
int		 proto_line_authz_arg(struct proto_line_request *rq,
		    const char *arg, enum proto_line_err *err);
/*
 * proto_line_authz_check: the checks of 3.2 that need every argument:
 * key= without sig=pass is PLE_BAD_ARGUMENT; a missing sender or
 * recipient, an empty recipient, or sig=pass without key= is
 * PLE_MISSING_ARGUMENT.  Returns 0, or -1 with *ERR set (when not NULL).
 */
int		 proto_line_authz_check(const struct proto_line_request *rq,
		    enum proto_line_err *err);
/*
 * proto_line_learn_check: the checks of 3.2 for LEARN once every argument
 * is in: a missing user, sender or recipient, or an empty user or
 * recipient, is PLE_MISSING_ARGUMENT (an empty sender is the null
 * sender, which the daemon answers itself).  Returns 0, or -1 with *ERR
 * set (when not NULL).
 */
int		 proto_line_learn_check(const struct proto_line_request *rq,
		    enum proto_line_err *err);
/*
 * proto_line_move_check: the checks of 3.2 for MOVE once every argument
 * is in: a missing user, action or field, or an empty user, is
 * PLE_MISSING_ARGUMENT (an empty field is answered by the daemon).
 * Returns 0, or -1 with *ERR set (when not NULL).
 */
int		 proto_line_move_check(const struct proto_line_request *rq,
		    enum proto_line_err *err);
/*
 * proto_line_move_arg: apply one MOVE argument ARG ("name=value", 3.2)
 * to *RQ (proto_line_move.c): user=, action= allow|block, field= (a
 * quoted value is unquoted in place in ARG, which must outlive RQ's
 * use).  Without "=", unknown, repeated or a bad value: PLE_BAD_ARGUMENT.
 * Returns 0, or -1 with *ERR set (when not NULL).
 */
int		 proto_line_move_arg(struct proto_line_request *rq, char *arg,
		    enum proto_line_err *err);
/* proto_line_queue_id_ok: whether S is 1-32 letters and digits. */
int		 proto_line_queue_id_ok(const char *s);

/*
 * proto_line_pct_decode: the N octets at S percent-decoded (3.3) into OUT
 * (OUTSZ octets, NUL written).  Returns the decoded length, or -1 (a bad
 * escape, a NUL, or it does not fit).
 */
int		 proto_line_pct_decode(const char *s, size_t n, char *out,
		    size_t outsz);
/* proto_line_errname: the wire name of E ("bad-syntax"; "?" if none). */
const char	*proto_line_errname(enum proto_line_err e);
/* proto_line_err_closes: 1 when the connection closes after E's reply. */
int		 proto_line_err_closes(enum proto_line_err e);
/*
 * proto_line_cmdname: "AUTHZ", "LOOKUP", "STATS", "PING", "LEARN",
 * "MOVE", "DKIMKEY".
 */
const char	*proto_line_cmdname(enum proto_line_cmd c);

/* Reply building: proto_line_out.h (included above). */

/*
 * proto_line_verdict: the AUTHZ reply line of 3.3 through
 * proto_line_authz_encode: LOOKUP (a state name) or POLICY (a policy
 * name) NULL write "-"; CLASS_ID NULL or "" writes "class=-".  Returns
 * the length, or -1 (also for a name that is not one).
 */
int		 proto_line_verdict(char *buf, size_t bufsz,
		    const struct verdict_output *v, const char *lookup,
		    const char *policy, const char *class_id);
/*
 * An AUTHZ reply (3.3) as values.  Decoding fills every field; the
 * attributes a reply may leave out ("-") have their has_ flag at 0.
 */
struct proto_line_authz {
	enum verdict		 verdict;
	enum verdict_reason	 reason;
	enum verdict_tag	 tag;
	int			 has_lookup;	/* lookup= other than "-" */
	enum lookup_state	 lookup;
	int			 has_policy;	/* policy= other than "-" */
	enum verdict_policy	 policy;
	char			 class_id[VERDICT_CLASS_IDSIZE]; /* "": "-" */
	/* unauthorized only: what the refused sender reads (refusal.h,
	   printable ASCII, percent-encoded on the wire); "": absent */
	char			 text[REFUSAL_TEXT_SIZE];
	/* trust=: the Sender-Key-Trust value (trustfield.h) for this
	   decision, percent-encoded on the wire; "": none (tempfail) */
	char			 trust[TRUSTFIELD_MAX + 1];
};

/*
 * proto_line_authz_encode: A as "VERDICT REASON tag=T lookup=L policy=P
 * [trust=F] class=C[ text=X]" LF into BUF (trust= when A's trust is not
 * "", text= when A's text is not "").  Returns the length, or -1 (a value
 * out of range, a tag that does not go with the verdict, a class id that
 * is not 16 lowercase hex digits or "", a text with another verdict than
 * unauthorized or that is not printable ASCII, BUF too small).
 */
int		 proto_line_authz_encode(char *buf, size_t bufsz,
		    const struct proto_line_authz *a);

/*
 * proto_line_authz_decode: one AUTHZ reply LINE of LEN octets (a final
 * LF allowed) into *OUT.  The verdict, reason, tag= and class= must be
 * known names and the tag must go with the verdict (verdicts.md 6.4 rule
 * 6); lookup= and policy= are optional ("-" or absent: has_ 0), unknown
 * attributes are ignored.  text= (unauthorized only; ignored with other
 * verdicts) is percent-decoded and must be printable ASCII of at most
 * REFUSAL_TEXT_MAX octets.  Returns 0, or -1 for anything else (an
 * "error" reply included; see proto_line_error_decode).
 */
int		 proto_line_authz_decode(const char *line, size_t len,
		    struct proto_line_authz *out);

/*
 * proto_line_error_decode: whether LINE (LEN octets, a final LF allowed)
 * is an error reply: 0 with *E set (PLE_INTERNAL for a code this version
 * does not know), else -1.
 */
int		 proto_line_error_decode(const char *line, size_t len,
		    enum proto_line_err *e);

/* proto_line_error: "error CODE" LF.  Returns the length, or -1. */
int		 proto_line_error(char *buf, size_t bufsz,
		    enum proto_line_err e);
/* proto_line_pong: "ok pong proto=1 version=VERSION" LF, or -1. */
int		 proto_line_pong(char *buf, size_t bufsz, const char *version);
/*
 * proto_line_pong_decode: LINE (LEN octets, a final LF allowed) as a PING
 * reply: *PROTO gets proto=, VERSION (VERSIONSZ octets) the version=
 * text; both are required, unknown attributes are ignored.  Returns 0,
 * or -1 (an "error" reply, a bad number, a version that does not fit).
 */
int		 proto_line_pong_decode(const char *line, size_t len,
		    uint64_t *proto, char *version, size_t versionsz);

/*
 * proto_line_words: the SP-separated words of a reply LINE (LEN octets,
 * a final LF dropped) as [start, end) offsets into W, at most MAX.
 * Returns the number of words, or -1 for more than MAX, an empty word
 * (two SPs, a leading or trailing SP), a control octet or an empty line.
 */
int		 proto_line_words(const char *line, size_t len,
		    size_t (*w)[2], int max);
/*
 * proto_line_number: the N octets at S as a decimal uint64 (digits only,
 * no sign, no overflow) into *OUT.  Returns 0 or -1.
 */
int		 proto_line_number(const char *s, size_t n, uint64_t *out);

#endif
