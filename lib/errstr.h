/*
 * errstr: the one way a module writes an error message into its
 * caller's buffer (the "char *err, size_t errsz" pair of many APIs).
 * Pure: no I/O, no logging.  Not for enum error codes: those stay in
 * each module (keyrec_errname and friends).
 */
#ifndef SK_ERRSTR_H
#define SK_ERRSTR_H

#include <stddef.h>

/*
 * errstr_set: formats FMT into ERR (ERRSZ bytes, always NUL-terminated,
 * truncated when longer).  ERR NULL or ERRSZ 0: writes nothing.  Leaves
 * errno as it was, so an argument may be strerror(errno).  Returns -1,
 * so a failing function may end with "return errstr_set(...);".
 */
int	errstr_set(char *err, size_t errsz, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
