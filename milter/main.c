/*
 * main.c: senderkey-milter, the libmilter adapter (specs/protocol.md
 * section 5, man/senderkey-milter.8).  Reads the configuration, loads the
 * KeyTable (refusing keys readable by others), opens the milter socket,
 * drops privileges and runs libmilter.  Per message it collects the
 * header and body, then at end of data either signs (sign mode, verify
 * mode's counterpart for authenticated submissions: signmode.c) or
 * verifies the signature, asks senderkeyd for a verdict per recipient
 * (daemon.c, answer.c) and applies verify.c's decision.
 *
 * libmilter calls back without a user pointer, so the start-up state
 * lives in one static pointer, set once before smfi_main and read-only
 * afterwards; everything per connection hangs off smfi_getpriv.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>
#include <openssl/crypto.h>

#include "lib/b64.h"
#include "lib/config.h"
#include "lib/msg.h"
#include "lib/service.h"
#include "lib/sig.h"
#include "lib/sigheader.h"
#include "lib/version.h"
#include "core/proto_line.h"
#include "core/proto_line_entry.h"
#include "core/startcheck.h"
#include "answer.h"
#include "daemon.h"
#include "hdr.h"
#include "keycache.h"
#include "keytable.h"
#include "listen.h"
#include "mlog.h"
#include "signmode.h"
#include "verify.h"

#define MILTER_NAME	"senderkey-milter"
#define MAX_RCPTS	1000	/* recipients judged per message */
#define QID_MAX		32
#define PROTO_NR	(SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY) /* part() */
/* the commands this milter has no callback for, declined when offered */
#define PROTO_NO	(SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NODATA | \
			 SMFIP_NOUNKNOWN)

/* What start-up built; read-only once smfi_main runs. */
struct milter {
	struct config	*cfg;
	struct keytable	*kt;
	struct sig_ctx	*sctx;
	struct keycache	*kc;		/* thread-safe on its own */
	struct daemon_pool *pool;	/* to senderkeyd; thread-safe too */
	char		*authserv_id;
};

static const struct milter *M;

/* Per connection (smfi_setpriv); the message part is reset per message. */
struct mctx {
	int	 leadspc;		/* SMFIP_HDR_LEADSPC negotiated */
	int	 noreply;		/* PROTO_NR negotiated */
	int	 lost;			/* a part of the message not kept */
	char	*auth;			/* {auth_authen}, or NULL */
	char	*envfrom;		/* a submission's MAIL FROM, for LEARN */
	char	**rcpts;
	size_t	 nrcpts;
	struct hdr *mail;		/* the message as delivered (hdr.h) */
	char	 qid[QID_MAX + 1];
};

static void
mctx_reset(struct mctx *c)
{
	size_t i;

	free(c->auth);
	c->auth = NULL;
	free(c->envfrom);
	c->envfrom = NULL;
	for (i = 0; i < c->nrcpts; i++)
		free(c->rcpts[i]);
	free(c->rcpts);
	c->rcpts = NULL;
	c->nrcpts = 0;
	hdr_reset(c->mail);
	c->qid[0] = '\0';
	c->lost = 0;
}

static struct mctx *
mctx_get(SMFICTX *ctx)
{
	struct mctx *c = smfi_getpriv(ctx);

	if (c == NULL && (c = calloc(1, sizeof(*c))) != NULL)
		smfi_setpriv(ctx, c);
	return c;
}

/* mctx_mail: the message being collected, made at its first part. */
static struct hdr *
mctx_mail(struct mctx *c)
{
	if (c->mail == NULL)
		c->mail = hdr_new(c->leadspc);
	return c->mail;
}

/* --- callbacks --------------------------------------------------------- */

static sfsistat
mf_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct mctx *c = mctx_get(ctx);

	(void)f2;
	(void)f3;
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if ((f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS)) !=
	    (SMFIF_ADDHDRS | SMFIF_CHGHDRS)) {
		mlog(LOG_ERR, "the MTA does not offer adding and changing "
		    "header fields");
		return SMFIS_REJECT;
	}
	*pf0 = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
	*pf1 = f1 & SMFIP_HDR_LEADSPC;
	if ((f1 & PROTO_NR) == PROTO_NR)
		*pf1 |= PROTO_NR;
	*pf1 |= f1 & PROTO_NO;
	c->leadspc = (*pf1 & SMFIP_HDR_LEADSPC) != 0;
	c->noreply = (*pf1 & PROTO_NR) != 0;
	*pf2 = *pf3 = 0;
	return SMFIS_CONTINUE;
}

