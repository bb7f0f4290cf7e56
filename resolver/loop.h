/*
 * loop: the daemon's event loop.  One thread, epoll: descriptors with
 * callbacks, one-shot timers on a binary min-heap (per-request deadlines,
 * idle and write timeouts), and signals delivered through a signalfd.
 * Not for protocol logic: conn.c frames bytes, server.c decides.
 */
#ifndef SK_LOOP_H
#define SK_LOOP_H

#include <stddef.h>
#include <stdint.h>

#define LOOP_READ	0x1u
#define LOOP_WRITE	0x2u
#define LOOP_HUP	0x4u	/* error or hang-up (always reported) */

struct loop;
struct loop_timer;

typedef void (*loop_io_cb)(void *arg, int fd, unsigned events);
typedef void (*loop_timer_cb)(void *arg);
typedef void (*loop_signal_cb)(void *arg, int signo);
typedef void (*loop_round_cb)(void *arg);

/*
 * loop_new: a loop (caller frees with loop_free), or NULL when out of
 * memory or when epoll is unavailable.  Also ignores SIGPIPE.
 */
struct loop	*loop_new(void);

/*
 * loop_free: frees the loop and its timers' heap.  Descriptors are not
 * closed (their owners close them); timers must be freed by their owners
 * before.  NULL is a no-op.
 */
void		 loop_free(struct loop *l);

/*
 * loop_add: watch FD for EVENTS (LOOP_READ | LOOP_WRITE); CB(ARG, fd,
 * events) runs when it is ready.  Returns 0, or -1 (fd already watched,
 * epoll failure, out of memory).
 */
int		 loop_add(struct loop *l, int fd, unsigned events,
		    loop_io_cb cb, void *arg);

/* loop_mod: change the events watched for FD.  Returns 0 or -1. */
int		 loop_mod(struct loop *l, int fd, unsigned events);

/*
 * loop_del: stop watching FD (before closing it).  Events already
 * collected for it in this round are dropped.  Unknown FDs are ignored.
 */
void		 loop_del(struct loop *l, int fd);

/*
 * loop_timer_new: a stopped timer that calls CB(ARG) when it fires.  The
 * caller owns it (loop_timer_free).  NULL when out of memory.
 */
struct loop_timer *loop_timer_new(struct loop *l, loop_timer_cb cb,
		    void *arg);

/*
 * loop_timer_set: (re)arm T to fire once, MS milliseconds from now.
 * Returns 0, or -1 when out of memory (T stays stopped).
 */
int		 loop_timer_set(struct loop_timer *t, uint64_t ms);

/* loop_timer_stop: disarm T (no-op when not armed). */
void		 loop_timer_stop(struct loop_timer *t);

/* loop_timer_armed: 1 when T will fire, else 0. */
int		 loop_timer_armed(const struct loop_timer *t);

/* loop_timer_free: disarm and free T.  NULL is a no-op. */
void		 loop_timer_free(struct loop_timer *t);

/*
 * loop_signals: block SIGS (N of them) and deliver them through a
 * signalfd to CB(ARG, signo).  Call once, before starting threads (there
 * are none).  Returns 0 or -1.
 */
int		 loop_signals(struct loop *l, const int *sigs, size_t n,
		    loop_signal_cb cb, void *arg);

/* loop_now: monotonic milliseconds, refreshed once per loop round. */
uint64_t	 loop_now(struct loop *l);

/*
 * loop_run: dispatch events until loop_stop.  Returns 0 after loop_stop,
 * -1 when epoll_wait fails.
 */
int		 loop_run(struct loop *l);

/*
 * loop_run_once: one round: wait at most MAX_MS (or until the next timer)
 * and dispatch.  For tests.  Returns 0 or -1.
 */
int		 loop_run_once(struct loop *l, int max_ms);

/*
 * loop_on_round: CB(ARG) runs at the end of every round, after its
 * events and timers (one slot; CB NULL clears it).  For work batched per
 * round, such as writing buffered log lines.
 */
void		 loop_on_round(struct loop *l, loop_round_cb cb, void *arg);

/*
 * loop_background: called by a thread that works for the loop in the
 * background (reading the policy store, keeping its copy), never waited
 * for by the loop (a mutex held for a few instructions aside):
 * it takes the lowest CPU priority (nice 19, for this thread alone), so
 * that on a busy machine the loop's answers come before its work: a
 * whole store read on one core of two must not delay an answer by a time
 * slice.  Returns 0, or -1 (errno) when the kernel refused.
 */
int		 loop_background(void);

/* loop_stop: make loop_run return after the current round. */
void		 loop_stop(struct loop *l);

#endif
