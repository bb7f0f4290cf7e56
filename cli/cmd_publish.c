/*
 * cmd_publish: "senderkey publish -d DOMAIN -s SERVER[:PORT] -k TSIGKEY
 * [--apply] MANIFEST..." pushes the records zonegen would write to a
 * primary that takes RFC 2136 updates (specs/publish.md).  Default: print
 * the plan and send nothing.  Not here: the diff (publisher/plan.c), the
 * messages (publisher/update.c), reading the primary (publisher/current.c),
 * the state and plan files (publisher/state.c), the confirmation after
 * apply (publisher/confirm.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "core/lookup.h"
#include "zonegen/desired.h"
#include "zonegen/zonegen.h"
#include "publisher/confirm.h"
#include "publisher/current.h"
#include "publisher/plan.h"
#include "publisher/state.h"
#include "publisher/tsig.h"
#include "publisher/update.h"
#include "cmds.h"
#include "desired_opts.h"
#include "resolver_opts.h"
#include "util.h"

#define PUB_EXIT_PENDING	2	/* --detailed-exitcode: changes */
#define PUB_WAIT_DEFAULT	300	/* --wait without a duration, s */
#define PUB_WAIT_STEP		2	/* seconds between rounds */
#define PUB_MAX_NSADDR		CONFIRM_MAX_SERVERS
#define PUB_STATE_MAGIC		"senderkey publish state 1"
#define PUB_PLAN_MAGIC		"senderkey publish plan 1"

struct pub_args {
	const char		*domain_in;
	const char		*server;
	const char		*keyfile;
	const char		*state, *planfile;
	const char		*nsaddr[PUB_MAX_NSADDR];
	size_t			 nnsaddr;
	int64_t			 wait;		/* -1: no --wait */
	int			 apply, force, detailed;
	struct desired_opts	 d;
	struct zonegen_opts	 o;
	struct resolver_opts	 ro;	/* -x -A -C */
	/* without --dkim: the state file's DKIM records, kept in it */
	ldns_rr_list		*kept;
};

/* split_server: "IP", "IP:PORT", "[IPv6]:PORT" into *HOST and *PORT. */
static int
split_server(const char *s, char *host, size_t hostsz, uint16_t *port)
{
	const char *c;
	char *end;
	unsigned long v;
	size_t n;

	*port = 53;
	if (*s == '[') {
		if ((c = strchr(s, ']')) == NULL)
			return -1;
		n = (size_t)(c - s - 1);
		s++;
		c = c[1] == ':' ? c + 1 : (c[1] == '\0' ? NULL : c);
		if (c != NULL && *c != ':')
			return -1;
	} else if ((c = strchr(s, ':')) != NULL && strchr(c + 1, ':') == NULL)
		n = (size_t)(c - s);
	else {
		n = strlen(s);
		c = NULL;
	}
	if (n == 0 || n >= hostsz)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	if (c != NULL) {
		v = strtoul(c + 1, &end, 10);
		if (c[1] == '\0' || *end != '\0' || v == 0 || v > 65535)
			return -1;
		*port = (uint16_t)v;
	}
	return 0;
}

