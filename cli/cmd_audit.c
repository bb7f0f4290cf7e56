/*
 * cmd_audit: "senderkey audit -d DOMAIN [-x CONFIG] [MANIFEST...]" checks
 * what the world sees of a domain's sender keys (specs/audit.md): reads
 * the manifests (the expected state), collects DNS data (audit_dns),
 * runs the checks (audit) and prints the report (audit_out) with Nagios
 * exit codes.  Never changes anything, never creates keys.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/addr.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "lib/owner.h"
#include "lib/pgp.h"
#include "core/lookup.h"
#include "zonegen/desired.h"
#include "zonegen/keygen.h"
#include "zonegen/manifest.h"
#include "publisher/audit.h"
#include "publisher/audit_dns.h"
#include "publisher/audit_index.h"
#include "publisher/audit_out.h"
#include "publisher/audit_val.h"
#include "cmds.h"
#include "desired_opts.h"
#include "resolver_opts.h"
#include "util.h"

#define AUDIT_MANIFEST_MAX	(1024UL * 1024 * 1024)
#define AUDIT_MAX_NS_ARGS	AUDIT_MAX_SERVERS

enum out_form { OUT_TEXT, OUT_JSON, OUT_STREAM };

struct au_args {
	const char		*domain_in;
	struct resolver_opts	 ro;		/* -x -A -C */
	struct desired_opts	 d;		/* --key-dir --now */
	const char		*ns[AUDIT_MAX_NS_ARGS];
	size_t			 nns;
	enum out_form		 form;
	int			 walk;
	int			 axfr;
	int			 no_auth;
	struct audit_opts	 o;
};

/* The senders, in order, and by owner name. */
struct senders {
	struct audit_sender	**s;
	size_t			  n, cap;
	struct audit_index	 *ix;
};

/* push: append X (indexed by its owner); frees X on failure. */
static int
push(struct senders *v, struct audit_sender *x)
{
	struct audit_sender **ns;

	if (v->n == v->cap) {
		size_t cap = v->cap == 0 ? 64 : v->cap * 2;

		if ((ns = reallocarray(v->s, cap, sizeof(*v->s))) == NULL)
			goto fail;
		v->s = ns;
		v->cap = cap;
	}
	if (audit_index_add(v->ix, x) == -1)
		goto fail;
	v->s[v->n++] = x;
	return 0;
fail:
	audit_sender_free(x);
	return -1;
}

/* add_entry: E's key into its sender, created on first sight. */
static int
add_entry(struct senders *v, const struct manifest_entry *e,
    const struct au_args *a)
{
	char owner[OWNER_NAME_MAX], err[1024], origin[1024];
	struct audit_sender *x;
	struct audit_key *k;
	unsigned char *bytes = NULL;
	size_t blen = 0;
	EVP_PKEY *pk = NULL;
	int alg;

	if (owner_name(e->addr, OWNER_SENDERKEY, owner, sizeof(owner)) == -1)
		return -1;
	if ((x = audit_index_find(v->ix, owner)) == NULL) {
		snprintf(origin, sizeof(origin), "%s:%lu", e->file, e->line);
		if ((x = audit_sender_new()) == NULL ||
		    (x->owner = strdup(owner)) == NULL ||
		    (x->address = strdup(addr_canon(e->addr))) == NULL ||
		    (x->origin = strdup(origin)) == NULL) {
			audit_sender_free(x);
			return -1;
		}
		x->listed = 1;
		if (push(v, x) == -1)
			return -1;
	}
	if (x->nexpected == AUDIT_MAX_KEYS)
		return 0;
	k = &x->expected[x->nexpected];
	if (e->key == MANIFEST_KEY_NONE && (e->flags & MANIFEST_F_REVOKED)) {
		audit_key_set(k, 0, NULL, 0, 0, 0);
		x->nexpected++;
		return 0;
	}
	if (desired_entry_key(e, a->d.key_dir, KEYGEN_ED25519, a->o.now, 0,
	    &pk, NULL, NULL, err, sizeof(err)) == -1) {
		if (x->expect_error == NULL &&
		    (x->expect_error = strdup(err)) == NULL)
			return -1;
		return 0;
	}
	if (key_record_bytes(pk, &alg, &bytes, &blen) == -1 ||
	    audit_key_set(k, alg, bytes, blen, key_bits(pk),
	    (e->flags & MANIFEST_F_TESTING) != 0) == -1) {
		free(bytes);
		EVP_PKEY_free(pk);
		return -1;
	}
	free(bytes);
	EVP_PKEY_free(pk);
	/* A revoked entry names the key it revokes: nothing to expect. */
	if (e->flags & MANIFEST_F_REVOKED) {
		free(k->key);
		k->key = NULL;
		k->keylen = 0;
		k->revoked = 1;
	}
	k->not_before = e->not_before;
	k->not_after = e->not_after;
	x->nexpected++;
	return 0;
}

