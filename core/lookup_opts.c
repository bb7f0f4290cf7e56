/*
 * lookup_opts.c: the libunbound settings lookup_new applies beyond the
 * caller's config file: the files it must be able to read, and the bound
 * on libunbound's caches (lookup.h, struct lookup_opts).  Part of the
 * lookup module; see lookup_int.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unbound.h>

#include "lib/errstr.h"
#include "lookup.h"
#include "lookup_int.h"

int
lookup_opts_readable(const char *path, char *err, size_t errsz, const char *what)
{
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return errstr_set(err, errsz, "%s %s: %s", what, path,
		    strerror(errno));
	fclose(f);
	return 0;
}

static int
set_option(struct ub_ctx *ctx, const char *name, const char *value,
    char *err, size_t errsz)
{
	int r;

	if ((r = ub_ctx_set_option(ctx, name, value)) != 0)
		return errstr_set(err, errsz,
		    "libunbound option %s %s: %s", name,
		    value, ub_strerror(r));
	return 0;
}

/*
 * lower_option: libunbound's NAME (a number of seconds, "NAME:" to set
 * it) to at most MAX: kept when the config file already says less.
 */
static int
lower_option(struct ub_ctx *ctx, const char *name, unsigned max, char *err,
    size_t errsz)
{
	char opt[64], num[24], *cur = NULL, *end;
	unsigned long v;
	int keep = 0;

	if (ub_ctx_get_option(ctx, name, &cur) == 0 && cur != NULL &&
	    *cur >= '0' && *cur <= '9') {
		errno = 0;
		v = strtoul(cur, &end, 10);
		keep = errno == 0 && *end == '\0' && v <= max;
	}
	free(cur);
	if (keep)
		return 0;
	snprintf(opt, sizeof(opt), "%s:", name);
	snprintf(num, sizeof(num), "%u", max);
	return set_option(ctx, opt, num, err, errsz);
}

/*
 * bound_cache: what keeps libunbound's caches within the bound of
 * lookup.h (set after the config file, so it cannot undo it).  libunbound
 * applies cache-max-ttl to every RRset it stores (the key cache holds
 * validated DNSKEY RRsets, capped the same way) and cache-max-negative-ttl
 * to negative answers; cache-min-ttl is applied before the maximum.
 */
int
lookup_opts_bound_cache(struct ub_ctx *ctx, const struct lookup_opts *opts, char *err,
    size_t errsz)
{
	if (set_option(ctx, "cache-min-ttl:", "0", err, errsz) != 0 ||
	    set_option(ctx, "serve-expired:", "no", err, errsz) != 0 ||
	    set_option(ctx, "serve-original-ttl:", "no", err, errsz) != 0)
		return -1;
	if (!opts->bound_cache)
		return 0;
	if (lower_option(ctx, "cache-max-ttl", opts->cache_max_ttl, err,
	    errsz) != 0 ||
	    lower_option(ctx, "cache-max-negative-ttl", opts->cache_max_ttl,
	    err, errsz) != 0)
		return -1;
	return 0;
}
