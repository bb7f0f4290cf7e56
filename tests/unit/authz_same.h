/*
 * authz_same.h: whether two decoded AUTHZ replies hold the same values,
 * for the line codec's unit tests (test_proto_line, test_proto_line_round).
 * Header-only, like t.h.
 */
#ifndef SK_TEST_AUTHZ_SAME_H
#define SK_TEST_AUTHZ_SAME_H

#include <string.h>

#include "core/proto_line.h"

/* authz_same: A and B hold the same values ("-" attributes compare equal). */
static int
authz_same(const struct proto_line_authz *a, const struct proto_line_authz *b)
{
	return a->verdict == b->verdict && a->reason == b->reason &&
	    a->tag == b->tag && a->has_lookup == b->has_lookup &&
	    (!a->has_lookup || a->lookup == b->lookup) &&
	    a->has_policy == b->has_policy &&
	    (!a->has_policy || a->policy == b->policy) &&
	    strcmp(a->class_id, b->class_id) == 0 &&
	    strcmp(a->text, b->text) == 0;
}

#endif
