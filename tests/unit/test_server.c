/*
 * test_server: senderkeyd's request path (dispatch, server_req, the
 * reply and log-line modules, server.c) driven as the daemon runs it:
 * server_new with a fake DNS backend that answers from a table of test
 * domains (made by lookup_classify, as the real resolver makes them),
 * listening on Unix sockets in a temp dir, a client writing requests
 * and reading replies while the loop turns.  The replies are compared
 * with specs/protocol.md (3.3's examples, class ids included, and 2.6's)
 * and specs/verdicts.md's decision table; the log line with the fields
 * of protocol.md.  Nothing waits on a clock: each step turns the loop
 * until the reply is complete (a DNSTimeout of 200 ms makes the timeout
 * path).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/addr.h"
#include "lib/config.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "lib/owner.h"
#include "core/lookup.h"
#include "core/proto_line.h"
#include "core/proto_line_lookup.h"
#include "core/store.h"
#include "resolver/cache.h"
#include "resolver/journal.h"
#include "resolver/log.h"
#include "resolver/loop.h"
#include "resolver/server.h"
#include "resolver/uentry.h"
#include "answers.h"
#include "t.h"

/* --- the fake DNS --- */

enum zkind { Z_SECURE, Z_NX, Z_INSECURE, Z_BOGUS, Z_SERVFAIL, Z_HANG };

/* A test domain: how its key names and its policy name answer. */
struct zone {
	const char	*domain;
	enum zkind	 key, policy;
	const char	*keytxt;	/* the one key record, or NULL */
	const char	*poltxt;	/* the policy record, or NULL */
	const char	*dkimtxt;	/* the DKIM key record (its DKIM
					   names answer as key names) */
};

/* ANS_ALICE's key as a DKIM key record (the DKIM bridge). */
#define DKIM_ALICE "v=DKIM1; k=ed25519; h=sha256; s=email; t=s; " \
	"p=8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk="

static const struct zone zones[] = {
	{ "secure.test", Z_SECURE, Z_NX, ANS_ALICE, NULL, DKIM_ALICE },
	{ "secure2.test", Z_SECURE, Z_NX, ANS_ALICE, NULL, NULL },
	{ "nokey.test", Z_NX, Z_NX, NULL, NULL, NULL },
	{ "strict.test", Z_NX, Z_SECURE, NULL, "v=SK1; policy=all", NULL },
	{ "revoked.test", Z_SECURE, Z_NX, ANS_REVOKED, NULL, NULL },
	{ "bogus.test", Z_BOGUS, Z_BOGUS, NULL, NULL, NULL },
	{ "down.test", Z_SERVFAIL, Z_SERVFAIL, NULL, NULL, NULL },
	{ "slow.test", Z_HANG, Z_HANG, NULL, NULL, NULL },
	{ "plain.test", Z_INSECURE, Z_INSECURE, ANS_ALICE, NULL, DKIM_ALICE },
	{ "partner.org", Z_SECURE, Z_NX, ANS_BOB, NULL, NULL },
};

#define FAKE_MAXQ	128

struct fake {
	struct loop_timer	*t;
	unsigned		 queries;	/* started */
	struct {
		char		 qname[300];
		enum lookup_kind kind;
		lookup_cb	 cb;
		void		*arg;
		int		 live;
	} q[FAKE_MAXQ];
	int			 nq;
};

/* zone_of: the test domain QNAME is under (NULL: none). */
static const struct zone *
zone_of(const char *qname)
{
	const char *p = strstr(qname, "_senderkey.");
	size_t i, n;

	if (p != NULL)
		p += strlen("_senderkey.");
	else if ((p = strstr(qname, "._domainkey.")) != NULL)
		p += strlen("._domainkey.");
	else
		return NULL;
	n = strlen(p);
	if (n > 0 && p[n - 1] == '.')
		n--;
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (strlen(zones[i].domain) == n &&
		    strncmp(zones[i].domain, p, n) == 0)
			return &zones[i];
	return NULL;
}

static enum zkind
kind_of(const struct zone *z, enum lookup_kind k)
{
	if (z == NULL)
		return Z_NX;
	return k != LOOKUP_POLICY ? z->key : z->policy;
}

static struct lookup_answer *
answer_of(const struct zone *z, enum lookup_kind k)
{
	static const enum ans_kind ak[] = { ANS_SECURE, ANS_NXDOMAIN,
	    ANS_INSECURE, ANS_BOGUS, ANS_SERVFAIL };
	const char *txt = z == NULL ? NULL : k == LOOKUP_KEY ? z->keytxt :
	    k == LOOKUP_DKIM ? z->dkimtxt : z->poltxt;

	return ans_make(k, ak[kind_of(z, k)], &txt, txt != NULL ? 1 : 0,
	    3600);
}

/* on_fake_timer: answer every query in flight but the hanging ones. */
static void
on_fake_timer(void *arg)
{
	struct fake *f = arg;
	const struct zone *z;
	int i;

	for (i = 0; i < f->nq; i++) {
		if (!f->q[i].live)
			continue;
		z = zone_of(f->q[i].qname);
		if (kind_of(z, f->q[i].kind) == Z_HANG)
			continue;
		f->q[i].live = 0;
		f->q[i].cb(f->q[i].arg, i, answer_of(z, f->q[i].kind));
	}
}

static int
fake_start(void *barg, const char *qname, enum lookup_kind kind,
    lookup_cb cb, void *cbarg, int *id)
{
	struct fake *f = barg;
	int i = f->nq;

	if (i >= FAKE_MAXQ)
		return -1;
	snprintf(f->q[i].qname, sizeof(f->q[i].qname), "%s", qname);
	f->q[i].kind = kind;
	f->q[i].cb = cb;
	f->q[i].arg = cbarg;
	f->q[i].live = 1;
	f->nq++;
	f->queries++;
	*id = i;
	loop_timer_set(f->t, 0);	/* answered in a later loop round */
	return 0;
}

static void
fake_cancel(void *barg, int id)
{
	struct fake *f = barg;

	if (id >= 0 && id < f->nq)
		f->q[id].live = 0;
}

static const struct cache_backend fake_be = { fake_start, fake_cancel };

/* --- the bed: loop, server, sockets --- */

struct bed {
	char		 dir[64];
	struct loop	*l;
	struct config	*cfg;
	struct log	*lg;
	struct server	*s;
	struct store	*st;
	struct fake	 f;
	char		 line_path[128], policy_path[128], log_path[128];
	char		 client_path[128];
	int		 saved_stderr;
};

