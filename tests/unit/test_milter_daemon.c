/*
 * test_milter_daemon: senderkey-milter's pool of connections to
 * senderkeyd (milter/daemon.c) against a scripted stand-in daemon on a
 * Unix socket in a temporary directory, which counts the connections it
 * accepts: requests and messages reuse one connection; a connection the
 * daemon closed while idle, one it drops before replying, one with a
 * reply past what was asked and one whose reply did not parse are never
 * written to again, nor one on which a line arrived while it was idle;
 * a dead daemon is an error, never a reply; a pool of
 * size 0 dials per request; threads sharing a pool each get their own
 * replies.  Linked with the milter's modules (libsenderkey-milter.a).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "lib/msg.h"
#include "lib/owner.h"
#include "lib/sig.h"
#include "milter/answer.h"
#include "milter/daemon.h"
#include "t.h"

/* What the stand-in does with each request line. */
enum mode {
	M_ECHO,		/* "echo LINE" */
	M_AUTHZ,	/* a valid AUTHZ reply */
	M_GARBAGE,	/* "what?" */
	M_EXTRA,	/* "echo LINE" twice */
	M_LATE,		/* "echo LINE", then "late" in a write of its own */
	M_DROP,		/* close without a reply */
	M_LOOKUPS	/* LOOKUP and DKIMKEY answers; lines kept in SEEN */
};

/* M_LOOKUPS: the DKIMKEY reply (alice's key) and the request lines. */
#define DK_P	"8tI4sb6GLd+tf9x6y/8gSQjoUkdyJwTLinUBEde+fVk="
static char DK_FP[KEY_FP_SIZE];
static char SEEN[512];
static pthread_mutex_t SEEN_MU = PTHREAD_MUTEX_INITIALIZER;

static _Atomic int MODE = M_ECHO;
static atomic_int LATE;		/* M_LATE's second write is done */
static atomic_int DIE;		/* every connection closes, as at kill -9 */
static atomic_uint ACCEPTS;
static int LFD = -1;
static char DIR[32], PATH[64];
static struct config_listen L;

/* serve: one connection: a reply per request line, as MODE says. */
static void *
serve(void *arg)
{
	char buf[2048], *nl, out[4200];
	size_t have = 0, len;
	ssize_t r;
	int fd = (int)(intptr_t)arg, m, n;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		while ((nl = memchr(buf, '\n', have)) != NULL) {
			*nl = '\0';
			len = (size_t)(nl - buf) + 1;
			m = atomic_load(&MODE);
			n = 0;
			if (m == M_DROP)
				goto done;
			if (m == M_ECHO || m == M_EXTRA || m == M_LATE)
				n = snprintf(out, sizeof(out), "echo %s\n", buf);
			else if (m == M_LOOKUPS) {
				pthread_mutex_lock(&SEEN_MU);
				snprintf(SEEN + strlen(SEEN), sizeof(SEEN) -
				    strlen(SEEN), "%.200s|", buf);
				pthread_mutex_unlock(&SEEN_MU);
				if (strncmp(buf, "DKIMKEY ", 8) == 0)
					n = snprintf(out, sizeof(out), "ok "
					    "state=secure-key owner=sk1."
					    "_domainkey.x. key=ed25519,%s,-,"
					    DK_P " ttl=60\n", DK_FP);
				else if (strncmp(buf, "LOOKUP ", 7) == 0)
					n = snprintf(out, sizeof(out), "ok "
					    "state=secure-nokey nokey=absent "
					    "owner=x. policy=some ttl=5\n");
				else
					n = snprintf(out, sizeof(out),
					    "error bad-command\n");
			} else if (m == M_AUTHZ)
				n = snprintf(out, sizeof(out), "authorized "
				    "key-secure-signed tag=trusted "
				    "lookup=secure-key policy=some "
				    "class=21c33b21cbddc32d\n");
			else
				n = snprintf(out, sizeof(out), "what?\n");
			if (m == M_EXTRA) {	/* both in one write: they
						   arrive together */
				memcpy(out + n, out, (size_t)n);
				n *= 2;
			}
			if (write(fd, out, (size_t)n) != n)
				goto done;
			if (m == M_LATE) {
				usleep(20000);	/* the client has read */
				r = write(fd, "late\n", 5);
				atomic_store(&LATE, 1);
				if (r != 5)
					goto done;
			}
			memmove(buf, buf + len, have - len);
			have -= len;
		}
		if (poll(&pfd, 1, 20) == 0) {
			if (atomic_load(&DIE))
				break;
			continue;
		}
		if ((r = read(fd, buf + have, sizeof(buf) - have)) <= 0)
			break;
		have += (size_t)r;
	}
