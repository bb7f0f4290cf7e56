/*
 * loop.c: epoll, a timer min-heap and a signalfd on one thread.  Each
 * watched descriptor has a slot (callback, argument, generation) indexed
 * by fd; epoll carries fd and generation, so an event collected for a
 * descriptor that was removed (and maybe reused) in the same round is
 * dropped instead of reaching the wrong owner.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define LOOP_BACKGROUND_NICE	19	/* the lowest priority */

#define LOOP_MAX_EVENTS	256

struct slot {
	loop_io_cb	 cb;
	void		*arg;
	uint32_t	 gen;
	int		 used;
};

struct loop_timer {
	struct loop	*loop;
	loop_timer_cb	 cb;
	void		*arg;
	uint64_t	 when;
	uint64_t	 seq;		/* FIFO among equal deadlines */
	size_t		 idx;		/* in the heap, or SIZE_MAX */
};

struct loop {
	int			 ep;
	int			 sfd;
	loop_signal_cb		 sigcb;
	void			*sigarg;
	struct slot		*slots;
	size_t			 nslots;
	struct loop_timer	**heap;
	size_t			 nheap, capheap;
	uint64_t		 seq;
	uint64_t		 now;
	int			 stop;
	loop_round_cb		 roundcb;
	void			*roundarg;
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct loop *
loop_new(void)
{
	struct loop *l;
	struct sigaction sa;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->sfd = -1;
	if ((l->ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		free(l);
		return NULL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	l->now = mono_ms();
	return l;
}

void
loop_free(struct loop *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nheap; i++)
		l->heap[i]->idx = SIZE_MAX;
	if (l->sfd != -1)
		close(l->sfd);
	close(l->ep);
	free(l->heap);
	free(l->slots);
	free(l);
}

static uint32_t
to_epoll(unsigned ev)
{
	uint32_t e = 0;

	if (ev & LOOP_READ)
		e |= EPOLLIN | EPOLLRDHUP;
	if (ev & LOOP_WRITE)
		e |= EPOLLOUT;
	return e;
}

static int
ep_ctl(struct loop *l, int op, int fd, unsigned events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = to_epoll(events);
	ev.data.u64 = (uint64_t)(uint32_t)fd |
	    ((uint64_t)l->slots[fd].gen << 32);
	return epoll_ctl(l->ep, op, fd, &ev);
}

int
loop_add(struct loop *l, int fd, unsigned events, loop_io_cb cb, void *arg)
{
	struct slot *s;
	size_t n;

	if (fd < 0)
		return -1;
	if ((size_t)fd >= l->nslots) {
		n = l->nslots == 0 ? 64 : l->nslots;
		while (n <= (size_t)fd)
			n *= 2;
		if ((s = reallocarray(l->slots, n, sizeof(*s))) == NULL)
			return -1;
		memset(s + l->nslots, 0, (n - l->nslots) * sizeof(*s));
		l->slots = s;
		l->nslots = n;
	}
	s = &l->slots[fd];
	if (s->used)
		return -1;
	s->gen++;
	s->cb = cb;
	s->arg = arg;
	if (ep_ctl(l, EPOLL_CTL_ADD, fd, events) == -1)
		return -1;
	s->used = 1;
	return 0;
}

int
loop_mod(struct loop *l, int fd, unsigned events)
{
	if (fd < 0 || (size_t)fd >= l->nslots || !l->slots[fd].used)
		return -1;
	return ep_ctl(l, EPOLL_CTL_MOD, fd, events);
}

void
loop_del(struct loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nslots || !l->slots[fd].used)
		return;
	epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
	l->slots[fd].used = 0;
	l->slots[fd].gen++;
}

/* --- timers: a binary min-heap ordered by (when, seq) --- */

static int
t_less(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void
h_swap(struct loop *l, size_t i, size_t j)
{
	struct loop_timer *t = l->heap[i];

	l->heap[i] = l->heap[j];
	l->heap[j] = t;
	l->heap[i]->idx = i;
	l->heap[j]->idx = j;
}

static void
h_up(struct loop *l, size_t i)
{
	while (i > 0 && t_less(l->heap[i], l->heap[(i - 1) / 2])) {
		h_swap(l, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
h_down(struct loop *l, size_t i)
{
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && t_less(l->heap[c + 1], l->heap[c]))
			c++;
		if (!t_less(l->heap[c], l->heap[i]))
			break;
		h_swap(l, i, c);
		i = c;
	}
}

static void
h_remove(struct loop *l, size_t i)
{
	l->heap[i]->idx = SIZE_MAX;
	l->nheap--;
	if (i == l->nheap)
		return;
	l->heap[i] = l->heap[l->nheap];
	l->heap[i]->idx = i;
	h_up(l, i);
	h_down(l, l->heap[i]->idx);
}

struct loop_timer *
loop_timer_new(struct loop *l, loop_timer_cb cb, void *arg)
{
	struct loop_timer *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->loop = l;
	t->cb = cb;
	t->arg = arg;
	t->idx = SIZE_MAX;
	return t;
}

int
loop_timer_set(struct loop_timer *t, uint64_t ms)
{
	struct loop *l = t->loop;
	struct loop_timer **h;
	size_t n;

	loop_timer_stop(t);
	if (l->nheap == l->capheap) {
		n = l->capheap == 0 ? 64 : l->capheap * 2;
		if ((h = reallocarray(l->heap, n, sizeof(*h))) == NULL)
			return -1;
		l->heap = h;
		l->capheap = n;
	}
	t->when = l->now + ms;
	t->seq = l->seq++;
	t->idx = l->nheap;
	l->heap[l->nheap++] = t;
	h_up(l, t->idx);
	return 0;
}

void
loop_timer_stop(struct loop_timer *t)
{
	if (t->idx != SIZE_MAX)
		h_remove(t->loop, t->idx);
}

int
loop_timer_armed(const struct loop_timer *t)
{
	return t->idx != SIZE_MAX;
}

void
loop_timer_free(struct loop_timer *t)
{
	if (t == NULL)
		return;
	loop_timer_stop(t);
	free(t);
}

/* --- signals --- */

static void
on_signalfd(void *arg, int fd, unsigned events)
{
	struct loop *l = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (l->sigcb != NULL)
			l->sigcb(l->sigarg, (int)si.ssi_signo);
}

int
loop_signals(struct loop *l, const int *sigs, size_t n, loop_signal_cb cb,
    void *arg)
{
	sigset_t set;
	size_t i;

	if (l->sfd != -1)
		return -1;
	sigemptyset(&set);
	for (i = 0; i < n; i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	if ((l->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		return -1;
	l->sigcb = cb;
	l->sigarg = arg;
	if (loop_add(l, l->sfd, LOOP_READ, on_signalfd, l) == -1) {
		close(l->sfd);
		l->sfd = -1;
		return -1;
	}
	return 0;
}

uint64_t
loop_now(struct loop *l)
{
	return l->now;
}

static void
run_timers(struct loop *l)
{
	struct loop_timer *t;

	l->now = mono_ms();
	while (l->nheap > 0 && l->heap[0]->when <= l->now) {
		t = l->heap[0];
		h_remove(l, 0);
		t->cb(t->arg);
	}
}

int
loop_run_once(struct loop *l, int max_ms)
{
	struct epoll_event ev[LOOP_MAX_EVENTS];
	uint64_t wait;
	unsigned events;
	uint32_t gen;
	int n, i, fd, timeout = max_ms;

	l->now = mono_ms();
	if (l->nheap > 0) {
		wait = l->heap[0]->when > l->now ? l->heap[0]->when - l->now :
		    0;
		if (timeout < 0 || wait < (uint64_t)timeout)
			timeout = (int)wait;
	}
	n = epoll_wait(l->ep, ev, LOOP_MAX_EVENTS, timeout);
	if (n == -1) {
		if (errno != EINTR)
			return -1;
		n = 0;
	}
	l->now = mono_ms();
	for (i = 0; i < n; i++) {
		fd = (int)(uint32_t)ev[i].data.u64;
		gen = (uint32_t)(ev[i].data.u64 >> 32);
		if ((size_t)fd >= l->nslots || !l->slots[fd].used ||
		    l->slots[fd].gen != gen)
			continue;
		events = 0;
		if (ev[i].events & (EPOLLIN | EPOLLRDHUP))
			events |= LOOP_READ;
		if (ev[i].events & EPOLLOUT)
			events |= LOOP_WRITE;
		if (ev[i].events & (EPOLLERR | EPOLLHUP))
			events |= LOOP_HUP | LOOP_READ;
		l->slots[fd].cb(l->slots[fd].arg, fd, events);
	}
	run_timers(l);
	if (l->roundcb != NULL)
		l->roundcb(l->roundarg);
	return 0;
}

void
loop_on_round(struct loop *l, loop_round_cb cb, void *arg)
{
	l->roundcb = cb;
	l->roundarg = arg;
}

int
loop_run(struct loop *l)
{
	l->stop = 0;
	while (!l->stop)
		if (loop_run_once(l, -1) == -1)
			return -1;
	return 0;
}

void
loop_stop(struct loop *l)
{
	l->stop = 1;
}

int
loop_background(void)
{
	/* Linux: a thread's nice value is its own, named by its tid */
	return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
	    LOOP_BACKGROUND_NICE);
}
