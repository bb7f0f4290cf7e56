/*
 * proto_policy.c: Postfix policy delegation (specs/protocol.md section 2):
 * the line-at-a-time request parser, the action/reply encoder and the
 * per-connection transaction logic of 2.5.  Pure: no I/O; the connection
 * layer frames lines and writes replies.  Every limit is checked before
 * the octets it limits are stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "proto_policy.h"

/* The attributes the request struct carries (2.2). */
enum known {
	K_REQUEST,
	K_PROTOCOL_STATE,
	K_SENDER,
	K_RECIPIENT,
	K_INSTANCE,
	K_QUEUE_ID,
	K_CLIENT_ADDRESS,
	K_CLIENT_NAME,
	K_SASL_USERNAME,
	K_CCERT_FPR,
	K_COUNT,
};

static const char *const known_names[K_COUNT] = {
	"request", "protocol_state", "sender", "recipient", "instance",
	"queue_id", "client_address", "client_name", "sasl_username",
	"ccert_pubkey_fingerprint",
};

static const char *const err_names[] = {
	"ok", "line-too-long", "too-many-attributes", "request-too-big",
	"nul", "cr", "no-equals", "bad-name", "duplicate", "truncated",
	"no-request", "bad-request", "no-protocol-state", "no-recipient",
	"nomem", "after-error",
};

struct proto_policy_parser {
	int		 done;		/* PPS_DONE returned */
	int		 failed;	/* PPS_ERROR returned */
	size_t		 nattrs;
	size_t		 size;
	char		 names[PROTO_POLICY_ATTR_MAX][PROTO_POLICY_NAME_MAX + 1];
	char		*vals[K_COUNT];
	struct proto_policy_request rq;
};

struct proto_policy_parser *
proto_policy_parser_new(void)
{
	return calloc(1, sizeof(struct proto_policy_parser));
}

void
proto_policy_reset(struct proto_policy_parser *p)
{
	size_t i;

	for (i = 0; i < K_COUNT; i++)
		free(p->vals[i]);
	memset(p, 0, sizeof(*p));
}

void
proto_policy_parser_free(struct proto_policy_parser *p)
{
	if (p == NULL)
		return;
	proto_policy_reset(p);
	free(p);
}

const char *
proto_policy_errname(enum proto_policy_err e)
{
	if ((size_t)e >= sizeof(err_names) / sizeof(err_names[0]))
		return "?";
	return err_names[e];
}

static enum proto_policy_status
fail(struct proto_policy_parser *p, enum proto_policy_err e,
    enum proto_policy_err *err)
{
	p->failed = 1;
	if (err != NULL)
		*err = e;
	return PPS_ERROR;
}

static int
name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > PROTO_POLICY_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* finish: the empty line arrived; check the request as a whole (2.2). */
static enum proto_policy_status
finish(struct proto_policy_parser *p, enum proto_policy_err *err)
{
	struct proto_policy_request *rq = &p->rq;
	const char *st;

	if (p->vals[K_REQUEST] == NULL)
		return fail(p, PPE_NO_REQUEST, err);
	if (strcmp(p->vals[K_REQUEST], "smtpd_access_policy") != 0)
		return fail(p, PPE_BAD_REQUEST, err);
	if ((st = p->vals[K_PROTOCOL_STATE]) == NULL)
		return fail(p, PPE_NO_STATE, err);
	if (strcmp(st, "RCPT") == 0)
		rq->state = PPST_RCPT;
	else if (strcmp(st, "END-OF-MESSAGE") == 0)
		rq->state = PPST_END_OF_MESSAGE;
	else
		rq->state = PPST_OTHER;
	if (rq->state == PPST_RCPT && (p->vals[K_RECIPIENT] == NULL ||
	    p->vals[K_RECIPIENT][0] == '\0'))
		return fail(p, PPE_NO_RECIPIENT, err);
	rq->protocol_state = st;
	rq->sender = p->vals[K_SENDER];
	rq->recipient = p->vals[K_RECIPIENT];
	rq->instance = p->vals[K_INSTANCE];
	rq->queue_id = p->vals[K_QUEUE_ID];
	rq->client_address = p->vals[K_CLIENT_ADDRESS];
	rq->client_name = p->vals[K_CLIENT_NAME];
	rq->sasl_username = p->vals[K_SASL_USERNAME];
	rq->ccert_pubkey_fingerprint = p->vals[K_CCERT_FPR];
	rq->nattrs = p->nattrs;
	rq->size = p->size;
	p->done = 1;
	if (err != NULL)
		*err = PPE_OK;
	return PPS_DONE;
}

