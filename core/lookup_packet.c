/*
 * lookup_packet.c: validated queries for whole DNS packets of any type
 * (lookup_packet_start, lookup_packet_sync): the answer packet parsed by
 * ldns, its DNSSEC state from libunbound's flags only, and for TXT the
 * same classification lookup_start gives.  The context, the pending list
 * and libunbound's callback are lookup.c's (lookup_int.h).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>
#include <unbound.h>

#include "lookup.h"
#include "lookup_int.h"

/* --- packet answers -------------------------------------------- */

const char *
lookup_packet_dnssec_name(enum lookup_dnssec d)
{
	switch (d) {
	case LOOKUP_DNSSEC_SECURE:
		return "secure";
	case LOOKUP_DNSSEC_INSECURE:
		return "insecure";
	case LOOKUP_DNSSEC_BOGUS:
		return "bogus";
	case LOOKUP_DNSSEC_FAILED:
		return "failed";
	}
	return "?";
}

void
lookup_packet_free(struct lookup_packet *p)
{
	if (p == NULL)
		return;
	ldns_pkt_free(p->pkt);
	lookup_answer_free(p->answer);
	free(p->why);
	free(p);
}

struct lookup_packet *
lookup_packet_failed(int rrtype, const char *why)
{
	struct lookup_packet *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->rrtype = rrtype;
	p->dnssec = LOOKUP_DNSSEC_FAILED;
	p->rcode = -1;
	if (why != NULL && (p->why = strdup(why)) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

/*
 * packet_result: the packet answer for RES (or error ERR) of Q.  The
 * DNSSEC state comes from libunbound's flags only (never the AD bit); the
 * TXT classification is lookup_result_answer's, so it is the one lookup_start
 * gives.  NULL when memory ran out.
 */
static struct lookup_packet *
packet_result(const struct lk_query *q, int err, const struct ub_result *res)
{
	struct lookup_packet *p;
	char buf[160];
	const char *why = NULL;

	if (err != 0 || res == NULL) {
		snprintf(buf, sizeof(buf), "resolver: %s",
		    err != 0 ? ub_strerror(err) : "no result");
		return lookup_packet_failed(q->rrtype, buf);
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->rrtype = q->rrtype;
	p->rcode = res->rcode;
	if (res->bogus) {
		p->dnssec = LOOKUP_DNSSEC_BOGUS;
		why = res->why_bogus != NULL && *res->why_bogus != '\0' ?
		    res->why_bogus : "bogus";
	} else
		p->dnssec = res->secure ? LOOKUP_DNSSEC_SECURE :
		    LOOKUP_DNSSEC_INSECURE;
	if (why != NULL && (p->why = strdup(why)) == NULL)
		goto fail;
	if (res->answer_packet != NULL && res->answer_len > 0 &&
	    ldns_wire2pkt(&p->pkt, res->answer_packet,
	    (size_t)res->answer_len) != LDNS_STATUS_OK)
		p->pkt = NULL;
	if (q->rrtype == LDNS_RR_TYPE_TXT &&
	    (p->answer = lookup_result_answer(q->kind, 0, res)) == NULL)
		goto fail;
	return p;
fail:
	lookup_packet_free(p);
	return NULL;
}

void
lookup_packet_done(struct lk_query *q, int err, struct ub_result *res)
{
	struct lookup_packet *p;

	p = packet_result(q, err, res);
	ub_resolve_free(res);
	lookup_unlink(q);
	q->pcb(q->arg, q->id, p);
	free(q);
}

/* --- queries ---------------------------------------------------- */

int
lookup_packet_start(struct lookup *lk, const char *qname, int rrtype,
    enum lookup_kind kind, lookup_packet_cb cb, void *arg, int *id)
{
	struct lk_query *q;

	if (rrtype <= 0 || rrtype > 65535 || (q = calloc(1, sizeof(*q))) ==
	    NULL)
		return -1;
	q->lk = lk;
	q->kind = kind;
	q->pcb = cb;
	q->rrtype = rrtype;
	q->arg = arg;
	return lookup_submit(lk, q, qname, rrtype, id);
}

/* --- the synchronous wrapper -------------------------------------- */

struct sync_pwait {
	int			 done;
	struct lookup_packet	*p;
};

static void
sync_pdone(void *arg, int id, struct lookup_packet *p)
{
	struct sync_pwait *w = arg;

	(void)id;
	w->done = 1;
	w->p = p;
}

int
lookup_packet_sync(struct lookup *lk, const char *qname, int rrtype,
    enum lookup_kind kind, struct lookup_packet **out)
{
	struct sync_pwait w = { 0, NULL };
	struct pollfd pfd;
	int64_t deadline, left;
	const char *why = NULL;
	int id, r;

	*out = NULL;
	if (lookup_packet_start(lk, qname, rrtype, kind, sync_pdone, &w,
	    &id) != 0)
		return -1;
	deadline = lookup_now_ms() + lk->timeout_ms;
	while (!w.done && why == NULL) {
		if ((left = deadline - lookup_now_ms()) <= 0) {
			why = "timeout";
			break;
		}
		pfd.fd = lookup_fd(lk);
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno != EINTR)
			why = "poll failed";
		else if (r > 0 && lookup_process(lk) != 0)
			why = "resolver: ub_process failed";
	}
	if (!w.done) {
		lookup_cancel(lk, id);
		*out = lookup_packet_failed(rrtype, why);
		return *out != NULL ? 0 : -1;
	}
	*out = w.p;
	return w.p != NULL ? 0 : -1;
}
