/*
 * store_delta.c: a delta, what senderkeyd's reader thread hands its loop:
 * the pairs the change log named since the rules in use, each with every
 * row it has now (none: the pair is gone), copied so that the loop owns
 * them (store_reader.c fills one; store_apply applies one).
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* One changed pair of a delta: its rows now (none: it is gone). */
struct dpair {
	char			*rcpt;
	char			*sender;	/* NULL: the mode */
	struct store_irow	*rows;
	size_t			 n;
};

struct store_delta {
	struct dpair		*v;
	size_t			 n, cap;
	size_t			 rows;
};

struct store_delta *
store_delta_new(void)
{
	return calloc(1, sizeof(struct store_delta));
}

void
store_delta_free(struct store_delta *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->v[i].rcpt);
		free(d->v[i].sender);
		free(d->v[i].rows);
	}
	free(d->v);
	free(d);
}

size_t
store_delta_pairs(const struct store_delta *d)
{
	return d != NULL ? d->n : 0;
}

int
store_delta_add(void *arg, const char *rcpt, const char *sender,
    const struct store_irow *rows, size_t n)
{
	struct store_delta *d = arg;
	struct dpair *p, *nv;
	size_t cap;

	if (d->n == d->cap) {
		cap = d->cap == 0 ? 64 : d->cap * 2;
		if ((nv = reallocarray(d->v, cap, sizeof(*nv))) == NULL)
			return -1;
		d->v = nv;
		d->cap = cap;
	}
	p = &d->v[d->n];
	memset(p, 0, sizeof(*p));
	if ((p->rcpt = strdup(rcpt)) == NULL ||
	    (sender != NULL && (p->sender = strdup(sender)) == NULL) ||
	    (n > 0 && (p->rows = calloc(n, sizeof(*rows))) == NULL)) {
		free(p->rcpt);
		free(p->sender);
		return -1;
	}
	if (n > 0)
		memcpy(p->rows, rows, n * sizeof(*rows));
	p->n = n;
	d->rows += n;
	d->n++;
	return 0;
}

int
store_delta_each(const struct store_delta *d, store_pair_cb cb, void *arg)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (cb(arg, d->v[i].rcpt, d->v[i].sender, d->v[i].rows,
		    d->v[i].n) != 0)
			return -1;
	return 0;
}
