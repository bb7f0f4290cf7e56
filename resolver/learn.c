/*
 * learn.c: LearnOutbound (learn.h).  A learn checks the login against
 * the envelope sender, parses the external recipient, asks the cache
 * for its key record (as any sender's) and, with the answer, writes the
 * user entry (uentry_put, keep: an entry that is there stays), notes a
 * journal row (dir out) and logs one line.  A learn waiting for DNS is
 * a struct learn_job on the server's list: it outlives the connection
 * that asked (the entry is still written), never the server.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/config.h"
#include "lib/owner.h"
#include "lib/rcpt.h"
#include "core/decision.h"
#include "core/lookup.h"
#include "core/proto_line.h"
#include "core/proto_line_entry.h"
#include "cache.h"
#include "journal.h"
#include "learn.h"
#include "log.h"
#include "server.h"
#include "server_int.h"
#include "uentry.h"

static const char *const why_names[] = { "ok", "disabled", "no-journal",
	"null-sender", "bad-sender", "bad-login", "login-mismatch",
	"bad-recipient", "own-domain" };

struct learn_job {
	struct server		*s;
	struct learn_job	*prev, *next;
	struct sconn		*sc;		/* NULL: nobody waits */
	struct cache_waiter	*w;
	char			 user[STORE_TARGET_MAX];  /* mailbox */
	char			 peer[STORE_TARGET_MAX];  /* address */
};

const char *
learn_whyname(enum learn_why w)
{
	if ((size_t)w >= sizeof(why_names) / sizeof(why_names[0]))
		return "?";
	return why_names[w];
}

enum learn_why
learn_mailbox(const char *login, const char *sender, enum addr_form form,
    const char *delims, char mbox[STORE_TARGET_MAX])
{
	struct addr *sm = NULL, *lm = NULL;
	char *full = NULL;
	enum addr_err e;
	enum learn_why w;
	size_t n;

	mbox[0] = '\0';
	if (sender == NULL || sender[0] == '\0' || strcmp(sender, "<>") == 0)
		return LW_NULL_SENDER;
	if ((sm = rcpt_mailbox(sender, form, delims, NULL, 0, &e)) == NULL)
		return LW_BAD_SENDER;
	w = LW_BAD_LOGIN;
	if (login == NULL || login[0] == '\0')
		goto done;
	if (strchr(login, '@') == NULL) {
		n = strlen(login) + strlen(addr_domain(sm)) + 2;
		if ((full = malloc(n)) == NULL)
			goto done;
		memcpy(full, login, strlen(login));
		full[strlen(login)] = '@';
		memcpy(full + strlen(login) + 1, addr_domain(sm),
		    strlen(addr_domain(sm)) + 1);
	}
	if ((lm = rcpt_mailbox(full != NULL ? full : login, form, delims,
	    NULL, 0, &e)) == NULL)
		goto done;
	w = LW_LOGIN_MISMATCH;
	if (strcmp(addr_canon(lm), addr_canon(sm)) != 0 ||
	    strlen(addr_canon(sm)) >= STORE_TARGET_MAX)
		goto done;
	memcpy(mbox, addr_canon(sm), strlen(addr_canon(sm)) + 1);
	w = LW_OK;
done:
	free(full);
	addr_free(lm);
	addr_free(sm);
	return w;
}

/* reply: the LEARN reply E (WHY for none, else NULL) on SC, if any. */
static void
reply(struct sconn *sc, enum proto_line_entry e, const char *why)
{
	char buf[128];

	if (sc == NULL)
		return;
	server_reply(sc, buf, proto_line_entry_encode(buf, sizeof(buf), e,
	    why), 0);
}

/*
 * out_row: the journal row (dir out) of a learn whose key answer is KA:
 * the verdict the external address would get as a sender at RCPT time
 * (allow mode, no entry, no signature yet), specs/store.md 6.2.
 */
