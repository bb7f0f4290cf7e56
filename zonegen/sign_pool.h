/*
 * sign_pool: the signer's pool of threads (used by sign.c).  Threads claim
 * numbered chunks of work in increasing order; with an output FILE the
 * calling thread writes each chunk's text in chunk order while the
 * threads run at most a bounded window ahead of it, so the output does
 * not depend on the number of threads or on scheduling.  Knows nothing
 * about DNS: the caller's callbacks do the work.
 */
#ifndef SK_SIGN_POOL_H
#define SK_SIGN_POOL_H

#include <stddef.h>
#include <stdio.h>

#define SIGN_POOL_MAX_THREADS	256

struct sign_pool_job {
	size_t	  nchunks;	/* chunks 0 .. NCHUNKS - 1 */
	unsigned  threads;	/* 0: every online core; capped at the max */
	/* NULL: the chunks make no text; else their text goes here. */
	FILE	 *out;
	/* With OUT: chunks each thread may run ahead of the writer. */
	size_t	  window;
	void	 *arg;		/* for thread_new */
	/*
	 * thread_new: on each worker thread before its first chunk: the
	 * state that thread passes to chunk; NULL with *WHY set (a static
	 * string) on failure, having released what it made.
	 */
	void	*(*thread_new)(void *arg, const char **why);
	/*
	 * chunk: do chunk C with the thread state THR.  With OUT, sets
	 * *TEXT to a malloc'd text of *LEN octets (the pool frees it).
	 * Returns 0, or -1 with *WHY set (a static string).
	 */
	int	 (*chunk)(void *thr, size_t c, char **text, size_t *len,
		    const char **why);
	/*
	 * thread_end: on the calling thread after every worker is joined,
	 * once per state thread_new made, in thread order; releases THR.
	 */
	void	 (*thread_end)(void *thr);
	/* With OUT, when not NULL: after each chunk written, in order. */
	void	 (*progress)(void *arg, size_t done, size_t total);
	void	 *progress_arg;
};

/*
 * sign_pool_run: run JOB's chunks on its threads and, with JOB->out,
 * write their text to it in chunk order.  The first failure (a callback's
 * *WHY, "write error", "cannot start threads", "out of memory") stops the
 * work.  Returns 0, or -1 with that message in ERR; OUT may then hold the
 * text of some chunks.
 */
int	sign_pool_run(const struct sign_pool_job *job, char *err,
	    size_t errsz);

#endif