static int
listen_on(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, 16) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
dial(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
bed_up(struct bed *b)
{
	int fd, lfd;

	memset(b, 0, sizeof(*b));
	b->saved_stderr = -1;
	snprintf(b->dir, sizeof(b->dir), "/tmp/sk-test-server.XXXXXX");
	if (mkdtemp(b->dir) == NULL)
		return -1;
	snprintf(b->line_path, sizeof(b->line_path), "%s/line.sock", b->dir);
	snprintf(b->policy_path, sizeof(b->policy_path), "%s/policy.sock",
	    b->dir);
	snprintf(b->log_path, sizeof(b->log_path), "%s/log", b->dir);
	snprintf(b->client_path, sizeof(b->client_path), "%s/client.sock",
	    b->dir);
	/* the log (foreground: stderr) goes to a file the test reads */
	if ((fd = open(b->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	fflush(stderr);
	b->saved_stderr = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	if ((b->l = loop_new()) == NULL || (b->cfg = config_default()) ==
	    NULL || (b->lg = log_new("senderkeyd", 1, LOG_MAIL)) == NULL ||
	    (b->f.t = loop_timer_new(b->l, on_fake_timer, &b->f)) == NULL)
		return -1;
	b->cfg->dns_timeout_ms = 200;
	if ((b->s = server_new(b->l, NULL, &fake_be, &b->f, b->lg,
	    b->cfg)) == NULL)
		return -1;
	if ((lfd = listen_on(b->line_path)) == -1 ||
	    server_listen(b->s, lfd, SERVER_LINE) == -1)
		return -1;
	if ((lfd = listen_on(b->policy_path)) == -1 ||
	    server_listen(b->s, lfd, SERVER_POLICY) == -1)
		return -1;
	if ((lfd = listen_on(b->client_path)) == -1 ||
	    server_listen(b->s, lfd, SERVER_CLIENT) == -1)
		return -1;
	return 0;
}

static void
bed_down(struct bed *b)
{
	char p[200];

	server_free(b->s);
	store_free(b->st);
	loop_timer_free(b->f.t);
	log_free(b->lg);
	config_free(b->cfg);
	loop_free(b->l);
	if (b->saved_stderr != -1) {
		fflush(stderr);
		dup2(b->saved_stderr, STDERR_FILENO);
		close(b->saved_stderr);
	}
	unlink(b->line_path);
	unlink(b->policy_path);
	unlink(b->client_path);
	unlink(b->log_path);
	snprintf(p, sizeof(p), "%s/store.db", b->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/store.db-wal", b->dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/store.db-shm", b->dir);
	unlink(p);
	rmdir(b->dir);
}

/* complete: OUT (LEN octets) holds N replies (line: N LFs; policy: N
 * empty-line ends). */
static int
complete(const char *out, size_t len, int n, int policy)
{
	const char *p = out, *e = out + len, *q;
	int got = 0;

	while (p < e && (q = policy ? memmem(p, (size_t)(e - p), "\n\n", 2) :
	    memchr(p, '\n', (size_t)(e - p))) != NULL) {
		got++;
		p = q + (policy ? 2 : 1);
	}
	return got >= n;
}

/*
 * exchange: write REQ on FD, turn the loop until N replies (or EOF) are
 * in OUT (NUL-terminated).  Returns the octets read, or -1.  The bound
 * on rounds is there so a broken server ends the test, not to time it.
 */
static ssize_t
exchange(struct bed *b, int fd, const char *req, int n, int policy,
    char *out, size_t outsz)
{
	size_t len = 0;
	ssize_t r;
	int i;

	if (req != NULL && write(fd, req, strlen(req)) !=
	    (ssize_t)strlen(req))
		return -1;
	out[0] = '\0';
	for (i = 0; i < 100000 && !complete(out, len, n, policy); i++) {
		loop_run_once(b->l, 10);
		r = recv(fd, out + len, outsz - 1 - len, MSG_DONTWAIT);
		if (r == 0)
			break;
		if (r > 0) {
			len += (size_t)r;
			out[len] = '\0';
		}
	}
	return (ssize_t)len;
}

/* ask: one line request LINE ("\n" added) and its one reply, in OUT. */
static const char *
ask(struct bed *b, int fd, const char *line, char *out, size_t outsz)
{
	char req[2048];

	snprintf(req, sizeof(req), "%s\n", line);
	if (exchange(b, fd, req, 1, 0, out, outsz) < 0)
		snprintf(out, outsz, "(exchange failed)");
	return out;
}

/* --- expected values --- */

static char alice_fp[KEY_FP_SIZE];	/* the key of ANS_ALICE */
static char alice_p[64];		/* its p= */
static char bob_fp[KEY_FP_SIZE];

static int
fp_of(const char *rec, char *fp, char *p64, size_t p64sz)
{
	struct keyrec *k = keyrec_parse(rec, strlen(rec), NULL, NULL);
	const struct keyrec_fields *kf;
	EVP_PKEY *pk = NULL;
	int rc = -1;

	if (k == NULL)
		return -1;
	kf = keyrec_get(k);
	if ((pk = key_from_record_bytes((int)kf->alg, kf->key,
	    kf->keylen)) != NULL && key_fingerprint(pk, fp, KEY_FP_SIZE) == 0)
		rc = 0;
	if (p64 != NULL) {
		const char *p = strstr(rec, "p=");

		snprintf(p64, p64sz, "%s", p != NULL ? p + 2 : "");
	}
	EVP_PKEY_free(pk);
	keyrec_free(k);
	return rc;
}

/* owner_of: the key owner name of ADDRESS. */
static const char *
owner_of(const char *address, char *out, size_t outsz)
{
	struct addr *a = addr_parse(address, NULL, NULL);

	if (a == NULL || owner_name(a, OWNER_SENDERKEY, out, outsz) == -1)
		snprintf(out, outsz, "?");
	addr_free(a);
	return out;
}

/* T_STARTS: a check that GOT begins with PREFIX; shows both if not. */
#define T_STARTS(got, prefix, ...)					\
	do {								\
		const char *t_g_ = (got), *t_p_ = (prefix);		\
		int t_ok_ = strncmp(t_g_, t_p_, strlen(t_p_)) == 0;	\
		t_report(t_ok_, __FILE__, __LINE__, __VA_ARGS__);	\
		if (!t_ok_)						\
			printf("#   got:  %s#   want: %s...\n", t_g_,	\
			    t_p_);					\
	} while (0)

/* starts: LINE begins with PREFIX. */
static int
starts(const char *line, const char *prefix)
{
	return strncmp(line, prefix, strlen(prefix)) == 0;
}


/* --- the line protocol --- */

/* authz: the verdicts of 3.3's examples and of each answer the DNS
 * gives, DefaultMode allow, no store. */
static void
authz(struct bed *b, int fd)
{
	char out[4096], req[512];
	unsigned q;

	T_STREQ(ask(b, fd, "AUTHZ sender=alice@secure.test "
	    "recipient=bob@example.net", out, sizeof(out)),
	    "untrusted sig-pending tag=untrusted lookup=secure-key "
	    "policy=some trust=untrusted;%20reason=sig-pending;%20"
	    "sender=alice@secure.test class=21c33b21cbddc32d\n",
	    "AUTHZ, secure key, no sig: protocol.md 3.3's reply");
	snprintf(req, sizeof(req), "AUTHZ sender=alice@secure.test "
	    "recipient=bob@example.net sig=pass key=%s", alice_fp);
	T_STREQ(ask(b, fd, req, out, sizeof(out)),
	    "authorized key-secure-signed tag=trusted lookup=secure-key "
	    "policy=some trust=trusted;%20reason=key-secure-signed;%20"
	    "sender=alice@secure.test;%20key="
	    "991303b76cb2209b2e22129e535c01f46fcc50532f10d4902dcd0bd373c2e784 "
	    "class=21c33b21cbddc32d\n",
	    "AUTHZ sig=pass with the published key: 3.3's reply, trust= with "
	    "the key");
	snprintf(req, sizeof(req), "AUTHZ sender=alice@secure.test "
	    "recipient=bob@example.net sig=pass key=%s", bob_fp);
	T_STARTS(ask(b, fd, req, out, sizeof(out)),
	    "untrusted sig-fail tag=untrusted lookup=secure-key ",
	    "AUTHZ sig=pass with a key not published: decided as sig=fail "
	    "");
	q = b->f.queries;
	T_STREQ(ask(b, fd, "AUTHZ sender= recipient=bob@example.net", out,
	    sizeof(out)), "untrusted null-sender tag=untrusted lookup=- "
	    "policy=- trust=untrusted;%20reason=null-sender "
	    "class=c6b1e134bd82ceae\n",
	    "AUTHZ null sender: 3.3's reply");
	T_STARTS(ask(b, fd, "AUTHZ sender=<> recipient=bob@example.net",
	    out, sizeof(out)), "untrusted null-sender tag=untrusted lookup=- "
	    "policy=- trust=untrusted;%20reason=null-sender class=",
	    "AUTHZ sender=<>: the null sender, no sender=");
	T_STARTS(ask(b, fd, "AUTHZ sender=no.at.sign recipient=b@x.test",
	    out, sizeof(out)), "untrusted sender-invalid tag=untrusted "
	    "lookup=- policy=- trust=untrusted;%20reason=sender-invalid "
	    "class=", "AUTHZ invalid sender, no sender=");
	T_OK(b->f.queries == q, "rules 1-3 ask no DNS");
	T_STARTS(ask(b, fd, "AUTHZ sender=carol@nokey.test "
	    "recipient=bob@example.net", out, sizeof(out)),
	    "untrusted no-key tag=untrusted lookup=secure-nokey policy=some "
	    "trust=", "AUTHZ no key");
	T_STARTS(ask(b, fd, "AUTHZ sender=hank@strict.test "
	    "recipient=bob@example.net", out, sizeof(out)),
	    "unauthorized no-key tag=unauthorized lookup=secure-nokey "
	    "policy=all trust=", "AUTHZ no key, domain policy all");
	T_STARTS(ask(b, fd, "AUTHZ sender=rob@revoked.test "
	    "recipient=bob@example.net", out, sizeof(out)),
	    "untrusted key-revoked tag=untrusted lookup=secure-nokey ",
	    "AUTHZ revoked key");
	T_STREQ(ask(b, fd, "AUTHZ sender=dave@bogus.test "
	    "recipient=bob@example.net queue_id=Q1", out, sizeof(out)),
	    "tempfail dns-bogus tag=- lookup=bogus policy=- "
	    "class=81dcff504660a166\n", "AUTHZ bogus: 3.3's reply");
	T_STARTS(ask(b, fd, "AUTHZ sender=erin@down.test "
	    "recipient=bob@example.net", out, sizeof(out)),
	    "tempfail dns-tempfail tag=- lookup=tempfail policy=- class=",
	    "AUTHZ SERVFAIL: tempfail");
	T_STARTS(ask(b, fd, "AUTHZ sender=frank@slow.test "
	    "recipient=bob@example.net", out, sizeof(out)),
	    "tempfail dns-tempfail tag=- lookup=tempfail policy=- class=",
	    "AUTHZ no answer before DNSTimeout: tempfail");
	T_STARTS(ask(b, fd, "AUTHZ sender=gina@plain.test "
	    "recipient=bob@example.net", out, sizeof(out)),
	    "untrusted key-insecure tag=untrusted lookup=insecure ",
	    "AUTHZ unsigned zone: key-insecure");
	q = b->f.queries;
	T_OK(starts(ask(b, fd, "AUTHZ sender=Alice@SECURE.test "
	    "recipient=bob@example.net", out, sizeof(out)),
	    "untrusted sig-pending ") && b->f.queries == q,
	    "AUTHZ again (another spelling): from the cache, no query");
}

static void
lookup(struct bed *b, int fd)
{
	char out[4096], want[1024], owner[256];
	struct proto_line_lookup l;

	owner_of("alice@secure.test", owner, sizeof(owner));
	snprintf(want, sizeof(want), "ok state=secure-key owner=%s "
	    "policy=some key=ed25519,%s,-,%s ttl=", owner, alice_fp, alice_p);
	ask(b, fd, "LOOKUP alice@secure.test", out, sizeof(out));
	T_STARTS(out, want, "LOOKUP secure key: 3.3's form");
	T_OK(proto_line_lookup_decode(out, &l) == 0 && l.ttl > 0 &&
	    l.ttl <= 3600, "LOOKUP: the codec reads it, ttl in (0, 3600]");
	owner_of("frank@slow.test", owner, sizeof(owner));
	snprintf(want, sizeof(want), "ok state=tempfail owner=%s "
	    "policy=tempfail why=timeout ttl=0\n", owner);
	T_STREQ(ask(b, fd, "LOOKUP frank@slow.test", out, sizeof(out)), want,
	    "LOOKUP no answer before DNSTimeout: why=timeout, not cached");
	owner_of("dave@bogus.test", owner, sizeof(owner));
	snprintf(want, sizeof(want), "ok state=bogus owner=%s policy=tempfail "
	    "why=signature%%20expired ttl=", owner);
	T_STARTS(ask(b, fd, "LOOKUP dave@bogus.test", out, sizeof(out)),
	    want, "LOOKUP bogus: why= percent-encoded");
	owner_of("rob@revoked.test", owner, sizeof(owner));
	snprintf(want, sizeof(want), "ok state=secure-nokey nokey=revoked "
	    "owner=%s policy=some ttl=", owner);
	T_STARTS(ask(b, fd, "LOOKUP rob@revoked.test", out, sizeof(out)),
	    want, "LOOKUP revoked: nokey=revoked");
	T_STREQ(ask(b, fd, "LOOKUP no-at-sign", out, sizeof(out)),
	    "error bad-address\n", "LOOKUP of no address: bad-address");
	T_STREQ(ask(b, fd, "LOOKUP", out, sizeof(out)),
	    "error missing-argument\n", "LOOKUP alone: missing-argument");
}

/*
 * DKIMKEY: the daemon names the DKIM owner itself and asks for it as a
 * LOOKUP_DKIM, cached apart from the LOOKUP of the same sender.
 */
static void
dkimkey(struct bed *b, int fd)
{
	char out[4096], want[1024], owner[256];
	struct proto_line_lookup l;
	struct addr *a = addr_parse("alice@secure.test", NULL, NULL);
	unsigned q;
	int last;

	if (a == NULL || owner_name(a, OWNER_DKIM, owner, sizeof(owner)) == -1)
		snprintf(owner, sizeof(owner), "?");
	addr_free(a);
	snprintf(want, sizeof(want), "ok state=secure-key owner=%s "
	    "key=ed25519,%s,-,%s ttl=", owner, alice_fp, alice_p);
	q = b->f.queries;
	ask(b, fd, "DKIMKEY alice@secure.test", out, sizeof(out));
	T_STARTS(out, want, "DKIMKEY secure key: LOOKUP's form, no policy=");
	T_OK(b->f.queries == q + 1, "DKIMKEY: one query (LOOKUP's cached "
	    "answer of the same sender is not used)");
	last = b->f.nq - 1;
	T_OK(last >= 0 && b->f.q[last].kind == LOOKUP_DKIM &&
	    strcmp(b->f.q[last].qname, owner) == 0, "DKIMKEY: the query is "
	    "LOOKUP_DKIM of the sender's own DKIM name %s", owner);
	T_OK(proto_line_lookup_dkim_decode(out, &l) == 0 && l.nkeys == 1 &&
	    l.ttl > 0 && l.ttl <= 3600, "DKIMKEY: the codec reads it");
	q = b->f.queries;
	ask(b, fd, "DKIMKEY Alice@SECURE.test", out, sizeof(out));
	T_OK(starts(out, want) && b->f.queries == q, "DKIMKEY again (another "
	    "spelling): from the cache, no query");
	ask(b, fd, "LOOKUP alice@secure.test", out, sizeof(out));
	T_OK(starts(out, "ok state=secure-key ") && strstr(out, " policy=")
	    != NULL && strstr(out, "_senderkey.") != NULL, "LOOKUP after "
	    "DKIMKEY: still the key record's answer");
	T_STARTS(ask(b, fd, "DKIMKEY gina@plain.test", out, sizeof(out)),
	    "ok state=insecure owner=sk", "DKIMKEY unsigned zone: insecure");
	T_STARTS(ask(b, fd, "DKIMKEY nobody@nokey.test", out, sizeof(out)),
	    "ok state=secure-nokey nokey=absent owner=sk",
	    "DKIMKEY no record: secure-nokey nokey=absent");
	T_STARTS(ask(b, fd, "DKIMKEY dave@bogus.test", out, sizeof(out)),
	    "ok state=bogus owner=sk", "DKIMKEY bogus");
	T_STREQ(ask(b, fd, "DKIMKEY no-at-sign", out, sizeof(out)),
	    "error bad-address\n", "DKIMKEY of no address: bad-address");
	T_STREQ(ask(b, fd, "DKIMKEY", out, sizeof(out)),
	    "error missing-argument\n", "DKIMKEY alone: missing-argument");
	T_STREQ(ask(b, fd, "DKIMKEY alice@secure.test sk1._domainkey.x.test.",
	    out, sizeof(out)), "error bad-argument\n", "DKIMKEY with a name "
	    "beside the address: bad-argument");
	ask(b, fd, "STATS", out, sizeof(out));
	T_OK(strstr(out, " requests_dkimkey=5 ") != NULL, "STATS counts 5 "
	    "DKIMKEY requests whose address parsed");
}

static void
misc(struct bed *b, int fd)
{
	char out[8192];

	T_STREQ(ask(b, fd, "PING", out, sizeof(out)),
	    "ok pong proto=1 version=" SENDERKEY_VERSION "\n", "PING");
	T_STREQ(ask(b, fd, "HELLO", out, sizeof(out)), "error bad-command\n",
	    "an unknown command: bad-command");
	T_STREQ(ask(b, fd, "AUTHZ sender=a@b.test", out, sizeof(out)),
	    "error missing-argument\n", "AUTHZ without recipient");
	T_STREQ(ask(b, fd, "AUTHZ sender=a@b.test recipient=c@d.test sig=pass",
	    out, sizeof(out)), "error missing-argument\n",
	    "AUTHZ sig=pass without key");
	/* three requests in one write: the replies in request order */
	exchange(b, fd, "PING\nAUTHZ sender=ivy@secure2.test "
	    "recipient=bob@example.net\nPING\n", 3, 0, out, sizeof(out));
	T_STREQ(out, "ok pong proto=1 version=" SENDERKEY_VERSION "\n"
	    "untrusted sig-pending tag=untrusted lookup=secure-key "
	    "policy=some trust=untrusted;%20reason=sig-pending;%20"
	    "sender=ivy@secure2.test class=21c33b21cbddc32d\n"
	    "ok pong proto=1 version=" SENDERKEY_VERSION "\n",
	    "pipelined PING, AUTHZ (waits on DNS), PING: in order");
	ask(b, fd, "STATS", out, sizeof(out));
	T_STARTS(out, "ok uptime=", "STATS: ok uptime=...");
	T_OK(strstr(out, " requests_authz=15 ") != NULL &&
	    strstr(out, " requests_lookup=4 ") != NULL &&
	    strstr(out, " requests_ping=3 ") != NULL &&
	    strstr(out, " verdict_authorized=1 ") != NULL &&
	    strstr(out, " dnssec_bogus=2 ") != NULL,
	    "STATS counts what was asked");
}

/* --- Postfix policy delegation --- */

static const char *
policy_req(const char *state, const char *sender, const char *rcpt,
    char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "request=smtpd_access_policy\n"
	    "protocol_state=%s\nprotocol_name=ESMTP\n"
	    "client_address=192.0.2.10\nsender=%s\nrecipient=%s\n"
	    "queue_id=\nsasl_username=\n\n", state, sender, rcpt);
	return buf;
}

static void
policy(struct bed *b)
{
	char out[4096], req[1024];
	int fd;

	if ((fd = dial(b->policy_path)) == -1) {
		T_OK(0, "connect to the policy socket");
		return;
	}
	exchange(b, fd, policy_req("RCPT", "alice@secure.test",
	    "bob@example.net", req, sizeof(req)), 1, 1, out, sizeof(out));
	T_STREQ(out, "action=PREPEND Sender-Key-Trust: untrusted; "
	    "reason=sig-pending; sender=alice@secure.test\n\n",
	    "policy RCPT: protocol.md 2.6's reply, the sender named");
	exchange(b, fd, policy_req("DATA", "alice@secure.test", "",
	    req, sizeof(req)), 1, 1, out, sizeof(out));
	T_STREQ(out, "action=DUNNO\n\n", "policy at DATA: DUNNO");
	exchange(b, fd, policy_req("RCPT", "dave@bogus.test",
	    "bob@example.net", req, sizeof(req)), 1, 1, out, sizeof(out));
	T_STREQ(out, "action=DEFER_IF_PERMIT 4.7.0 senderkey: temporary "
	    "failure (dns-bogus)\n\n", "policy RCPT, bogus: deferred");
	exchange(b, fd, policy_req("RCPT", "", "bob@example.net", req,
	    sizeof(req)), 1, 1, out, sizeof(out));
	T_STREQ(out, "action=PREPEND Sender-Key-Trust: untrusted; "
	    "reason=null-sender\n\n", "policy RCPT, null sender");
	exchange(b, fd, "no equals sign\n\n", 1, 1, out, sizeof(out));
	T_STREQ(out, "action=DEFER_IF_PERMIT 4.7.0 senderkey: malformed "
	    "policy request\n\n", "policy malformed: deferred");
	T_OK(exchange(b, fd, NULL, 2, 1, out, sizeof(out)) == 0,
	    "policy malformed: then the connection is closed");
	close(fd);
}

/* --- the policy store --- */

/*
 * store_up: a store in the bed's dir: carol@example.net (allow mode)
 * denies mallory@partner.org; dan@example.net is in deny mode and
 * allows alice@secure.test.  Then the server reads it.
 */
static int
store_up(struct bed *b)
{
	char path[200], err[512];
	struct store_writer *db;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/store.db", b->dir);
	if ((db = store_writer_open(path, STORE_CREATE, NULL, err,
	    sizeof(err))) == NULL)
		return -1;
	if (store_writer_begin(db) == 0 &&
	    store_writer_add(db, "carol@example.net", STORE_DENY,
	    "mallory@partner.org", NULL, NULL) == 0 &&
	    store_writer_set_mode(db, "dan@example.net", "deny", NULL) == 0 &&
	    store_writer_add(db, "dan@example.net", STORE_ALLOW,
	    "alice@secure.test", NULL, NULL) == 0 &&
	    store_writer_commit(db, "test_server") == 0)
		rc = 0;
	store_writer_free(db);
	if (rc == -1 || (b->st = store_open(path, VM_ALLOW, err,
	    sizeof(err))) == NULL)
		return -1;
	server_set_store(b->s, b->st);
	return 0;
}

static void
stored(struct bed *b, int fd)
{
	char out[4096], req[1024];
	int pfd;

	if (store_up(b) == -1) {
		T_OK(0, "a policy store in the temp dir");
		return;
	}
	T_STREQ(ask(b, fd, "AUTHZ sender=mallory@partner.org "
	    "recipient=carol@example.net", out, sizeof(out)),
	    "unauthorized denylisted tag=unauthorized lookup=- policy=- "
	    "trust=unauthorized;%20reason=denylisted;%20"
	    "sender=mallory@partner.org class=6e1e7a987a14b296 "
	    "text=<carol@example.net>%20does%20not"
	    "%20accept%20mail%20from%20this%20sender%20(senderkey:%20"
	    "denylisted)\n", "store: denylisted: 3.3's reply");
	T_STARTS(ask(b, fd, "AUTHZ sender=alice@secure.test "
	    "recipient=dan@example.net", out, sizeof(out)),
	    "untrusted sig-pending tag=untrusted lookup=secure-key ",
	    "store: deny mode, allowlisted, no sig: sig-pending");
	snprintf(req, sizeof(req), "AUTHZ sender=alice@secure.test "
	    "recipient=dan@example.net sig=pass key=%s", alice_fp);
	T_STARTS(ask(b, fd, req, out, sizeof(out)),
	    "authorized allowlisted-signed tag=authorized lookup=secure-key ",
	    "store: deny mode, allowlisted, signed: authorized");
	T_STARTS(ask(b, fd, "AUTHZ sender=gina@plain.test "
	    "recipient=dan@example.net", out, sizeof(out)),
	    "unauthorized not-allowlisted tag=unauthorized ",
	    "store: deny mode, not allowlisted");
	if ((pfd = dial(b->policy_path)) == -1) {
		T_OK(0, "connect to the policy socket");
		return;
	}
	exchange(b, pfd, policy_req("RCPT", "mallory@partner.org",
	    "carol@example.net", req, sizeof(req)), 1, 1, out, sizeof(out));
	T_STREQ(out, "action=REJECT 5.7.1 <carol@example.net> does not "
	    "accept mail from this sender (senderkey: denylisted)\n\n",
	    "store: policy RCPT, denylisted: rejected");
	close(pfd);
}

/*
 * unread: a store not read yet (PolicyStoreUnreachable tempfail) decides
 * nothing: AUTHZ answers tempfail internal, a Postfix RCPT is deferred,
 * STATS counts them, and learning writes no user entry (whether the
 * operator's rules name the pair is unknown).
 */
static void
unread(struct bed *b, int fd)
{
	char out[4096], req[1024], path[200], err[512];
	struct store *un;
	struct uentry *u;
	int pfd;

	if ((un = store_unread(VM_DENY)) == NULL) {
		T_OK(0, "unread: out of memory");
		return;
	}
	server_set_store(b->s, un);
	T_STREQ(ask(b, fd, "AUTHZ sender=mallory@partner.org "
	    "recipient=carol@example.net", out, sizeof(out)),
	    "tempfail internal tag=- lookup=- policy=- class=-\n",
	    "unread store: AUTHZ answers tempfail internal");
	if ((pfd = dial(b->policy_path)) != -1) {
		exchange(b, pfd, policy_req("RCPT", "mallory@partner.org",
		    "carol@example.net", req, sizeof(req)), 1, 1, out,
		    sizeof(out));
		T_STARTS(out, "action=DEFER_IF_PERMIT 4.7.0 senderkey: "
		    "temporary failure (internal)", "unread store: a Postfix "
		    "RCPT is deferred");
		close(pfd);
	} else
		T_OK(0, "connect to the policy socket");
	ask(b, fd, "STATS", out, sizeof(out));
	T_OK(strstr(out, " store_unread_tempfails=2") != NULL,
	    "STATS counts both (%s)", out);
	snprintf(path, sizeof(path), "%s/unread.db", b->dir);
	if ((u = uentry_new(path, 1000, un, b->lg)) != NULL) {
		T_INTEQ(uentry_put(u, "carol@example.net",
		    "mallory@partner.org", STORE_ALLOW, NULL, 0, UENTRY_SENT,
		    1, err, sizeof(err)), -1, "unread store: nothing learnt");
		T_OK(strstr(err, "not been read yet") != NULL,
		    "saying why (%s)", err);
	} else
		T_OK(0, "user entries in the temp dir");
	uentry_free(u);
	server_set_store(b->s, b->st);
	store_free(un);
}

/*
 * user_entries: the store above with the user entries of a journal file
 * (specs/store.md 7): a put changes the next AUTHZ's decision at once;
 * an operator's entry of the pair wins; another writer's forget counts
 * from the next poll.
 */
static void
user_entries(struct bed *b, int fd)
{
	char path[200], out[4096], req[1024], err[512];
	struct store_journal *other;
	struct uentry *u;
	const char *sfx[] = { "", "-wal", "-shm" };
	size_t i;

	snprintf(path, sizeof(path), "%s/journal.db", b->dir);
	if (b->st == NULL || (u = uentry_new(path, 1000, b->st, b->lg)) ==
	    NULL) {
		T_OK(0, "user entries in the temp dir");
		return;
	}
	server_set_uentry(b->s, u);
	snprintf(req, sizeof(req), "AUTHZ sender=bob@partner.org "
	    "recipient=dan@example.net sig=pass key=%s", bob_fp);
	T_STARTS(ask(b, fd, req, out, sizeof(out)),
	    "unauthorized not-allowlisted tag=unauthorized ",
	    "user entries: none yet, deny mode: not allowlisted");
	T_INTEQ(uentry_put(u, "dan@example.net", "bob@partner.org",
	    STORE_ALLOW, NULL, 0, UENTRY_IMAP, 0, err, sizeof(err)), 0,
	    "a user entry allows bob for dan");
	T_STARTS(ask(b, fd, req, out, sizeof(out)),
	    "authorized allowlisted-signed tag=authorized ",
	    "the next AUTHZ decides with it: authorized");
	T_INTEQ(uentry_put(u, "carol@example.net", "mallory@partner.org",
	    STORE_ALLOW, NULL, 0, UENTRY_IMAP, 0, err, sizeof(err)), 0,
	    "a user entry allows mallory for carol");
	T_STARTS(ask(b, fd, "AUTHZ sender=mallory@partner.org "
	    "recipient=carol@example.net", out, sizeof(out)),
	    "unauthorized denylisted ", "the operator's deny of the pair "
	    "wins");
	T_INTEQ(uentry_put(u, "carol@example.net", "bob@partner.org",
	    STORE_DENY, NULL, 0, UENTRY_IMAP, 0, err, sizeof(err)), 0,
	    "a user entry denies bob for carol");
	snprintf(req, sizeof(req), "AUTHZ sender=bob@partner.org "
	    "recipient=carol@example.net sig=pass key=%s", bob_fp);
	T_STARTS(ask(b, fd, req, out, sizeof(out)),
	    "unauthorized denylisted ", "allow mode, the user's deny");
	other = store_journal_open(path, 0, NULL, err, sizeof(err));
	T_OK(other != NULL && store_uentry_forget(other, "dan@example.net",
	    NULL, NULL, NULL) == 0, "another writer forgets dan's entries");
	store_journal_free(other);
	snprintf(req, sizeof(req), "AUTHZ sender=bob@partner.org "
	    "recipient=dan@example.net sig=pass key=%s", bob_fp);
	T_INTEQ(uentry_poll(u), 1, "the poll tick reloads");
	T_STARTS(ask(b, fd, req, out, sizeof(out)),
	    "unauthorized not-allowlisted ", "the next AUTHZ no longer "
	    "allows bob");
	server_set_uentry(b->s, NULL);
	server_set_store(b->s, NULL);
	uentry_free(u);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/journal.db%s", b->dir,
		    sfx[i]);
		unlink(path);
	}
}

/*
 * learn: LEARN on the line socket and a Postfix request with
 * sasl_username (LearnOutbound, protocol.md 3.2): off, without user
 * entries, a login for another mailbox and a recipient of the user's
 * own domain learn nothing and say why; dan's LEARN of frank@partner.org
 * (a secure key, bob's) writes an entry pinned to that key, and the next
 * AUTHZ from frank to dan (deny mode) is authorized; again: unchanged;
 * the policy service learns gus@partner.org for dan's login.
 */
static void
learn(struct bed *b, int fd)
{
	static const char *const lrq = "LEARN user=dan "
	    "sender=Dan@Example.NET. recipient=frank@partner.org";
	char path[200], out[4096], req[1024];
	const char *sfx[] = { "", "-wal", "-shm" };
	const struct store_uentry *e;
	unsigned char bob[32];
	struct uentry *u;
	size_t i;
	int pfd;

	snprintf(req, sizeof(req), "AUTHZ sender=frank@partner.org "
	    "recipient=dan@example.net sig=pass key=%s", bob_fp);
	T_STREQ(ask(b, fd, lrq, out, sizeof(out)), "ok entry=none "
	    "why=disabled\n", "LEARN with LearnOutbound no: disabled");
	b->cfg->learn_outbound = 1;
	T_STREQ(ask(b, fd, lrq, out, sizeof(out)), "ok entry=none "
	    "why=no-journal\n", "LEARN without user entries: no-journal");
	snprintf(path, sizeof(path), "%s/learn.db", b->dir);
	if (b->st == NULL || (u = uentry_new(path, 1000, b->st, b->lg)) ==
	    NULL || key_fingerprint_parse(bob_fp, bob) == -1) {
		T_OK(0, "user entries in the temp dir");
		return;
	}
	server_set_uentry(b->s, u);
	T_STREQ(ask(b, fd, "LEARN user=carol sender=dan@example.net "
	    "recipient=frank@partner.org", out, sizeof(out)),
	    "ok entry=none why=login-mismatch\n",
	    "LEARN for another mailbox's login: login-mismatch");
	T_STREQ(ask(b, fd, "LEARN user=dan sender=dan@example.net "
	    "recipient=erin@Example.NET", out, sizeof(out)),
	    "ok entry=none why=own-domain\n",
	    "LEARN of a recipient in the user's domain: own-domain");
	T_STREQ(ask(b, fd, "LEARN user=dan sender= "
	    "recipient=frank@partner.org", out, sizeof(out)),
	    "ok entry=none why=null-sender\n", "LEARN, null sender");
	T_STARTS(ask(b, fd, req, out, sizeof(out)),
	    "unauthorized not-allowlisted ", "before: frank is refused");
	T_STREQ(ask(b, fd, lrq, out, sizeof(out)), "ok entry=written\n",
	    "LEARN (bare login, the sender's case and trailing dot): "
	    "written");
	e = uentry_find(u, "dan@example.net", "frank@partner.org");
	T_OK(e != NULL && e->action == STORE_ALLOW && e->npins == 1 &&
	    memcmp(e->pins[0], bob, 32) == 0,
	    "dan allows frank, pinned to the key of frank's secure lookup");
	T_STARTS(ask(b, fd, req, out, sizeof(out)),
	    "authorized allowlisted-signed ", "the next AUTHZ: authorized");
	T_STREQ(ask(b, fd, lrq, out, sizeof(out)), "ok entry=unchanged\n",
	    "LEARN again: unchanged");
	if ((pfd = dial(b->policy_path)) == -1) {
		T_OK(0, "connect to the policy socket");
		return;
	}
	snprintf(req, sizeof(req), "request=smtpd_access_policy\n"
	    "protocol_state=RCPT\nsender=dan@example.net\n"
	    "recipient=gus@partner.org\nsasl_username=dan@example.net\n\n");
	exchange(b, pfd, req, 1, 1, out, sizeof(out));
	T_STARTS(out, "action=", "a submission's policy request: answered");
	close(pfd);
	ask(b, fd, "PING", out, sizeof(out));	/* a few more loop rounds */
	e = uentry_find(u, "dan@example.net", "gus@partner.org");
	T_OK(e != NULL && e->action == STORE_ALLOW && e->npins == 1,
	    "the policy service learned gus for dan's login");
	b->cfg->learn_outbound = 0;
	server_set_uentry(b->s, NULL);
	uentry_free(u);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/learn.db%s", b->dir, sfx[i]);
		unlink(path);
	}
}

