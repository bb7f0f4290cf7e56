/*
 * resolver_opts: -x -A -C -F -t for the subcommands that look keys up
 * (query, verify, audit, publish) and the configuration file behind them
 * (policy uses resolver_opts_fill alone).  See resolver_opts.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config.h"
#include "core/lookup.h"
#include "resolver_opts.h"

void
resolver_opts_init(struct resolver_opts *r)
{
	memset(r, 0, sizeof(*r));
	r->lo.forwarders = r->fwd;
}

/* valid_forwarder: "IPv4", "IPv6", optionally "@PORT" (as libunbound). */
static int
valid_forwarder(const char *s)
{
	char host[INET6_ADDRSTRLEN + 1], *end;
	unsigned char buf[sizeof(struct in6_addr)];
	const char *at = strchr(s, '@');
	size_t n = at != NULL ? (size_t)(at - s) : strlen(s);
	unsigned long port;

	if (n == 0 || n >= sizeof(host))
		return 0;
	memcpy(host, s, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, buf) != 1 &&
	    inet_pton(AF_INET6, host, buf) != 1)
		return 0;
	if (at == NULL)
		return 1;
	errno = 0;
	port = strtoul(at + 1, &end, 10);
	return at[1] != '\0' && *end == '\0' && errno == 0 && port > 0 &&
	    port <= 65535;
}

int
resolver_opts_parse(struct resolver_opts *r, int ch, const char *arg)
{
	unsigned long secs;
	char *end;

	switch (ch) {
	case 'x':
		r->config = arg;
		return 0;
	case 'A':
		r->lo.trust_anchor_file = arg;
		return 0;
	case 'C':
		r->lo.unbound_config = arg;
		return 0;
	case 'F':
		if (!valid_forwarder(arg)) {
			fprintf(stderr, "senderkey: -F %s: not an IP "
			    "address[@port]\n", arg);
			return -1;
		}
		if (r->lo.nforwarders == RESOLVER_OPTS_MAX_FORWARDERS) {
			fprintf(stderr, "senderkey: at most %d -F\n",
			    RESOLVER_OPTS_MAX_FORWARDERS);
			return -1;
		}
		r->fwd[r->lo.nforwarders++] = arg;
		return 0;
	case 't':
		errno = 0;
		secs = strtoul(arg, &end, 10);
		if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0 ||
		    secs == 0 || secs > RESOLVER_OPTS_MAX_TIMEOUT) {
			fprintf(stderr, "senderkey: -t %s: not a number of "
			    "seconds from 1 to %d\n", arg,
			    RESOLVER_OPTS_MAX_TIMEOUT);
			return -1;
		}
		r->lo.timeout_ms = (unsigned)secs * 1000;
		return 0;
	}
	fprintf(stderr, "senderkey: -%c: not a resolver option\n", ch);
	return -1;
}

int
resolver_opts_given(const struct resolver_opts *r)
{
	return r->config != NULL || r->lo.trust_anchor_file != NULL ||
	    r->lo.unbound_config != NULL || r->lo.nforwarders > 0 ||
	    r->lo.timeout_ms != 0;
}

void
resolver_opts_fill(struct lookup_opts *lo, const struct config *cfg)
{
	if (lo->trust_anchor_file == NULL)
		lo->trust_anchor_file = cfg->trust_anchor_file;
	if (lo->unbound_config == NULL)
		lo->unbound_config = cfg->unbound_config;
	if (lo->nforwarders == 0) {
		lo->forwarders = (const char *const *)cfg->forwarders;
		lo->nforwarders = cfg->nforwarders;
	}
	if (lo->timeout_ms == 0)
		lo->timeout_ms = cfg->dns_timeout_ms;
}

int
resolver_opts_load(struct resolver_opts *r)
{
	char err[CONFIG_ERR_MAX];

	if (config_load(r->config, &r->cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "senderkey: %s\n", err);
		return -1;
	}
	resolver_opts_fill(&r->lo, r->cfg);
	return 0;
}

struct lookup *
resolver_opts_lookup(const struct resolver_opts *r)
{
	struct lookup *lk;
	char err[CONFIG_ERR_MAX];

	if ((lk = lookup_new(&r->lo, err, sizeof(err))) == NULL)
		fprintf(stderr, "senderkey: %s\n", err);
	return lk;
}

void
resolver_opts_clear(struct resolver_opts *r)
{
	config_free(r->cfg);
	r->cfg = NULL;
}
