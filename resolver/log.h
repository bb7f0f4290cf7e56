/*
 * log: senderkeyd's log sink: syslog (facility from the config, mail by
 * default) or stderr in foreground mode.  One line per call; callers write
 * key=value lines (server.c; the decision's line is built by logline.c
 * from values log_value made safe).  Not for the CLI.
 */
#ifndef SK_LOG_H
#define SK_LOG_H

#include <syslog.h>

struct log;

/*
 * log_new: a log writing to stderr when FOREGROUND, else to syslog with
 * IDENT and FACILITY (LOG_MAIL...).  NULL when out of memory.
 */
struct log	*log_new(const char *ident, int foreground, int facility);

/* log_free: closes syslog when opened.  NULL is a no-op. */
void		 log_free(struct log *lg);

/*
 * log_buffer: ON 1: from now on, LOG_INFO and LOG_DEBUG lines are
 * buffered until log_flush (warnings and errors still go out at once,
 * after the buffered lines); for syslog this needs /dev/log, else lines
 * stay unbuffered.  ON 0: write what is buffered (blocking) and stop.
 * log_free does that too.  LG NULL: no-op.
 */
void		 log_buffer(struct log *lg, int on);

/*
 * log_flush: write the buffered lines (stderr: one write, which waits
 * as before when stderr is a full pipe; syslog: sendmmsg batches that
 * never block, what syslogd cannot take yet stays for the next call).  Call once per loop round.  LG NULL: no-op.
 */
void		 log_flush(struct log *lg);

/* log_msg: one line at priority PRIO (LOG_INFO...).  LG NULL: stderr. */
void		 log_msg(struct log *lg, int prio, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/*
 * log_line: log_msg(LG, PRIO, "%.*s", LEN, TEXT) without the formatting:
 * the caller built the line (LEN octets, no NUL needed; an LF in it
 * becomes a space, as with log_msg; a very long line is cut as
 * log_msg cuts it).
 */
void		 log_line(struct log *lg, int prio, const char *text,
		    size_t len);

/*
 * log_value: VALUE made safe for a key=value log line into BUF (BUFSZ
 * octets): octets outside %x21-7E, '%' and '"' as %XX, truncated to fit.
 * "-" for NULL or "".  Returns BUF.
 */
const char	*log_value(const char *value, char *buf, size_t bufsz);

#endif
