/*
 * proto_policy.c: Postfix policy delegation (specs/protocol.md section 2):
 * the line-at-a-time request parser, the action/reply encoder and the
 * per-connection transaction logic of 2.5.  Pure: no I/O; the connection
 * layer frames lines and writes replies.  Every limit is checked before
 * the octets it limits are stored.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/refusal.h"
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

/* Their names and lengths, so a name is compared only where it fits. */
#define KNOWN(s)	{ s, sizeof(s) - 1 }
static const struct {
	const char	*name;
	size_t		 len;
} known_names[K_COUNT] = {
	KNOWN("request"), KNOWN("protocol_state"), KNOWN("sender"),
	KNOWN("recipient"), KNOWN("instance"), KNOWN("queue_id"),
	KNOWN("client_address"), KNOWN("client_name"),
	KNOWN("sasl_username"), KNOWN("ccert_pubkey_fingerprint"),
};
#undef KNOWN

static const char *const err_names[] = {
	"ok", "line-too-long", "too-many-attributes", "request-too-big",
	"nul", "cr", "no-equals", "bad-name", "duplicate", "truncated",
	"no-request", "bad-request", "no-protocol-state", "no-recipient",
	"nomem", "after-error",
};

/*
 * The names seen in the current request, for the duplicate check: an
 * open-addressing table (twice the attributes allowed, so a probe always
 * ends) whose slots belong to the request of generation GEN; a reset
 * only bumps GEN (and clears the table when GEN wraps, once in 255
 * requests).  A slot's name is in BLOCK when the request came whole
 * (proto_policy_parse: the names are needed only while it runs), else
 * copied into ARENA.  The values of known attributes are copied into
 * ARENA: each line stores at most its own length (name, value, NUL), and
 * lines are limited to PROTO_POLICY_REQ_MAX octets in all.  ARENA is
 * SMALL (PROTO_POLICY_ARENA_INIT octets, inside the parser) until a
 * request needs more; it then doubles, up to PROTO_POLICY_REQ_MAX, on
 * the heap, and proto_policy_shrink gives that back.
 */
#define NSLOTS	(2 * PROTO_POLICY_ATTR_MAX)

struct name_slot {
	uint16_t	 off;		/* the name in ARENA */
	uint8_t		 len;		/* <= PROTO_POLICY_NAME_MAX */
	uint8_t		 gen;
};

struct proto_policy_parser {
	int		 done;		/* PPS_DONE returned */
	int		 failed;	/* PPS_ERROR returned */
	size_t		 nattrs;
	size_t		 size;
	size_t		 used;		/* octets of ARENA in use */
	size_t		 acap;		/* octets of ARENA */
	char		*arena;		/* SMALL, or grown on the heap */
	uint8_t		 gen;
	const char	*block;		/* proto_policy_parse's, or NULL */
	struct name_slot slots[NSLOTS];
	char		*vals[K_COUNT];
	struct proto_policy_request rq;
	char		 small[PROTO_POLICY_ARENA_INIT];
};

struct proto_policy_parser *
proto_policy_parser_new(void)
{
	struct proto_policy_parser *p;

	if ((p = malloc(sizeof(*p))) == NULL)
		return NULL;
	memset(p, 0, offsetof(struct proto_policy_parser, small));
	p->gen = 1;
	p->arena = p->small;
	p->acap = sizeof(p->small);
	return p;
}

void
proto_policy_reset(struct proto_policy_parser *p)
{
	p->done = p->failed = 0;
	p->nattrs = p->size = p->used = 0;
	p->block = NULL;
	memset(p->vals, 0, sizeof(p->vals));
	memset(&p->rq, 0, sizeof(p->rq));
	if (++p->gen == 0) {
		memset(p->slots, 0, sizeof(p->slots));
		p->gen = 1;
	}
}

void
proto_policy_shrink(struct proto_policy_parser *p)
{
	if (p->arena != p->small)
		free(p->arena);
	p->arena = p->small;
	p->acap = sizeof(p->small);
	proto_policy_reset(p);
}

size_t
proto_policy_arena_size(const struct proto_policy_parser *p)
{
	return p->acap;
}

