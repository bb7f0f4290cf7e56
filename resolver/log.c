/*
 * log.c: syslog or stderr, one line per message.  Values from the
 * network go through log_value first, so a log line never carries a
 * control octet or a space from a peer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

struct log {
	int	foreground;
	char	ident[32];
};

struct log *
log_new(const char *ident, int foreground, int facility)
{
	struct log *lg;

	if ((lg = calloc(1, sizeof(*lg))) == NULL)
		return NULL;
	lg->foreground = foreground;
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
	if (!lg->foreground)
		closelog();
	free(lg);
}

void
log_msg(struct log *lg, int prio, const char *fmt, ...)
{
	va_list ap;

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

const char *
log_value(const char *value, char *buf, size_t bufsz)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	size_t n = 0;

	if (bufsz == 0)
		return buf;
	if (value == NULL || *value == '\0') {
		snprintf(buf, bufsz, "-");
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
