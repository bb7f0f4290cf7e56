/*
 * store_dbq.c: the rows of a store_db query (store_int.h), read one by
 * one through the backend that made the query.
 */
#include <stddef.h>

#include "store_int.h"

int
store_dbq_next(struct store_dbq *q)
{
	return q->ops->next(q);
}

const char *
store_dbq_text(struct store_dbq *q, int col)
{
	return q->ops->text(q, col);
}

void
store_dbq_free(struct store_dbq *q)
{
	if (q == NULL)
		return;
	q->ops->qfree(q);
}