enum proto_policy_status
proto_policy_feed(struct proto_policy_parser *p, const char *line, size_t len,
    enum proto_policy_err *err)
{
	const char *eq;
	size_t n, i, namelen;

	if (p->done || p->failed) {
		p->failed = 1;
		if (err != NULL)
			*err = PPE_AFTER_ERROR;
		return PPS_ERROR;
	}
	if (len > PROTO_POLICY_LINE_MAX)
		return fail(p, PPE_LINE_TOO_LONG, err);
	if (len == 0 || line[len - 1] != '\n')
		return fail(p, len >= PROTO_POLICY_LINE_MAX ?
		    PPE_LINE_TOO_LONG : PPE_TRUNCATED, err);
	if (len > PROTO_POLICY_REQ_MAX - p->size)
		return fail(p, PPE_TOO_BIG, err);
	p->size += len;
	n = len - 1;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n == 0)
		return finish(p, err);
	if (p->nattrs >= PROTO_POLICY_ATTR_MAX)
		return fail(p, PPE_TOO_MANY, err);
	p->nattrs++;
	if (memchr(line, '\0', n) != NULL)
		return fail(p, PPE_NUL, err);
	if (memchr(line, '\r', n) != NULL || memchr(line, '\n', n) != NULL)
		return fail(p, PPE_CR, err);
	if ((eq = memchr(line, '=', n)) == NULL)
		return fail(p, PPE_NO_EQUALS, err);
	namelen = (size_t)(eq - line);
	if (!name_ok(line, namelen))
		return fail(p, PPE_NAME, err);
	for (i = 0; i + 1 < p->nattrs; i++)
		if (strlen(p->names[i]) == namelen &&
		    memcmp(p->names[i], line, namelen) == 0)
			return fail(p, PPE_DUPLICATE, err);
	memcpy(p->names[p->nattrs - 1], line, namelen);
	p->names[p->nattrs - 1][namelen] = '\0';
	for (i = 0; i < K_COUNT; i++) {
		if (strcmp(known_names[i], p->names[p->nattrs - 1]) != 0)
			continue;
		if ((p->vals[i] = strndup(eq + 1, n - namelen - 1)) == NULL)
			return fail(p, PPE_NOMEM, err);
		break;
	}
	return PPS_MORE;
}

const struct proto_policy_request *
proto_policy_request(const struct proto_policy_parser *p)
{
	return p->done ? &p->rq : NULL;
}

/* append: N octets of S to BUF at *LEN; -1 when it would not fit. */
static int
append(char *buf, size_t bufsz, size_t *len, const char *s, size_t n)
{
	if (n >= bufsz - *len)
		return -1;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
	return 0;
}

static const char *
pick(const struct proto_policy_actions *a, enum verdict_mode mode,
    enum verdict v)
{
	const char *s = NULL, *def;

	switch (v) {
	case VERDICT_TEMPFAIL:
		s = a != NULL ? a->tempfail : NULL;
		def = PROTO_POLICY_DEF_TEMPFAIL;
		break;
	case VERDICT_UNAUTHORIZED:
		s = a != NULL ? a->unauthorized : NULL;
		def = PROTO_POLICY_DEF_UNAUTHORIZED;
		break;
	case VERDICT_UNTRUSTED:
		if (mode == VM_DENY) {
			s = a != NULL ? a->untrusted_deny : NULL;
			def = PROTO_POLICY_DEF_UNTRUSTED_DENY;
		} else {
			s = a != NULL ? a->untrusted : NULL;
			def = PROTO_POLICY_DEF_UNTRUSTED;
		}
		break;
	case VERDICT_AUTHORIZED:
		if (mode == VM_DENY) {
			s = a != NULL ? a->authorized_deny : NULL;
			def = PROTO_POLICY_DEF_AUTHORIZED_DENY;
		} else {
			s = a != NULL ? a->authorized : NULL;
			def = PROTO_POLICY_DEF_AUTHORIZED;
		}
		break;
	default:
		return NULL;
	}
	return s != NULL ? s : def;
}

