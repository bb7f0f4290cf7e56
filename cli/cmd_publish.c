/*
 * cmd_publish: "senderkey publish -d DOMAIN -s SERVER[:PORT] -k TSIGKEY
 * [--apply] MANIFEST..." pushes the records zonegen would write to a
 * primary that takes RFC 2136 updates (specs/publish.md).  Default: print
 * the plan and send nothing.  Not here: the diff (publisher/plan.c), the
 * messages (publisher/update.c), reading the primary (publisher/current.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "addr.h"
#include "cmds.h"
#include "current.h"
#include "desired.h"
#include "manifest.h"
#include "plan.h"
#include "tsig.h"
#include "update.h"
#include "util.h"
#include "zonegen.h"

#define PUB_EXIT_PENDING	2	/* --detailed-exitcode: changes */

struct pub_args {
	const char		*domain_in;
	const char		*server;
	const char		*keyfile;
	int			 apply, force, detailed;
	unsigned		 brake;
	struct desired_opts	 d;
	struct zonegen_opts	 o;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: senderkey publish -d DOMAIN -s SERVER[:PORT] "
	    "-k TSIGKEY [--apply] [--force]\n"
	    "           [--detailed-exitcode] [--policy all|some] [--ttl "
	    "SECONDS] [--key-dir DIR]\n"
	    "           [--now TIME] [--prepublish DURATION] "
	    "[--skip-foreign] MANIFEST...\n");
}

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
		{ "policy", required_argument, NULL, 'P' },
		{ "ttl", required_argument, NULL, 'T' },
		{ "key-dir", required_argument, NULL, 'K' },
		{ "now", required_argument, NULL, 'W' },
		{ "prepublish", required_argument, NULL, 'R' },
		{ "skip-foreign", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t v;
	int ch;

	while ((ch = getopt_long(argc, argv, "d:s:k:h", opts, NULL)) != -1) {
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
		case 'P':
			if (strcmp(optarg, "all") == 0)
				a->o.policy = POLICYREC_ALL;
			else if (strcmp(optarg, "some") == 0)
				a->o.policy = POLICYREC_SOME;
			else
				goto bad;
			break;
		case 'T':
			if (util_duration(optarg, &v) == -1 || v < 1 ||
			    v > 2147483647)
				goto bad;
			a->o.ttl = (uint32_t)v;
			break;
		case 'K':
			a->d.key_dir = optarg;
			break;
		case 'W':
			if (util_time(optarg, a->o.now, &a->o.now) == -1)
				goto bad;
			break;
		case 'R':
			if (util_duration(optarg, &a->o.prepublish) == -1)
				goto bad;
			break;
		case 'F':
			a->d.vflags |= MANIFEST_V_SKIP_FOREIGN;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (a->domain_in == NULL || a->server == NULL || a->keyfile == NULL ||
	    optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	return 0;
bad:
	fprintf(stderr, "senderkey: bad option value '%s'\n", optarg);
	usage(stderr);
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

int
cmd_publish(int argc, char **argv)
{
	struct pub_args a;
	struct manifest *m = NULL;
	struct zonegen *zg = NULL;
	struct tsig *k = NULL;
	struct plan *p = NULL;
	ldns_rr_list *want = NULL, *cur = NULL;
	ldns_rdf *zone = NULL, **names = NULL;
	enum current_how how;
	enum addr_err aerr;
	char err[1024], host[256], *domain = NULL;
	uint16_t port;
	size_t i, n, sent;
	int rc;

	memset(&a, 0, sizeof(a));
	a.d.read = util_read_file;
	a.d.key_dir = ".";
	a.d.alg = KEYGEN_ED25519;
	a.o.ttl = 3600;
	a.o.now = (int64_t)time(NULL);
	a.o.prepublish = 7 * 86400;
	if ((rc = parse_args(&a, argc, argv)) != 0)
		return rc == -1 ? 0 : rc;
	a.d.now = a.o.now;
	rc = EX_NEGATIVE;
	if ((domain = addr_domain_parse(a.domain_in, &aerr)) == NULL) {
		fprintf(stderr, "senderkey: -d %s: %s\n", a.domain_in,
		    addr_strerror(aerr));
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
	a.o.domain = domain;
	if ((m = manifest_new()) == NULL || (zg = zonegen_new(&a.o)) == NULL ||
	    (zone = ldns_dname_new_frm_str(domain)) == NULL) {
		fprintf(stderr, "senderkey: out of memory\n");
		goto done;
	}
	if (desired_read(m, argv + optind, argc - optind, domain, &a.d) !=
	    DESIRED_OK || desired_build(zg, m, &a.d) != DESIRED_OK)
		goto done;
	if (zonegen_finish(zg, err, sizeof(err)) == -1) {
		fprintf(stderr, "senderkey: %s\n", err);
		goto done;
	}
	if ((want = desired_list(zg)) == NULL) {
		fprintf(stderr, "senderkey: out of memory\n");
		goto done;
	}
	n = ldns_rr_list_rr_count(want);
	if ((names = calloc(n + 1, sizeof(*names))) == NULL)
		goto done;
	for (i = 0; i < n; i++)
		names[i] = ldns_rr_owner(ldns_rr_list_rr(want, i));
	if ((cur = current_fetch(zone, host, port, k,
	    (const ldns_rdf *const *)names, n, &how, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		goto done;
	}
	if (how == CURRENT_QUERY)
		fprintf(stderr, "senderkey: %s: AXFR refused; read the "
		    "manifest's names only (records of senders no longer in "
		    "the manifest are not seen)\n", a.server);
	if ((p = plan_new(want, cur, zone, err, sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		goto done;
	}
	print_plan(stdout, p);
	fflush(stdout);
	if (plan_count(p) == 0) {
		rc = 0;
		goto done;
	}
	if (!a.apply) {
		rc = a.detailed ? PUB_EXIT_PENDING : 0;
		goto done;
	}
	if (plan_brake(p, PLAN_BRAKE_PERCENT) && !a.force) {
		struct plan_counts c;

		plan_counts(p, &c);
		fprintf(stderr, "senderkey: refusing to delete or change %zu "
		    "of %zu managed records (more than %d%%): check the "
		    "manifest, then use --force\n", c.deletes, c.managed,
		    PLAN_BRAKE_PERCENT);
		goto done;
	}
	if (update_apply(p, zone, host, port, k, &sent, err, sizeof(err)) !=
	    UPDATE_OK) {
		fprintf(stderr, "senderkey: %s: %s%s\n", a.server, err,
		    sent > 0 ? " (earlier messages were applied)" : "");
		goto done;
	}
	printf("applied: %zu UPDATE message%s accepted by %s\n", sent,
	    sent == 1 ? "" : "s", a.server);
	rc = 0;
done:
	plan_free(p);
	ldns_rr_list_deep_free(want);
	ldns_rr_list_deep_free(cur);
	free(names);
	ldns_rdf_deep_free(zone);
	tsig_free(k);
	zonegen_free(zg);
	manifest_free(m);
	free(domain);
	return rc;
}
