/*
 * sign_pool.c: the signer's pool of threads and its in-order chunk writer
 * (see sign_pool.h).  One mutex and one condition variable guard the
 * chunk counters, the finished chunks and the failure flag; the calling
 * thread is the writer.  Not for what a chunk holds (sign.c).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sign_pool.h"

struct chunk {
	char		*text;
	size_t		 len;
	int		 done;
};

struct pool {
	const struct sign_pool_job *job;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	size_t		 next, written, window;
	struct chunk	*chunks;	/* with job->out */
	int		 failed;
	char		 err[256];
};

struct worker {
	struct pool	*p;
	void		*thr;		/* from job->thread_new */
};

/* fail: record the first failure and wake everyone. */
static void
fail(struct pool *p, const char *what)
{
	pthread_mutex_lock(&p->mu);
	if (!p->failed)
		snprintf(p->err, sizeof(p->err), "%s", what);
	p->failed = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* work: claim chunks until none is left or the pool failed. */
static void *
work(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->p;
	const struct sign_pool_job *job = p->job;
	const char *why = "failed";
	char *text;
	size_t c, len;

	if ((w->thr = job->thread_new(job->arg, &why)) == NULL) {
		fail(p, why);
		return NULL;
	}
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->failed && p->next < job->nchunks &&
		    p->next >= p->written + p->window)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->failed || p->next >= job->nchunks) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		c = p->next++;
		pthread_mutex_unlock(&p->mu);
		text = NULL;
		len = 0;
		if (job->chunk(w->thr, c, &text, &len, &why) == -1) {
			free(text);
			fail(p, why);
			break;
		}
		if (job->out == NULL) {
			free(text);
			continue;
		}
		pthread_mutex_lock(&p->mu);
		p->chunks[c].text = text;
		p->chunks[c].len = len;
		p->chunks[c].done = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

/* write_chunks: the calling thread writes the chunks in order. */
static void
write_chunks(struct pool *p)
{
	const struct sign_pool_job *job = p->job;
	struct chunk *ch;
	size_t c;

	for (c = 0; c < job->nchunks; c++) {
		ch = &p->chunks[c];
		pthread_mutex_lock(&p->mu);
		while (!ch->done && !p->failed)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (!ch->done)
			break;
		if (fwrite(ch->text, 1, ch->len, job->out) != ch->len)
			fail(p, "write error");
		free(ch->text);
		ch->text = NULL;
		pthread_mutex_lock(&p->mu);
		p->written++;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (job->progress != NULL)
			job->progress(job->progress_arg, c + 1, job->nchunks);
	}
}

int
sign_pool_run(const struct sign_pool_job *job, char *err, size_t errsz)
{
	pthread_t tid[SIGN_POOL_MAX_THREADS];
	struct worker w[SIGN_POOL_MAX_THREADS];
	struct pool p;
	unsigned nt = job->threads, i, started = 0;
	size_t c;
	int rc = 0;

	if (nt == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		nt = n > 0 ? (unsigned)n : 1;
	}
	if (nt > SIGN_POOL_MAX_THREADS)
		nt = SIGN_POOL_MAX_THREADS;
	memset(&p, 0, sizeof(p));
	p.job = job;
	p.window = job->out == NULL ? SIZE_MAX / 2 : job->window * nt;
	if (job->out != NULL && (p.chunks = calloc(job->nchunks ?
	    job->nchunks : 1, sizeof(*p.chunks))) == NULL) {
		if (err != NULL && errsz > 0)
			snprintf(err, errsz, "out of memory");
		return -1;
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	for (i = 0; i < nt; i++) {
		w[i].p = &p;
		w[i].thr = NULL;
		if (pthread_create(&tid[i], NULL, work, &w[i]) != 0)
			break;
		started++;
	}
	if (started == 0)
		fail(&p, "cannot start threads");
	if (job->out != NULL)
		write_chunks(&p);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < started; i++)
		if (w[i].thr != NULL)
			job->thread_end(w[i].thr);
	if (p.failed) {
		if (err != NULL && errsz > 0)
			snprintf(err, errsz, "%s", p.err);
		rc = -1;
	}
	if (p.chunks != NULL)
		for (c = 0; c < job->nchunks; c++)
			free(p.chunks[c].text);
	free(p.chunks);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	return rc;
}