int
proto_policy_action(const struct proto_policy_actions *acts,
    enum verdict_mode mode, const struct verdict_output *v, char *buf,
    size_t bufsz)
{
	const char *t, *p, *sub;
	size_t len = 0;

	if (bufsz == 0)
		return -1;
	buf[0] = '\0';
	if (v == NULL || (t = pick(acts, mode, v->verdict)) == NULL)
		goto fail;
	for (p = t; *p != '\0';) {
		if (strncmp(p, "{reason}", 8) == 0) {
			sub = verdict_reason_name(v->reason);
			if (append(buf, bufsz, &len, sub, strlen(sub)) == -1)
				goto fail;
			p += 8;
		} else if (strncmp(p, "{tag}", 5) == 0) {
			sub = verdict_tag_name(v->tag);
			if (append(buf, bufsz, &len, sub, strlen(sub)) == -1)
				goto fail;
			p += 5;
		} else {
			if (*p == '\r' || *p == '\n' ||
			    append(buf, bufsz, &len, p, 1) == -1)
				goto fail;
			p++;
		}
	}
	if (len == 0)
		goto fail;
	return (int)len;
fail:
	snprintf(buf, bufsz, "%s", PROTO_POLICY_INTERNAL);
	return -1;
}

int
proto_policy_reply(const char *action, char *buf, size_t bufsz)
{
	size_t len = 0, n = strlen(action);

	if (bufsz == 0)
		return -1;
	buf[0] = '\0';
	if (n == 0 || strpbrk(action, "\r\n") != NULL ||
	    append(buf, bufsz, &len, "action=", 7) == -1 ||
	    append(buf, bufsz, &len, action, n) == -1 ||
	    append(buf, bufsz, &len, "\n\n", 2) == -1) {
		buf[0] = '\0';
		return -1;
	}
	return (int)len;
}

void
proto_policy_txn_init(struct proto_policy_txn *t)
{
	memset(t, 0, sizeof(*t));
}

static int
digest(const char *s, unsigned char out[32])
{
	unsigned int n = 0;

	return EVP_Digest(s, strlen(s), out, &n, EVP_sha256(), NULL) == 1 &&
	    n == 32 ? 0 : -1;
}

enum proto_policy_answer
proto_policy_txn_step(struct proto_policy_txn *t, enum proto_policy_state st,
    const char *instance, enum verdict v, const char *class_id,
    const char *action, int monitor)
{
	unsigned char d[32], ad[32];

	/* Which transaction is this?  Without instance, none. */
	if (instance == NULL || digest(instance, d) == -1)
		proto_policy_txn_init(t);
	else if (!t->have_instance || memcmp(t->instance, d, 32) != 0) {
		proto_policy_txn_init(t);
		t->have_instance = 1;
		memcpy(t->instance, d, 32);
	}
	if (st == PPST_END_OF_MESSAGE) {
		proto_policy_txn_init(t);
		return PPA_DUNNO;
	}
	if (st != PPST_RCPT || monitor)
		return PPA_DUNNO;
	if (v != VERDICT_AUTHORIZED && v != VERDICT_UNTRUSTED)
		return PPA_ACTION;
	if (class_id == NULL)
		class_id = "";
	if (action == NULL)
		action = "";
	if (digest(action, ad) == -1)
		return PPA_SPLIT;	/* cannot compare: never merge */
	if (!t->have_instance)
		return PPA_ACTION;	/* stands alone */
	if (!t->fixed) {
		t->fixed = 1;
		snprintf(t->class_id, sizeof(t->class_id), "%s", class_id);
		memcpy(t->action, ad, 32);
		return PPA_ACTION;
	}
	if (strcmp(t->class_id, class_id) == 0 &&
	    memcmp(t->action, ad, 32) == 0)
		return PPA_DUNNO;
	return PPA_SPLIT;
}

int
proto_policy_respond(struct proto_policy_txn *t,
    const struct proto_policy_actions *acts,
    const struct proto_policy_request *rq, enum verdict_mode mode,
    const struct verdict_output *v, const char *class_id, int monitor,
    char *buf, size_t bufsz)
{
	char action[PROTO_POLICY_REPLY_MAX];
	const char *send = PROTO_POLICY_DUNNO;

	if (rq->state == PPST_RCPT) {
		if (v == NULL ||
		    proto_policy_action(acts, mode, v, action,
		    sizeof(action)) == -1)
			return proto_policy_reply(monitor ? PROTO_POLICY_DUNNO :
			    PROTO_POLICY_INTERNAL, buf, bufsz);
		switch (proto_policy_txn_step(t, rq->state, rq->instance,
		    v->verdict, class_id, action, monitor)) {
		case PPA_ACTION:
			send = action;
			break;
		case PPA_SPLIT:
			send = PROTO_POLICY_SPLIT;
			break;
		default:
			break;
		}
	} else
		(void)proto_policy_txn_step(t, rq->state, rq->instance,
		    VERDICT_TEMPFAIL, NULL, NULL, monitor);
	return proto_policy_reply(send, buf, bufsz);
}