static int
parse_args(struct pub_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "server", required_argument, NULL, 's' },
		{ "key", required_argument, NULL, 'k' },
		{ "apply", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "detailed-exitcode", no_argument, NULL, 'e' },
		DESIRED_OPTS_LONG_POLICY,
		DESIRED_OPTS_LONG_TTL,
		DESIRED_OPTS_LONG_KEY_DIR,
		DESIRED_OPTS_LONG_NOW,
		DESIRED_OPTS_LONG_PREPUBLISH,
		DESIRED_OPTS_LONG_SKIP_FOREIGN,
		DESIRED_OPTS_LONG_DKIM,
		{ "config", required_argument, NULL, 'x' },
		{ "anchor", required_argument, NULL, 'A' },
		{ "unbound-config", required_argument, NULL, 'C' },
		{ "ns-address", required_argument, NULL, 'N' },
		{ "wait", optional_argument, NULL, 'w' },
		{ "state", required_argument, NULL, 'S' },
		{ "plan-file", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "d:s:k:x:A:C:", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			a->domain_in = optarg;
			break;
		case 's':
			a->server = optarg;
			break;
		case 'k':
			a->keyfile = optarg;
			break;
		case 'a':
			a->apply = 1;
			break;
		case 'f':
			a->force = 1;
			break;
		case 'e':
			a->detailed = 1;
			break;
		case DESIRED_OPTS_POLICY:
		case DESIRED_OPTS_TTL:
		case DESIRED_OPTS_KEY_DIR:
		case DESIRED_OPTS_NOW:
		case DESIRED_OPTS_PREPUBLISH:
		case DESIRED_OPTS_SKIP_FOREIGN:
		case DESIRED_OPTS_DKIM:
			if (desired_opts_parse(&a->d, &a->o, ch, optarg) == -1)
				goto bad;
			break;
		case 'x':
		case 'A':
		case 'C':
			if (resolver_opts_parse(&a->ro, ch, optarg) == -1)
				return EX_USAGE;
			break;
		case 'N':
			if (a->nnsaddr == PUB_MAX_NSADDR ||
			    strchr(optarg, '=') == NULL)
				goto bad;
			a->nsaddr[a->nnsaddr++] = optarg;
			break;
		case 'w':
			a->wait = PUB_WAIT_DEFAULT;
			if (optarg != NULL && (util_duration(optarg,
			    &a->wait) == -1 || a->wait < 0))
				goto bad;
			break;
		case 'S':
			a->state = optarg;
			break;
		case 'p':
			a->planfile = optarg;
			break;
		default:
			senderkey_usage(stderr, "publish");
			return EX_USAGE;
		}
	}
	if (a->domain_in == NULL || a->server == NULL || a->keyfile == NULL ||
	    (optind >= argc && !(a->apply && a->planfile != NULL)) ||
	    (optind < argc && a->apply && a->planfile != NULL)) {
		senderkey_usage(stderr, "publish");
		return EX_USAGE;
	}
	return 0;
bad:
	fprintf(stderr, "senderkey: bad option value '%s'\n", optarg);
	senderkey_usage(stderr, "publish");
	return EX_USAGE;
}

/* desired_list: ZG's records as an ldns list (caller frees). */
static ldns_rr_list *
desired_list(const struct zonegen *zg)
{
	const struct zonegen_rec *r;
	ldns_rr_list *l;
	ldns_rr *c;
	size_t i, n;

	if ((l = ldns_rr_list_new()) == NULL)
		return NULL;
	r = zonegen_records(zg, &n);
	for (i = 0; i < n; i++) {
		if ((c = ldns_rr_clone(r[i].rr)) == NULL ||
		    !ldns_rr_list_push_rr(l, c)) {
			ldns_rr_free(c);
			ldns_rr_list_deep_free(l);
			return NULL;
		}
	}
	return l;
}

static void
print_rrs(FILE *f, char sign, const ldns_rr_list *l)
{
	size_t i;
	char *s;

	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		if ((s = ldns_rr2str(ldns_rr_list_rr(l, i))) == NULL)
			continue;
		s[strcspn(s, "\n")] = '\0';
		fprintf(f, "%c %s\n", sign, s);
		free(s);
	}
}

static void
print_plan(FILE *f, const struct plan *p)
{
	static const char *ops[] = { "add", "delete", "change" };
	const struct plan_rrset *s;
	struct plan_counts c;
	char *owner, type[32];
	size_t i;

	for (i = 0; i < plan_count(p); i++) {
		s = plan_rrset(p, i);
		owner = ldns_rdf2str(s->owner);
		{
			ldns_buffer *b = ldns_buffer_new(32);

			snprintf(type, sizeof(type), "TYPE%u", s->type);
			if (b != NULL && ldns_rr_type2buffer_str(b, s->type) ==
			    LDNS_STATUS_OK)
				snprintf(type, sizeof(type), "%.*s",
				    (int)ldns_buffer_position(b),
				    (const char *)ldns_buffer_begin(b));
			ldns_buffer_free(b);
		}
		fprintf(f, "%s %s %s\n", ops[s->op], owner != NULL ? owner :
		    "?", type);
		free(owner);
		print_rrs(f, '-', s->del);
		print_rrs(f, '+', s->add);
	}
	plan_counts(p, &c);
	fprintf(f, "plan: %zu to add, %zu to delete, in %zu RRsets; %zu of "
	    "%zu managed records unchanged\n", c.adds, c.deletes, c.rrsets,
	    c.unchanged, c.managed);
}


/* build_desired: the manifests' records as an ldns list, or NULL (said). */
static ldns_rr_list *
build_desired(struct pub_args *a, char *const *files, int n,
    const char *domain)
{
	struct zonegen *zg = NULL;
	ldns_rr_list *want = NULL;
	int rc;

	if ((rc = desired_opts_build(&a->d, &a->o, domain, files, n, &zg)) !=
	    0) {
		if (rc == EX_OSERR)
			fprintf(stderr, "senderkey: out of memory\n");
		return NULL;
	}
	if ((want = desired_list(zg)) == NULL)
		fprintf(stderr, "senderkey: out of memory\n");
	zonegen_free(zg);
	return want;
}