/* read_manifests: parse, validate, load the keys; 0 or -1 (printed). */
static int
read_manifests(char **files, int nfiles, const char *domain,
    const struct au_args *a, struct senders *v)
{
	const struct manifest_entry *e;
	struct manifest *m;
	char err[512], *buf;
	size_t i, len;
	int rc = -1;

	if ((m = manifest_new()) == NULL)
		return -1;
	for (i = 0; i < (size_t)nfiles; i++) {
		if ((buf = util_read_file(files[i], AUDIT_MANIFEST_MAX, &len,
		    err, sizeof(err))) == NULL) {
			fprintf(stderr, "senderkey: %s\n", err);
			goto done;
		}
		manifest_parse(m, manifest_detect(files[i], buf, len), files[i],
		    buf, len);
		free(buf);
	}
	if (manifest_validate(m, domain, MANIFEST_V_SKIP_FOREIGN, NULL) ==
	    -1) {
		for (i = 0; i < manifest_nkept(m); i++)
			fprintf(stderr, "%s\n", manifest_error(m, i));
		goto done;
	}
	for (i = 0; (e = manifest_entry(m, i)) != NULL; i++) {
		if (e->foreign)
			continue;
		if (add_entry(v, e, a) == -1) {
			fprintf(stderr, "senderkey: out of memory\n");
			goto done;
		}
	}
	rc = 0;
done:
	manifest_free(m);
	return rc;
}

/*
 * add_found: senders found by the NSEC walk or the zone transfer (Z's
 * hashes) that no manifest lists.
 */
static int
add_found(const struct audit_zone *z, struct senders *v)
{
	char owner[OWNER_NAME_MAX];
	struct audit_sender *x;
	size_t i;

	for (i = 0; i < z->nhashes; i++) {
		snprintf(owner, sizeof(owner), "%s._senderkey.%s.",
		    z->hashes[i], z->domain);
		if (audit_index_find(v->ix, owner) != NULL)
			continue;
		if ((x = audit_sender_new()) == NULL ||
		    (x->owner = strdup(owner)) == NULL) {
			audit_sender_free(x);
			return -1;
		}
		if (push(v, x) == -1)
			return -1;
	}
	return 0;
}

static int
parse_args(struct au_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'x' },
		{ "anchor", required_argument, NULL, 'A' },
		{ "unbound-config", required_argument, NULL, 'C' },
		{ "ns", required_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "json-stream", no_argument, NULL, 'J' },
		{ "warn-expiry", required_argument, NULL, 'w' },
		{ "crit-expiry", required_argument, NULL, 'c' },
		{ "no-walk", no_argument, NULL, 'W' },
		{ "no-axfr", no_argument, NULL, 'X' },
		{ "dkim", no_argument, NULL, 'D' },
		DESIRED_OPTS_LONG_KEY_DIR,
		DESIRED_OPTS_LONG_NOW,
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "A:C:d:x:", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			a->domain_in = optarg;
			break;
		case 'x':
		case 'A':
		case 'C':
			if (resolver_opts_parse(&a->ro, ch, optarg) == -1)
				return AUDIT_STATUS_UNKNOWN;
			break;
		case 'N':
			if (a->nns == AUDIT_MAX_NS_ARGS)
				goto bad;
			a->ns[a->nns++] = optarg;
			break;
		case 'j':
			a->form = OUT_JSON;
			break;
		case 'J':
			a->form = OUT_STREAM;
			break;
		case 'w':
			if (util_duration(optarg, &a->o.warn_expiry) == -1)
				goto bad;
			break;
		case 'c':
			if (util_duration(optarg, &a->o.crit_expiry) == -1)
				goto bad;
			break;
		case 'W':
			a->walk = 0;
			break;
		case 'X':
			a->axfr = 0;
			break;
		case 'D':
			a->o.dkim = 1;
			break;
		case DESIRED_OPTS_KEY_DIR:
		case DESIRED_OPTS_NOW:
			if (desired_opts_parse(&a->d, NULL, ch, optarg) == -1)
				goto bad;
			break;
		default:
			senderkey_usage(stderr, "audit");
			return AUDIT_STATUS_UNKNOWN;
		}
	}
	if (a->domain_in == NULL) {
		senderkey_usage(stderr, "audit");
		return AUDIT_STATUS_UNKNOWN;
	}
	if (a->o.crit_expiry > a->o.warn_expiry) {
		fprintf(stderr, "senderkey: --crit-expiry is longer than "
		    "--warn-expiry\n");
		return AUDIT_STATUS_UNKNOWN;
	}
	return 0;
bad:
	fprintf(stderr, "senderkey: bad option value '%s'\n", optarg);
	senderkey_usage(stderr, "audit");
	return AUDIT_STATUS_UNKNOWN;
}