void
proto_policy_parser_free(struct proto_policy_parser *p)
{
	if (p == NULL)
		return;
	if (p->arena != p->small)
		free(p->arena);
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

/*
 * Octet classes for names: 1 for [a-z0-9_], 2 for '=', 0 otherwise.
 */
#define N1(c)	[c] = 1
static const unsigned char name_class[256] = {
	N1('a'), N1('b'), N1('c'), N1('d'), N1('e'), N1('f'), N1('g'),
	N1('h'), N1('i'), N1('j'), N1('k'), N1('l'), N1('m'), N1('n'),
	N1('o'), N1('p'), N1('q'), N1('r'), N1('s'), N1('t'), N1('u'),
	N1('v'), N1('w'), N1('x'), N1('y'), N1('z'), N1('0'), N1('1'),
	N1('2'), N1('3'), N1('4'), N1('5'), N1('6'), N1('7'), N1('8'),
	N1('9'), N1('_'), ['='] = 2,
};
#undef N1

/*
 * name_len: the length of the name that starts LINE (N octets) and ends
 * at its '=', or 0 when LINE does not start with a name of 2.1
 * ([a-z0-9_]{1,64}) followed by '='.
 */
static size_t
name_len(const char *line, size_t n)
{
	const unsigned char *s = (const unsigned char *)line;
	size_t i = 0;

	while (i < n && name_class[s[i]] == 1)
		i++;
	if (i == 0 || i == n || s[i] != '=' || i > PROTO_POLICY_NAME_MAX)
		return 0;
	return i;
}

/* name_mask: the bits of a 64-bit load that hold its first N (< 8) octets */
static uint64_t
name_mask(size_t n)
{
	static const unsigned char ones[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	uint64_t m;

	memcpy(&m, ones + 8 - n, 8);
	return m;
}

/*
 * name_hash: a hash of the name S (N octets, 1 to 64; LINE, the N octets
 * or more that start with it): its length and its first and last 8
 * octets (or fewer).  Names that share them only cost a comparison more.
 * When the line has 8 octets, its first 8 are read at once and the ones
 * past the name masked off.
 */
static uint32_t
name_hash(const char *s, size_t n, size_t line)
{
	uint64_t a = 0, b = 0;

	if (line >= 8) {
		memcpy(&a, s, 8);
		if (n < 8)	/* little or big endian: keep the name's */
			a &= name_mask(n);
	} else
		memcpy(&a, s, n);
	if (n > 8)
		memcpy(&b, s + n - 8, 8);
	a = (a ^ (b * 0x9e3779b97f4a7c15ULL) ^ n) * 0xff51afd7ed558ccdULL;
	return (uint32_t)(a >> 32);
}

/*
 * name_add: remember the name S (N octets, hash H: its first slot) of
 * this request; a slot keeps the name's place in ARENA and its length.
 * Returns 0, or -1 when the request already has it.
 */
static int
name_add(struct proto_policy_parser *p, const char *s, size_t n, uint32_t h)
{
	struct name_slot *sl;
	size_t i = h & (NSLOTS - 1);

	for (;; i = (i + 1) & (NSLOTS - 1)) {
		sl = &p->slots[i];
		if (sl->gen != p->gen)
			break;
		if (sl->len == n && memcmp((p->block != NULL ? p->block :
		    p->arena) + sl->off, s, n) == 0)
			return -1;
	}
	sl->gen = p->gen;
	sl->len = (uint8_t)n;
	if (p->block != NULL) {
		/* the line starts within PROTO_POLICY_REQ_MAX octets */
		sl->off = (uint16_t)(s - p->block);
		return 0;
	}
	memcpy(p->arena + p->used, s, n);
	sl->off = (uint16_t)p->used;
	p->used += n;
	return 0;
}

/* known: the K_ index of the name S (N octets), or K_COUNT. */
static enum known
known(const char *s, size_t n)
{
	enum known a = K_COUNT, b = K_COUNT;

	/* only the names of this length: at most two */
	switch (n) {
	case 6:
		a = K_SENDER;
		break;
	case 7:
		a = K_REQUEST;
		break;
	case 8:
		a = K_INSTANCE;
		b = K_QUEUE_ID;
		break;
	case 9:
		a = K_RECIPIENT;
		break;
	case 11:
		a = K_CLIENT_NAME;
		break;
	case 13:
		a = K_SASL_USERNAME;
		break;
	case 14:
		a = K_PROTOCOL_STATE;
		b = K_CLIENT_ADDRESS;
		break;
	case 24:
		a = K_CCERT_FPR;
		break;
	default:
		return K_COUNT;
	}
	if (known_names[a].len == n && memcmp(known_names[a].name, s, n) == 0)
		return a;
	if (b != K_COUNT && known_names[b].len == n &&
	    memcmp(known_names[b].name, s, n) == 0)
		return b;
	return K_COUNT;
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

/*
 * arena_grow: make room for NEED more octets in the arena (doubling, at
 * most PROTO_POLICY_REQ_MAX in all), moving the values already stored.
 * Returns 0, or -1 when out of memory (the arena is then unchanged).
 */
static int
arena_grow(struct proto_policy_parser *p, size_t need)
{
	size_t cap = p->acap, k;
	char *na;

	while (cap - p->used < need && cap < PROTO_POLICY_REQ_MAX)
		cap *= 2;
	if (cap > PROTO_POLICY_REQ_MAX)
		cap = PROTO_POLICY_REQ_MAX;
	if (cap - p->used < need)
		return -1;	/* cannot happen: the request limit came first */
	if ((na = malloc(cap)) == NULL)
		return -1;
	memcpy(na, p->arena, p->used);
	for (k = 0; k < K_COUNT; k++)
		if (p->vals[k] != NULL)
			p->vals[k] = na + (p->vals[k] - p->arena);
	if (p->arena != p->small)
		free(p->arena);
	p->arena = na;
	p->acap = cap;
	return 0;
}

/*
 * feed_line: proto_policy_feed's work.  CLEAN: the caller knows LINE has
 * no NUL and no CR, and no LF before its last octet, so those scans are
 * skipped.
 */
static enum proto_policy_status
feed_line(struct proto_policy_parser *p, const char *line, size_t len,
    enum proto_policy_err *err, int clean)
{
	const char *eq;
	size_t n, namelen, vlen;
	enum known k;

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
	if (!clean) {
		if (memchr(line, '\0', n) != NULL)
			return fail(p, PPE_NUL, err);
		if (memchr(line, '\r', n) != NULL ||
		    memchr(line, '\n', n) != NULL)
			return fail(p, PPE_CR, err);
	}
	if ((namelen = name_len(line, n)) == 0)
		return fail(p, memchr(line, '=', n) == NULL ? PPE_NO_EQUALS :
		    PPE_NAME, err);
	eq = line + namelen;
	/* name + value + NUL <= N, the line without its LF: room for N */
	if (n > p->acap - p->used && arena_grow(p, n) == -1)
		return fail(p, PPE_NOMEM, err);
	if (name_add(p, line, namelen, name_hash(line, namelen, n)) == -1)
		return fail(p, PPE_DUPLICATE, err);
	if ((k = known(line, namelen)) != K_COUNT) {
		vlen = n - namelen - 1;
		p->vals[k] = p->arena + p->used;
		memcpy(p->arena + p->used, eq + 1, vlen);
		p->arena[p->used + vlen] = '\0';
		p->used += vlen + 1;
	}
	return PPS_MORE;
}

enum proto_policy_status
proto_policy_feed(struct proto_policy_parser *p, const char *line, size_t len,
    enum proto_policy_err *err)
{
	return feed_line(p, line, len, err, 0);
}

enum proto_policy_status
proto_policy_parse(struct proto_policy_parser *p, const char *block,
    size_t len, enum proto_policy_err *err)
{
	enum proto_policy_status st = PPS_MORE;
	const char *s = block, *end = block + len, *nl;
	int clean;

	proto_policy_reset(p);
	p->block = block;
	if (err != NULL)
		*err = PPE_OK;
	/* one scan of the block instead of three per line */
	clean = memchr(block, '\0', len) == NULL &&
	    memchr(block, '\r', len) == NULL;
	while (st == PPS_MORE && s < end) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			break;
		st = feed_line(p, s, (size_t)(nl - s) + 1, err, clean);
		s = nl + 1;
	}
	if (st == PPS_MORE)
		st = feed_line(p, "\n", 1, err, 1);
	p->block = NULL;	/* the caller's: gone after the return */
	return st;
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

/* field_of: TF, or V's tag and reason alone, with tag TAG, in *F. */
static void
field_of(const struct verdict_output *v, const struct trustfield *tf,
    enum verdict_tag tag, int with_sender, struct trustfield *f)
{
	if (tf != NULL)
		*f = *tf;
	else
		trustfield_set(f, v->tag, v->reason, NULL, NULL);
	f->tag = tag;
	if (!with_sender)
		f->sender[0] = '\0';
	if (tag != VT_TRUSTED && tag != VT_AUTHORIZED)
		f->has_key = 0;
}

/*
 * expand: the template T for V of recipient RCPT in MODE with the field
 * F; -1 when it fails.
 */
static int
expand(const char *t, enum verdict_mode mode, const struct verdict_output *v,
    const char *rcpt, const struct trustfield *f, char *buf, size_t bufsz)
{
	char field[TRUSTFIELD_MAX + 1], text[REFUSAL_TEXT_SIZE];
	const char *p, *sub;
	size_t len = 0, span;

	buf[0] = '\0';
	for (p = t; *p != '\0';) {
		/* plain text up to the next '{', CR or LF in one copy */
		if ((span = strcspn(p, "{\r\n")) > 0) {
			if (append(buf, bufsz, &len, p, span) == -1)
				return -1;
			p += span;
			continue;
		}
		if (*p == '\r' || *p == '\n')
			return -1;
		sub = NULL;
		if (strncmp(p, "{reason}", 8) == 0) {
			sub = verdict_reason_name(v->reason);
			p += 8;
		} else if (strncmp(p, "{tag}", 5) == 0) {
			sub = verdict_tag_name(v->tag);
			p += 5;
		} else if (strncmp(p, "{trust}", 7) == 0) {
			if (trustfield_encode(f, field, sizeof(field)) == -1)
				return -1;
			sub = field;
			p += 7;
		} else if (strncmp(p, "{text}", 6) == 0) {
			if (refusal_text(mode, v->reason, rcpt, text,
			    sizeof(text)) == -1)
				return -1;
			sub = text;
			p += 6;
		}
		if (sub != NULL) {
			if (append(buf, bufsz, &len, sub, strlen(sub)) == -1)
				return -1;
		} else {
			if (append(buf, bufsz, &len, p, 1) == -1)
				return -1;
			p++;
		}
	}
	return len == 0 ? -1 : (int)len;
}

int
proto_policy_action(const struct proto_policy_actions *acts,
    enum verdict_mode mode, const struct verdict_output *v, const char *rcpt,
    const struct trustfield *tf, char *buf, size_t bufsz)
{
	struct trustfield f;
	const char *t;
	enum verdict_tag tag;
	int n;

	if (bufsz == 0)
		return -1;
	buf[0] = '\0';
	if (v == NULL || (t = pick(acts, mode, v->verdict)) == NULL)
		goto fail;
	/* a tempfail has no field: "{trust}" says untrusted, as {tag} "-" */
	tag = v->tag == VT_NONE ? VT_UNTRUSTED : v->tag;
	field_of(v, tf, tag, 1, &f);
	if ((n = expand(t, mode, v, rcpt, &f, buf, bufsz)) > 0)
		return n;
	field_of(v, tf, tag, 0, &f);
	if ((n = expand(t, mode, v, rcpt, &f, buf, bufsz)) > 0)
		return n;
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
	/* the texts are read only up to their NUL: no need to clear them */
	t->have_instance = 0;
	memset(t->instance, 0, sizeof(t->instance));
	t->fixed = 0;
	t->class_id[0] = '\0';
	t->action[0] = '\0';
}

/*
 * instance_key: the value that stands for instance S in the state: the
 * text itself when it is short (tag 0, NUL-padded; a value holds no NUL),
 * else its SHA-256 (tag 1).  Postfix's instances are about 20 octets, so
 * a request normally costs no digest.  Returns 0, or -1 when the digest
 * failed.
 */
static int
instance_key(const char *s, unsigned char out[PROTO_POLICY_TXN_KEY])
{
	size_t n = strlen(s);
	unsigned int dn = 0;

	memset(out, 0, PROTO_POLICY_TXN_KEY);
	if (n < PROTO_POLICY_TXN_KEY - 1) {
		memcpy(out + 1, s, n);
		return 0;
	}
	out[0] = 1;
	return EVP_Digest(s, n, out + 1, &dn, EVP_sha256(), NULL) == 1 &&
	    dn == 32 ? 0 : -1;
}

enum proto_policy_answer
proto_policy_txn_step(struct proto_policy_txn *t, enum proto_policy_state st,
    const char *instance, enum verdict v, const char *class_id,
    const char *action, int monitor)
{
	unsigned char k[PROTO_POLICY_TXN_KEY];
	size_t alen, clen;

	/* Which transaction is this?  Without instance, none. */
	if (instance == NULL || instance_key(instance, k) == -1)
		proto_policy_txn_init(t);
	else if (!t->have_instance || memcmp(t->instance, k, sizeof(k)) != 0) {
		proto_policy_txn_init(t);
		t->have_instance = 1;
		memcpy(t->instance, k, sizeof(k));
	}
	if (st == PPST_END_OF_MESSAGE) {
		proto_policy_txn_init(t);
		return PPA_DUNNO;
	}
	if (st != PPST_RCPT)
		return PPA_DUNNO;
	if (monitor) {
		/* every recipient is accepted: the first one's field */
		if (!t->have_instance)
			return PPA_ACTION;
		if (t->fixed)
			return PPA_DUNNO;
		t->fixed = 1;
		return PPA_ACTION;
	}
	if (v != VERDICT_AUTHORIZED && v != VERDICT_UNTRUSTED)
		return PPA_ACTION;
	if (class_id == NULL)
		class_id = "";
	if (action == NULL)
		action = "";
	if (!t->have_instance)
		return PPA_ACTION;	/* stands alone */
	if ((alen = strlen(action)) >= sizeof(t->action))
		return PPA_SPLIT;	/* cannot compare: never merge */
	if (!t->fixed) {
		t->fixed = 1;
		if ((clen = strlen(class_id)) >= sizeof(t->class_id))
			clen = sizeof(t->class_id) - 1;
		memcpy(t->class_id, class_id, clen);
		t->class_id[clen] = '\0';
		memcpy(t->action, action, alen + 1);
		return PPA_ACTION;
	}
	if (strcmp(t->class_id, class_id) == 0 &&
	    strcmp(t->action, action) == 0)
		return PPA_DUNNO;
	return PPA_SPLIT;
}

/*
 * monitor_action: the field monitor mode prepends for V (2.4): TF with
 * V's tag, "untrusted" where a tempfail has no tag (the message is
 * accepted unproven).  -1 when V is NULL or it does not fit.
 */
static int
monitor_action(const struct verdict_output *v, const struct trustfield *tf,
    char *buf, size_t bufsz)
{
	struct trustfield f;
	enum verdict_tag tag;

	if (v == NULL)
		return -1;
	tag = v->tag == VT_NONE ? VT_UNTRUSTED : v->tag;
	field_of(v, tf, tag, 1, &f);
	if (expand("PREPEND Sender-Key-Trust: {trust}", VM_ALLOW, v, NULL, &f,
	    buf, bufsz) > 0)
		return 0;
	field_of(v, tf, tag, 0, &f);
	return expand("PREPEND Sender-Key-Trust: {trust}", VM_ALLOW, v, NULL,
	    &f, buf, bufsz) > 0 ? 0 : -1;
}

int
proto_policy_respond(struct proto_policy_txn *t,
    const struct proto_policy_actions *acts,
    const struct proto_policy_request *rq, enum verdict_mode mode,
    const struct verdict_output *v, const struct trustfield *tf,
    const char *class_id, int monitor, char *buf, size_t bufsz)
{
	char action[PROTO_POLICY_REPLY_MAX];
	const char *send = PROTO_POLICY_DUNNO;

	if (rq->state == PPST_RCPT) {
		if (monitor) {
			if (monitor_action(v, tf, action, sizeof(action)) == -1)
				return proto_policy_reply(PROTO_POLICY_DUNNO,
				    buf, bufsz);
		} else if (v == NULL ||
		    proto_policy_action(acts, mode, v, rq->recipient, tf, action,
		    sizeof(action)) == -1)
			return proto_policy_reply(PROTO_POLICY_INTERNAL, buf,
			    bufsz);
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
