/*
 * server_int.h: the structures shared by server.c (listeners,
 * connections, replies, STATS), dispatch.c (a parsed request to its
 * handler) and server_req.c (one request's lifetime: inputs, lookups,
 * decision, answer).  Internal to those files; the public interface is
 * server.h.
 */
#ifndef SK_SERVER_INT_H
#define SK_SERVER_INT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>

#include "lib/key.h"
#include "lib/owner.h"
#include "core/proto_line.h"
#include "core/refusal.h"
#include "core/store.h"
#include "core/verdict.h"
#include "proto_policy.h"
#include "server.h"

#define SERVER_MAX_LISTENERS	8
#define SERVER_LAT_BUCKETS	40	/* latency histogram: 2^i us */
#define SERVER_REQ_POOL		16	/* finished requests kept for reuse */

struct addr;
struct cache;
struct cache_result;
struct cache_waiter;
struct addrmemo;
struct classmemo;
struct conn;
struct learn_job;
struct loop_timer;

struct listener {
	struct server		*s;
	int			 fd;
	enum server_proto	 proto;
	struct loop_timer	*pause;	/* out of memory: wait a bit */
};

struct stats {
	uint64_t	requests, authz, lookup, policy, ping, stats, errors;
	uint64_t	dkimkey;
	uint64_t	verdicts[VERDICT_COUNT];
	uint64_t	states[6];
	uint64_t	conns_total, conns_refused;
	uint64_t	unread;		/* tempfail: no rules read yet */
	uint64_t	lat[SERVER_LAT_BUCKETS];
};

struct server {
	struct loop		*loop;
	struct lookup		*lk;
	struct cache		*cache;
	struct log		*log;
	const struct config	*cfg;
	const struct store	*store;		/* NULL: DefaultMode */
	struct journal		*journal;	/* NULL: none (not owned) */
	struct storefeed	*feed;		/* NULL: none (not owned) */
	struct uentry		*uentry;	/* NULL: journal off (not
						   owned); uentry.h */
	uid_t			 client_uid;	/* ClientUser's, when
						   have_client_uid */
	int			 have_client_uid;
	struct listener		 ls[SERVER_MAX_LISTENERS];
	size_t			 nls;
	struct sconn		*conns;		/* list of open connections */
	size_t			 nconns;
	uint64_t		 next_id;
	uint64_t		 started;	/* loop ms */
	struct stats		 st;
	int			 watch_lk;
	EVP_MD			*sha256;	/* fetched once, for owner names */
	EVP_MD_CTX		*mdctx;		/* reused per owner name */
	struct classmemo	*memo;		/* class ids (classmemo.c) */
	struct addrmemo		*amemo;		/* raw addresses (addrmemo.c) */
	struct req		*free_reqs;	/* finished requests, reused */
	size_t			 nfree_reqs;	/* <= SERVER_REQ_POOL */
	int			 spare_fd;	/* /dev/null, given up at EMFILE */
	uint64_t		 fd_refused;	/* refused in this EMFILE burst */
	struct learn_job	*learns;	/* learns waiting for DNS */
};

struct req;

struct sconn {
	struct server		*s;
	struct conn		*c;
	enum server_proto	 proto;
	struct sconn		*prev, *next;
	struct req		*req;
	struct proto_policy_parser *pp;
	struct proto_policy_txn	 txn;
	/*
	 * Last, and only on line connections: a policy connection is
	 * allocated without it (SCONN_POLICY_SIZE octets; 8 KiB less per
	 * held Postfix connection).
	 */
	struct proto_line_request rq;
};

#define SCONN_POLICY_SIZE	offsetof(struct sconn, rq)

enum req_kind { REQ_AUTHZ, REQ_LOOKUP, REQ_POLICY, REQ_DKIMKEY };

/*
 * One request.  The server keeps up to SERVER_REQ_POOL finished ones
 * (not one per connection: a held connection costs no request), so a
 * request costs no allocation: req_new clears the fields up to KEY and the
 * buffers from KEY on are written before they are read (key when
 * have_key, names by owner_name, rp by inputs_recipient, the log values
 * by run and req_new).
 */
struct req {
	struct sconn		*sc;
	struct req		*next_free;	/* in the server's pool */
	enum req_kind		 kind;
	struct addr		*sender;	/* NULL: null or invalid */
	enum verdict_sender	 vs;
	enum verdict_sig	 sig;
	int			 have_key;
	struct cache_result	*kr, *pr;	/* DKIMKEY: kr only */
	struct cache_waiter	*kw, *pw;
	int			 kdone, pdone;
	int			 named;		/* keyname, polname set */
	uint64_t		 t0;		/* loop ms */
	struct timespec		 ts0;
	/* not cleared by req_new: */
	unsigned char		 key[KEY_SHA256_LEN];
	char			 keyname[OWNER_NAME_MAX];
	char			 polname[OWNER_NAME_MAX];
	struct store_result	 rp;		/* recipient policy (4.2) */
	char			 mbox[STORE_TARGET_MAX]; /* "": no mailbox */
	char			 sender_s[64], rcpt_s[64], qid_s[48];
	/* the recipient a refusal names (core/refusal.h); "": none */
	char			 rcpt_text[REFUSAL_RCPT_MAX + 1];
};

/*
 * server_reply: send LEN octets of BUF on SC (then close when
 * CLOSE_AFTER), ending and freeing SC's request, if any, and counting its
 * latency.  LEN < 0: an internal error line (line protocol) or nothing.
 */
void	server_reply(struct sconn *sc, const char *buf, int len,
	    int close_after);

/* server_reply_line_error: the line protocol error E on SC. */
void	server_reply_line_error(struct sconn *sc, enum proto_line_err e);

/* server_reply_policy_malformed: the malformed-request answer, close. */
void	server_reply_policy_malformed(struct sconn *sc);

/* server_stats_reply: the STATS line on SC. */
void	server_stats_reply(struct server *s, struct sconn *sc);

#endif
