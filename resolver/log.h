/*
 * log: senderkeyd's log sink: syslog (facility from the config, mail by
 * default) or stderr in foreground mode.  One line per call; callers write
 * key=value lines (server.c).  Not for the CLI.
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

/* log_msg: one line at priority PRIO (LOG_INFO...).  LG NULL: stderr. */
void		 log_msg(struct log *lg, int prio, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/*
 * log_value: VALUE made safe for a key=value log line into BUF (BUFSZ
 * octets): octets outside %x21-7E, '%' and '"' as %XX, truncated to fit.
 * "-" for NULL or "".  Returns BUF.
 */
const char	*log_value(const char *value, char *buf, size_t bufsz);

#endif