/* new_lookup: a resolver context from -x -A -C and the config file. */
static struct lookup *
new_lookup(struct au_args *a, unsigned *tmo)
{
	struct lookup *lk;

	if (resolver_opts_load(&a->ro) == -1)
		return NULL;
	*tmo = a->ro.lo.timeout_ms;
	lk = resolver_opts_lookup(&a->ro);
	resolver_opts_clear(&a->ro);
	return lk;
}

static void
emit(const struct au_args *a, const struct audit_meta *m,
    const struct audit_report *r)
{
	switch (a->form) {
	case OUT_TEXT:
		audit_out_text(stdout, m, r, AUDIT_INFO);
		break;
	case OUT_JSON:
		audit_out_json(stdout, m, r);
		break;
	case OUT_STREAM:
		audit_out_json_stream(stdout, m, r);
		break;
	}
}

int
cmd_audit(int argc, char **argv)
{
	struct au_args a;
	struct audit_zone z;
	struct senders v;
	struct audit_report *r = NULL;
	struct audit_dns_opts dop;
	struct audit_meta meta;
	struct lookup *lk = NULL;
	char err[1024], *domain = NULL;
	size_t i;
	int rc = AUDIT_STATUS_UNKNOWN, emitted = 0;

	memset(&a, 0, sizeof(a));
	memset(&z, 0, sizeof(z));
	memset(&dop, 0, sizeof(dop));
	memset(&meta, 0, sizeof(meta));
	memset(&v, 0, sizeof(v));
	resolver_opts_init(&a.ro);
	desired_opts_init(&a.d, NULL);
	a.walk = 1;
	a.axfr = 1;
	a.o.warn_expiry = 14 * 86400;
	a.o.crit_expiry = 3 * 86400;
	if ((rc = parse_args(&a, argc, argv)) != 0)
		return rc;
	a.o.now = a.d.now;
	rc = AUDIT_STATUS_UNKNOWN;
	if ((domain = desired_opts_domain(a.domain_in)) == NULL)
		goto done;
	a.o.have_manifest = optind < argc;
	if ((v.ix = audit_index_new()) == NULL ||
	    read_manifests(argv + optind, argc - optind, domain, &a, &v) == -1)
		goto done;
	if ((z.domain = strdup(domain)) == NULL ||
	    (r = audit_report_new()) == NULL)
		goto done;
	meta.domain = domain;
	meta.now = a.o.now;
	dop.servers = a.nns > 0 ? a.ns : NULL;
	dop.nservers = a.nns;
	dop.walk = a.walk;
	if ((lk = new_lookup(&a, &dop.lookup_timeout_ms)) == NULL)
		goto done;
	if (audit_dns_zone(&z, &dop, err, sizeof(err)) == -1) {
		/* No server to ask directly: the validated part still runs. */
		if (audit_report_add(r, AUDIT_ERROR, "ns-unreachable", domain,
		    "%s", err) == -1)
			goto done;
	}
	if (a.axfr && audit_dns_axfr(&z, &dop, err, sizeof(err)) == -1) {
		fprintf(stderr, "senderkey: %s\n", err);
		goto done;
	}
	if (audit_val_zone(lk, &z, &dop, err, sizeof(err)) == -1) {
		fprintf(stderr, "senderkey: %s\n", err);
		goto done;
	}
	if (add_found(&z, &v) == -1)
		goto done;
	if (audit_val_senders(lk, v.s, v.n, &dop, err, sizeof(err)) == -1) {
		fprintf(stderr, "senderkey: %s\n", err);
		goto done;
	}
	if (audit_dns_auth(&z, v.s, v.n, &dop) == -1) {
		fprintf(stderr, "senderkey: out of memory\n");
		goto done;
	}
	if (audit_check(&z, v.s, v.n, &a.o, r) == -1) {
		fprintf(stderr, "senderkey: out of memory\n");
		goto done;
	}
	meta.senders = v.n;
	meta.denial = z.denial;
	meta.status = audit_report_status(r);
	if (z.probed && z.state == LOOKUP_TEMPFAIL && v.n > 0) {
		for (i = 0; i < v.n; i++)
			if (v.s[i]->state != LOOKUP_TEMPFAIL)
				break;
		if (i == v.n) {
			meta.status = AUDIT_STATUS_UNKNOWN;
			meta.unknown = "every lookup failed";
		}
	}
	emit(&a, &meta, r);
	emitted = 1;
	rc = fflush(stdout) == EOF ? AUDIT_STATUS_UNKNOWN : (int)meta.status;
done:
	if (rc == AUDIT_STATUS_UNKNOWN && !emitted)
		fprintf(stdout, "SENDERKEY UNKNOWN - %s: the audit could not "
		    "run\n", a.domain_in);
	for (i = 0; i < v.n; i++)
		audit_sender_free(v.s[i]);
	free(v.s);
	audit_index_free(v.ix);
	audit_report_free(r);
	audit_zone_clear(&z);
	lookup_free(lk);
	free(domain);
	return rc;
}
