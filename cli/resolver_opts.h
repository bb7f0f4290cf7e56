/*
 * resolver_opts: the resolver options the senderkey subcommands share:
 * -x CONFIG, -A TRUST_ANCHOR_FILE, -C UNBOUND_CONFIG, -F FORWARDER_IP...
 * and -t SECONDS, turned into struct lookup_opts.  The settings of the
 * configuration file (-x, else the default one) fill what the options
 * leave unset; any -F replaces all Forwarders.  One place knows these
 * options, their checks and their error messages.
 */
#ifndef SK_RESOLVER_OPTS_H
#define SK_RESOLVER_OPTS_H

#include "core/lookup.h"

#define RESOLVER_OPTS_MAX_FORWARDERS	16
#define RESOLVER_OPTS_MAX_TIMEOUT	3600	/* -t, seconds */

struct config;

struct resolver_opts {
	const char		*config;	/* -x; NULL: the default file */
	const char		*fwd[RESOLVER_OPTS_MAX_FORWARDERS];
	struct lookup_opts	 lo;		/* options, then config */
	struct config		*cfg;		/* after resolver_opts_load */
};

/* resolver_opts_init: no option given yet, no configuration loaded. */
void	 resolver_opts_init(struct resolver_opts *r);

/*
 * resolver_opts_parse: take getopt's option CH ('x', 'A', 'C', 'F' or
 * 't') with its argument ARG (kept, not copied).  Returns 0, or -1 after
 * saying on standard error what is wrong with ARG.
 */
int	 resolver_opts_parse(struct resolver_opts *r, int ch, const char *arg);

/* resolver_opts_given: 1 if any of -x -A -C -F -t was given, else 0. */
int	 resolver_opts_given(const struct resolver_opts *r);

/*
 * resolver_opts_fill: the settings of CFG into the fields of LO that are
 * still unset (no trust anchor, no unbound config, no forwarders, no
 * timeout).  LO points into CFG afterwards.
 */
void	 resolver_opts_fill(struct lookup_opts *lo, const struct config *cfg);

/*
 * resolver_opts_load: load the configuration file and fill R->lo from it
 * (resolver_opts_fill); call it once.  Returns 0, or -1 after saying
 * why on standard error.  R owns the configuration until
 * resolver_opts_clear.
 */
int	 resolver_opts_load(struct resolver_opts *r);

/*
 * resolver_opts_lookup: a resolver context for R->lo (after
 * resolver_opts_load), or NULL after saying why on standard error.  The
 * caller frees it with lookup_free, before resolver_opts_clear.
 */
struct lookup	*resolver_opts_lookup(const struct resolver_opts *r);

/*
 * resolver_opts_clear: free the configuration (R->lo may point into it:
 * unusable afterwards).  No configuration loaded is a no-op.
 */
void	 resolver_opts_clear(struct resolver_opts *r);

#endif
