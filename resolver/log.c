/*
 * log.c: syslog or stderr, one line per message.  Values from the
 * network go through log_value first, so a log line never carries a
 * control octet or a space from a peer.
 *
 * Buffered mode (the running daemon): LOG_INFO and LOG_DEBUG lines are
 * formatted into a buffer and written once per loop round by log_flush:
 * one write(2) for stderr, one sendmmsg(2) on a non-blocking datagram
 * socket to /dev/log for syslog.  Warnings and errors are written at
 * once, after what is buffered, so the order stays.  Nothing is dropped:
 * when the buffer is full or the log is freed, the rest is written
 * blocking, as plain syslog(3) would.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_BUF		65536	/* buffered lines, octets */
#define LOG_LINE	2048	/* longest line kept whole */
#define LOG_BATCH	64	/* datagrams per sendmmsg */

struct log {
	int	foreground;
	int	facility;
	int	buffered;
	int	sfd;		/* datagram socket to /dev/log, or -1 */
	char	ident[32];
	size_t	len, off;	/* buffered octets, already written */
	char	buf[LOG_BUF];	/* lines "P<prio>\0text\n" (syslog) */
};

struct log *
log_new(const char *ident, int foreground, int facility)
{
	struct log *lg;

	if ((lg = malloc(sizeof(*lg))) == NULL)
		return NULL;
	memset(lg, 0, offsetof(struct log, buf));
	lg->foreground = foreground;
	lg->facility = facility;
	lg->sfd = -1;
	snprintf(lg->ident, sizeof(lg->ident), "%s", ident);
	if (!foreground)
		openlog(lg->ident, LOG_PID | LOG_NDELAY, facility);
	return lg;
}

void
log_free(struct log *lg)
{
	if (lg == NULL)
		return;
	log_buffer(lg, 0);
	if (!lg->foreground)
		closelog();
	free(lg);
}

/* write_all: LEN octets to FD, waiting when it is non-blocking and full. */
static void
write_all(int fd, const char *p, size_t len)
{
	struct pollfd pfd;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, 1000) <= 0)
				return;
			continue;
		}
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static int
open_devlog(void)
{
	struct sockaddr_un sun;
	int fd;

	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", _PATH_LOG);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * flush_syslog: the buffered lines as datagrams "<PRI>TIME IDENT[PID]:
 * TEXT".  BLOCK: wait when the socket is full; else stop and keep the
 * rest for the next round.  A line syslogd refuses is dropped, as
 * syslog(3) drops it.
 */
static void
flush_syslog(struct log *lg, int block)
{
	struct mmsghdr mm[LOG_BATCH];
	struct iovec iov[LOG_BATCH][2];
	char hdr[LOG_BATCH][96], stamp[32];
	size_t lens[LOG_BATCH];
	struct pollfd pfd;
	struct tm tm;
	time_t now;
	char *p, *nl;
	int i, n, k, prio;
	pid_t pid = getpid();

	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	while (lg->off < lg->len) {
		n = 0;
		p = lg->buf + lg->off;
		while (n < LOG_BATCH && p < lg->buf + lg->len) {
			prio = p[0];
			nl = memchr(p + 1, '\n', (size_t)(lg->buf + lg->len -
			    (p + 1)));
			k = snprintf(hdr[n], sizeof(hdr[n]), "<%d>%s %s[%ld]: ",
			    lg->facility | prio, stamp, lg->ident, (long)pid);
			iov[n][0].iov_base = hdr[n];
			iov[n][0].iov_len = (size_t)k;
			iov[n][1].iov_base = p + 1;
			iov[n][1].iov_len = (size_t)(nl - (p + 1));
			memset(&mm[n], 0, sizeof(mm[n]));
			mm[n].msg_hdr.msg_iov = iov[n];
			mm[n].msg_hdr.msg_iovlen = 2;
			lens[n] = (size_t)(nl + 1 - p);
			p = nl + 1;
			n++;
		}
		k = sendmmsg(lg->sfd, mm, (unsigned)n, block ? 0 :
		    MSG_DONTWAIT);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1 && errno == EAGAIN) {
			if (!block)
				return;
			pfd.fd = lg->sfd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, 1000) <= 0)
				k = 1;	/* syslogd stuck: drop one */
			else
				continue;
		} else if (k <= 0)
			k = 1;	/* refused: drop it, like syslog(3) */
		for (i = 0; i < k; i++)
			lg->off += lens[i];
	}
	lg->off = lg->len = 0;
}

