/*
 * ub-config-lock.c: an LD_PRELOAD shim for the test bed's OpenDKIM
 * (tests/bed/opendkim) that lets one thread at a time into libunbound's
 * ub_ctx_config().  Not part of senderkey; never installed.
 *
 * Why: libunbound's config file parser (flex and bison, global state) is
 * not thread-safe, and OpenDKIM 2.11 (Debian 12, built with _FFR_VBR)
 * calls ub_ctx_config() with its ResolverConfiguration for every message,
 * at the end of the header, on a new libunbound context for VBR, from
 * the milter thread of that message.  Two messages at that point at once
 * kill the filter ("fatal flex scanner internal error").  The bed needs
 * ResolverConfiguration ("test." is a built-in empty zone in libunbound
 * otherwise), so the calls are serialized here.  Nothing else changes:
 * the real function does the work, with the same arguments and result.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <unbound.h>

static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;

int
ub_ctx_config(struct ub_ctx *ctx, const char *fname)
{
	static int (*real)(struct ub_ctx *, const char *);
	int r;

	pthread_mutex_lock(&config_lock);
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "ub_ctx_config");
	r = real != NULL ? real(ctx, fname) : UB_INITFAIL;
	pthread_mutex_unlock(&config_lock);
	return r;
}
