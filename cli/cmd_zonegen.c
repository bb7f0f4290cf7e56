/*
 * cmd_zonegen: "senderkey zonegen -d DOMAIN [options] MANIFEST..." turns
 * lists of senders (CSV, allowed_signers, vCard) into the records to
 * publish.  Everything is read and checked before anything is written;
 * the output file is replaced atomically or not at all.
 */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "lib/afile.h"
#include "lib/key.h"
#include "lib/pgp.h"
#include "zonegen/desired.h"
#include "zonegen/manifest.h"
#include "zonegen/sign.h"
#include "zonegen/zg_fast.h"
#include "zonegen/zonegen.h"
#include "zonegen/zoneout.h"
#include "cmds.h"
#include "desired_opts.h"
#include "util.h"

struct zg_args {
	const char		*domain_in;
	const char		*out;
	enum zoneout_format	 format;
	struct desired_opts	 d;
	struct zonegen_opts	 o;
	char			*soa;		/* MNAME,RNAME[,SERIAL] copy */
	const char		*ns[16];
	const char		*sign[SIGN_MAX_KEYS];	/* key files */
	size_t			 nsign;
	const char		*ds;		/* DS output file */
	struct sign_opts	 so;
	int			 progress;	/* -1: if stderr is a TTY */
};

static void
progress(void *arg, size_t done, size_t total)
{
	(void)arg;
	fprintf(stderr, "\rsenderkey: signing %zu of %zu names (%zu%%)", done,
	    total, total > 0 ? done * 100 / total : 100);
	if (done == total)
		fputc('\n', stderr);
}

/*
 * sign_out: sign ZG's records with the --sign keys into FP, the DS records
 * into DS (NULL: standard error).
 */
