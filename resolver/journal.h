/*
 * journal: senderkeyd's decision journal (specs/store.md 6): the
 * request path adds each decision to an in-memory aggregate (jagg.c);
 * every JournalFlush the loop hands the aggregate to a writer thread,
 * which writes it to the journal file in one transaction
 * (core/store_journal.c) while the loop goes on with an empty one.  A
 * batch that cannot be written (locked, disk full) is kept and tried
 * again; the loop logs the outage once and the recovery once.  The
 * loop never waits for the disk.  Not here: what is journaled for a
 * request (server_req.c), the file's schema (core/store_journal.c).
 */
#ifndef SK_JOURNAL_H
#define SK_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"
#include "core/verdict.h"

#define JOURNAL_PENDING		4096	/* keys between two flushes */

struct loop;
struct log;
struct journal;

/*
 * journal_new: the journal file PATH (created when missing), kept DAYS
 * days (> 0), at most MAX_ROWS rows and RCPT_ROWS per recipient (0: no
 * bound), flushed every FLUSH_MS on loop L's timer, its outages logged
 * to LG (not owned).  Start it after loop_signals (the
 * writer thread must not take signals).  Returns NULL with ERR set when
 * the file cannot be opened or created or memory or a thread is short:
 * the daemon then runs without a journal.
 */
struct journal	*journal_new(struct loop *l, struct log *lg, const char *path,
		    unsigned days, uint64_t max_rows, uint64_t rcpt_rows,
		    unsigned flush_ms, char *err, size_t errsz);

/*
 * journal_free: write what is aggregated (one last batch, waited for),
 * stop the thread and close the file; NULL is a no-op.
 */
void		 journal_free(struct journal *j);

/*
 * journal_note: one decision (dir in) on the request path: V for SENDER
 * (canonical address) to RECIPIENT (canonical mailbox) with the
 * signature input SIG; KEY is the key that verified a sig=pass (kept as
 * the row's pin only when V is authorized), or NULL.  No system call,
 * no allocation; a decision that does not fit is dropped and counted.
 */
void		 journal_note(struct journal *j, const char *recipient,
		    const char *sender, enum verdict_sig sig,
		    const struct verdict_output *v, const unsigned char *key);

/*
 * journal_note_out: one learn of LearnOutbound (dir out, specs/store.md
 * 6.2): USER (canonical mailbox) wrote to PEER (canonical address),
 * whose key lookup gives V at RCPT time; sig unknown, no pin.  As
 * journal_note: no system call, no allocation.
 */
void		 journal_note_out(struct journal *j, const char *user,
		    const char *peer, const struct verdict_output *v);

/*
 * journal_seen: whether the journal shows a decision (dir in) for
 * RECIPIENT (canonical mailbox) from SENDER (canonical address) within
 * its DAYS, in the aggregate not yet written or on disk: *SEEN 1 or 0,
 * and *SEEN_KEY 1 when one of them has KEY (NULL: not asked, 0) as its
 * pin (protocol.md 3.2, MOVE).  Reads the file on the loop's thread,
 * waiting for a write in progress.  Returns 0, or -1 (the file could
 * not be read; ERR set).
 */
int		 journal_seen(struct journal *j, const char *recipient,
		    const char *sender, const unsigned char *key, int *seen,
		    int *seen_key, char *err, size_t errsz);

/*
 * journal_flush: hand the aggregate over now and wait until the writer
 * has tried it.  Returns 0 when it is written, -1 when it is kept (the
 * reason is logged by the next flush).  For tests and shutdown: the
 * loop's own flushes never wait.
 */
int		 journal_flush(struct journal *j);

#endif
