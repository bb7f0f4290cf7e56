/*
 * test_coldloop: the pure parts of bench/coldloop.c (make bench's bare
 * libunbound loop): the name list is cut into its non-empty lines, and
 * each answer is counted in the class libunbound's flags give it (a bogus
 * answer never counts as secure, whatever its rcode and data).
 */
#include <stdlib.h>
#include <string.h>

#define COLDLOOP_NO_MAIN
#include "bench/coldloop.c"
#include "t.h"

static void
test_split(void)
{
	char buf[] = "a.example.\n\nb.example.\nc.example.";
	char empty[] = "\n\n";
	char **v = NULL;
	long n;

	n = coldloop_split(buf, strlen(buf), &v);
	T_INTEQ(n, 3, "three names, the empty line skipped");
	if (n == 3) {
		T_STREQ(v[0], "a.example.", "first");
		T_STREQ(v[1], "b.example.", "second");
		T_STREQ(v[2], "c.example.", "last, without a newline");
		T_OK(v[3] == NULL, "the array ends with NULL");
	}
	free(v);
	v = NULL;
	n = coldloop_split(empty, strlen(empty), &v);
	T_INTEQ(n, 0, "only empty lines: no names");
	free(v);
}

static void
test_class(void)
{
	T_INTEQ(coldloop_class(0, 1, 0, 0, 1), CL_SECURE, "secure data");
	T_INTEQ(coldloop_class(0, 1, 1, 0, 1), CL_BOGUS,
	    "bogus beats secure");
	T_INTEQ(coldloop_class(0, 0, 1, 0, 1), CL_BOGUS,
	    "bogus with data (libunbound keeps the forged data)");
	T_INTEQ(coldloop_class(0, 0, 0, 0, 1), CL_INSECURE, "unsigned data");
	T_INTEQ(coldloop_class(0, 0, 0, 2, 0), CL_SERVFAIL, "SERVFAIL");
	T_INTEQ(coldloop_class(0, 1, 0, 3, 0), CL_NXDOMAIN,
	    "secure NXDOMAIN is not a secure answer with data");
	T_INTEQ(coldloop_class(0, 1, 0, 0, 0), CL_OTHER, "secure NODATA");
	T_INTEQ(coldloop_class(-3, 0, 0, -1, 0), CL_OTHER, "an error");
}

int
main(void)
{
	test_split();
	test_class();
	return t_done();
}
