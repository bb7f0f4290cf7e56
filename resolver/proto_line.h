/*
 * proto_line: the line protocol of specs/protocol.md section 3 (Exim's
 * ${readsocket}, the milter, the CLI): parse one request line into a
 * struct, and format reply lines.  Pure: no I/O, no allocation.
 *
 * Not here: framing lines off a socket, half-close handling, deciding
 * anything (verdict.c), address canonicalisation (addr.c).
 */
#ifndef SK_PROTO_LINE_H
#define SK_PROTO_LINE_H

#include <stddef.h>
#include <stdint.h>

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
	/* LOOKUP */
	const char		*address;	/* as sent; addr_parse accepts */
	char			 buf[PROTO_LINE_MAX + 1];
};

/*
 * proto_line_parse: parse one request line of LEN octets (with or
 * without its LF, and a CR right before the LF, which are dropped) into
 * *RQ.  LEN over PROTO_LINE_MAX is PLE_LINE_TOO_LONG whatever the
 * content (checked first; the connection layer may pass just the first
 * PROTO_LINE_MAX + 1 octets of a longer line).  A LOOKUP address is
 * checked with addr_parse (PLE_BAD_ADDRESS).  A LOOKUP without its
 * address is PLE_MISSING_ARGUMENT, with two PLE_BAD_ARGUMENT.  Returns 0,
 * or -1 with *ERR set (when not NULL).
 */
int		 proto_line_parse(const char *line, size_t len,
		    struct proto_line_request *rq, enum proto_line_err *err);

/* proto_line_errname: the wire name of E ("bad-syntax"; "?" if none). */
const char	*proto_line_errname(enum proto_line_err e);
/* proto_line_err_closes: 1 when the connection closes after E's reply. */
int		 proto_line_err_closes(enum proto_line_err e);
/* proto_line_cmdname: "AUTHZ", "LOOKUP", "STATS", "PING". */
const char	*proto_line_cmdname(enum proto_line_cmd c);

/*
 * Reply building.  A proto_line_out writes one reply line into a caller
 * buffer; any overflow or bad input is remembered and reported by
 * proto_line_out_end, so calls can be chained without checks.
 */
struct proto_line_out {
	char	*buf;
	size_t	 cap;
	size_t	 len;
	int	 bad;		/* overflow or a value that cannot be sent */
};

/* proto_line_out_init: start a reply in BUF (CAP octets). */
void		 proto_line_out_init(struct proto_line_out *o, char *buf,
		    size_t cap);
/* proto_line_out_word: append WORD (tchar only), SP-separated. */
void		 proto_line_out_word(struct proto_line_out *o,
		    const char *word);
/*
 * proto_line_out_attr: append NAME=VALUE; NAME is [a-z_]+, VALUE must be
 * tchar only (else the reply is bad).  VALUE NULL or "" writes "NAME=".
 */
void		 proto_line_out_attr(struct proto_line_out *o,
		    const char *name, const char *value);
/* proto_line_out_attr_pct: NAME=VALUE with VALUE percent-encoded (3.3). */
void		 proto_line_out_attr_pct(struct proto_line_out *o,
		    const char *name, const char *value, size_t len);
/* proto_line_out_attr_u64: NAME=decimal N. */
void		 proto_line_out_attr_u64(struct proto_line_out *o,
		    const char *name, uint64_t n);
/*
 * proto_line_out_end: append the LF and a NUL.  Returns the line length
 * (LF included, NUL not), or -1 when anything went wrong (BUF then holds
 * "error internal\n" when it fits).
 */
int		 proto_line_out_end(struct proto_line_out *o);

/*
 * proto_line_verdict: the AUTHZ reply line of 3.3: "VERDICT REASON
 * tag=T lookup=L policy=P class=C" LF.  LOOKUP or POLICY NULL write "-";
 * CLASS_ID NULL or "" writes "class=-".  Returns the length, or -1.
 */
int		 proto_line_verdict(char *buf, size_t bufsz,
		    const struct verdict_output *v, const char *lookup,
		    const char *policy, const char *class_id);
/* proto_line_error: "error CODE" LF.  Returns the length, or -1. */
int		 proto_line_error(char *buf, size_t bufsz,
		    enum proto_line_err e);
/* proto_line_pong: "ok pong proto=1 version=VERSION" LF, or -1. */
int		 proto_line_pong(char *buf, size_t bufsz, const char *version);

#endif