/*
 * scope: CUR (freed) without the _domainkey names this run does not
 * manage (plan_dkim_scope): with --dkim those of OWN1's and OWN2's DKIM
 * records (either may be NULL), without it none.  NULL when out of memory
 * (said).
 */
static ldns_rr_list *
scope(const struct pub_args *a, const ldns_rdf *zone, ldns_rr_list *cur,
    const ldns_rr_list *own1, const ldns_rr_list *own2)
{
	const ldns_rr_list *own[2] = { own1, own2 };
	ldns_rr_list *l;

	l = plan_dkim_scope(cur, own, a->o.dkim ? 2 : 0, zone);
	ldns_rr_list_deep_free(cur);
	if (l == NULL)
		fprintf(stderr, "senderkey: out of memory\n");
	return l;
}

/*
 * fetch_current: what SERVER serves for the names of WANT and of the
 * state file STATE (may be NULL or missing), without the _domainkey names
 * publish does not manage (scope: with --dkim it manages those of WANT
 * and of the state file; without it the state file's DKIM records go to
 * A->kept).  NULL on error (said).
 */
static ldns_rr_list *
fetch_current(struct pub_args *a, const ldns_rdf *zone,
    const char *domain, const char *host, uint16_t port,
    const struct tsig *k, const ldns_rr_list *want, const char *state)
{
	struct state_section sec = { "applied", NULL };
	const ldns_rdf **names = NULL;
	ldns_rr_list *cur = NULL;
	enum current_how how;
	char err[1024];
	size_t n, ns;
	int st = 1;

	if (state != NULL && (st = state_load(state, PUB_STATE_MAGIC, domain,
	    NULL, &sec, 1, err, sizeof(err))) == -1) {
		fprintf(stderr, "senderkey: %s\n", err);
		return NULL;
	}
	ns = st == 0 ? ldns_rr_list_rr_count(sec.rrs) : 0;
	if (st == 0 && !a->o.dkim &&
	    (a->kept = plan_dkim_records(sec.rrs, zone)) == NULL) {
		fprintf(stderr, "senderkey: out of memory\n");
		goto done;
	}
	/* Each name once: a name of both lists is read once. */
	if ((names = plan_names(want, st == 0 ? sec.rrs : NULL, &n)) ==
	    NULL) {
		fprintf(stderr, "senderkey: out of memory\n");
		goto done;
	}
	if ((cur = current_fetch(zone, host, port, k,
	    (const ldns_rdf *const *)names, n, &how, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		goto done;
	}
	cur = scope(a, zone, cur, want, st == 0 ? sec.rrs : NULL);
	if (cur == NULL)
		goto done;
	if (how == CURRENT_QUERY && st == 0)
		fprintf(stderr, "senderkey: %s: AXFR refused; read the "
		    "manifest's names and the %zu records of the state file "
		    "%s\n", a->server, ns, state);
	else if (how == CURRENT_QUERY)
		fprintf(stderr, "senderkey: %s: AXFR refused; read the "
		    "manifest's names only (no state file: records of "
		    "senders no longer in the manifest are not seen)\n",
		    a->server);
done:
	free(names);
	state_clear(&sec, 1);
	return cur;
}

/*
 * save_state: WANT, the managed records now applied, and KEPT (may be
 * NULL: DKIM records a run without --dkim left alone) into STATE.
 */
static int
save_state(const char *state, const char *domain, ldns_rr_list *want,
    const ldns_rr_list *kept)
{
	struct state_section sec = { "applied", want };
	ldns_rr_list *all = NULL, *k = NULL;
	char err[1024];
	int rc = -1;

	if (state == NULL)
		return 0;
	if (kept != NULL && ldns_rr_list_rr_count(kept) > 0) {
		/* ldns_rr_list_cat moves K's records into ALL */
		if ((all = ldns_rr_list_clone(want)) == NULL ||
		    (k = ldns_rr_list_clone(kept)) == NULL ||
		    !ldns_rr_list_cat(all, k)) {
			fprintf(stderr, "senderkey: out of memory\n");
			ldns_rr_list_deep_free(k);
			goto done;
		}
		ldns_rr_list_free(k);
		sec.rrs = all;
	}
	if (state_save(state, PUB_STATE_MAGIC, domain, NULL, &sec, 1, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "senderkey: state file: %s\n", err);
		goto done;
	}
	rc = 0;
done:
	ldns_rr_list_deep_free(all);
	return rc;
}

/*
 * confirm: after apply, every NS serves the plan and it validates (with
 * a resolver config); with --wait, until then or the time runs out.
 * Returns 0 (confirmed, or not asked to wait), or -1 (said).
 */
static int
confirm(struct pub_args *a, const struct plan *p, const ldns_rdf *zone,
    const char *host, uint16_t port)
{
	struct confirm_opts co;
	struct confirm *c = NULL;
	char err[1024];
	time_t end;
	int left, rc = -1;

	memset(&co, 0, sizeof(co));
	if (resolver_opts_given(&a->ro)) {
		if (resolver_opts_load(&a->ro) == -1)
			return -1;
		co.lookup = &a->ro.lo;
	}
	co.zone = zone;
	co.primary = host;
	co.port = port;
	co.overrides = a->nsaddr;
	co.noverrides = a->nnsaddr;
	if ((c = confirm_new(p, &co, err, sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: confirm: %s\n", err);
		goto done;
	}
	if (co.lookup == NULL)
		printf("confirm: validation not checked (give -x CONFIG)\n");
	end = time(NULL) + (a->wait > 0 ? (time_t)a->wait : 0);
	for (;;) {
		left = confirm_round(c, a->wait >= 0 ? NULL : stdout, err,
		    sizeof(err));
		if (left == -1) {
			fprintf(stderr, "senderkey: confirm: %s\n", err);
			goto done;
		}
		if (left == 0 || a->wait < 0 || time(NULL) >= end)
			break;
		sleep(PUB_WAIT_STEP);
	}
	if (a->wait >= 0 && confirm_round(c, stdout, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "senderkey: confirm: %s\n", err);
		goto done;
	}
	if (left == 0)
		printf("confirmed: every server serves the new data%s\n",
		    co.lookup != NULL ? " and it validates as secure" : "");
	else if (a->wait >= 0) {
		fprintf(stderr, "senderkey: --wait: %d server%s or name%s not "
		    "as expected after %lld s (see the confirm: lines)\n",
		    left, left == 1 ? "" : "s", left == 1 ? "" : "s",
		    (long long)a->wait);
		goto done;
	} else
		printf("confirm: %d not (yet) as expected; --wait polls\n",
		    left);
	rc = 0;
done:
	confirm_free(c);
	resolver_opts_clear(&a->ro);
	return rc;
}

/*
 * save_plan: writes the plan (WANT and CUR, for DOMAIN and STATE) to
 * PLANFILE and says so; 0, or -1 after saying why not.
 */
static int
save_plan(const char *planfile, const char *domain, const char *state,
    ldns_rr_list *want, ldns_rr_list *cur)
{
	struct state_section sec[2] = { { "desired", want },
	    { "current", cur } };
	char err[1024];

	if (state_save(planfile, PUB_PLAN_MAGIC, domain, state, sec, 2, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "senderkey: plan file: %s\n", err);
		return -1;
	}
	printf("plan written to %s (apply it with --apply --plan-file %s)\n",
	    planfile, planfile);
	return 0;
}

/* braked: 1 (after saying why) when P changes too much without FORCE. */
static int
braked(const struct plan *p, int force)
{
	struct plan_counts c;

	if (!plan_brake(p, PLAN_BRAKE_PERCENT) || force)
		return 0;
	plan_counts(p, &c);
	fprintf(stderr, "senderkey: refusing to delete or change %zu of %zu "
	    "managed records (more than %d%%): check the manifest, then use "
	    "--force\n", c.deletes, c.managed, PLAN_BRAKE_PERCENT);
	return 1;
}

/*
 * load_plan: the plan file of A (--apply --plan-file): exactly the plan
 * written before, no manifest, no read.  Sets *WANT, *CUR and *STATE
 * (the state file: --state, else the plan file's).  0, or -1 (said).
 */
static int
load_plan(struct pub_args *a, const ldns_rdf *zone, const char *domain,
    ldns_rr_list **want, ldns_rr_list **cur, char **state)
{
	struct state_section sec[2] = { { "desired", NULL },
	    { "current", NULL } };
	char err[1024], *aux = NULL;
	int lrc;

	if ((lrc = state_load(a->planfile, PUB_PLAN_MAGIC, domain, &aux,
	    sec, 2, err, sizeof(err))) != 0) {
		fprintf(stderr, "senderkey: %s%s\n", lrc == 1 ?
		    a->planfile : err, lrc == 1 ? ": no such plan file" : "");
		state_clear(sec, 2);
		free(aux);
		return -1;
	}
	*want = sec[0].rrs;
	sec[0].rrs = NULL;
	/*
	 * The plan file's current records were scoped when it was written:
	 * its own DKIM names are the run's (--dkim).
	 */
	a->o.dkim = 1;
	*cur = scope(a, zone, sec[1].rrs, *want, sec[1].rrs);
	sec[1].rrs = NULL;
	state_clear(sec, 2);
	if (a->state == NULL) {
		*state = aux;
		aux = NULL;
	} else if ((*state = strdup(a->state)) == NULL)
		fprintf(stderr, "senderkey: out of memory\n");
	free(aux);
	return *cur == NULL || (a->state != NULL && *state == NULL) ? -1 : 0;
}

int
cmd_publish(int argc, char **argv)
{
	struct pub_args a;
	struct tsig *k = NULL;
	struct plan *p = NULL;
	ldns_rr_list *want = NULL, *cur = NULL;
	ldns_rdf *zone = NULL;
	char err[1024], host[256], *domain = NULL, *state = NULL;
	uint16_t port;
	size_t sent;
	int rc;

	memset(&a, 0, sizeof(a));
	desired_opts_init(&a.d, &a.o);
	resolver_opts_init(&a.ro);
	a.wait = -1;
	if ((rc = parse_args(&a, argc, argv)) != 0)
		return rc;
	rc = EX_NEGATIVE;
	if ((domain = desired_opts_domain(a.domain_in)) == NULL) {
		rc = EX_USAGE;
		goto done;
	}
	if (split_server(a.server, host, sizeof(host), &port) == -1) {
		fprintf(stderr, "senderkey: -s %s: expected IP, IP:PORT or "
		    "[IPv6]:PORT\n", a.server);
		rc = EX_USAGE;
		goto done;
	}
	if ((k = tsig_load(a.keyfile, err, sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		goto done;
	}
	if ((zone = ldns_dname_new_frm_str(domain)) == NULL) {
		fprintf(stderr, "senderkey: out of memory\n");
		goto done;
	}
	if (a.apply && a.planfile != NULL) {
		if (load_plan(&a, zone, domain, &want, &cur, &state) == -1)
			goto done;
	} else {
		if (a.state != NULL)
			state = strdup(a.state);
		else if (asprintf(&state, "%s.state", argv[optind]) == -1)
			state = NULL;
		if (state == NULL) {
			fprintf(stderr, "senderkey: out of memory\n");
			goto done;
		}
		if ((want = build_desired(&a, argv + optind, argc - optind,
		    domain)) == NULL)
			goto done;
		if ((cur = fetch_current(&a, zone, domain, host, port, k, want,
		    state)) == NULL)
			goto done;
	}
	if ((p = plan_new(want, cur, zone, err, sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		goto done;
	}
	print_plan(stdout, p);
	fflush(stdout);
	if (!a.apply && a.planfile != NULL &&
	    save_plan(a.planfile, domain, state, want, cur) == -1)
		goto done;
	if (plan_count(p) == 0) {
		rc = a.apply && save_state(state, domain, want, a.kept) == -1 ?
		    EX_NEGATIVE : 0;
		goto done;
	}
	if (!a.apply) {
		rc = a.detailed ? PUB_EXIT_PENDING : 0;
		goto done;
	}
	if (braked(p, a.force))
		goto done;
	if (update_apply(p, zone, host, port, k, &sent, err, sizeof(err)) !=
	    UPDATE_OK) {
		fprintf(stderr, "senderkey: %s: %s%s\n", a.server, err,
		    sent > 0 ? " (earlier messages were applied)" : "");
		goto done;
	}
	printf("applied: %zu UPDATE message%s accepted by %s\n", sent,
	    sent == 1 ? "" : "s", a.server);
	fflush(stdout);
	if (save_state(state, domain, want, a.kept) == -1)
		goto done;
	if (confirm(&a, p, zone, host, port) == -1)
		goto done;
	rc = 0;
done:
	plan_free(p);
	ldns_rr_list_deep_free(a.kept);
	ldns_rr_list_deep_free(want);
	ldns_rr_list_deep_free(cur);
	ldns_rdf_deep_free(zone);
	tsig_free(k);
	free(state);
	free(domain);
	return rc;
}
