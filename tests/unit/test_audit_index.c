/*
 * test_audit_index: the owner-name index of "senderkey audit": find after
 * add, misses, replacement of a duplicate owner, growth past many
 * resizes (20000 senders, each found again), and free(NULL).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "publisher/audit.h"
#include "publisher/audit_index.h"
#include "t.h"

#define NS	20000

static struct audit_sender *
mk(const char *owner)
{
	struct audit_sender *s = audit_sender_new();

	if (s != NULL)
		s->owner = strdup(owner);
	return s;
}

int
main(void)
{
	struct audit_index *ix = audit_index_new();
	struct audit_sender **v, *a, *b;
	char owner[80];
	size_t i, bad = 0;

	T_OK(ix != NULL, "audit_index_new");
	T_OK(audit_index_find(ix, "x._senderkey.d.test.") == NULL,
	    "an empty index finds nothing");
	a = mk("aa._senderkey.d.test.");
	b = mk("aa._senderkey.d.test.");
	T_INTEQ(audit_index_add(ix, a), 0, "add");
	T_OK(audit_index_find(ix, "aa._senderkey.d.test.") == a,
	    "find after add");
	T_OK(audit_index_find(ix, "AA._senderkey.d.test.") == NULL,
	    "owners are compared as given (callers pass lower case)");
	T_INTEQ(audit_index_add(ix, b), 0, "add the same owner again");
	T_OK(audit_index_find(ix, "aa._senderkey.d.test.") == b &&
	    audit_index_count(ix) == 1, "the second replaces the first");

	v = calloc(NS, sizeof(*v));
	for (i = 0; v != NULL && i < NS; i++) {
		snprintf(owner, sizeof(owner), "%056zx._senderkey.d.test.", i);
		if ((v[i] = mk(owner)) == NULL || audit_index_add(ix, v[i]))
			bad++;
	}
	T_OK(v != NULL && bad == 0, "%d senders added", NS);
	T_INTEQ(audit_index_count(ix), NS + 1, "all counted");
	for (i = 0, bad = 0; v != NULL && i < NS; i++)
		if (audit_index_find(ix, v[i]->owner) != v[i])
			bad++;
	T_INTEQ(bad, 0, "each found again after the table grew");
	snprintf(owner, sizeof(owner), "%056x._senderkey.d.test.", NS);
	T_OK(audit_index_find(ix, owner) == NULL, "a miss among many");
	T_OK(audit_index_find(ix, "aa._senderkey.d.test.") == b,
	    "the first sender survives the growth");

	for (i = 0; v != NULL && i < NS; i++)
		audit_sender_free(v[i]);
	free(v);
	audit_sender_free(a);
	audit_sender_free(b);
	audit_index_free(ix);
	audit_index_free(NULL);
	T_OK(1, "audit_index_free(NULL) is a no-op");
	return t_done();
}
