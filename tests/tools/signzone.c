/*
 * signzone: a test and bench entry point for the zone signer (zonegen/
 * sign.h) until "senderkey zonegen --sign" is wired.  Options follow
 * ldns-signzone where they can:
 *
 *   signzone [-n] [-j THREADS] [-i INCEPTION] [-e EXPIRATION] [-t ITER]
 *            [-s SALTHEX] [-d DSFILE] -o ORIGIN -f OUT ZONEFILE KEY...
 *
 * -n: NSEC instead of NSEC3.  Times are YYYYMMDDHHMMSS (UTC) or seconds
 * since 1970.  KEY is a K<zone>+<alg>+<id> base name (or its .key or
 * .private).  OUT is written atomically (lib/afile); "-" is
 * stdout.  Exit 0, 1 on errors, 64 on usage errors.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/afile.h"
#include "zonegen/sign.h"

static void
usage(void)
{
	fprintf(stderr, "usage: signzone [-n] [-j THREADS] [-i INCEPTION] "
	    "[-e EXPIRATION] [-t ITER] [-s SALTHEX] [-d DSFILE] -o ORIGIN "
	    "-f OUT ZONEFILE KEY...\n");
	exit(64);
}

static int64_t
parse_time(const char *s)
{
	struct tm tm;
	char *end;
	long long v;

	if (strlen(s) == 14) {
		memset(&tm, 0, sizeof(tm));
		if (sscanf(s, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon,
		    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
			return -1;
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		return (int64_t)timegm(&tm);
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return -1;
	return v;
}

int
main(int argc, char **argv)
{
	struct sign_opts o;
	struct sign_zone *z = NULL;
	struct sign_key *keys[SIGN_MAX_KEYS];
	struct sign_stats st;
	const char *origin = NULL, *outpath = NULL, *dspath = NULL;
	char err[512];
	FILE *in = NULL, *out = NULL, *ds = NULL;
	struct afile *af = NULL;
	size_t nkeys = 0, i;
	int ch, rc = 1;

	/*
	 * ldns allocates and frees a large line buffer per record read: keep
	 * glibc from returning the heap top to the kernel each time (brk).
	 */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
	sign_opts_init(&o);
	while ((ch = getopt(argc, argv, "nj:i:e:t:s:d:o:f:")) != -1) {
		switch (ch) {
		case 'n':
			o.denial = SIGN_DENIAL_NSEC;
			break;
		case 'j':
			o.threads = (unsigned)atoi(optarg);
			break;
		case 'i':
			if ((o.inception = parse_time(optarg)) <= 0)
				usage();
			break;
		case 'e':
			if ((o.expiration = parse_time(optarg)) <= 0)
				usage();
			break;
		case 't':
			o.iterations = (uint16_t)atoi(optarg);
			break;
		case 's':
			for (i = 0; optarg[2 * i] != '\0' &&
			    i < sizeof(o.salt); i++)
				if (sscanf(optarg + 2 * i, "%2hhx",
				    &o.salt[i]) != 1)
					usage();
			o.saltlen = i;
			break;
		case 'd':
			dspath = optarg;
			break;
		case 'o':
			origin = optarg;
			break;
		case 'f':
			outpath = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (origin == NULL || outpath == NULL || argc < 2 ||
	    argc - 1 > SIGN_MAX_KEYS)
		usage();
	for (i = 0; i < (size_t)argc - 1; i++) {
		if ((keys[i] = sign_key_load(argv[i + 1], err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "signzone: %s\n", err);
			goto out;
		}
		nkeys++;
	}
	if ((z = sign_zone_new(origin, err, sizeof(err))) == NULL) {
		fprintf(stderr, "signzone: %s\n", err);
		goto out;
	}
	if ((in = fopen(argv[0], "r")) == NULL) {
		fprintf(stderr, "signzone: %s: %s\n", argv[0], strerror(errno));
		goto out;
	}
	if (sign_zone_read(z, in, argv[0], err, sizeof(err)) == -1) {
		fprintf(stderr, "signzone: %s\n", err);
		goto out;
	}
	if (strcmp(outpath, "-") == 0)
		out = stdout;
	else {
		if ((af = afile_open(outpath, 0644, err, sizeof(err))) ==
		    NULL) {
			fprintf(stderr, "signzone: %s\n", err);
			goto out;
		}
		out = afile_fp(af);
	}
	if (dspath != NULL && (ds = fopen(dspath, "w")) == NULL) {
		fprintf(stderr, "signzone: %s: %s\n", dspath, strerror(errno));
		goto out;
	}
	if (sign_run(z, keys, nkeys, &o, out, ds, &st, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "signzone: %s\n", err);
		goto out;
	}
	if (af != NULL) {
		out = NULL;
		if (afile_commit(af, 0, err, sizeof(err)) == -1) {
			af = NULL;
			fprintf(stderr, "signzone: %s\n", err);
			goto out;
		}
		af = NULL;
	}
	fprintf(stderr, "signzone: %zu names, %zu records, %zu RRSIG, "
	    "%zu NSEC/NSEC3\n", st.names, st.records, st.rrsigs, st.denials);
	rc = 0;
out:
	afile_abort(af);
	if (ds != NULL && fclose(ds) != 0)
		rc = 1;
	if (in != NULL)
		fclose(in);
	sign_zone_free(z);
	for (i = 0; i < nkeys; i++)
		sign_key_free(keys[i]);
	return rc;
}
