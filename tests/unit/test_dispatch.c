/*
 * test_dispatch: a framed request to its handler, with the server's
 * side replaced by recorders (this program defines server_reply,
 * server_req_authz and the others, so the linker takes dispatch.o
 * without server.o and server_req.o).  PING answered at once, STATS
 * handed to server_stats_reply, AUTHZ and LOOKUP started with what the
 * line said, errors answered with their code, a request that cannot
 * start answered "internal"; on the policy socket RCPT started in
 * Postfix's internal form, other stages answered DUNNO, a malformed
 * block refused.  The STATS counters per kind.
 */
#include <stdlib.h>
#include <string.h>

#include "resolver/dispatch.h"
#include "resolver/proto_policy.h"
#include "resolver/server.h"
#include "resolver/server_int.h"
#include "resolver/server_req.h"
#include "lib/config.h"
#include "t.h"

/* --- the recorders --- */

static struct {
	char			 reply[1024];
	int			 close_after;
	enum proto_line_err	 err;		/* server_reply_line_error */
	int			 malformed, stats, calls;
	int			 authz, lookup, policy, dkimkey;
	struct server_req_in	 in;
	char			 sender[256], rcpt[256], qid[64], addr[256];
	unsigned char		 key[32];
	int			 have_key;
	int			 fail;		/* server_req_*: -1 */
} rec;

static void
rec_in(const struct server_req_in *in)
{
	rec.in = *in;
	snprintf(rec.sender, sizeof(rec.sender), "%s",
	    in->sender != NULL ? in->sender : "(null)");
	snprintf(rec.rcpt, sizeof(rec.rcpt), "%s", in->recipient);
	snprintf(rec.qid, sizeof(rec.qid), "%s",
	    in->queue_id != NULL ? in->queue_id : "(null)");
	if ((rec.have_key = in->key != NULL))
		memcpy(rec.key, in->key, sizeof(rec.key));
}

void
server_reply(struct sconn *sc, const char *buf, int len, int close_after)
{
	(void)sc;
	rec.calls++;
	snprintf(rec.reply, sizeof(rec.reply), "%.*s", len < 0 ? 0 : len,
	    buf);
	rec.close_after = close_after;
}

void
server_reply_line_error(struct sconn *sc, enum proto_line_err e)
{
	(void)sc;
	rec.calls++;
	rec.err = e;
}

void
server_reply_policy_malformed(struct sconn *sc)
{
	(void)sc;
	rec.calls++;
	rec.malformed++;
}

void
server_stats_reply(struct server *s, struct sconn *sc)
{
	(void)s;
	(void)sc;
	rec.calls++;
	rec.stats++;
}

int
server_req_authz(struct sconn *sc, const struct server_req_in *in)
{
	(void)sc;
	rec.calls++;
	rec.authz++;
	rec_in(in);
	return rec.fail ? -1 : 0;
}

int
server_req_policy(struct sconn *sc, const struct server_req_in *in)
{
	(void)sc;
	rec.calls++;
	rec.policy++;
	rec_in(in);
	return rec.fail ? -1 : 0;
}

int
server_req_lookup(struct sconn *sc, struct addr *address)
{
	(void)sc;
	rec.calls++;
	rec.lookup++;
	snprintf(rec.addr, sizeof(rec.addr), "%s", addr_canon(address));
	addr_free(address);
	return rec.fail ? -1 : 0;
}

int
server_req_dkimkey(struct sconn *sc, struct addr *address)
{
	(void)sc;
	rec.calls++;
	rec.dkimkey++;
	snprintf(rec.addr, sizeof(rec.addr), "%s", addr_canon(address));
	addr_free(address);
	return rec.fail ? -1 : 0;
}

void
server_req_free(struct req *r)
{
	(void)r;
}

/* line: dispatch LINE on SC after clearing the recorders. */
static void
line(struct sconn *sc, const char *text)
{
	memset(&rec, 0, sizeof(rec));
	dispatch_line(sc, text, strlen(text));
}

static void
policy(struct sconn *sc, const char *text, int fail)
{
	memset(&rec, 0, sizeof(rec));
	rec.fail = fail;
	dispatch_policy(sc, text, strlen(text));
}

