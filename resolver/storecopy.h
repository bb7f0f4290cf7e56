/*
 * storecopy: the thread that keeps senderkeyd's local copy of a
 * PostgreSQL policy store (PolicyStoreCopy; core/store.h, store_copy_*)
 * current, so that the daemon can start from it while the database
 * cannot be reached (specs/store.md 5.3).  It has its own connection: it
 * writes the whole copy once after start and after losing its place in
 * the change log, and each change after that, never touching the rules
 * the loop decides with.  The loop only reads its state (storecopy_log).
 */
#ifndef SK_STORECOPY_H
#define SK_STORECOPY_H

#define STORECOPY_POLL_MS	1000	/* the change log asked this often */
#define STORECOPY_RETRY_MS	5000	/* after a failure */
#define STORECOPY_TOUCH_S	60	/* "current at" rewritten this often */

struct log;
struct storecopy;

/*
 * storecopy_new: keep the copy PATH of the store SPEC (PASSFILE: libpq's
 * passfile, or NULL) current from a thread.  Start it after loop_signals.
 * NULL with ERR set when memory or a thread is short.
 */
struct storecopy *storecopy_new(const char *spec, const char *passfile,
		    const char *path, char *err, size_t errsz);

/* storecopy_free: stop the thread (a write in progress is finished or
 * rolled back first); NULL is a no-op. */
void		 storecopy_free(struct storecopy *c);

/*
 * storecopy_log: on the loop's thread, log to LG when the copy started
 * failing to be written (once, with the reason) or is written again.
 */
void		 storecopy_log(struct storecopy *c, struct log *lg);

#endif
