/*
 * reload.c: senderkeyd's policy store after the first read (reload.h):
 * its feed and copy threads, and what SIGHUP changes.  A config naming
 * the same store is taken at once; one naming another store (or another
 * DefaultMode) waits while a feed of its own reads that store whole off
 * the loop, and is taken with it once read, or dropped with its reason:
 * the loop never waits for a store, and never decides with half a reload.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "lib/config.h"
#include "core/store.h"
#include "daemon.h"
#include "log.h"
#include "reload.h"
#include "server.h"
#include "storecopy.h"
#include "storefeed.h"
#include "uentry.h"

enum verdict_mode
reload_mode_of(const struct config *cfg)
{
	return cfg->default_mode == CONFIG_MODE_DENY ? VM_DENY : VM_ALLOW;
}

/* start_copy: D's PolicyStoreCopy kept current, when it has one. */
static void
start_copy(struct daemon *d)
{
	char err[256];

	if (d->cfg->policy_store_copy == NULL ||
	    !store_is_pg(d->cfg->policy_store))
		return;
	if ((d->copy = storecopy_new(d->cfg->policy_store,
	    d->cfg->policy_store_passfile, d->cfg->policy_store_copy, err,
	    sizeof(err))) == NULL)
		log_msg(d->log, LOG_ERR, "PolicyStoreCopy %s: %s; not kept",
		    d->cfg->policy_store_copy, err);
}

/*
 * reload_start_feed: keep D's store current from now on (the reader thread);
 * without one the rules stay as loaded, which is logged.
 */
void
reload_start_feed(struct daemon *d)
{
	char err[256];

	if (d->store == NULL)
		return;
	if ((d->feed = storefeed_new(d->loop, d->log, d->store, d->reader,
	    reload_mode_of(d->cfg), d->cfg->policy_store, d->loaded, err,
	    sizeof(err))) == NULL)
		log_msg(d->log, LOG_ERR, "policy store %s: %s; its changes "
		    "are not seen until a restart", d->cfg->policy_store, err);
	d->reader = NULL;	/* the feed's (freed on failure) */
	server_set_feed(d->srv, d->feed);
	start_copy(d);
}

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* reload_drop: a reload waiting for its store, dropped (logged: WHY). */
void
reload_drop(struct daemon *d, const char *why)
{
	if (d->next_cfg == NULL)
		return;
	log_msg(d->log, LOG_ERR, "reload failed, config and policy store "
	    "kept: PolicyStore %s: %s", d->next_cfg->policy_store, why);
	storefeed_free(d->next_feed);
	store_free(d->next_store);
	config_free(d->next_cfg);
	d->next_feed = NULL;
	d->next_store = NULL;
	d->next_cfg = NULL;
}

/*
 * take: NC, its store NS (NULL: none) and its feed NF (NULL: none yet)
 * from now on, in place of D's; the old ones freed.
 */
static void
take(struct daemon *d, struct config *nc, struct store *ns,
    struct storefeed *nf)
{
	server_set_feed(d->srv, NULL);
	storefeed_free(d->feed);
	storecopy_free(d->copy);
	d->copy = NULL;
	server_set_config(d->srv, nc);
	server_set_store(d->srv, ns);
	uentry_set_store(d->uentry, ns);
	store_free(d->store);
	config_free(d->cfg);
	d->store = ns;
	d->cfg = nc;
	d->feed = nf;
	server_set_feed(d->srv, nf);
	start_copy(d);
	if (ns != NULL)
		log_msg(d->log, LOG_INFO, "policy store opened: path=%s "
		    "rules=%zu default_mode=%s", nc->policy_store,
		    store_count(ns), verdict_mode_name(reload_mode_of(nc)));
	else
		log_msg(d->log, LOG_INFO, "no policy store: DefaultMode %s "
		    "for every recipient", verdict_mode_name(reload_mode_of(nc)));
	uentry_set_max(d->uentry, d->cfg->user_entries);
	log_msg(d->log, LOG_INFO, "config reloaded (%zu connections kept; "
	    "sockets and resolver settings need a restart)",
	    server_connections(d->srv));
}

/* on_next_read: the store a reload waits for was read (OK) or not. */
static void
on_next_read(void *arg, int ok, const char *why)
{
	struct daemon *d = arg;

	if (!ok) {
		reload_drop(d, why);
		return;
	}
	take(d, d->next_cfg, d->next_store, d->next_feed);
	d->next_cfg = NULL;
	d->next_store = NULL;
	d->next_feed = NULL;
}

/*
 * reload_store: NC names another store (or DefaultMode): read it whole
 * off the loop, by a feed of its own, while D decides with what it has;
 * NC is taken with it once it is read (on_next_read), never in part.
 */
static void
reload_store(struct daemon *d, struct config *nc)
{
	struct store_reader *r;
	char err[256];

	if (nc->policy_store == NULL) {
		take(d, nc, NULL, NULL);
		return;
	}
	d->next_cfg = nc;
	if ((d->next_store = store_unread(reload_mode_of(nc))) == NULL ||
	    (r = store_reader_new(nc->policy_store,
	    nc->policy_store_passfile)) == NULL ||
	    (d->next_feed = storefeed_new(d->loop, d->log, d->next_store, r,
	    reload_mode_of(nc), nc->policy_store, (int64_t)time(NULL), err,
	    sizeof(err))) == NULL ||
	    storefeed_on_first(d->next_feed, on_next_read, d) == -1) {
		reload_drop(d, "out of memory");
		return;
	}
	log_msg(d->log, LOG_INFO, "reload: reading PolicyStore %s; the "
	    "config and rules in use stay until it is read", nc->policy_store);
}

void
reload_config(struct daemon *d)
{
	struct config *nc = NULL;
	char err[CONFIG_ERR_MAX];

	if (config_load(d->cfgpath, &nc, err, sizeof(err)) == -1) {
		log_msg(d->log, LOG_ERR, "reload failed, config kept: %s",
		    err);
		return;
	}
	reload_drop(d, "another SIGHUP came first");
	if (!same_str(nc->policy_store, d->cfg->policy_store) ||
	    !same_str(nc->policy_store_passfile,
	    d->cfg->policy_store_passfile) ||
	    !same_str(nc->policy_store_copy, d->cfg->policy_store_copy) ||
	    nc->default_mode != d->cfg->default_mode) {
		reload_store(d, nc);
		return;
	}
	server_set_config(d->srv, nc);
	config_free(d->cfg);
	d->cfg = nc;
	uentry_poll(d->uentry);
	uentry_set_max(d->uentry, d->cfg->user_entries);
	log_msg(d->log, LOG_INFO, "config reloaded (%zu connections kept; "
	    "sockets and resolver settings need a restart)",
	    server_connections(d->srv));
}