/* --- the log --- */

static void
logged(struct bed *b)
{
	char buf[65536];
	FILE *fp;
	size_t n = 0;

	fflush(stderr);
	if ((fp = fopen(b->log_path, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
	T_OK(strstr(buf, "senderkeyd: conn=1 queue_id=- "
	    "sender=alice@secure.test recipient=bob@example.net "
	    "verdict=untrusted reason=sig-pending tag=untrusted "
	    "dnssec=secure-key policy=some why_bogus=- "
	    "class=21c33b21cbddc32d ms=") != NULL,
	    "log: the first decision's line, fields in protocol.md's order");
	T_OK(strstr(buf, " mode=allow list=none pin=-\n") != NULL,
	    "log: mode, list and pin end the line");
	T_OK(strstr(buf, " queue_id=Q1 sender=dave@bogus.test "
	    "recipient=bob@example.net verdict=tempfail reason=dns-bogus "
	    "tag=- dnssec=bogus policy=- why_bogus=signature%20expired "
	    "class=81dcff504660a166 ms=") != NULL,
	    "log: queue_id and why_bogus (escaped)");
	T_OK(strstr(buf, " sender=- recipient=bob@example.net "
	    "verdict=untrusted reason=null-sender ") != NULL,
	    "log: the null sender as -");
	T_OK(strstr(buf, "sender=mallory@partner.org recipient=carol@example.net"
	    " verdict=unauthorized reason=denylisted tag=unauthorized "
	    "dnssec=- policy=- why_bogus=- class=6e1e7a987a14b296 ms=") !=
	    NULL && strstr(buf, " mode=allow list=deny pin=-\n") != NULL,
	    "log: a store decision");
}

/* client: the ClientSocket serves PING and MOVE only (protocol.md 4). */
static void
client(struct bed *b, int lfd)
{
	char out[512];
	int fd;

	T_STREQ(ask(b, lfd, "MOVE user=bob action=allow field=x", out,
	    sizeof(out)), "error not-permitted\n", "MOVE on the line socket");
	if ((fd = dial(b->client_path)) == -1) {
		T_OK(0, "connect to the client socket");
		return;
	}
	T_STARTS(ask(b, fd, "PING", out, sizeof(out)), "ok pong proto=1 ",
	    "client socket: PING");
	T_STREQ(ask(b, fd, "AUTHZ sender=a@b.test recipient=bob@example.net",
	    out, sizeof(out)), "error not-permitted\n",
	    "client socket: AUTHZ is not permitted");
	T_STREQ(ask(b, fd, "STATS", out, sizeof(out)),
	    "error not-permitted\n", "client socket: STATS is not permitted");
	T_STREQ(ask(b, fd, "MOVE user=bob@example.net action=allow "
	    "field=\"untrusted; reason=no-key; sender=a@b.test\"", out,
	    sizeof(out)), "ok entry=none why=no-journal\n",
	    "client socket: MOVE without a journal: nothing, and why");
	T_STREQ(ask(b, fd, "MOVE user=bob action=allow", out, sizeof(out)),
	    "error missing-argument\n", "client socket: a MOVE without field");
	close(fd);
}

/* hex64: FP ("AB:CD:...") as 64 lowercase hex digits into OUT. */
static void
hex64(const char *fp, char out[65])
{
	size_t i, n = 0;

	for (i = 0; fp[i] != '\0' && n < 64; i++)
		if (fp[i] != ':')
			out[n++] = (char)(fp[i] >= 'A' && fp[i] <= 'F' ?
			    fp[i] - 'A' + 'a' : fp[i]);
	out[n] = '\0';
}

/* move: "MOVE user=USER action=ACT field=FIELD" (quoted), its reply. */
static const char *
move(struct bed *b, int fd, const char *user, const char *act,
    const char *field, char *out, size_t outsz)
{
	char req[512];

	snprintf(req, sizeof(req), "MOVE user=%s action=%s field=\"%s\"", user,
	    act, field);
	return ask(b, fd, req, out, outsz);
}

/*
 * moves: MOVE with a journal and user entries (protocol.md 3.2): every
 * why=, the journal's check of the sender and the key, an entry written
 * and then deciding, a bare login with ClientDomain.
 */
static void
moves(struct bed *b, int lfd)
{
	struct journal *j = NULL;
	struct uentry *u = NULL;
	char path[200], err[256], out[512], req[512], ak[65], bk[65];
	char f[300];
	int fd = -1;

	snprintf(path, sizeof(path), "%s/moves.db", b->dir);
	if (b->st == NULL || (j = journal_new(b->l, b->lg, path, 30, 1000, 0,
	    5000, err, sizeof(err))) == NULL || (u = uentry_new(path, 1000,
	    b->st, b->lg)) == NULL || (fd = dial(b->client_path)) == -1) {
		T_OK(0, "moves: a journal, user entries, the client socket");
		goto out;
	}
	server_set_store(b->s, b->st);
	server_set_journal(b->s, j);
	server_set_uentry(b->s, u);
	hex64(alice_fp, ak);
	hex64(bob_fp, bk);
	snprintf(req, sizeof(req), "AUTHZ sender=alice@secure.test "
	    "recipient=Eve@example.net sig=pass key=%s", alice_fp);
	T_STARTS(ask(b, lfd, req, out, sizeof(out)), "authorized "
	    "key-secure-signed tag=trusted ", "moves: alice wrote to eve");
	snprintf(f, sizeof(f), "trusted; reason=key-secure-signed; "
	    "sender=alice@secure.test; key=%s", ak);
	T_STREQ(move(b, fd, "eve", "allow", f, out, sizeof(out)),
	    "ok entry=none why=bad-user\n", "moves: a bare login, no "
	    "ClientDomain");
	T_STREQ(move(b, fd, "eve@example.net", "allow", "", out, sizeof(out)),
	    "ok entry=none why=no-field\n", "moves: no field");
	T_STREQ(move(b, fd, "eve@example.net", "allow", "good; reason=x", out,
	    sizeof(out)), "ok entry=none why=bad-field\n",
	    "moves: not senderkey's field");
	T_STREQ(move(b, fd, "eve@example.net", "allow", "untrusted; "
	    "reason=null-sender", out, sizeof(out)),
	    "ok entry=none why=no-sender\n", "moves: a field without sender");
	T_STREQ(move(b, fd, "eve@example.net", "allow", "untrusted; "
	    "reason=no-key; sender=zed@secure.test", out, sizeof(out)),
	    "ok entry=none why=not-seen\n", "moves: a sender who never wrote");
	T_STREQ(move(b, fd, "dan@example.net", "allow", f, out, sizeof(out)),
	    "ok entry=none why=not-seen\n",
	    "moves: another user, to whom alice never wrote");
	snprintf(f, sizeof(f), "trusted; reason=key-secure-signed; "
	    "sender=alice@secure.test; key=%s", bk);
	T_STREQ(move(b, fd, "eve@example.net", "allow", f, out, sizeof(out)),
	    "ok entry=none why=key-not-seen\n",
	    "moves: a key that never verified her");
	snprintf(f, sizeof(f), "trusted; reason=key-secure-signed; "
	    "sender=alice@secure.test; key=%s", ak);
	T_STREQ(move(b, fd, "EVE@example.net", "allow", f, out, sizeof(out)),
	    "ok entry=written\n", "moves: allow, pinned: written");
	T_STREQ(move(b, fd, "eve@example.net", "allow", f, out, sizeof(out)),
	    "ok entry=unchanged\n", "moves: the same again: unchanged");
	T_OK((b->cfg->client_domain = strdup("example.net")) != NULL,
	    "moves: ClientDomain example.net");
	T_STREQ(move(b, fd, "eve", "block", f, out, sizeof(out)),
	    "ok entry=written\n", "moves: a bare login with ClientDomain: "
	    "block written");
	T_STARTS(ask(b, lfd, "AUTHZ sender=alice@secure.test "
	    "recipient=eve@example.net", out, sizeof(out)),
	    "unauthorized denylisted ", "moves: the next AUTHZ decides with it");
out:
	if (fd != -1)
		close(fd);
	server_set_uentry(b->s, NULL);
	server_set_journal(b->s, NULL);
	server_set_store(b->s, NULL);
	uentry_free(u);
	journal_free(j);
	free(b->cfg->client_domain);
	b->cfg->client_domain = NULL;
	snprintf(req, sizeof(req), "rm -f '%s/moves.db' '%s/moves.db-wal' "
	    "'%s/moves.db-shm'", b->dir, b->dir, b->dir);
	if (system(req) != 0)
		T_OK(0, "moves: the journal removed");
}

int
main(void)
{
	struct bed b;
	int fd;

	if (fp_of(ANS_ALICE, alice_fp, alice_p, sizeof(alice_p)) == -1 ||
	    fp_of(ANS_BOB, bob_fp, NULL, 0) == -1) {
		T_OK(0, "fingerprints of the test keys");
		return t_done();
	}
	if (bed_up(&b) == -1 || (fd = dial(b.line_path)) == -1) {
		T_OK(0, "server on sockets in a temp dir (%s)",
		    strerror(errno));
		bed_down(&b);
		return t_done();
	}
	authz(&b, fd);
	lookup(&b, fd);
	misc(&b, fd);
	dkimkey(&b, fd);
	policy(&b);
	stored(&b, fd);
	unread(&b, fd);
	learn(&b, fd);
	user_entries(&b, fd);
	client(&b, fd);
	moves(&b, fd);
	close(fd);
	/* the log is written at the end of each loop round */
	loop_run_once(b.l, 0);
	logged(&b);
	T_OK(server_connections(b.s) <= 1, "connections closed or closing");
	bed_down(&b);
	return t_done();
}