/* unbracket: a malloc'd copy of the envelope address A without its
   angle brackets ("" for NULL); NULL when out of memory. */
static char *
unbracket(const char *a)
{
	size_t n = a != NULL ? strlen(a) : 0;

	if (n >= 2 && a[0] == '<' && a[n - 1] == '>')
		return strndup(a + 1, n - 2);
	return strndup(a != NULL ? a : "", n);
}

static sfsistat
mf_envfrom(SMFICTX *ctx, char **argv)
{
	struct mctx *c = mctx_get(ctx);
	const char *a;

	(void)argv;
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	mctx_reset(c);
	a = smfi_getsymval(ctx, "{auth_authen}");
	if (a != NULL && *a != '\0' && (c->auth = strdup(a)) == NULL)
		return SMFIS_TEMPFAIL;
	if (M->cfg->milter_mode == CONFIG_MILTER_SIGN && c->auth == NULL)
		return SMFIS_ACCEPT;	/* nothing to sign */
	if (M->cfg->milter_mode == CONFIG_MILTER_VERIFY)
		c->auth = (free(c->auth), NULL);
	if (c->auth != NULL && M->cfg->learn_outbound &&
	    (c->envfrom = unbracket(argv[0])) == NULL)
		return SMFIS_TEMPFAIL;
	return SMFIS_CONTINUE;
}

static sfsistat
mf_envrcpt(SMFICTX *ctx, char **argv)
{
	struct mctx *c = mctx_get(ctx);
	const char *r;
	char **nr;
	size_t n;

	if (c == NULL || argv[0] == NULL)
		return SMFIS_TEMPFAIL;
	if (c->auth != NULL && (c->envfrom == NULL ||
	    c->nrcpts == MAX_RCPTS))
		return SMFIS_CONTINUE;	/* submission: no verdicts; LEARN
					   for at most MAX_RCPTS */
	if (c->nrcpts == MAX_RCPTS) {
		smfi_setreply(ctx, "452", "4.5.3",
		    "senderkey: too many recipients");
		return SMFIS_TEMPFAIL;
	}
	r = argv[0];
	n = strlen(r);
	if (n >= 2 && r[0] == '<' && r[n - 1] == '>') {
		r++;
		n -= 2;
	}
	if ((nr = reallocarray(c->rcpts, c->nrcpts + 1, sizeof(*nr))) ==
	    NULL)
		return SMFIS_TEMPFAIL;
	c->rcpts = nr;
	if ((c->rcpts[c->nrcpts] = strndup(r, n)) == NULL)
		return SMFIS_TEMPFAIL;
	c->nrcpts++;
	return SMFIS_CONTINUE;
}

/* part: the answer to a part of the message kept (OK) or not; none with
   PROTO_NR (a round trip less per header field, end of header and body
   chunk), a failure then answered at end of data (c->lost, hdr_error). */
static sfsistat
part(struct mctx *c, int ok)
{
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if (!ok)
		c->lost = 1;
	if (c->noreply)
		return SMFIS_NOREPLY;
	return ok ? SMFIS_CONTINUE : SMFIS_TEMPFAIL;
}

/* A field hdr.c refuses is judged at end of data (mf_eom). */
static sfsistat
mf_header(SMFICTX *ctx, char *name, char *value)
{
	struct mctx *c = mctx_get(ctx);
	struct hdr *h;

	return part(c, c != NULL && (h = mctx_mail(c)) != NULL &&
	    hdr_field(h, name, value) == 0);
}

static sfsistat
mf_eoh(SMFICTX *ctx)
{
	struct mctx *c = mctx_get(ctx);
	struct hdr *h;

	return part(c, c != NULL && (h = mctx_mail(c)) != NULL &&
	    hdr_eoh(h) == 0);
}

