/*
 * server_req: the lifetime of one senderkeyd request (struct req,
 * server_int.h), from its start on a connection to its answer: it takes
 * the parsed sender and the recipient policy (inputs.c), decides at once
 * when no DNS is needed, else waits on at most two cache lookups (key
 * record, domain policy record) with the DNSTimeout deadline, decides
 * (decision.c, verdict.c, classmemo.c), answers (reply.c), logs one line
 * (logline.c) and goes back to the server's pool.  Internal to the
 * daemon; dispatch.c starts requests, server.c ends them.
 */
#ifndef SK_SERVER_REQ_H
#define SK_SERVER_REQ_H

#include "lib/addr.h"
#include "core/verdict.h"

struct req;
struct sconn;

/* What an AUTHZ line or a Postfix RCPT request asks (strings borrowed
 * for the call). */
struct server_req_in {
	const char		*sender;	/* as sent; NULL or "": null */
	int			 sender_null;	/* "<>" or "" */
	const char		*recipient;
	enum addr_form		 form;		/* of both addresses */
	enum verdict_sig	 sig;		/* VSIG_UNKNOWN: not given */
	const unsigned char	*key;		/* key= (32 octets) or NULL */
	const char		*queue_id;	/* NULL or "": "-" in the log */
};

/*
 * server_req_authz, server_req_policy: start the AUTHZ request, resp.
 * the Postfix request at RCPT, IN on SC; its answer comes now or when
 * the lookups end (or SC closes first: nothing).  Returns 0, or -1 when
 * out of memory (nothing started: the caller answers).
 */
int	server_req_authz(struct sconn *sc, const struct server_req_in *in);
int	server_req_policy(struct sconn *sc, const struct server_req_in *in);

/*
 * server_req_lookup: start LOOKUP of the parsed ADDRESS on SC, which
 * takes ADDRESS in every case (answered later, or at once: error
 * internal).  Returns 0, or -1 when out of memory (nothing started or
 * answered, ADDRESS freed: the caller answers).
 */
int	server_req_lookup(struct sconn *sc, struct addr *address);

/*
 * server_req_dkimkey: start DKIMKEY of the parsed ADDRESS on SC: the DKIM
 * key record at ADDRESS's own DKIM owner name (owner_name, OWNER_DKIM),
 * looked up through the cache as LOOKUP_DKIM.  Takes ADDRESS and returns
 * as server_req_lookup.
 */
int	server_req_dkimkey(struct sconn *sc, struct addr *address);

/*
 * server_req_free: cancel R's waiters, release its results, and keep R
 * in its server's pool (or free it when the pool is full).  NULL is a
 * no-op.
 */
void	server_req_free(struct req *r);

#endif