static void
out_row(const struct lookup_answer *ka, struct verdict_output *v)
{
	memset(v, 0, sizeof(*v));
	v->verdict = VERDICT_UNTRUSTED;
	v->tag = VT_UNTRUSTED;
	switch (ka != NULL ? ka->state : LOOKUP_TEMPFAIL) {
	case LOOKUP_SECURE_KEY:
		v->reason = VR_SIG_PENDING;
		break;
	case LOOKUP_SECURE_NOKEY:
		v->reason = ka->nokey == LOOKUP_NOKEY_REVOKED ?
		    VR_KEY_REVOKED : ka->nokey == LOOKUP_NOKEY_EXPIRED ?
		    VR_KEY_EXPIRED : VR_NO_KEY;
		break;
	case LOOKUP_INSECURE:
		v->reason = VR_KEY_INSECURE;
		break;
	case LOOKUP_PERMERROR:
		v->reason = VR_KEY_PERMERROR;
		break;
	case LOOKUP_BOGUS:
		v->verdict = VERDICT_TEMPFAIL;
		v->tag = VT_NONE;
		v->reason = VR_DNS_BOGUS;
		break;
	case LOOKUP_TEMPFAIL:
		v->verdict = VERDICT_TEMPFAIL;
		v->tag = VT_NONE;
		v->reason = VR_DNS_TEMPFAIL;
		break;
	}
}

/* finish: J's key answer KA (NULL: none) is in: write, note, log, reply. */
static void
finish(struct learn_job *j, const struct lookup_answer *ka)
{
	struct server *s = j->s;
	struct decision_key kk[LOOKUP_MAX_KEY_RECORDS];
	struct decision_answer da;
	unsigned char pins[STORE_MAX_PINS][STORE_FP_LEN];
	struct verdict_output v;
	char err[STORE_ERR_MAX] = "", u[64], p[64];
	size_t i, npins = 0;
	int rc;

	if (ka != NULL && ka->state == LOOKUP_SECURE_KEY &&
	    decision_answer_of(ka, 1, kk, &da) != NULL)
		for (i = 0; i < da.nkeys && npins < STORE_MAX_PINS; i++)
			if (da.keys[i].has_fp)
				memcpy(pins[npins++], da.keys[i].fp,
				    STORE_FP_LEN);
	rc = uentry_put(s->uentry, j->user, j->peer, STORE_ALLOW,
	    (const unsigned char (*)[STORE_FP_LEN])pins, npins, UENTRY_SENT,
	    1, err, sizeof(err));
	out_row(ka, &v);
	if (s->journal != NULL)
		journal_note_out(s->journal, j->user, j->peer, &v);
	log_value(j->user, u, sizeof(u));
	log_value(j->peer, p, sizeof(p));
	if (rc == -1) {
		log_msg(s->log, LOG_WARNING, "learn: user=%s recipient=%s "
		    "not written: %s", u, p, err);
		if (j->sc != NULL)
			server_reply_line_error(j->sc, PLE_INTERNAL);
		return;
	}
	log_msg(s->log, LOG_INFO, "learn: user=%s recipient=%s entry=%s "
	    "lookup=%s pins=%zu", u, p, rc == 0 ? "written" :
	    "unchanged", ka != NULL ? lookup_state_name(ka->state) : "-",
	    npins);
	reply(j->sc, rc == 0 ? PLENT_WRITTEN : PLENT_UNCHANGED, NULL);
}

static void
job_unlink(struct learn_job *j)
{
	struct learn_job **head = &j->s->learns;

	if (j->prev != NULL)
		j->prev->next = j->next;
	else if (*head == j)
		*head = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	j->prev = j->next = NULL;
}