static sfsistat
mf_body(SMFICTX *ctx, unsigned char *p, size_t len)
{
	struct mctx *c = mctx_get(ctx);
	struct hdr *h;

	return part(c, c != NULL && (h = mctx_mail(c)) != NULL &&
	    hdr_body(h, p, len) == 0);
}

static void
set_qid(SMFICTX *ctx, struct mctx *c)
{
	const char *q = smfi_getsymval(ctx, "i");

	c->qid[0] = '\0';
	/* sent as AUTHZ queue_id= only when it is one (protocol.md 3.2) */
	if (q != NULL && strlen(q) <= QID_MAX && proto_line_queue_id_ok(q))
		memcpy(c->qid, q, strlen(q) + 1);
}

/*
 * ins_top: insert NAME: VALUE above every other field.  With
 * SMFIP_HDR_LEADSPC the MTA writes VALUE verbatim (Postfix delivers
 * "Name:value" otherwise), so the space after the colon is added here.
 * Returns 0, or -1 when the MTA refused or memory ran out.
 */
static int
ins_top(SMFICTX *ctx, const struct mctx *c, char *name, const char *value)
{
	char *v = NULL;
	int rc;

	if (asprintf(&v, "%s%s", c->leadspc ? " " : "", value) == -1)
		return -1;
	rc = smfi_insheader(ctx, 0, name, v) == MI_SUCCESS ? 0 : -1;
	free(v);
	return rc;
}

/*
 * strip_submission: delete what signmode_strip lists (every incoming
 * Sender-Key-Trust, our own Authentication-Results) from submission M,
 * counting them into *N.  Returns 0, or -1 when the MTA refused one.
 */
static int
strip_submission(SMFICTX *ctx, const struct msg *m, size_t *n)
{
	struct signmode_strip st;
	size_t i;

	*n = 0;
	if (signmode_strip(m, M->authserv_id, &st) == -1)
		return -1;
	for (i = 0; i < st.nar_del; i++)
		if (smfi_chgheader(ctx, "Authentication-Results",
		    (int)st.ar_del[i], NULL) != MI_SUCCESS)
			return -1;
	for (i = st.ntrust_del; i > 0; i--)
		if (smfi_chgheader(ctx, "Sender-Key-Trust", (int)i, NULL) !=
		    MI_SUCCESS)
			return -1;
	*n = st.nar_del + st.ntrust_del;
	return 0;
}

/*
 * learn: report the recipients of accepted submission C to the daemon
 * (LEARN, protocol.md 5.3) and log the outcome; never changes the
 * message's fate.
 */
static void
learn(const struct mctx *c)
{
	char err[512] = "";
	size_t n[3] = { 0, 0, 0 };
	int rc;

	if (c->envfrom == NULL || c->nrcpts == 0)
		return;
	rc = daemon_learn(M->pool, M->cfg->milter_timeout_ms,
	    c->auth, c->envfrom, (const char *const *)c->rcpts, c->nrcpts,
	    n, err, sizeof(err));
	mlog(rc == 0 ? LOG_INFO : LOG_WARNING, "queue_id=%s mode=learn "
	    "login=%s recipients=%zu written=%zu unchanged=%zu none=%zu%s%s",
	    c->qid[0] != '\0' ? c->qid : "-", c->auth, c->nrcpts,
	    n[PLENT_WRITTEN], n[PLENT_UNCHANGED], n[PLENT_NONE],
	    rc == 0 ? "" : " daemon_error=", rc == 0 ? "" : err);
}

