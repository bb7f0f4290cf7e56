/*
 * mlog.h: the milter's log, syslog(3) or, with -d and no syslog socket,
 * standard error alone.
 */
#ifndef MILTER_MLOG_H
#define MILTER_MLOG_H

/*
 * mlog_open: open the log as IDENT (openlog with LOG_PID and FACILITY);
 * DEBUG copies each line to stderr (LOG_PERROR).  With DEBUG and no
 * socket answering at _PATH_LOG now, lines go to stderr only from here
 * on (said once): syslog(3) would try the socket again for every line.
 * Call once, before any thread logs.
 */
void	mlog_open(const char *ident, int debug, int facility);

/* mlog: one line at priority PRIO (printf-style). */
void	mlog(int prio, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