static void
on_key(void *arg, struct cache_result *res)
{
	struct learn_job *j = arg;
	char u[64], p[64];

	j->w = NULL;
	job_unlink(j);
	if (res == NULL) {
		log_msg(j->s->log, LOG_WARNING, "learn: user=%s recipient=%s "
		    "not written: key lookup failed", log_value(j->user, u,
		    sizeof(u)), log_value(j->peer, p, sizeof(p)));
		if (j->sc != NULL)
			server_reply_line_error(j->sc, PLE_INTERNAL);
	} else
		finish(j, cache_result_answer(res));
	cache_result_release(res);
	free(j);
}

/* nothing: no learn for WHY; logged unless it is off or a null sender. */
static int
nothing(struct server *s, struct sconn *sc, enum learn_why why,
    const char *login, const char *sender, const char *recipient)
{
	char l[64], se[64], r[64];

	if (why != LW_DISABLED && why != LW_NULL_SENDER) {
		log_value(login, l, sizeof(l));
		log_value(sender, se, sizeof(se));
		log_value(recipient, r, sizeof(r));
		log_msg(s->log, LOG_NOTICE, "learn: login=%s sender=%s "
		    "recipient=%s nothing learned: %s", l, se, r,
		    learn_whyname(why));
	}
	reply(sc, PLENT_NONE, learn_whyname(why));
	return 0;
}

int
learn_start(struct server *s, struct sconn *sc, const char *login,
    const char *sender, const char *recipient, enum addr_form form)
{
	struct learn_job *j;
	struct cache_result *hit = NULL;
	struct addr *ra;
	char user[STORE_TARGET_MAX], keyname[OWNER_NAME_MAX];
	const char *dom;
	enum learn_why w;

	if (!s->cfg->learn_outbound)
		return nothing(s, sc, LW_DISABLED, login, sender, recipient);
	if (s->uentry == NULL)
		return nothing(s, sc, LW_NO_JOURNAL, login, sender, recipient);
	if ((w = learn_mailbox(login, sender, form,
	    s->cfg->recipient_delimiter, user)) != LW_OK)
		return nothing(s, sc, w, login, sender, recipient);
	if ((ra = addr_parse_form(recipient, form, NULL, NULL)) == NULL ||
	    strlen(addr_canon(ra)) >= STORE_TARGET_MAX) {
		addr_free(ra);
		return nothing(s, sc, LW_BAD_RECIPIENT, login, sender,
		    recipient);
	}
	dom = strrchr(user, '@');
	if (dom != NULL && strcmp(dom + 1, addr_domain(ra)) == 0) {
		addr_free(ra);
		return nothing(s, sc, LW_OWN_DOMAIN, login, sender,
		    recipient);
	}
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    owner_name_ctx(s->mdctx, s->sha256, ra, OWNER_SENDERKEY, keyname,
	    sizeof(keyname)) == -1) {
		free(j);
		addr_free(ra);
		return -1;
	}
	j->s = s;
	j->sc = sc;
	memcpy(j->user, user, sizeof(user));
	memcpy(j->peer, addr_canon(ra), strlen(addr_canon(ra)) + 1);
	addr_free(ra);
	if (cache_get(s->cache, keyname, LOOKUP_KEY, s->cfg->dns_timeout_ms,
	    on_key, j, &hit, &j->w) == -1) {
		free(j);
		return -1;
	}
	if (hit != NULL) {
		finish(j, cache_result_answer(hit));
		cache_result_release(hit);
		free(j);
		return 0;
	}
	j->next = s->learns;
	if (s->learns != NULL)
		s->learns->prev = j;
	s->learns = j;
	return 0;
}

void
learn_conn_gone(struct server *s, struct sconn *sc)
{
	struct learn_job *j;

	for (j = s->learns; j != NULL; j = j->next)
		if (j->sc == sc)
			j->sc = NULL;
}

void
learn_free_all(struct server *s)
{
	struct learn_job *j;

	while ((j = s->learns) != NULL) {
		s->learns = j->next;
		cache_waiter_cancel(j->w);
		free(j);
	}
}
