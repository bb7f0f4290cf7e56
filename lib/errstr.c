/*
 * errstr.c: errstr_set, the error-message writer every module shares
 * (see errstr.h).  Nothing else lives here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "errstr.h"

int
errstr_set(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (err != NULL && errsz > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	errno = saved;
	return -1;
}
