/*
 * desired_opts: the manifest options of zonegen, publish and audit, the
 * -d domain, and manifests to a finished record set.  See desired_opts.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "lib/addr.h"
#include "zonegen/desired.h"
#include "zonegen/keygen.h"
#include "zonegen/manifest.h"
#include "zonegen/zonegen.h"
#include "cmds.h"
#include "desired_opts.h"
#include "util.h"

void
desired_opts_init(struct desired_opts *d, struct zonegen_opts *o)
{
	memset(d, 0, sizeof(*d));
	d->read = util_read_file;
	d->key_dir = ".";
	d->alg = KEYGEN_ED25519;
	d->now = (int64_t)time(NULL);
	if (o == NULL)
		return;
	memset(o, 0, sizeof(*o));
	o->ttl = 3600;
	o->now = d->now;
	o->prepublish = 7 * 86400;
}

int
desired_opts_parse(struct desired_opts *d, struct zonegen_opts *o, int ch,
    const char *arg)
{
	int64_t v;

	switch (ch) {
	case DESIRED_OPTS_KEY_DIR:
		d->key_dir = arg;
		return 0;
	case DESIRED_OPTS_NOW:
		if (util_time(arg, d->now, &d->now) == -1)
			return -1;
		if (o != NULL)
			o->now = d->now;
		return 0;
	}
	if (o == NULL)
		return -1;
	switch (ch) {
	case DESIRED_OPTS_KEY_ALG:
		return keygen_alg_parse(arg, &d->alg) == -1 ? -1 : 0;
	case DESIRED_OPTS_POLICY:
		if (strcmp(arg, "all") == 0)
			o->policy = POLICYREC_ALL;
		else if (strcmp(arg, "some") == 0)
			o->policy = POLICYREC_SOME;
		else
			return -1;
		return 0;
	case DESIRED_OPTS_TTL:
		if (util_duration(arg, &v) == -1 || v < 1 || v > 2147483647)
			return -1;
		o->ttl = (uint32_t)v;
		return 0;
	case DESIRED_OPTS_PREPUBLISH:
		return util_duration(arg, &o->prepublish) == -1 ? -1 : 0;
	case DESIRED_OPTS_SKIP_FOREIGN:
		d->vflags |= MANIFEST_V_SKIP_FOREIGN;
		return 0;
	case DESIRED_OPTS_DKIM:
		o->dkim = 1;
		return 0;
	}
	return -1;
}

char *
desired_opts_domain(const char *in)
{
	enum addr_err aerr;
	char *domain;

	if ((domain = addr_domain_parse(in, &aerr)) == NULL)
		fprintf(stderr, "senderkey: -d %s: %s\n", in,
		    addr_strerror(aerr));
	return domain;
}

int
desired_opts_build(const struct desired_opts *d, struct zonegen_opts *o,
    const char *domain, char *const *files, int n, struct zonegen **zgp)
{
	struct manifest *m = NULL;
	struct zonegen *zg = NULL;
	char err[1024];
	int rc = EX_NEGATIVE;

	*zgp = NULL;
	o->domain = domain;
	if ((m = manifest_new()) == NULL || (zg = zonegen_new(o)) == NULL) {
		rc = EX_OSERR;
		goto fail;
	}
	switch (desired_read(m, files, n, domain, d)) {
	case DESIRED_OK:
		break;
	case DESIRED_NOINPUT:
		rc = EX_NOINPUT;
		goto fail;
	default:
		goto fail;
	}
	if (desired_build(zg, m, d) != DESIRED_OK)
		goto fail;
	/* The records hold what they need: the entries can go now. */
	manifest_free(m);
	m = NULL;
	if (zonegen_finish(zg, err, sizeof(err)) == -1) {
		fprintf(stderr, "senderkey: %s\n", err);
		goto fail;
	}
	*zgp = zg;
	return 0;
fail:
	zonegen_free(zg);
	manifest_free(m);
	return rc;
}