static sfsistat
eom_sign(SMFICTX *ctx, struct mctx *c, const struct msg *m)
{
	enum signmode_result r;
	enum sig_sign_err serr;
	char *value = NULL, *from = NULL, *dkim = NULL;
	size_t nstrip = 0;
	sfsistat rc = SMFIS_ACCEPT;
	int64_t now = (int64_t)time(NULL);

	r = signmode_sign(M->sctx, m, M->kt, c->auth, now, &value, &from,
	    &serr);
	/* MilterDkim yes: the DKIM bridge's field too, or nothing at all */
	if (r == SIGNMODE_SIGNED && M->cfg->milter_dkim &&
	    signmode_bridge(M->sctx, m, M->kt, now, &dkim, &serr) == -1)
		r = SIGNMODE_ERROR;
	/* an accepted submission never keeps a forged trust field */
	if ((r == SIGNMODE_SIGNED || r == SIGNMODE_NOKEY ||
	    r == SIGNMODE_BADFROM) && strip_submission(ctx, m, &nstrip) == -1)
		rc = SMFIS_TEMPFAIL;
	mlog(r == SIGNMODE_SIGNED || r == SIGNMODE_NOKEY ? LOG_INFO :
	    LOG_NOTICE, "queue_id=%s mode=sign login=%s from=%s result=%s%s%s "
	    "removed=%zu", c->qid[0] != '\0' ? c->qid : "-", c->auth,
	    from != NULL ? from : "-", signmode_name(r),
	    r == SIGNMODE_ERROR ? " why=" : "",
	    r == SIGNMODE_ERROR ? sig_sign_strerror(serr) : "", nstrip);
	switch (r) {
	case SIGNMODE_SIGNED:
		/* each on top: the DKIM-Signature ends up right below */
		if ((dkim != NULL && ins_top(ctx, c, "DKIM-Signature",
		    dkim) == -1) ||
		    ins_top(ctx, c, "Sender-Key-Signature", value) == -1)
			rc = SMFIS_TEMPFAIL;
		break;
	case SIGNMODE_NOKEY:
	case SIGNMODE_BADFROM:
		break;
	case SIGNMODE_NOTALLOWED:
		smfi_setreply(ctx, "550", "5.7.1", "senderkey: your login "
		    "may not send as this From: address");
		rc = SMFIS_REJECT;
		break;
	case SIGNMODE_ERROR:
		rc = SMFIS_TEMPFAIL;
		break;
	}
	if (rc == SMFIS_TEMPFAIL)
		smfi_setreply(ctx, "451", "4.7.0",
		    "senderkey: temporary failure (internal)");
	else if (rc == SMFIS_ACCEPT)
		learn(c);
	free(value);
	free(dkim);
	free(from);
	return rc;
}

