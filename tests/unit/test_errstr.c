/*
 * test_errstr: errstr_set writes the formatted message, truncates to the
 * buffer with a NUL, writes nothing for a NULL or empty buffer, keeps
 * errno and always returns -1.
 */
#include <errno.h>
#include <string.h>

#include "lib/errstr.h"
#include "t.h"

int
main(void)
{
	char buf[16], small[6], big[256];

	memset(buf, 'x', sizeof(buf));
	T_INTEQ(errstr_set(buf, sizeof(buf), "%s: %d", "a", 42), -1,
	    "returns -1");
	T_STREQ(buf, "a: 42", "the formatted message");

	memset(small, 'x', sizeof(small));
	errstr_set(small, sizeof(small), "%s", "too long for it");
	T_STREQ(small, "too l", "truncated, NUL-terminated");

	memset(buf, 'x', sizeof(buf));
	T_INTEQ(errstr_set(buf, 0, "%s", "nothing"), -1, "ERRSZ 0: -1");
	T_INTEQ(buf[0], 'x', "ERRSZ 0: nothing written");
	T_INTEQ(errstr_set(NULL, 10, "%s", "nothing"), -1, "ERR NULL: -1");

	errno = ENOENT;
	errstr_set(big, sizeof(big), "%s", strerror(errno));
	T_INTEQ(errno, ENOENT, "errno kept");
	T_STREQ(big, strerror(ENOENT), "strerror(errno) as an argument");
	return t_done();
}
