/*
 * t.h: the unit test harness.  Each check prints one TAP-style line,
 * "ok N - what" or "not ok N - what", which tests/run counts; a check that
 * cannot run here prints "skip N - what # why" (T_SKIP), counted apart,
 * never as ok.  A test program exits non-zero when any check failed.  Header-only on purpose:
 * every test_*.c is one program.
 */
#ifndef SK_T_H
#define SK_T_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct t_state {
	int n;
	int failed;
	int skipped;
};

static struct t_state t_st;

static void t_report(int ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
t_report(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	t_st.n++;
	if (!ok)
		t_st.failed++;
	printf("%sok %d - ", ok ? "" : "not ", t_st.n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok)
		printf("  (%s:%d)", file, line);
	putchar('\n');
	fflush(stdout);
}

/*
 * t_skip: reports check WHAT as skipped, because of WHY (printf format),
 * in the form of tests/integration/lib.sh's skip: "skip N - WHAT # WHY".
 */
static inline void t_skip(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline void
t_skip(const char *what, const char *fmt, ...)
{
	va_list ap;

	t_st.n++;
	t_st.skipped++;
	printf("skip %d - %s # ", t_st.n, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

#define T_OK(cond, ...) t_report(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define T_SKIP(what, ...) t_skip((what), __VA_ARGS__)

#define T_STREQ(got, want, ...)                                              \
	do {                                                                 \
		const char *t_g_ = (got), *t_w_ = (want);                    \
		int t_ok_ = t_g_ != NULL && t_w_ != NULL &&                  \
		    strcmp(t_g_, t_w_) == 0;                                 \
		t_report(t_ok_, __FILE__, __LINE__, __VA_ARGS__);            \
		if (!t_ok_)                                                  \
			printf("#   got:  '%s'\n#   want: '%s'\n",            \
			    t_g_ ? t_g_ : "(null)", t_w_ ? t_w_ : "(null)"); \
	} while (0)

#define T_INTEQ(got, want, ...)                                              \
	do {                                                                 \
		long long t_g_ = (long long)(got), t_w_ = (long long)(want); \
		t_report(t_g_ == t_w_, __FILE__, __LINE__, __VA_ARGS__);     \
		if (t_g_ != t_w_)                                            \
			printf("#   got:  %lld\n#   want: %lld\n", t_g_, t_w_);  \
	} while (0)

static inline int
t_done(void)
{
	printf("# %d checks, %d failed, %d skipped\n", t_st.n, t_st.failed,
	    t_st.skipped);
	return t_st.failed == 0 && t_st.n > 0 ? 0 : 1;
}

/* t_path: a path under the source tree (tests run from the top dir). */
static inline const char *
t_path(const char *rel)
{
	return rel;
}

#endif