static sfsistat
eom_verify(SMFICTX *ctx, struct mctx *c, const struct msg *m)
{
	struct sig_verify *v = NULL;
	struct answer_authz *ans = NULL;
	struct verify_in in;
	struct verify_out out;
	const struct sig_outcome *o;
	struct sig_outcome tmp;
	const struct addr *sender;
	struct addr *from = NULL;
	enum msg_from_err ferr;
	char err[512] = "", b8[9];
	size_t i;
	int failed = 0;
	sfsistat rc = SMFIS_TEMPFAIL;

	/* Sender-Key-Signature fields and DKIM bridge signatures (11.2) */
	if ((v = sig_verify_begin(M->sctx, m, SIGHEADER_DKIM_BRIDGE,
	    (int64_t)time(NULL))) == NULL)
		goto tempfail;
	from = msg_from(m, &ferr);
	if (sig_verify_need_keys(v, &sender) &&
	    daemon_lookup(M->pool, M->cfg->milter_timeout_ms, M->kc,
	    v, addr_canon(sender), err, sizeof(err)) == -1)
		failed = 1;
	o = sig_verify_result(v);
	if (failed) {
		tmp = *o;
		tmp.result = SIG_TEMPERROR;
		tmp.reason = SIG_R_INTERNAL;
		o = &tmp;
	}
	verify_b8(m, o, b8);
	if ((ans = calloc(c->nrcpts + 1, sizeof(*ans))) == NULL)
		goto tempfail;
	if (!failed && c->nrcpts > 0 && daemon_authz(M->pool,
	    M->cfg->milter_timeout_ms, from != NULL ? addr_canon(from) :
	    "invalid", o, c->qid[0] != '\0' ? c->qid : NULL,
	    (const char *const *)c->rcpts, c->nrcpts, ans, err,
	    sizeof(err)) == -1)
		failed = 1;
	memset(&in, 0, sizeof(in));
	in.m = m;
	in.res = o;
	in.from = from != NULL ? addr_canon(from) : NULL;
	in.b8 = b8;
	in.selector = o->kind == SIGHEADER_DKIM_BRIDGE &&
	    o->selector[0] != '\0' ? o->selector : NULL;
	in.ans = ans;
	in.nans = c->nrcpts;
	in.daemon_failed = failed;
	in.authserv_id = M->authserv_id;
	in.monitor = M->cfg->mode == CONFIG_MONITOR;
	if (verify_decide(&in, &out) == -1)
		goto tempfail;
	mlog(out.action == VERIFY_ACCEPT ? LOG_INFO : LOG_NOTICE,
	    "queue_id=%s mode=verify from=%s result=%s reason=%s "
	    "recipients=%zu action=%s trust=%s%s%s",
	    c->qid[0] != '\0' ? c->qid : "-", in.from != NULL ? in.from :
	    "-", sig_result_name(o->result), sig_reason_name(o->reason),
	    c->nrcpts, out.action == VERIFY_ACCEPT ? "accept" :
	    out.action == VERIFY_REJECT ? "reject" : "tempfail",
	    out.trust[0] != '\0' ? out.trust : "-", err[0] != '\0' ?
	    " daemon_error=" : "", err);
	if (out.action != VERIFY_ACCEPT) {
		smfi_setreply(ctx, out.code, out.xcode, out.text);
		rc = out.action == VERIFY_REJECT ? SMFIS_REJECT :
		    SMFIS_TEMPFAIL;
		goto done;
	}
	rc = SMFIS_ACCEPT;
	for (i = 0; i < out.nar_del; i++)
		if (smfi_chgheader(ctx, "Authentication-Results",
		    (int)out.ar_del[i], NULL) != MI_SUCCESS)
			rc = SMFIS_TEMPFAIL;
	for (i = out.ntrust_del; i > 0; i--)
		if (smfi_chgheader(ctx, "Sender-Key-Trust", (int)i, NULL) !=
		    MI_SUCCESS)
			rc = SMFIS_TEMPFAIL;
	if (out.ar[0] != '\0' && ins_top(ctx, c, "Authentication-Results",
	    out.ar) == -1)
		rc = SMFIS_TEMPFAIL;
	if (out.trust[0] != '\0' && ins_top(ctx, c, "Sender-Key-Trust",
	    out.trust) == -1)
		rc = SMFIS_TEMPFAIL;
	goto done;
tempfail:
	smfi_setreply(ctx, "451", "4.7.0",
	    "senderkey: temporary failure (internal)");
done:
	free(ans);
	addr_free(from);
	sig_verify_free(v);
	return rc;
}

static sfsistat
mf_eom(SMFICTX *ctx)
{
	struct mctx *c = mctx_get(ctx);
	struct msg *m = NULL;
	struct hdr *h;
	enum msg_err merr;
	enum hdr_err herr;
	const char *text;
	size_t line, len;
	sfsistat rc;

	if (c == NULL || c->lost || (h = mctx_mail(c)) == NULL)
		return SMFIS_TEMPFAIL;
	set_qid(ctx, c);
	switch ((herr = hdr_error(h, &line))) {
	case HDR_OK:
		break;
	case HDR_ETOOBIG:
		smfi_setreply(ctx, "552", "5.3.4",
		    "senderkey: message too big to check");
		rc = SMFIS_REJECT;
		goto done;
	case HDR_ENOMEM:
		smfi_setreply(ctx, "451", "4.7.0",
		    "senderkey: temporary failure (internal)");
		rc = SMFIS_TEMPFAIL;
		goto done;
	case HDR_ENAME:
	case HDR_ECR:
	case HDR_EBREAK:
		/* never a verdict on octets the MTA does not deliver */
		mlog(LOG_NOTICE, "queue_id=%s: header field %zu cannot be "
		    "checked as the MTA delivers it: %s", c->qid[0] != '\0' ?
		    c->qid : "-", line, hdr_strerror(herr));
		smfi_setreply(ctx, "550", "5.6.0",
		    "senderkey: message header cannot be parsed");
		rc = SMFIS_REJECT;
		goto done;
	}
	text = hdr_text(h, &len);
	if ((m = msg_parse(text, len, &merr, &line)) == NULL) {
		mlog(LOG_NOTICE, "queue_id=%s: the message cannot be parsed: "
		    "line %zu: %s", c->qid[0] != '\0' ? c->qid : "-", line,
		    msg_strerror(merr));
		if (merr == MSG_ENOMEM) {
			smfi_setreply(ctx, "451", "4.7.0",
			    "senderkey: temporary failure (internal)");
			rc = SMFIS_TEMPFAIL;
		} else {
			smfi_setreply(ctx, "550", "5.6.0",
			    "senderkey: message header cannot be parsed");
			rc = SMFIS_REJECT;
		}
		goto done;
	}
	rc = c->auth != NULL ? eom_sign(ctx, c, m) : eom_verify(ctx, c, m);
done:
	msg_free(m);
	mctx_reset(c);
	return rc;
}

