/*
 * proto_line_req.c: the request builder of the line protocol
 * (proto_line_req.h): the checks proto_line_parse makes, made before
 * sending, and the line written so that it tokenizes back into the same
 * arguments.  Pure: no I/O, no allocation.
 */
#include <string.h>

#include "lib/addr.h"
#include "proto_line_req.h"

struct line {
	char	*buf;
	size_t	 cap, len;
	int	 over;		/* past PROTO_LINE_MAX or CAP */
};

static void
put(struct line *l, const char *s, size_t n)
{
	if (l->over || n > l->cap || l->len + n + 1 > l->cap) {
		l->over = 1;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

static void
put_s(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

/*
 * token_ok: whether S, after an argument's "name=", is read back as the
 * rest of one token by proto_line_parse: no control octet, no
 * space outside double quotes, every quote closed, a backslash in quotes
 * followed by an octet.
 */
static int
token_ok(const char *s)
{
	size_t i;
	int inq = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
		if (!inq && s[i] == ' ')
			return 0;
		if (inq && s[i] == '\\') {
			if (s[i + 1] == '\0' || (unsigned char)s[i + 1] < 0x20 ||
			    s[i + 1] == 0x7f)
				return 0;
			i++;
		} else if (s[i] == '"')
			inq = !inq;
	}
	return !inq;
}

static int
fail(enum proto_line_err *err, enum proto_line_err e)
{
	if (err != NULL)
		*err = e;
	return -1;
}

/* put_key: the 32 octets of K as "AB:CD:...". */
static void
put_key(struct line *l, const unsigned char k[32])
{
	static const char hex[] = "0123456789ABCDEF";
	char t[3 * 32];
	size_t i;

	for (i = 0; i < 32; i++) {
		t[3 * i] = hex[k[i] >> 4];
		t[3 * i + 1] = hex[k[i] & 0xf];
		t[3 * i + 2] = ':';
	}
	put(l, t, sizeof(t) - 1);
}

static int
build_authz(struct line *l, const struct proto_line_request *rq,
    enum proto_line_err *err)
{
	if (proto_line_authz_check(rq, err) == -1)
		return -1;
	if (!token_ok(rq->sender) || !token_ok(rq->recipient))
		return fail(err, PLE_BAD_SYNTAX);
	if (rq->sig != VSIG_UNKNOWN && (verdict_sig_name(rq->sig) == NULL ||
	    strcmp(verdict_sig_name(rq->sig), "?") == 0))
		return fail(err, PLE_BAD_ARGUMENT);
	if (rq->queue_id != NULL && !proto_line_queue_id_ok(rq->queue_id))
		return fail(err, PLE_BAD_ARGUMENT);
	put_s(l, "AUTHZ sender=");
	put_s(l, rq->sender);
	put_s(l, " recipient=");
	put_s(l, rq->recipient);
	if (rq->sig != VSIG_UNKNOWN) {
		put_s(l, " sig=");
		put_s(l, verdict_sig_name(rq->sig));
	}
	if (rq->have_key) {
		put_s(l, " key=");
		put_key(l, rq->key);
	}
	if (rq->queue_id != NULL) {
		put_s(l, " queue_id=");
		put_s(l, rq->queue_id);
	}
	return 0;
}

static int
build_lookup(struct line *l, const struct proto_line_request *rq,
    enum proto_line_err *err)
{
	struct addr *a;

	if (rq->address == NULL || rq->address[0] == '\0')
		return fail(err, PLE_MISSING_ARGUMENT);
	if (!token_ok(rq->address))
		return fail(err, PLE_BAD_SYNTAX);
	if ((a = addr_parse(rq->address, NULL, NULL)) == NULL)
		return fail(err, PLE_BAD_ADDRESS);
	addr_free(a);
	put_s(l, proto_line_cmdname(rq->cmd));
	put_s(l, " ");
	put_s(l, rq->address);
	return 0;
}

static int
build_learn(struct line *l, const struct proto_line_request *rq,
    enum proto_line_err *err)
{
	if (proto_line_learn_check(rq, err) == -1)
		return -1;
	if (!token_ok(rq->user) || !token_ok(rq->sender) ||
	    !token_ok(rq->recipient))
		return fail(err, PLE_BAD_SYNTAX);
	put_s(l, "LEARN user=");
	put_s(l, rq->user);
	put_s(l, " sender=");
	put_s(l, rq->sender);
	put_s(l, " recipient=");
	put_s(l, rq->recipient);
	return 0;
}

/* put_quoted: V as a quoted token (3.1); -1 for a control octet. */
static int
put_quoted(struct line *l, const char *v)
{
	const unsigned char *p;

	put(l, "\"", 1);
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return -1;
		if (*p == '"' || *p == '\\')
			put(l, "\\", 1);
		put(l, (const char *)p, 1);
	}
	put(l, "\"", 1);
	return 0;
}

static int
build_move(struct line *l, const struct proto_line_request *rq,
    enum proto_line_err *err)
{
	if (proto_line_move_check(rq, err) == -1)
		return -1;
	if (!token_ok(rq->user) || strchr(rq->user, '"') != NULL)
		return fail(err, PLE_BAD_SYNTAX);
	if (rq->move != PLM_ALLOW && rq->move != PLM_BLOCK)
		return fail(err, PLE_BAD_ARGUMENT);
	put_s(l, "MOVE user=");
	put_s(l, rq->user);
	put_s(l, rq->move == PLM_ALLOW ? " action=allow field=" :
	    " action=block field=");
	if (put_quoted(l, rq->field) == -1)
		return fail(err, PLE_BAD_SYNTAX);
	return 0;
}

int
proto_line_req_build(char *buf, size_t bufsz,
    const struct proto_line_request *rq, enum proto_line_err *err)
{
	char line[PROTO_LINE_MAX + 1];
	struct line l = { line, sizeof(line), 0, 0 };
	int rc;

	if (err != NULL)
		*err = PLE_OK;
	if (bufsz > 0)
		buf[0] = '\0';
	switch (rq->cmd) {
	case PLC_AUTHZ:
		rc = build_authz(&l, rq, err);
		break;
	case PLC_LOOKUP:
	case PLC_DKIMKEY:
		rc = build_lookup(&l, rq, err);
		break;
	case PLC_LEARN:
		rc = build_learn(&l, rq, err);
		break;
	case PLC_MOVE:
		rc = build_move(&l, rq, err);
		break;
	case PLC_STATS:
	case PLC_PING:
		put_s(&l, proto_line_cmdname(rq->cmd));
		rc = 0;
		break;
	default:
		return fail(err, PLE_BAD_COMMAND);
	}
	if (rc == -1)
		return -1;
	put(&l, "\n", 1);
	if (l.over)	/* LF included, over PROTO_LINE_MAX */
		return fail(err, PLE_LINE_TOO_LONG);
	if (l.len >= bufsz)
		return fail(err, PLE_INTERNAL);
	memcpy(buf, line, l.len + 1);
	return (int)l.len;
}
