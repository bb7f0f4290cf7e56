/*
 * cmd_query: "senderkey query [-x CONFIG] [-A ANCHOR] [-C UNBOUND_CONF]
 * [-F IP]... [-t SECONDS] [-p] ADDRESS" looks up ADDRESS's sender key record (with -p
 * the domain policy record of ADDRESS or of a bare domain) with DNSSEC
 * validation and prints, one item a line:
 *
 *   state=secure-key|secure-nokey|insecure|bogus|tempfail|permerror
 *   owner=<the name looked up>
 *   reason=<why>                       when there is a reason
 *   policy=all|some                    -p, when a policy was found
 *   key=<alg> <bits> <SHA-256 SPKI fingerprint> [testing] [not-after=<unix>]
 *                                      one per usable key
 *
 * The resolver settings (TrustAnchorFile, UnboundConfig, Forwarders,
 * DNSTimeout) come from the senderkey configuration file (-x, else
 * /etc/senderkey/senderkeyd.conf when it exists); -A, -C, -F and -t
 * override them (any -F replaces all Forwarders).
 *
 * Exit status: 0 secure-key, 1 secure-nokey or insecure, 69 bogus or
 * permerror, 75 tempfail, 64 usage, 65 bad address, 66 trust anchor or
 * config unusable, 70 internal error, 78 bad configuration file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "addr.h"
#include "b64.h"
#include "cmds.h"
#include "config.h"
#include "key.h"
#include "keyrec.h"
#include "lookup.h"
#include "owner.h"
#include "policyrec.h"

#define MAX_FORWARDERS	16
#define MAX_TIMEOUT	3600

static void
usage(FILE *f)
{
	fprintf(f, "usage: senderkey query [-x CONFIG] [-A TRUST_ANCHOR_FILE] "
	    "[-C UNBOUND_CONFIG]\n"
	    "                       [-F FORWARDER_IP]... [-t SECONDS] [-p] "
	    "ADDRESS\n");
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

/* owner_for: the name to look up for ARG; 0, or an exit status. */
static int
owner_for(const char *arg, int policy, char *owner, size_t ownersz)
{
	enum addr_err err = ADDR_OK;
	struct addr *a = NULL;
	char *domain = NULL;
	int r;

	if (policy && strchr(arg, '@') == NULL) {
		if ((domain = addr_domain_parse(arg, &err)) == NULL) {
			fprintf(stderr, "senderkey: %s: %s\n", arg,
			    addr_strerror(err));
			return EX_DATAERR;
		}
		r = owner_policy_name(domain, owner, ownersz);
		free(domain);
	} else {
		if ((a = addr_parse(arg, &err, NULL)) == NULL) {
			fprintf(stderr, "senderkey: %s: %s\n", arg,
			    addr_strerror(err));
			return EX_DATAERR;
		}
		r = policy ? owner_policy_name(addr_domain(a), owner, ownersz) :
		    owner_name(a, OWNER_SENDERKEY, owner, ownersz);
		addr_free(a);
	}
	if (r != 0) {
		fprintf(stderr, "senderkey: %s: cannot build the owner name\n",
		    arg);
		return EX_SOFTWARE;
	}
	return 0;
}

/* print_line: "NAME=VALUE\n" with control characters shown as '?'. */
static void
print_line(const char *name, const char *value)
{
	const unsigned char *p;

	printf("%s=", name);
	for (p = (const unsigned char *)value; *p != '\0'; p++)
		putchar(*p < 0x20 || *p == 0x7f ? '?' : *p);
	putchar('\n');
}

static void
print_key(const struct keyrec *rec)
{
	const struct keyrec_fields *f = keyrec_get(rec);
	char fp[KEY_FP_SIZE], *b64;
	EVP_PKEY *pk;

	printf("key=%s %u ", keyrec_alg_name(f->alg), keyrec_bits(rec));
	pk = key_from_record_bytes((int)f->alg, f->key, f->keylen);
	if (pk != NULL && key_fingerprint(pk, fp, sizeof(fp)) == 0) {
		fputs(fp, stdout);
	} else if ((b64 = b64_encode(f->key, f->keylen)) != NULL) {
		printf("p=%s", b64);
		free(b64);
	} else {
		fputs("?", stdout);
	}
	EVP_PKEY_free(pk);
	if (f->testing)
		fputs(" testing", stdout);
	if (f->not_after != 0)
		printf(" not-after=%" PRId64, f->not_after);
	putchar('\n');
}