static void
flush(struct log *lg, int block)
{
	if (lg->off >= lg->len) {
		lg->off = lg->len = 0;
		return;
	}
	if (lg->foreground) {
		write_all(STDERR_FILENO, lg->buf + lg->off, lg->len - lg->off);
		lg->off = lg->len = 0;
	} else
		flush_syslog(lg, block);
	if (lg->off > 0 && lg->off < lg->len) {
		memmove(lg->buf, lg->buf + lg->off, lg->len - lg->off);
		lg->len -= lg->off;
		lg->off = 0;
	}
}

void
log_flush(struct log *lg)
{
	if (lg != NULL && lg->buffered)
		flush(lg, 0);
}

void
log_buffer(struct log *lg, int on)
{
	if (lg == NULL)
		return;
	if (!on) {
		flush(lg, 1);
		lg->buffered = 0;
		if (lg->sfd != -1)
			close(lg->sfd);
		lg->sfd = -1;
		return;
	}
	if (lg->buffered)
		return;
	if (!lg->foreground && (lg->sfd = open_devlog()) == -1)
		return;	/* no /dev/log: syslog(3) line by line */
	lg->buffered = 1;
}

/* append: format one line into the buffer; -1 when it cannot. */
static int
append(struct log *lg, int prio, const char *fmt, va_list ap)
{
	size_t room, start = lg->len;
	char *p;
	int n;

	if (LOG_BUF - lg->len < LOG_LINE + 2)
		flush(lg, 1);
	room = LOG_BUF - lg->len;
	if (lg->foreground)
		n = snprintf(lg->buf + lg->len, room, "%s: ", lg->ident);
	else {
		lg->buf[lg->len] = (char)prio;
		n = 1;
	}
	if (n < 0 || (size_t)n >= room)
		return -1;
	lg->len += (size_t)n;
	room -= (size_t)n;
	n = vsnprintf(lg->buf + lg->len, room - 1, fmt, ap);
	if (n < 0) {
		lg->len = start;
		return -1;
	}
	if ((size_t)n >= room - 1)
		n = (int)room - 2;	/* cut, as syslog cuts long lines */
	for (p = lg->buf + lg->len; p < lg->buf + lg->len + n; p++)
		if (*p == '\n')
			*p = ' ';	/* one record per line */
	lg->len += (size_t)n;
	lg->buf[lg->len++] = '\n';
	return 0;
}

void
log_msg(struct log *lg, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (lg != NULL && lg->buffered && prio >= LOG_INFO &&
	    append(lg, prio, fmt, ap) == 0) {
		va_end(ap);
		return;
	}
	va_end(ap);
	if (lg != NULL && lg->buffered)
		flush(lg, 1);	/* keep the order */
	va_start(ap, fmt);
	if (lg != NULL && !lg->foreground) {
		vsyslog(prio, fmt, ap);
	} else {
		fprintf(stderr, "%s: ", lg != NULL ? lg->ident : "senderkeyd");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

void
log_line(struct log *lg, int prio, const char *text, size_t len)
{
	size_t il, room, i;
	char *p;

	if (lg == NULL || !lg->buffered || prio < LOG_INFO) {
		log_msg(lg, prio, "%.*s", (int)(len > LOG_LINE ? LOG_LINE :
		    len), text);
		return;
	}
	if (LOG_BUF - lg->len < LOG_LINE + 2)
		flush(lg, 1);
	room = LOG_BUF - lg->len;
	p = lg->buf + lg->len;
	if (lg->foreground) {
		il = strlen(lg->ident);
		memcpy(p, lg->ident, il);
		p[il] = ':';
		p[il + 1] = ' ';
		p += il + 2;
		room -= il + 2;
	} else {
		*p++ = (char)prio;
		room--;
	}
	if (len > room - 2)
		len = room - 2;	/* cut, as syslog cuts long lines */
	memcpy(p, text, len);
	if (memchr(p, '\n', len) != NULL)
		for (i = 0; i < len; i++)
			if (p[i] == '\n')
				p[i] = ' ';	/* one record per line */
	p[len] = '\n';
	lg->len = (size_t)(p + len + 1 - lg->buf);
}

const char *
log_value(const char *value, char *buf, size_t bufsz)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	size_t n = 0;

	if (bufsz == 0)
		return buf;
	if (value == NULL || *value == '\0') {
		if (bufsz > 1)
			buf[n++] = '-';
		buf[n] = '\0';
		return buf;
	}
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if (*p > 0x20 && *p < 0x7f && *p != '%' && *p != '"') {
			if (n + 1 >= bufsz)
				break;
			buf[n++] = (char)*p;
		} else {
			if (n + 3 >= bufsz)
				break;
			buf[n++] = '%';
			buf[n++] = hex[*p >> 4];
			buf[n++] = hex[*p & 15];
		}
	}
	buf[n] = '\0';
	return buf;
}
