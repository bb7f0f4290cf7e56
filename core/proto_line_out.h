/*
 * proto_line_out.h: building one reply line of the line protocol
 * (specs/protocol.md 3.3) in a caller's buffer; the codecs in
 * proto_line*.c write their replies with it.
 */
#ifndef SK_PROTO_LINE_OUT_H
#define SK_PROTO_LINE_OUT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reply building.  A proto_line_out writes one reply line into a caller
 * buffer; any overflow or bad input is remembered and reported by
 * proto_line_out_end, so calls can be chained without checks.
 */
struct proto_line_out {
	char	*buf;
	size_t	 cap;
	size_t	 len;
	size_t	 lim;		/* most octets before the LF (set by init) */
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
 * proto_line_out_known: NAME, marking the reply bad when NAME is NULL or
 * the "?" a name function gives for a value out of range.
 */
const char	*proto_line_out_known(struct proto_line_out *o,
		    const char *name);
/*
 * proto_line_out_end: append the LF and a NUL.  Returns the line length
 * (LF included, NUL not), or -1 when anything went wrong (BUF then holds
 * "error internal\n" when it fits).
 */
int		 proto_line_out_end(struct proto_line_out *o);

#endif