static sfsistat
mf_abort(SMFICTX *ctx)
{
	struct mctx *c = smfi_getpriv(ctx);

	if (c != NULL)
		mctx_reset(c);
	return SMFIS_CONTINUE;
}

static sfsistat
mf_close(SMFICTX *ctx)
{
	struct mctx *c = smfi_getpriv(ctx);

	if (c != NULL) {
		mctx_reset(c);
		hdr_free(c->mail);
		free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

/* --- start-up ---------------------------------------------------------- */

static const struct option longopts[] = {
	{ "debug",	no_argument,		NULL, 'd' },
	{ "check",	no_argument,		NULL, 'n' },
	{ "config",	required_argument,	NULL, 'x' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 },
};

/* usage: the help on stdout (exit 0), or the usage line on stderr (64). */
static int
usage(int help)
{
	unsigned int maj = 0, min = 0, pl = 0;

	if (help == 'V') {
		(void)smfi_version(&maj, &min, &pl);
		printf(MILTER_NAME " %s\nOpenSSL %s\nlibmilter %u.%u.%u\n",
		    SENDERKEY_VERSION, OpenSSL_version(OPENSSL_VERSION_STRING),
		    maj, min, pl);
		return 0;
	}
	fprintf(help ? stdout : stderr,
	    "usage: " MILTER_NAME " [-dhnV] [-x CONFIG]\n");
	if (!help)
		return EX_USAGE;
	printf("  -d, --debug         log to stderr too\n"
	    "  -n, --check         check the configuration as a start "
	    "would, then exit\n"
	    "  -x, --config FILE   the configuration (default %s)\n"
	    "  -h, --help          this help\n"
	    "  -V, --version       the version and the libraries'\n",
	    CONFIG_DEFAULT_PATH);
	return 0;
}

/*
 * prepare: core/startcheck.c's checks of MIL's configuration and its
 * KeyTable (loaded), the same for -n and a start, every message on
 * stderr; then its caches and its pool of connections to senderkeyd;
 * *SPEC the MilterSocket as text (caller frees).  Returns 0, or the
 * exit status (EX_CONFIG for the checks).
 */
static int
prepare(struct milter *mil, char **spec)
{
	char err[CONFIG_ERR_MAX + 256], host[256];
	struct startcheck *sc;
	size_t nerr;

	if ((sc = startcheck_new(mil->cfg)) == NULL) {
		fprintf(stderr, MILTER_NAME ": out of memory\n");
		return EX_SOFTWARE;
	}
	startcheck_milter(sc);
	if (mil->cfg->key_table != NULL && (mil->kt =
	    keytable_load(mil->cfg->key_table, err, sizeof(err))) == NULL)
		startcheck_add(sc, 0, "KeyTable", "%s", err);
	startcheck_print(sc, stderr, MILTER_NAME);
	nerr = startcheck_errors(sc);
	startcheck_free(sc);
	if (nerr > 0)
		return EX_CONFIG;
	if (mil->cfg->authserv_id != NULL)
		mil->authserv_id = strdup(mil->cfg->authserv_id);
	else if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		mil->authserv_id = strdup(host);
	}
	if (mil->authserv_id == NULL || (mil->sctx = sig_ctx_new()) == NULL ||
	    (mil->kc = keycache_new(mil->sctx, KEYCACHE_ENTRIES,
	    KEYCACHE_BYTES, KEYCACHE_MAX_TTL)) == NULL ||
	    (mil->pool = daemon_pool_new(&mil->cfg->socket,
	    DAEMON_POOL_IDLE)) == NULL ||
	    (*spec = listen_spec(&mil->cfg->milter_socket)) == NULL) {
		fprintf(stderr, MILTER_NAME ": out of memory\n");
		return EX_SOFTWARE;
	}
	return 0;
}

/* callbacks: the libmilter callbacks of this milter into DESC. */
static void
callbacks(struct smfiDesc *desc)
{
	memset(desc, 0, sizeof(*desc));
	desc->xxfi_name = MILTER_NAME;
	desc->xxfi_version = SMFI_VERSION;
	desc->xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
	desc->xxfi_envfrom = mf_envfrom;
	desc->xxfi_envrcpt = mf_envrcpt;
	desc->xxfi_header = mf_header;
	desc->xxfi_eoh = mf_eoh;
	desc->xxfi_body = mf_body;
	desc->xxfi_eom = mf_eom;
	desc->xxfi_abort = mf_abort;
	desc->xxfi_close = mf_close;
	desc->xxfi_negotiate = mf_negotiate;
}

int
main(int argc, char **argv)
{
	static struct milter mil;
	struct service_unix *sock = NULL;
	struct smfiDesc desc;
	uid_t owner = (uid_t)-1;
	char err[CONFIG_ERR_MAX + 256], *spec = NULL;
	const char *cfgpath = NULL;
	int ch, check = 0, debug = 0, rc = EX_SOFTWARE;

	while ((ch = getopt_long(argc, argv, "dhnVx:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'd':
			debug = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'x':
			cfgpath = optarg;
			break;
		case 'h':
		case 'V':
			return usage(ch);
		default:
			return usage(0);
		}
	}
	if (optind != argc)
		return usage(0);
	if (config_load(cfgpath, &mil.cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, MILTER_NAME ": %s\n", err);
		return EX_CONFIG;
	}
	if ((rc = prepare(&mil, &spec)) != 0)
		goto done;
	if (check) {
		printf("%s: ok, %zu KeyTable entries\n", mil.cfg->file !=
		    NULL ? mil.cfg->file : "(default)", mil.kt != NULL ?
		    keytable_count(mil.kt) : 0);
		rc = 0;
		goto done;
	}
	mlog_open(MILTER_NAME, debug, mil.cfg->syslog_facility);
	callbacks(&desc);
	M = &mil;
	umask(007);
	if (mil.cfg->milter_user != NULL && service_user(mil.cfg->milter_user,
	    &owner, NULL, err, sizeof(err)) == -1) {
		fprintf(stderr, MILTER_NAME ": MilterUser: %s\n", err);
		rc = EX_NOPERM;
		goto done;
	}
	listen_threads();
	if (smfi_register(desc) == MI_FAILURE ||
	    listen_open(mil.cfg, owner, &sock) == -1) {
		rc = EX_UNAVAILABLE;
		goto done;
	}
	if (mil.cfg->milter_user != NULL && service_drop(mil.cfg->milter_user,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, MILTER_NAME ": MilterUser %s: %s\n",
		    mil.cfg->milter_user, err);
		rc = EX_NOPERM;
		goto done;
	}
	mlog(LOG_INFO, "listening on %s, daemon %s, mode %s, authserv-id %s",
	    spec, mil.cfg->socket.spec, mil.cfg->milter_mode ==
	    CONFIG_MILTER_SIGN ? "sign" : mil.cfg->milter_mode ==
	    CONFIG_MILTER_VERIFY ? "verify" : "both", mil.authserv_id);
	rc = smfi_main() == MI_SUCCESS ? 0 : EX_SOFTWARE;
	service_unix_remove(sock);
done:
	if (rc != 0)
		service_unix_undo(sock);	/* a refused start */
	service_unix_free(sock);
	free(spec);
	free(mil.authserv_id);
	daemon_pool_free(mil.pool);
	keycache_free(mil.kc);
	sig_ctx_free(mil.sctx);
	keytable_free(mil.kt);
	config_free(mil.cfg);
	return rc;
}
