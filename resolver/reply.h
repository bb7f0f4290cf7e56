/*
 * reply: senderkeyd's answers as octets: the AUTHZ and LOOKUP reply
 * lines through the line protocol's codec (core/proto_line.h,
 * core/proto_line_lookup.h) and the Postfix policy answers through
 * proto_policy.c, with the configured actions.  Pure: the caller sends
 * what is written.  Not here: deciding (decision.c, verdict.c), the
 * error, PING and STATS lines (proto_line.h, proto_line_stats.h,
 * server.c), sending (server.c).
 */
#ifndef SK_REPLY_H
#define SK_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "core/lookup.h"
#include "core/verdict.h"
#include "proto_policy.h"

struct config;

/*
 * reply_authz: the AUTHZ verdict line (protocol.md 3.3) for V into BUF:
 * lookup= the key answer KA's state and policy= POLICY when V used the
 * lookup (and KA, resp. a policy answer, HAS_POLICY, is there), else
 * "-"; trust= the value of TF (NULL: V's tag and reason alone; none for
 * a tempfail; without its sender when the line would not fit); class=
 * CLASS_ID ("" or NULL: "-"); for an unauthorized V, text= the refusal
 * text (core/refusal.h) for a recipient in MODE named RCPT (as the
 * request named it).  Returns the length, or -1 (BUF then holds
 * "error internal" when it fits).
 */
int		 reply_authz(char *buf, size_t bufsz,
		    const struct verdict_output *v,
		    const struct trustfield *tf,
		    const struct lookup_answer *ka, int has_policy,
		    enum verdict_policy policy, const char *class_id,
		    enum verdict_mode mode, const char *rcpt);

/* reply_authz_internal: "tempfail internal tag=- ...": no decision. */
int		 reply_authz_internal(char *buf, size_t bufsz);

/*
 * reply_lookup: the LOOKUP reply (protocol.md 3.3) for the key answer KA
 * and the policy answer PA (NULL: policy some) of OWNER, cached TTL more
 * seconds, into BUF (PROTO_LINE_REPLY_MAX is always enough): the usable
 * keys in ascending order of fingerprint, why= for bogus, tempfail and
 * permerror.  Returns the length, or -1 (out of memory, a key whose
 * fingerprint cannot be computed, BUF too small).
 */
int		 reply_lookup(char *buf, size_t bufsz,
		    const struct lookup_answer *ka,
		    const struct lookup_answer *pa, const char *owner,
		    uint32_t ttl);

/*
 * reply_dkimkey: the DKIMKEY reply (protocol.md 3.3) for the DKIM key
 * record answer KA (LOOKUP_DKIM) of OWNER: reply_lookup's line without
 * policy=.  Same returns.
 */
int		 reply_dkimkey(char *buf, size_t bufsz,
		    const struct lookup_answer *ka, const char *owner,
		    uint32_t ttl);

/*
 * reply_policy: the Postfix answer to RQ (proto_policy_respond) with
 * CFG's Action* and Mode, for a recipient in MODE with verdict V (NULL
 * when RQ is not at RCPT) of class CLASS_ID and trust field TF (NULL:
 * V's tag and reason alone), updating the connection's transaction TXN.
 * BUFSZ >= PROTO_POLICY_REPLY_MAX.  Returns the length, or -1.
 */
int		 reply_policy(struct proto_policy_txn *txn,
		    const struct config *cfg,
		    const struct proto_policy_request *rq,
		    enum verdict_mode mode, const struct verdict_output *v,
		    const struct trustfield *tf, const char *class_id,
		    char *buf, size_t bufsz);

/* reply_policy_internal: the "temporary failure (internal)" answer. */
int		 reply_policy_internal(char *buf, size_t bufsz);

#endif
