/*
 * dispatch.c: a parsed request to its handler (dispatch.h).  The
 * connection (struct sconn, server_int.h) holds the parsed line request
 * and the policy parser, so nothing is copied: the request module reads
 * the values it keeps.
 */
#include <stddef.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/config.h"
#include "core/proto_line.h"
#include "conn.h"
#include "dispatch.h"
#include "learn.h"
#include "move.h"
#include "proto_policy.h"
#include "reply.h"
#include "server.h"
#include "server_int.h"
#include "server_req.h"

/*
 * may_administer: whether SC's peer may use a command that changes state
 * (protocol.md 4): a Unix-socket peer whose SO_PEERCRED uid is 0 or the
 * daemon's; never a TCP peer.
 */
static int
may_administer(struct sconn *sc)
{
	pid_t pid;
	uid_t uid;
	gid_t gid;

	return conn_peercred(sc->c, &pid, &uid, &gid) == 0 &&
	    (uid == 0 || uid == geteuid());
}

/* learn_line: LEARN (protocol.md 3.2), answered by learn.c. */
static void
learn_line(struct sconn *sc)
{
	struct proto_line_request *rq = &sc->rq;

	if (!may_administer(sc)) {
		server_reply_line_error(sc, PLE_NOT_PERMITTED);
		return;
	}
	if (learn_start(sc->s, sc, rq->user, rq->sender_null ? "" :
	    rq->sender, rq->recipient, ADDR_FORM_SMTP) == -1)
		server_reply_line_error(sc, PLE_INTERNAL);
}

/*
 * may_move: whether SC's peer may ask for MOVE (protocol.md 4): its
 * SO_PEERCRED uid is 0 or ClientUser's.  The user a MOVE names is
 * believed because only Dovecot's mail processes run as ClientUser; a
 * peer of another uid (a local user in the socket's group) could name
 * anyone.
 */
static int
may_move(struct sconn *sc)
{
	pid_t pid;
	uid_t uid;
	gid_t gid;

	return conn_peercred(sc->c, &pid, &uid, &gid) == 0 && (uid == 0 ||
	    (sc->s->have_client_uid && uid == sc->s->client_uid));
}

/*
 * dispatch_client: the ClientSocket serves PING and MOVE only, and MOVE
 * is served nowhere else (protocol.md 4): everything else there, MOVE on
 * another socket, and MOVE from a peer may_move refuses, is "error
 * not-permitted".
 */
static void
dispatch_client(struct sconn *sc)
{
	char buf[256];
	int n;

	if (sc->proto != SERVER_CLIENT ||
	    (sc->rq.cmd != PLC_PING && sc->rq.cmd != PLC_MOVE) ||
	    (sc->rq.cmd == PLC_MOVE && !may_move(sc))) {
		server_reply_line_error(sc, PLE_NOT_PERMITTED);
		return;
	}
	if (sc->rq.cmd == PLC_PING) {
		sc->s->st.ping++;
		n = proto_line_pong(buf, sizeof(buf), SENDERKEY_VERSION);
	} else
		n = move_answer(sc->s, &sc->rq, buf, sizeof(buf));
	server_reply(sc, buf, n, 0);
}

void
dispatch_line(struct sconn *sc, const char *line, size_t len)
{
	struct server *s = sc->s;
	struct server_req_in in;
	struct addr *a;
	enum proto_line_err e = PLE_OK;
	char buf[256];
	int n;

	if (proto_line_parse(line, len, &sc->rq, &e) == -1) {
		server_reply_line_error(sc, e);
		return;
	}
	if (sc->proto == SERVER_CLIENT || sc->rq.cmd == PLC_MOVE) {
		dispatch_client(sc);
		return;
	}
	switch (sc->rq.cmd) {
	case PLC_PING:
		s->st.ping++;
		n = proto_line_pong(buf, sizeof(buf), SENDERKEY_VERSION);
		server_reply(sc, buf, n, 0);
		return;
	case PLC_STATS:
		s->st.stats++;
		server_stats_reply(s, sc);
		return;
	case PLC_AUTHZ:
		s->st.authz++;
		in.sender = sc->rq.sender;
		in.sender_null = sc->rq.sender_null;
		in.recipient = sc->rq.recipient;
		in.form = ADDR_FORM_SMTP;
		in.sig = sc->rq.sig;
		in.key = sc->rq.have_key ? sc->rq.key : NULL;
		in.queue_id = sc->rq.queue_id;
		if (server_req_authz(sc, &in) == -1) {
			/* protocol.md 3.4: a verdict line, not an error */
			n = reply_authz_internal(buf, sizeof(buf));
			server_reply(sc, buf, n, 0);
		}
		return;
	case PLC_LOOKUP:
		/* The one parse of the address: the request keeps it. */
		if ((a = addr_parse(sc->rq.address, NULL, NULL)) == NULL) {
			server_reply_line_error(sc, PLE_BAD_ADDRESS);
			return;
		}
		s->st.lookup++;
		if (server_req_lookup(sc, a) == -1)
			break;
		return;
	case PLC_DKIMKEY:
		/* the DKIM owner name is derived here, never given */
		if ((a = addr_parse(sc->rq.address, NULL, NULL)) == NULL) {
			server_reply_line_error(sc, PLE_BAD_ADDRESS);
			return;
		}
		s->st.dkimkey++;
		if (server_req_dkimkey(sc, a) == -1)
			break;
		return;
	case PLC_LEARN:
		learn_line(sc);
		return;
	case PLC_MOVE:		/* dispatch_client answered it */
		break;
	}
	server_reply_line_error(sc, PLE_INTERNAL);
}

void
dispatch_policy(struct sconn *sc, const char *block, size_t len)
{
	const struct proto_policy_request *prq;
	struct server_req_in in;
	enum proto_policy_err e = PPE_OK;
	char buf[PROTO_POLICY_REPLY_MAX];
	int n;

	if (proto_policy_parse(sc->pp, block, len, &e) != PPS_DONE) {
		server_reply_policy_malformed(sc);
		return;
	}
	sc->s->st.policy++;
	prq = proto_policy_request(sc->pp);
	if (prq->state != PPST_RCPT) {
		n = reply_policy(&sc->txn, sc->s->cfg, prq, VM_ALLOW, NULL,
		    NULL, NULL, buf, sizeof(buf));
		proto_policy_reset(sc->pp);
		server_reply(sc, buf, n, 0);
		return;
	}
	/* a submission (protocol.md 2.2): learn, then answer as always */
	if (prq->sasl_username != NULL && prq->sasl_username[0] != '\0' &&
	    sc->s->cfg->learn_outbound)
		(void)learn_start(sc->s, NULL, prq->sasl_username,
		    prq->sender, prq->recipient, ADDR_FORM_INTERNAL);
	in.sender = prq->sender;
	in.sender_null = 0;
	in.recipient = prq->recipient;
	in.form = ADDR_FORM_INTERNAL;
	in.sig = VSIG_UNKNOWN;
	in.key = NULL;
	in.queue_id = prq->queue_id;
	if (server_req_policy(sc, &in) == 0)
		return;
	n = reply_policy_internal(buf, sizeof(buf));
	proto_policy_reset(sc->pp);
	server_reply(sc, buf, n, 0);
}