static int
sign_out(FILE *fp, FILE *ds, const struct zonegen *zg, struct zg_args *a)
{
	struct sign_key *keys[SIGN_MAX_KEYS];
	struct sign_zone *z = NULL;
	struct zonegen_wire w;
	struct sign_stats st;
	char err[1024];
	size_t i, n, nkeys = 0;
	int rc = EX_DATAERR;

	/* ldns frees a large buffer per record; keep glibc from trimming. */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
	for (i = 0; i < a->nsign; i++) {
		if ((keys[nkeys] = sign_key_load(a->sign[i], err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "senderkey: %s\n", err);
			goto done;
		}
		nkeys++;
	}
	if ((z = sign_zone_new(zonegen_domain(zg), err, sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		goto done;
	}
	n = zonegen_count(zg);
	for (i = 0; i < n; i++) {
		zonegen_wire(zg, i, &w);
		if (sign_zone_add_wire(z, w.owner, w.ownlen, w.type, w.ttl,
		    w.rdata, w.rdlen, 0) == -1) {
			fprintf(stderr, "senderkey: %s: record outside the zone, "
			    "or out of memory\n", zonegen_domain(zg));
			goto done;
		}
	}
	sign_zone_sort(z);
	if (a->progress == 1 || (a->progress == -1 && isatty(STDERR_FILENO)))
		a->so.progress = progress;
	if (sign_run(z, keys, nkeys, &a->so, fp, ds != NULL ? ds : stderr, &st,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, "senderkey: %s\n", err);
		goto done;
	}
	rc = 0;
done:
	sign_zone_free(z);
	for (i = 0; i < nkeys; i++)
		sign_key_free(keys[i]);
	return rc;
}

/*
 * emit: the output in the chosen form to FP (with --sign, the DS records
 * to DS); 0 or an exit code.  With FAST (zg_fast.c), ZG holds the apex and
 * FAST the senders.
 */
static int
emit(FILE *fp, FILE *ds, const struct zonegen *zg, struct zg_fast *fast,
    struct zg_args *a)
{
	if (fast != NULL)
		return zoneout_write_zone(fp, zg, zg_fast_counts(fast),
		    zg_fast_count(fast), zg_fast_wire, fast) == -1 ?
		    EX_IOERR : 0;
	if (a->nsign > 0)
		return sign_out(fp, ds, zg, a);
	return zoneout_write(fp, zg, a->format) == -1 ? EX_IOERR : 0;
}

/*
 * write_out: the output to -o FILE or standard output, and with --sign the
 * DS records to --ds FILE, each through afile: written in full and moved
 * into place (the output first), or left as they were; a symlink at
 * either path is never written through (afile.h).  0 or an exit code.
 */
static int
write_out(const struct zonegen *zg, struct zg_fast *fast, struct zg_args *a)
{
	struct afile *af = NULL, *ds = NULL;
	char err[512];
	int rc;

	if (a->ds != NULL && a->nsign > 0 &&
	    (ds = afile_open(a->ds, 0644, err, sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: --ds %s\n", err);
		return EX_CANTCREAT;
	}
	if (a->out != NULL &&
	    (af = afile_open(a->out, 0644, err, sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		rc = EX_CANTCREAT;
		goto fail;
	}
	if ((rc = emit(af != NULL ? afile_fp(af) : stdout, ds != NULL ?
	    afile_fp(ds) : NULL, zg, fast, a)) != 0) {
		if (rc == EX_IOERR)
			fprintf(stderr, "senderkey: %s: cannot write\n",
			    a->out != NULL ? a->out : "standard output");
		goto fail;
	}
	if (af == NULL && fflush(stdout) == EOF) {
		fprintf(stderr, "senderkey: cannot write the output\n");
		rc = EX_IOERR;
		goto fail;
	}
	if (af != NULL && afile_commit(af, 0, err, sizeof(err)) == -1) {
		af = NULL;
		fprintf(stderr, "senderkey: %s\n", err);
		rc = EX_IOERR;
		goto fail;
	}
	af = NULL;
	if (ds != NULL && afile_commit(ds, 0, err, sizeof(err)) == -1) {
		fprintf(stderr, "senderkey: --ds %s\n", err);
		return EX_IOERR;
	}
	return 0;
fail:
	afile_abort(af);
	afile_abort(ds);
	return rc;
}

static int
parse_soa(struct zg_args *a, const char *arg)
{
	char *serial, *end;
	unsigned long v;

	free(a->soa);
	if ((a->soa = strdup(arg)) == NULL)
		return -1;
	a->o.soa_mname = a->soa;
	if ((end = strchr(a->soa, ',')) == NULL)
		return -1;
	*end = '\0';
	a->o.soa_rname = end + 1;
	a->o.soa_serial = 1;
	if ((serial = strchr(end + 1, ',')) != NULL) {
		*serial++ = '\0';
		v = strtoul(serial, &end, 10);
		if (*serial == '\0' || *end != '\0' || v > 4294967295UL)
			return -1;
		a->o.soa_serial = (uint32_t)v;
	}
	return *a->o.soa_mname != '\0' && *a->o.soa_rname != '\0' ? 0 : -1;
}

/* sign_opt: one of the signing options CH with ARG into A; 0 or -1. */
static int
sign_opt(struct zg_args *a, int ch, const char *arg)
{
	int64_t v;

	switch (ch) {
	case 'G':
		if (a->nsign == SIGN_MAX_KEYS)
			return -1;
		a->sign[a->nsign++] = arg;
		return 0;
	case 'n':
		a->so.denial = SIGN_DENIAL_NSEC;
		return 0;
	case '3':
		a->so.denial = SIGN_DENIAL_NSEC3;
		return 0;
	case 'I':
		return util_time(arg, a->o.now, &a->so.inception);
	case 'E':
		return util_time(arg, a->o.now, &a->so.expiration);
	case 'j':
		if (util_duration(arg, &v) == -1 || v < 1 ||
		    v > SIGN_MAX_THREADS || strpbrk(arg, "smhdw"))
			return -1;
		a->so.threads = (unsigned)v;
		return 0;
	}
	return -1;
}

/* parse_args: 0, or an exit code. */
static int
parse_args(struct zg_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		DESIRED_OPTS_LONG_KEY_DIR,
		DESIRED_OPTS_LONG_KEY_ALG,
		DESIRED_OPTS_LONG_POLICY,
		DESIRED_OPTS_LONG_TTL,
		{ "soa", required_argument, NULL, 'S' },
		{ "ns", required_argument, NULL, 'N' },
		DESIRED_OPTS_LONG_SKIP_FOREIGN,
		DESIRED_OPTS_LONG_DKIM,
		DESIRED_OPTS_LONG_NOW,
		DESIRED_OPTS_LONG_PREPUBLISH,
		{ "sign", required_argument, NULL, 'G' },
		{ "nsec", no_argument, NULL, 'n' },
		{ "nsec3", no_argument, NULL, '3' },
		{ "inception", required_argument, NULL, 'I' },
		{ "expiration", required_argument, NULL, 'E' },
		{ "ds", required_argument, NULL, 'D' },
		{ "threads", required_argument, NULL, 'j' },
		{ "progress", no_argument, NULL, 'p' },
		{ "no-progress", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "d:j:o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			a->domain_in = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'f':
			if (zoneout_format_parse(optarg, &a->format) == -1)
				goto bad;
			break;
		case DESIRED_OPTS_KEY_DIR:
		case DESIRED_OPTS_KEY_ALG:
		case DESIRED_OPTS_POLICY:
		case DESIRED_OPTS_TTL:
		case DESIRED_OPTS_SKIP_FOREIGN:
		case DESIRED_OPTS_DKIM:
		case DESIRED_OPTS_NOW:
		case DESIRED_OPTS_PREPUBLISH:
			if (desired_opts_parse(&a->d, &a->o, ch, optarg) == -1)
				goto bad;
			break;
		case 'S':
			if (parse_soa(a, optarg) == -1)
				goto bad;
			break;
		case 'N':
			if (a->o.nns == sizeof(a->ns) / sizeof(a->ns[0]))
				goto bad;
			a->ns[a->o.nns++] = optarg;
			break;
		case 'G':
		case 'n':
		case '3':
		case 'I':
		case 'E':
		case 'j':
			if (sign_opt(a, ch, optarg) == -1)
				goto bad;
			break;
		case 'D':
			a->ds = optarg;
			break;
		case 'p':
			a->progress = 1;
			break;
		case 'q':
			a->progress = 0;
			break;
		default:
			senderkey_usage(stderr, "zonegen");
			return EX_USAGE;
		}
	}
	if (a->nsign > 0 && (a->o.soa_mname == NULL ||
	    a->format != ZONEOUT_ZONE)) {
		fprintf(stderr, "senderkey: --sign needs a whole zone (--soa "
		    "and --ns) in the zone format\n");
		return EX_USAGE;
	}
	if (a->domain_in == NULL || optind >= argc) {
		senderkey_usage(stderr, "zonegen");
		return EX_USAGE;
	}
	if ((a->o.soa_mname != NULL) != (a->o.nns > 0)) {
		fprintf(stderr, "senderkey: --soa and --ns go together\n");
		return EX_USAGE;
	}
	a->o.ns = a->ns;
	return 0;
bad:
	fprintf(stderr, "senderkey: bad option value '%s'\n", optarg);
	senderkey_usage(stderr, "zonegen");
	return EX_USAGE;
}

/*
 * try_fast: the run through zg_fast.c when it qualifies (one CSV manifest,
 * a regular file, the zone format, no --sign) and zg_fast_csv takes it:
 * the exit code of writing the output.  -1 when it does not (nothing
 * written, nothing said): the caller goes the general way.  The
 * environment variable SENDERKEY_ZONEGEN_NOFAST set turns it off (tests
 * compare both ways).
 */
static int
try_fast(struct zg_args *a, const char *domain, char *const *files, int n)
{
	struct util_map *map = NULL;
	struct zonegen *zg = NULL;
	struct zg_fast *fast = NULL;
	const char *buf;
	char err[512];
	size_t len;
	int rc = -1;

	if (n != 1 || a->nsign > 0 || a->format != ZONEOUT_ZONE ||
	    strcmp(files[0], "-") == 0 ||
	    getenv("SENDERKEY_ZONEGEN_NOFAST") != NULL)
		return -1;
	if ((map = util_map_file(files[0], ZG_FAST_INPUT_MAX, err,
	    sizeof(err))) == NULL)
		return -1;
	buf = util_map_buf(map, &len);
	a->o.domain = domain;
	if (manifest_detect(files[0], buf, len) != MANIFEST_CSV ||
	    (zg = zonegen_new(&a->o)) == NULL ||
	    zonegen_finish(zg, err, sizeof(err)) == -1 ||
	    (fast = zg_fast_csv(zg, buf, len, (a->d.vflags &
	    MANIFEST_V_SKIP_FOREIGN) != 0)) == NULL)
		goto done;
	/* The records hold what they need of the input. */
	util_map_free(map);
	map = NULL;
	rc = write_out(zg, fast, a);
done:
	zg_fast_free(fast);
	zonegen_free(zg);
	util_map_free(map);
	return rc;
}

int
cmd_zonegen(int argc, char **argv)
{
	struct zg_args a;
	struct zonegen *zg = NULL;
	char *domain = NULL;
	int rc;

	memset(&a, 0, sizeof(a));
	desired_opts_init(&a.d, &a.o);
	a.format = ZONEOUT_ZONE;
	sign_opts_init(&a.so);
	a.progress = -1;
	if ((rc = parse_args(&a, argc, argv)) != 0) {
		free(a.soa);
		return rc;
	}
	if ((domain = desired_opts_domain(a.domain_in)) == NULL) {
		rc = EX_USAGE;
		goto done;
	}
	if ((rc = try_fast(&a, domain, argv + optind, argc - optind)) != -1)
		goto done;
	if ((rc = desired_opts_build(&a.d, &a.o, domain, argv + optind,
	    argc - optind, &zg)) != 0)
		goto done;
	rc = write_out(zg, NULL, &a);
done:
	zonegen_free(zg);
	free(domain);
	free(a.soa);
	return rc;
}
