/*
 * mlog.c: the milter's log (mlog.h).  Normally syslog(3), with a copy on
 * stderr for -d.  A milter started with -d where nothing listens at
 * /dev/log (tests, benchmarks, a container) would pay syslog(3)'s retry
 * on every line (a socket, a failing connect, a close): then each line
 * is written to stderr alone, in LOG_PERROR's form, with one write(2).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "mlog.h"

#define LINE_MAX_LEN	2048

static int stderr_only;		/* set once by mlog_open */
static char ident_s[32];

/* reachable: whether a datagram socket connects to _PATH_LOG. */
static int
reachable(void)
{
	struct sockaddr_un sun;
	int fd, ok;

	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", _PATH_LOG);
	ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return ok;
}

void
mlog_open(const char *ident, int debug, int facility)
{
	snprintf(ident_s, sizeof(ident_s), "%s", ident);
	if (debug && !reachable()) {
		stderr_only = 1;
		fprintf(stderr, "%s: no syslog at %s: logging to stderr "
		    "only\n", ident_s, _PATH_LOG);
	}
	openlog(ident_s, LOG_PID | (debug ? LOG_PERROR : 0), facility);
}

void
mlog(int prio, const char *fmt, ...)
{
	va_list ap;
	char line[LINE_MAX_LEN];
	size_t room;
	int n, k;

	va_start(ap, fmt);
	if (!stderr_only) {
		vsyslog(prio, fmt, ap);
		va_end(ap);
		return;
	}
	n = snprintf(line, sizeof(line), "%s[%ld]: ", ident_s,
	    (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		n = 0;
	room = sizeof(line) - (size_t)n - 1;	/* the newline's octet */
	k = vsnprintf(line + n, room, fmt, ap);
	va_end(ap);
	if (k < 0)
		k = 0;
	if ((size_t)k >= room)
		k = (int)room - 1;
	line[n + k] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)(n + k + 1));
}
