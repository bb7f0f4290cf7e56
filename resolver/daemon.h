/*
 * daemon.h: senderkeyd's state, shared by its main (senderkeyd.c: start,
 * sockets, privileges, the loop) and reload.c (the policy store's feed,
 * and what SIGHUP changes).  Nothing else includes it.
 */
#ifndef SK_DAEMON_H
#define SK_DAEMON_H

#include <stdint.h>

#include "core/verdict.h"
#include "server.h"

#define MAX_SOCKETS	8

struct config;
struct journal;
struct log;
struct loop;
struct loop_timer;
struct lookup;
struct service_pid;
struct service_unix;
struct store;
struct store_reader;
struct storecopy;
struct storefeed;
struct uentry;

struct daemon {
	const char		*cfgpath;
	struct config		*cfg;
	struct loop		*loop;
	struct log		*log;
	struct lookup		*lk;
	struct server		*srv;
	struct store		*store;		/* NULL: no PolicyStore */
	struct store_reader	*reader;	/* its reader, until the feed */
	struct storefeed	*feed;		/* keeps it current */
	struct storecopy	*copy;		/* PolicyStoreCopy, or NULL */
	int64_t			 loaded;	/* when it was read, Unix time */
	/* SIGHUP to another store: the config waits until it is read */
	struct config		*next_cfg;
	struct store		*next_store;	/* unread until then */
	struct storefeed	*next_feed;
	struct journal		*journal;	/* NULL: none (store.md 6) */
	struct uentry		*uentry;	/* NULL: none (store.md 7) */
	struct loop_timer	*poll;		/* uentry_poll, every second */
	struct loop_timer	*stats;		/* StatsFile, every 10 s */
	char			 stats_err[256];	/* likewise */
	int			 fds[MAX_SOCKETS];
	enum server_proto	 protos[MAX_SOCKETS];
	size_t			 nfds;
	struct service_unix	*socks[3];	/* line, policy, client */
	struct service_pid	*pid;		/* PidFile */
	int			 foreground;
	int			 ready_fd;	/* to the waiting parent */
};

#endif
