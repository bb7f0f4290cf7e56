/*
 * server: the glue of senderkeyd.  It accepts connections on the
 * listening sockets it is given, frames them with conn.c, parses with
 * proto_line.c / proto_policy.c, gets the key record and the domain
 * policy record through the cache (which coalesces and bounds lookups),
 * takes the recipient policy from the policy store (store.c) or
 * DefaultMode, decides with verdict.c, answers, logs one key=value line
 * per decision and keeps the counters STATS reports.  server.c holds
 * connections, listeners and STATS; dispatch.c sends a parsed request
 * where it goes; server_req.c holds one request's lifetime, with
 * inputs.c (verdict inputs), classmemo.c (class ids), reply.c (reply
 * octets) and logline.c (the decision's log line).  Not here:
 * creating sockets, privileges, daemonising, opening and polling the
 * store (senderkeyd.c), DNS (lookup.c).
 */
#ifndef SK_SERVER_H
#define SK_SERVER_H

#include <stddef.h>

#include "lib/version.h"

struct loop;
struct lookup;
struct log;
struct config;
struct cache_backend;
struct server;
struct store;
struct journal;
struct uentry;

enum server_proto {
	SERVER_LINE,		/* the line protocol (Socket) */
	SERVER_POLICY,		/* Postfix policy delegation (PolicySocket) */
	SERVER_CLIENT,		/* the line protocol, PING and MOVE only
				   (ClientSocket, protocol.md 4) */
};

/*
 * server_new: a server on loop L, resolving through LK (not owned; may
 * be NULL when BACKEND is given: tests use a fake), logging to LG (not
 * owned), configured by CFG (not owned; must stay valid until replaced
 * by server_set_config).  BACKEND NULL: lookup_start/lookup_cancel on LK
 * (and LK's descriptor is watched).  Returns NULL when out of memory.
 */
struct server	*server_new(struct loop *l, struct lookup *lk,
		    const struct cache_backend *backend, void *barg,
		    struct log *lg, const struct config *cfg);

/*
 * server_free: closes every connection and listener, cancels lookups.
 * NULL is a no-op.
 */
void		 server_free(struct server *s);

/*
 * server_listen: serve PROTO on the listening, bound socket FD (the
 * server owns it from now on, also on failure).  Returns 0 or -1.
 */
int		 server_listen(struct server *s, int fd, enum server_proto p);

/*
 * server_set_config: use CFG from now on (timeouts, actions, mode,
 * limits, cache sizes); open connections stay.  The caller frees the old
 * config after this returns.
 */
void		 server_set_config(struct server *s, const struct config *cfg);

/*
 * server_set_store: take the recipient policy (mode, entries, pins) from
 * ST from now on (not owned; the caller keeps it valid until it sets
 * another one or frees the server).  ST NULL: DefaultMode of the config
 * and no entries.  A request reads the policy once, when it starts, and
 * keeps a copy, so ST may be polled or replaced between events.
 */
void		 server_set_store(struct server *s, const struct store *st);

/*
 * server_set_journal: add every AUTHZ and policy decision with a valid
 * sender and a recipient mailbox to J from now on (not owned; NULL: no
 * journal), specs/store.md 6.
 */
void		 server_set_journal(struct server *s, struct journal *j);

/*
 * server_set_feed: report the age of the rules and the changes applied
 * from F in STATS (not owned; NULL: none, the figures are 0).
 */
struct storefeed;
void		 server_set_feed(struct server *s, struct storefeed *f);

/*
 * server_set_uentry: decide with the user entries of U from now on and
 * let the MOVE and LEARN handlers write them (not owned; NULL: none, the
 * journal is off), specs/store.md 7.
 */
void		 server_set_uentry(struct server *s, struct uentry *u);

/*
 * server_stats_write: the STATS counters in the Prometheus text format
 * (senderkeyd_<name>, with # TYPE lines), written atomically to PATH
 * (lib/afile) for node_exporter's textfile collector.  Returns 0, or -1
 * with ERR set.
 */
int		 server_stats_write(struct server *s, const char *path,
		    char *err, size_t errsz);

/* server_connections: connections open now. */
size_t		 server_connections(const struct server *s);

#endif