done:
	close(fd);
	return NULL;
}

static void *
acceptor(void *arg)
{
	pthread_t t;
	int fd;

	(void)arg;
	while ((fd = accept(LFD, NULL, NULL)) != -1) {
		atomic_fetch_add(&ACCEPTS, 1);
		if (pthread_create(&t, NULL, serve, (void *)(intptr_t)fd) !=
		    0) {
			close(fd);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

/* stand_in: listen at PATH and serve in the background. */
static int
stand_in(void)
{
	struct sockaddr_un sun;
	pthread_t t;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", PATH);
	if ((LFD = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(LFD, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(LFD, 64) == -1 ||
	    pthread_create(&t, NULL, acceptor, NULL) != 0)
		return -1;
	pthread_detach(t);
	return 0;
}

/* ask: one request line REQ through P; the reply in OUT ("" on error). */
static int
ask(struct daemon_pool *p, const char *req, char *out, size_t outsz)
{
	char err[256], **rep = NULL, line[256];
	int conn, rc;

	out[0] = '\0';
	snprintf(line, sizeof(line), "%s\n", req);
	if ((rc = daemon_ask(p, line, 1, 2000, &rep, &conn, err,
	    sizeof(err))) == 0) {
		snprintf(out, outsz, "%s", rep[0]);
		daemon_release(p, conn, 1);
	}
	daemon_replies_free(rep, 1);
	return rc;
}

/* counts: the stand-in's accepts, and the pool's dials and reuses. */
static void
counts(struct daemon_pool *p, unsigned *acc, unsigned long long *d,
    unsigned long long *r)
{
	*acc = atomic_load(&ACCEPTS);
	daemon_pool_counts(p, d, r);
}

static void
test_reuse(void)
{
	struct daemon_pool *p;
	unsigned long long d, r;
	unsigned a0, a;
	char out[256];
	int i, good = 1;

	if ((p = daemon_pool_new(&L, 4)) == NULL) {
		T_OK(0, "reuse: pool made");
		return;
	}
	a0 = atomic_load(&ACCEPTS);
	for (i = 0; i < 10; i++) {
		char req[32], want[40];

		snprintf(req, sizeof(req), "LOOKUP %d", i);
		snprintf(want, sizeof(want), "echo %s", req);
		if (ask(p, req, out, sizeof(out)) != 0 || strcmp(out, want))
			good = 0;
	}
	T_OK(good, "reuse: 10 requests, each its own reply");
	counts(p, &a, &d, &r);
	T_OK(a - a0 == 1, "reuse: 10 requests on one connection (%u)",
	    a - a0);
	T_OK(d == 1 && r == 9, "reuse: 1 dial, 9 reuses (%llu, %llu)", d, r);
	daemon_pool_free(p);

	/* a pool that keeps nothing dials per request, as before */
	p = daemon_pool_new(&L, 0);
	a0 = atomic_load(&ACCEPTS);
	for (i = 0; i < 3; i++)
		(void)ask(p, "STATS", out, sizeof(out));
	T_OK(atomic_load(&ACCEPTS) - a0 == 3, "size 0: a connection each");
	daemon_pool_free(p);
}

/*
 * test_lookups: LOOKUP alone, or LOOKUP and DKIMKEY pipelined on one
 * connection (protocol.md 5.4 step 1), each reply read as what it
 * answers; a reply that is not the answer asked for is an error and the
 * connection is not kept.
 */
static void
test_lookups(void)
{
	struct daemon_pool *p;
	struct answer_dkimkey dk;
	unsigned long long d, r;
	char err[256], *line = NULL;
	unsigned a0, a;
	int rc;

	if ((p = daemon_pool_new(&L, 4)) == NULL) {
		T_OK(0, "lookups: pool made");
		return;
	}
	atomic_store(&MODE, M_LOOKUPS);
	SEEN[0] = '\0';
	a0 = atomic_load(&ACCEPTS);
	rc = daemon_lookup_replies(p, 2000, "alice@example.test", &dk, &line,
	    err, sizeof(err));
	T_OK(rc == 0 && line != NULL && strncmp(line, "ok state=secure-nokey "
	    "nokey=absent owner=x. policy=some", 50) == 0, "lookups: the "
	    "LOOKUP reply (%s)", rc == 0 ? line : err);
	T_OK(rc == 0 && dk.state == SIG_KEYS_FOUND && dk.nfps == 1 &&
	    strcmp(dk.fps[0], DK_FP) == 0, "lookups: the DKIMKEY reply, its "
	    "fingerprint");
	T_STREQ(SEEN, "LOOKUP alice@example.test|DKIMKEY alice@example.test|",
	    "lookups: LOOKUP FROM then DKIMKEY FROM");
	free(line);
	line = NULL;
	SEEN[0] = '\0';
	rc = daemon_lookup_replies(p, 2000, "\"j d\"@example.test", NULL,
	    &line, err, sizeof(err));
	T_OK(rc == 0 && line != NULL && strncmp(line, "ok state=", 9) == 0,
	    "lookups: LOOKUP alone");
	T_STREQ(SEEN, "LOOKUP \"j d\"@example.test|", "lookups: no DKIMKEY "
	    "unless asked");
	free(line);
	counts(p, &a, &d, &r);
	T_OK(a - a0 == 1 && d == 1 && r == 1, "lookups: both on one kept "
	    "connection (%u accepts, %llu dials, %llu reuses)", a - a0, d, r);
	rc = daemon_lookup_replies(p, 2000, "not an address", &dk, &line,
	    err, sizeof(err));
	T_OK(rc == -1 && line == NULL && strstr(err, "cannot send LOOKUP") !=
	    NULL, "lookups: an address that cannot be sent (%s)", err);
	/* the stand-in echoes: neither reply is an answer */
	atomic_store(&MODE, M_ECHO);
	rc = daemon_lookup_replies(p, 2000, "a@b.test", &dk, &line, err,
	    sizeof(err));
	T_OK(rc == -1 && line == NULL && strstr(err, "LOOKUP reply") != NULL,
	    "lookups: a reply that is not a LOOKUP answer (%s)", err);
	daemon_pool_free(p);
}

/*
 * test_lookup_bridge: daemon_lookup for a message whose DKIM bridge
 * signature counts and is pending: LOOKUP and DKIMKEY go on one
 * connection and the DKIMKEY answer reaches the signature before the
 * LOOKUP one (the DKIM record holds alice's key, the sender has none:
 * fail no-key; never given the DKIM answer it would end temperror
 * internal).  The signature's b= is never checked: no key gets that far.
 */
static void
test_lookup_bridge(void)
{
	struct daemon_pool *p;
	struct sig_ctx *sctx = sig_ctx_new();
	struct keycache *kc = NULL;
	struct sig_verify *v = NULL;
	const struct sig_outcome *o;
	const struct addr *sender = NULL;
	struct msg *m = NULL;
	char sel[OWNER_DKIM_SEL_LEN + 1], text[2048], err[256] = "";
	long long now = (long long)time(NULL);
	int rc;

	owner_dkim_selector("alice", 5, sel);
	snprintf(text, sizeof(text),
	    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
	    " d=example.com; s=%s; i=alice@example.com; t=%lld; x=%lld;\r\n"
	    " h=from:from:to:to:subject:subject:mime-version:mime-version:"
	    "content-type:content-type;\r\n"
	    " bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n"
	    " b=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAA==\r\n"
	    "From: Alice <alice@example.com>\r\n"
	    "To: bob@example.net\r\n"
	    "Subject: bridge\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n", sel, now, now + 604800);
	if ((p = daemon_pool_new(&L, 4)) == NULL || sctx == NULL ||
	    (kc = keycache_new(sctx, 16, 1u << 20, 60)) == NULL ||
	    (m = msg_parse(text, strlen(text), NULL, NULL)) == NULL ||
	    (v = sig_verify_begin(sctx, m, SIGHEADER_DKIM_BRIDGE,
	    (int64_t)now)) == NULL) {
		T_OK(0, "bridge: set-up");
		goto done;
	}
	T_OK(sig_verify_need_dkim(v) == 1 &&
	    sig_verify_need_keys(v, &sender) == 1, "bridge: the signature "
	    "counts and waits for both lookups");
	atomic_store(&MODE, M_LOOKUPS);
	SEEN[0] = '\0';
	rc = daemon_lookup(p, 2000, kc, v, "alice@example.com", err,
	    sizeof(err));
	T_OK(rc == 0, "bridge: daemon_lookup (%s)", err);
	T_STREQ(SEEN, "LOOKUP alice@example.com|DKIMKEY alice@example.com|",
	    "bridge: LOOKUP FROM and DKIMKEY FROM");
	o = sig_verify_result(v);
	T_OK(o->kind == SIGHEADER_DKIM_BRIDGE && strcmp(o->selector, sel) ==
	    0, "bridge: the reported signature is the bridge one, s= %s", sel);
	T_OK(o->result == SIG_FAIL && o->reason == SIG_R_NO_KEY,
	    "bridge: DKIM answer first, then no SK1 key: fail no-key (got "
	    "%s %s)", sig_result_name(o->result), sig_reason_name(o->reason));
done:
	sig_verify_free(v);
	msg_free(m);
	keycache_free(kc);
	sig_ctx_free(sctx);
	daemon_pool_free(p);
}

/* test_odd: every odd connection is closed, and the next ask works. */
static void
test_odd(void)
{
	struct daemon_pool *p = daemon_pool_new(&L, 4);
	struct sig_outcome o;
	struct answer_authz ans[1];
	const char *rcpt[1] = { "bob@example.net" };
	unsigned a0;
	char out[256], err[256];

	memset(&o, 0, sizeof(o));
	o.result = SIG_NONE;
	(void)ask(p, "one", out, sizeof(out));

	/* a reply past the one asked for: not reused, and never read as the
	   reply to the next request */
	MODE = M_EXTRA;
	a0 = atomic_load(&ACCEPTS);
	T_OK(ask(p, "two", out, sizeof(out)) == 0 &&
	    strcmp(out, "echo two") == 0, "extra reply: the first line used");
	MODE = M_ECHO;
	T_OK(ask(p, "three", out, sizeof(out)) == 0 &&
	    strcmp(out, "echo three") == 0,
	    "extra reply: the next request gets its own reply");
	T_OK(atomic_load(&ACCEPTS) - a0 == 1,
	    "extra reply: that connection was not reused");

	/* a line arriving on a kept connection while it is idle: that
	   connection is closed, never read as the next request's reply */
	MODE = M_LATE;
	(void)ask(p, "early", out, sizeof(out));
	MODE = M_ECHO;
	while (!atomic_load(&LATE))
		usleep(1000);
	a0 = atomic_load(&ACCEPTS);
	T_OK(ask(p, "after", out, sizeof(out)) == 0 &&
	    strcmp(out, "echo after") == 0,
	    "a line sent while idle: never taken for the next reply (%s)", out);
	T_OK(atomic_load(&ACCEPTS) - a0 == 1,
	    "... its connection closed, a new one made");

	/* AUTHZ through the pool: a good reply keeps the connection, one
	   that does not parse closes it */
	MODE = M_AUTHZ;
	a0 = atomic_load(&ACCEPTS);
	T_OK(daemon_authz(p, 2000, "alice@example.test", &o, NULL, rcpt, 1,
	    ans, err, sizeof(err)) == 0 && ans[0].verdict ==
	    VERDICT_AUTHORIZED, "AUTHZ: parsed");
	T_OK(atomic_load(&ACCEPTS) == a0, "AUTHZ: on the kept connection");
	MODE = M_GARBAGE;
	T_OK(daemon_authz(p, 2000, "alice@example.test", &o, NULL, rcpt, 1,
	    ans, err, sizeof(err)) == -1, "AUTHZ reply that does not parse: "
	    "an error (%s)", err);
	MODE = M_ECHO;
	T_OK(ask(p, "four", out, sizeof(out)) == 0 &&
	    atomic_load(&ACCEPTS) - a0 == 1,
	    "reply that did not parse: its connection closed, a new one made");

	/* the daemon drops a kept connection before replying: asked again
	   once, on a new connection */
	MODE = M_DROP;
	a0 = atomic_load(&ACCEPTS);
	T_OK(ask(p, "five", out, sizeof(out)) == -1,
	    "daemon drops every request: an error, never a reply");
	T_OK(atomic_load(&ACCEPTS) - a0 == 1,
	    "... after one more try on a new connection");
	MODE = M_ECHO;
	T_OK(ask(p, "six", out, sizeof(out)) == 0 &&
	    strcmp(out, "echo six") == 0, "then the daemon answers again");
	daemon_pool_free(p);
}

/* test_gone: the daemon dies with a connection kept, then comes back. */
static void
test_gone(void)
{
	struct daemon_pool *p = daemon_pool_new(&L, 4);
	unsigned a0;
	char out[256];

	T_OK(ask(p, "seven", out, sizeof(out)) == 0, "before: answered");
	atomic_store(&DIE, 1);
	shutdown(LFD, SHUT_RDWR);
	close(LFD);
	unlink(PATH);
	usleep(200000);		/* its connections closed */
	T_OK(ask(p, "eight", out, sizeof(out)) == -1 && out[0] == '\0',
	    "daemon dead, a connection kept: an error, never a reply");
	atomic_store(&DIE, 0);
	a0 = atomic_load(&ACCEPTS);
	T_OK(stand_in() == 0, "daemon restarted");
	T_OK(ask(p, "nine", out, sizeof(out)) == 0 &&
	    strcmp(out, "echo nine") == 0 && atomic_load(&ACCEPTS) - a0 == 1,
	    "daemon restarted: reached again, on a new connection");
	daemon_pool_free(p);
}

struct worker {
	struct daemon_pool *p;
	int		 id, bad;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	char req[64], want[72], out[256];
	int i;

	for (i = 0; i < 200; i++) {
		snprintf(req, sizeof(req), "T%d-%d", w->id, i);
		snprintf(want, sizeof(want), "echo %s", req);
		if (ask(w->p, req, out, sizeof(out)) != 0 ||
		    strcmp(out, want) != 0)
			w->bad++;
	}
	return NULL;
}

static void
test_threads(void)
{
	struct daemon_pool *p = daemon_pool_new(&L, 4);
	struct worker w[8];
	pthread_t t[8];
	unsigned long long d, r;
	unsigned a0 = atomic_load(&ACCEPTS), a;
	int i, bad = 0;

	for (i = 0; i < 8; i++) {
		w[i].p = p;
		w[i].id = i;
		w[i].bad = 0;
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		bad += w[i].bad;
	}
	counts(p, &a, &d, &r);
	T_OK(bad == 0, "8 threads x 200 requests: each its own reply (%d "
	    "wrong)", bad);
	T_OK(d + r == 1600 && a - a0 == d, "8 threads: %llu dials, %llu "
	    "reuses, %u accepted", d, r, a - a0);
	T_OK(d < 1600, "8 threads: connections reused");
	daemon_pool_free(p);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);	/* the stand-in writes to closed ones */
	if (key_record_fingerprint(KEYREC_ED25519, (const unsigned char *)
	    "\xf2\xd2\x38\xb1\xbe\x86\x2d\xdf\xad\x7f\xdc\x7a\xcb\xff"
	    "\x20\x49\x08\xe8\x52\x47\x72\x27\x04\xcb\x8a\x75\x01\x11"
	    "\xd7\xbe\x7d\x59", 32, DK_FP, sizeof(DK_FP)) == -1) {
		printf("not ok 1 - set-up: the DKIM key's fingerprint\n");
		return 1;
	}
	snprintf(DIR, sizeof(DIR), "/tmp/sk-tmd.XXXXXX");
	if (mkdtemp(DIR) == NULL) {
		printf("not ok 1 - set-up: temporary directory\n");
		return 1;
	}
	snprintf(PATH, sizeof(PATH), "%s/d.sock", DIR);
	L.kind = CONFIG_LISTEN_UNIX;
	L.spec = "unix:stand-in";
	L.path = PATH;
	if (stand_in() == -1) {
		printf("not ok 1 - set-up: the stand-in daemon\n");
		return 1;
	}
	test_reuse();
	test_lookups();
	test_lookup_bridge();
	test_odd();
	test_threads();
	test_gone();
	unlink(PATH);
	rmdir(DIR);
	return t_done();
}
