/*
 * proto_line_move.c: MOVE's arguments (specs/protocol.md 3.2), for
 * proto_line_parse; the request is built by proto_line_req.c and the
 * reply is core/proto_line_entry.h's.  Pure: no I/O, no allocation.
 */
#include <string.h>

#include "proto_line.h"

static int
fail(enum proto_line_err *err, enum proto_line_err e)
{
	if (err != NULL)
		*err = e;
	return -1;
}

int
proto_line_move_check(const struct proto_line_request *rq,
    enum proto_line_err *err)
{
	if (rq->user == NULL || rq->user[0] == '\0' || rq->field == NULL ||
	    !rq->have_move)
		return fail(err, PLE_MISSING_ARGUMENT);
	return 0;
}

/*
 * unquote: V in place: a quoted (3.1) value loses its DQUOTEs and each
 * backslash escape is the octet after it; another value stays as it is.
 * -1 when quotes are left inside (two quoted runs, text after one).
 */
static int
unquote(char *v)
{
	char *r, *w;

	if (v[0] != '"')
		return strchr(v, '"') != NULL ? -1 : 0;
	for (r = v + 1, w = v; *r != '\0' && *r != '"'; r++) {
		if (*r == '\\' && r[1] != '\0')
			r++;
		*w++ = *r;
	}
	if (*r != '"' || r[1] != '\0')
		return -1;
	*w = '\0';
	return 0;
}

/* is: whether the N octets at ARG are NAME. */
static int
is(const char *arg, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(arg, name, n) == 0;
}

int
proto_line_move_arg(struct proto_line_request *rq, char *arg,
    enum proto_line_err *err)
{
	char *eq, *v;
	size_t n;

	if ((eq = strchr(arg, '=')) == NULL)
		return fail(err, PLE_BAD_ARGUMENT);
	n = (size_t)(eq - arg);
	v = eq + 1;
	if (is(arg, n, "user") && rq->user == NULL)
		rq->user = v;
	else if (is(arg, n, "action") && !rq->have_move) {
		if (strcmp(v, "allow") == 0)
			rq->move = PLM_ALLOW;
		else if (strcmp(v, "block") == 0)
			rq->move = PLM_BLOCK;
		else
			return fail(err, PLE_BAD_ARGUMENT);
		rq->have_move = 1;
	} else if (is(arg, n, "field") && rq->field == NULL) {
		if (unquote(v) == -1)
			return fail(err, PLE_BAD_ARGUMENT);
		rq->field = v;
	} else
		return fail(err, PLE_BAD_ARGUMENT);
	return 0;
}