static int
exit_status(enum lookup_state s)
{
	switch (s) {
	case LOOKUP_SECURE_KEY:
		return 0;
	case LOOKUP_SECURE_NOKEY:
	case LOOKUP_INSECURE:
		return EX_NEGATIVE;
	case LOOKUP_BOGUS:
	case LOOKUP_PERMERROR:
		return EX_UNAVAILABLE;
	case LOOKUP_TEMPFAIL:
		return EX_TEMPFAIL;
	}
	return EX_SOFTWARE;
}

int
cmd_query(int argc, char **argv)
{
	const char *fwd[MAX_FORWARDERS];
	struct lookup_opts opts;
	struct lookup *lk = NULL;
	struct lookup_answer *ans = NULL;
	struct config *cfg = NULL;
	const char *cfgpath = NULL;
	char owner[OWNER_NAME_MAX], err[CONFIG_ERR_MAX], *end;
	unsigned long secs;
	size_t i;
	int ch, policy = 0, rc;

	memset(&opts, 0, sizeof(opts));
	opts.forwarders = fwd;
	while ((ch = getopt(argc, argv, "A:C:F:hpt:x:")) != -1) {
		switch (ch) {
		case 'x':
			cfgpath = optarg;
			break;
		case 'A':
			opts.trust_anchor_file = optarg;
			break;
		case 'C':
			opts.unbound_config = optarg;
			break;
		case 'F':
			if (!valid_forwarder(optarg)) {
				fprintf(stderr, "senderkey: -F %s: not an IP "
				    "address[@port]\n", optarg);
				return EX_USAGE;
			}
			if (opts.nforwarders == MAX_FORWARDERS) {
				fprintf(stderr, "senderkey: at most %d -F\n",
				    MAX_FORWARDERS);
				return EX_USAGE;
			}
			fwd[opts.nforwarders++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'p':
			policy = 1;
			break;
		case 't':
			errno = 0;
			secs = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    errno != 0 || secs == 0 || secs > MAX_TIMEOUT) {
				fprintf(stderr, "senderkey: -t %s: not a number "
				    "of seconds from 1 to %d\n", optarg,
				    MAX_TIMEOUT);
				return EX_USAGE;
			}
			opts.timeout_ms = (unsigned)secs * 1000;
			break;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return EX_USAGE;
	}
	if ((rc = owner_for(argv[optind], policy, owner, sizeof(owner))) != 0)
		return rc;
	if (config_load(cfgpath, &cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "senderkey: %s\n", err);
		return EX_CONFIG;
	}
	if (opts.trust_anchor_file == NULL)
		opts.trust_anchor_file = cfg->trust_anchor_file;
	if (opts.unbound_config == NULL)
		opts.unbound_config = cfg->unbound_config;
	if (opts.nforwarders == 0) {
		opts.forwarders = (const char *const *)cfg->forwarders;
		opts.nforwarders = cfg->nforwarders;
	}
	if (opts.timeout_ms == 0)
		opts.timeout_ms = cfg->dns_timeout_ms;
	lk = lookup_new(&opts, err, sizeof(err));
	if (lk == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		config_free(cfg);
		return EX_NOINPUT;
	}
	if (lookup_sync(lk, owner, policy ? LOOKUP_POLICY : LOOKUP_KEY,
	    &ans) != 0) {
		fprintf(stderr, "senderkey: %s: the lookup failed\n", owner);
		lookup_free(lk);
		config_free(cfg);
		return EX_SOFTWARE;
	}
	printf("state=%s\nowner=%s\n", lookup_state_name(ans->state), owner);
	if (ans->reason != NULL)
		print_line("reason", ans->reason);
	if (ans->policy != 0)
		printf("policy=%s\n", policyrec_name(ans->policy));
	for (i = 0; i < ans->nkeys; i++)
		print_key(ans->keys[i]);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "senderkey: write error: %s\n",
		    strerror(errno));
		rc = EX_IOERR;
	} else {
		rc = exit_status(ans->state);
	}
	lookup_answer_free(ans);
	lookup_free(lk);
	config_free(cfg);
	return rc;
}