static void
lines(struct sconn *sc)
{
	line(sc, "PING\n");
	T_STREQ(rec.reply, "ok pong proto=1 version=" SENDERKEY_VERSION "\n",
	    "PING: pong at once");
	T_OK(rec.calls == 1 && !rec.close_after, "PING: one reply, stays open");
	line(sc, "STATS\n");
	T_OK(rec.stats == 1 && rec.calls == 1, "STATS: server_stats_reply");
	line(sc, "AUTHZ sender=<> recipient=bob@example.net queue_id=Q7 "
	    "sig=pass key=" "00112233445566778899AABBCCDDEEFF"
	    "00112233445566778899aabbccddeeff\n");
	T_OK(rec.authz == 1 && rec.calls == 1 && rec.in.sender_null &&
	    strcmp(rec.sender, "<>") == 0 &&
	    strcmp(rec.rcpt, "bob@example.net") == 0 &&
	    strcmp(rec.qid, "Q7") == 0 && rec.in.form == ADDR_FORM_SMTP &&
	    rec.in.sig == VSIG_PASS && rec.have_key && rec.key[0] == 0x00 &&
	    rec.key[1] == 0x11 && rec.key[31] == 0xff,
	    "AUTHZ: started with sender, recipient, queue id, sig and key");
	line(sc, "AUTHZ sender=a@b.test recipient=c@d.test\n");
	T_OK(rec.authz == 1 && !rec.in.sender_null && !rec.have_key &&
	    rec.in.sig == VSIG_UNKNOWN && strcmp(rec.qid, "(null)") == 0,
	    "AUTHZ without sig, key, queue id");
	memset(&rec, 0, sizeof(rec));
	rec.fail = 1;
	dispatch_line(sc, "AUTHZ sender=a@b.test recipient=c@d.test", 39);
	T_OK(rec.authz == 1 && rec.err == PLE_OK && rec.calls == 2 &&
	    strncmp(rec.reply, "tempfail internal ", 18) == 0 &&
	    !rec.close_after,
	    "AUTHZ that cannot start: tempfail internal (protocol.md 3.4)");
	line(sc, "LOOKUP Alice@Example.com\n");
	T_OK(rec.lookup == 1 && strcmp(rec.addr, "alice@example.com") == 0,
	    "LOOKUP: started with the address parsed (once, here)");
	memset(&rec, 0, sizeof(rec));
	rec.fail = 1;
	dispatch_line(sc, "LOOKUP a@b.test\n", 16);
	T_OK(rec.lookup == 1 && rec.err == PLE_INTERNAL,
	    "LOOKUP that cannot start: error internal");
	line(sc, "LOOKUP not-an-address\n");
	T_OK(rec.lookup == 0 && rec.err == PLE_BAD_ADDRESS && rec.calls == 1,
	    "LOOKUP of no address: bad-address, nothing started");
	line(sc, "DKIMKEY Alice@Example.com\n");
	T_OK(rec.dkimkey == 1 && rec.lookup == 0 &&
	    strcmp(rec.addr, "alice@example.com") == 0,
	    "DKIMKEY: its own request, the address parsed (once, here)");
	memset(&rec, 0, sizeof(rec));
	rec.fail = 1;
	dispatch_line(sc, "DKIMKEY a@b.test\n", 17);
	T_OK(rec.dkimkey == 1 && rec.err == PLE_INTERNAL,
	    "DKIMKEY that cannot start: error internal");
	line(sc, "DKIMKEY not-an-address\n");
	T_OK(rec.dkimkey == 0 && rec.err == PLE_BAD_ADDRESS && rec.calls == 1,
	    "DKIMKEY of no address: bad-address, nothing started");
	line(sc, "HELO x\n");
	T_OK(rec.err == PLE_BAD_COMMAND && rec.calls == 1, "bad-command");
	line(sc, "AUTHZ sender=a@b.test\n");
	T_OK(rec.err == PLE_MISSING_ARGUMENT && rec.authz == 0,
	    "missing-argument, nothing started");
}

static void
blocks(struct sconn *sc)
{
	policy(sc, "request=smtpd_access_policy\nprotocol_state=RCPT\n"
	    "sender=john doe@example.test\nrecipient=bob@example.net\n"
	    "queue_id=4XyZ\n", 0);
	T_OK(rec.policy == 1 && rec.calls == 1 &&
	    strcmp(rec.sender, "john doe@example.test") == 0 &&
	    strcmp(rec.rcpt, "bob@example.net") == 0 &&
	    strcmp(rec.qid, "4XyZ") == 0 && !rec.in.sender_null &&
	    rec.in.form == ADDR_FORM_INTERNAL && rec.in.sig == VSIG_UNKNOWN &&
	    !rec.have_key, "policy RCPT: started, internal form, sig unknown");
	policy(sc, "request=smtpd_access_policy\nprotocol_state=RCPT\n"
	    "sender=a@b.test\nrecipient=bob@example.net\n", 1);
	T_STREQ(rec.reply, "action=DEFER_IF_PERMIT 4.7.0 senderkey: "
	    "temporary failure (internal)\n\n",
	    "policy RCPT that cannot start: the internal answer");
	policy(sc, "request=smtpd_access_policy\nprotocol_state=DATA\n"
	    "sender=a@b.test\nrecipient=\n", 0);
	T_OK(rec.policy == 0 && strcmp(rec.reply, "action=DUNNO\n\n") == 0,
	    "policy DATA: DUNNO, nothing started");
	policy(sc, "no equals sign\n", 0);
	T_OK(rec.malformed == 1 && rec.calls == 1 && rec.policy == 0,
	    "policy malformed: refused");
}

int
main(void)
{
	struct server s;
	struct sconn *sc = calloc(1, sizeof(*sc));
	struct config *cfg = config_default();

	if (sc == NULL || cfg == NULL)
		return 1;
	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	sc->s = &s;
	sc->proto = SERVER_LINE;
	lines(sc);
	T_OK(s.st.ping == 1 && s.st.stats == 1 && s.st.authz == 3 &&
	    s.st.lookup == 2 && s.st.policy == 0,
	    "counters: ping 1, stats 1, authz 3, lookup 2 (parse errors are "
	    "not)");
	sc->proto = SERVER_POLICY;
	if ((sc->pp = proto_policy_parser_new()) == NULL)
		return 1;
	proto_policy_txn_init(&sc->txn);
	blocks(sc);
	T_OK(s.st.policy == 3, "counters: policy 3 (the malformed one not)");
	proto_policy_parser_free(sc->pp);
	config_free(cfg);
	free(sc);
	return t_done();
}
