/*
 * desired_opts: the options and set-up shared by the subcommands that
 * read manifests (zonegen, publish, audit): --key-dir, --key-alg,
 * --policy, --ttl, --now, --prepublish, --skip-foreign, --dkim with their
 * defaults and checks, the -d DOMAIN argument, and manifests to a
 * finished zonegen record set (zonegen/desired.h does the work).  One
 * place knows these options; each command lists the ones it takes in its
 * getopt_long table with the DESIRED_OPTS_LONG_* entries.
 */
#ifndef SK_DESIRED_OPTS_H
#define SK_DESIRED_OPTS_H

#include <getopt.h>

#include "zonegen/desired.h"
#include "zonegen/zonegen.h"

/* getopt_long codes of the options, above any option character. */
enum desired_opts_code {
	DESIRED_OPTS_KEY_DIR = 0x100,
	DESIRED_OPTS_KEY_ALG,
	DESIRED_OPTS_POLICY,
	DESIRED_OPTS_TTL,
	DESIRED_OPTS_NOW,
	DESIRED_OPTS_PREPUBLISH,
	DESIRED_OPTS_SKIP_FOREIGN,
	DESIRED_OPTS_DKIM,
};

#define DESIRED_OPTS_LONG_KEY_DIR \
	{ "key-dir", required_argument, NULL, DESIRED_OPTS_KEY_DIR }
#define DESIRED_OPTS_LONG_KEY_ALG \
	{ "key-alg", required_argument, NULL, DESIRED_OPTS_KEY_ALG }
#define DESIRED_OPTS_LONG_POLICY \
	{ "policy", required_argument, NULL, DESIRED_OPTS_POLICY }
#define DESIRED_OPTS_LONG_TTL \
	{ "ttl", required_argument, NULL, DESIRED_OPTS_TTL }
#define DESIRED_OPTS_LONG_NOW \
	{ "now", required_argument, NULL, DESIRED_OPTS_NOW }
#define DESIRED_OPTS_LONG_PREPUBLISH \
	{ "prepublish", required_argument, NULL, DESIRED_OPTS_PREPUBLISH }
#define DESIRED_OPTS_LONG_SKIP_FOREIGN \
	{ "skip-foreign", no_argument, NULL, DESIRED_OPTS_SKIP_FOREIGN }
#define DESIRED_OPTS_LONG_DKIM \
	{ "dkim", no_argument, NULL, DESIRED_OPTS_DKIM }

/*
 * desired_opts_init: the defaults into D (util_read_file, key directory
 * ".", Ed25519, now) and, when O is not NULL, into O (TTL 3600 s, the
 * same now, prepublication 7 days; everything else zero).
 */
void	 desired_opts_init(struct desired_opts *d, struct zonegen_opts *o);

/*
 * desired_opts_parse: take getopt_long's code CH (a DESIRED_OPTS_* code)
 * with its argument ARG (kept, not copied) into D and O.  --now sets
 * both D->now and, when O is not NULL, O->now; --key-alg, --policy,
 * --ttl, --prepublish, --skip-foreign and --dkim need O.  Returns 0, or -1 when
 * ARG is not a valid value (nothing said: the caller reports "bad option
 * value" with its usage).
 */
int	 desired_opts_parse(struct desired_opts *d, struct zonegen_opts *o,
	    int ch, const char *arg);

/*
 * desired_opts_domain: the -d argument IN as a domain (A-label, malloc'd,
 * caller frees), or NULL after saying "senderkey: -d IN: why" on
 * standard error.
 */
char	*desired_opts_domain(const char *in);

/*
 * desired_opts_build: read the N manifest FILES for DOMAIN, load their
 * keys with D and build the record set with O into *ZG (caller frees
 * with zonegen_free), finished.  Sets O->domain to DOMAIN (kept).
 * Returns 0, or an exit status with *ZG NULL: EX_OSERR when memory ran
 * out (nothing said), EX_NOINPUT when a manifest cannot be read,
 * EX_NEGATIVE for errors in the manifests or keys (said).
 */
int	 desired_opts_build(const struct desired_opts *d,
	    struct zonegen_opts *o, const char *domain, char *const *files,
	    int n, struct zonegen **zg);

#endif
