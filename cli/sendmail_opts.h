/*
 * sendmail_opts: the pure half of `senderkey sendmail`: its command line
 * read the way sendmail(1) reads it (which options take an argument,
 * which mode is asked for, -t, -i/-oi, where the recipients start), the
 * path of the sender's private key, and where a message read without -i
 * ends (a line with a single dot).  No I/O, no environment: the caller
 * passes what getenv said.
 */
#ifndef SK_SENDMAIL_OPTS_H
#define SK_SENDMAIL_OPTS_H

#include <stddef.h>
#include <stdint.h>

#define SENDMAIL_OPTS_FIELDS_MAX	512	/* sendmail_opts_fields' OUT */

/* Why sendmail_opts_parse refused a command line. */
enum sendmail_opts_err {
	SENDMAIL_OPTS_OK = 0,
	SENDMAIL_OPTS_MODE,	/* -bs, -bd, -bp, -bi, -bv, -q..., -I: not a
				   message to send */
	SENDMAIL_OPTS_ARG,	/* an option without its argument */
	SENDMAIL_OPTS_LONG,	/* a long option that is not ours */
	SENDMAIL_OPTS_NORCPT,	/* no recipient and no -t */
	SENDMAIL_OPTS_ENOMEM,
};

/*
 * What the command line asks.  PROGRAM and KEYS are the wrapper's own
 * --sendmail and --keys (NULL when absent), DKIM its own flag --dkim (1:
 * add the DKIM bridge's DKIM-Signature too; "--dkim=..." is not ours);
 * PASS is everything else in order, NULL-terminated, with PASS[0] left
 * NULL for the caller to set to the program it runs (NPASS counts
 * PASS[0]).  The strings are the caller's argv, kept, not copied.
 */
struct sendmail_opts {
	const char	 *program;
	const char	 *keys;
	int		  dkim;		/* --dkim */
	char		**pass;
	int		  npass;
	int		  nrcpt;	/* arguments after the options */
	int		  header_rcpt;	/* -t */
	int		  ignore_dots;	/* -i, -oi */
	const char	 *bad;		/* the argument refused */
};

/*
 * sendmail_opts_parse: read ARGV[1..ARGC-1] (ARGV[0] is the command name)
 * into O.  Options are taken as sendmail takes them, clustered or not
 * ("-ti", "-f addr", "-faddr"), up to "--" or the first argument that
 * does not start with '-'; the rest are recipients.  Options it does not
 * know pass through as flags without an argument.  Returns 0, or -1 with
 * *ERR set and O->bad naming the argument.  On success O->pass is
 * malloc'd: free it with sendmail_opts_free.
 */
int	 sendmail_opts_parse(int argc, char **argv, struct sendmail_opts *o,
	    enum sendmail_opts_err *err);
void	 sendmail_opts_free(struct sendmail_opts *o);
const char *sendmail_opts_strerror(enum sendmail_opts_err);

/*
 * sendmail_opts_keypath: the private key file of ADDR (a canonical
 * address, addr_canon) into OUT (OUTSZ octets): DIR/ADDR.private, where
 * DIR is KEYS (--keys) when not NULL, else ENV_KEYS ($SENDERKEY_KEYS)
 * when set and not empty, else XDG/senderkey/keys ($XDG_CONFIG_HOME,
 * when absolute), else HOME/.config/senderkey/keys.  Returns 0, or -1
 * when no directory is known (no HOME), ADDR holds a '/' or starts with
 * a dot, or OUT is too small.
 */
int	 sendmail_opts_keypath(const char *keys, const char *env_keys,
	    const char *xdg, const char *home, const char *addr, char *out,
	    size_t outsz);

/*
 * sendmail_opts_dot_end: the length of the message in the LEN octets at
 * BUF when a line holding only "." (then LF, CRLF or the end) ends it, as
 * sendmail reads standard input without -i: the octets before that line.
 * LEN when there is no such line.
 */
size_t	 sendmail_opts_dot_end(const char *buf, size_t len);

/*
 * sendmail_opts_fields: the Date: (when DATE is set) and Message-ID: (when
 * MID is set) fields a message lacks, for the top of its header, into OUT
 * (OUTSZ octets, SENDMAIL_OPTS_FIELDS_MAX is enough for any DOMAIN of a
 * valid address): "Date: " NOW in RFC 5322 form, UTC; "Message-ID:
 * <HEX(RND)@DOMAIN>", each ending in LF when LF is set, else CRLF.  An
 * MTA adds these fields to a message without them, which would break a
 * signature that covers their absence, so the wrapper adds them before it
 * signs.  Returns the length written, or -1 when OUT is too small.
 */
int	 sendmail_opts_fields(char *out, size_t outsz, int date, int mid,
	    int64_t now, const unsigned char rnd[16], const char *domain,
	    int lf);

#endif
