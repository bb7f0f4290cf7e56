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
#include <sys/time.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/b64.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "lib/owner.h"
#include "lib/policyrec.h"
#include "core/lookup.h"
#include "cmds.h"
#include "resolver_opts.h"

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

	printf("key=%s %u ", keyrec_alg_name(f->alg), keyrec_bits(rec));
	/* without OpenSSL for Ed25519: see key_record_fingerprint */
	if (key_record_fingerprint((int)f->alg, f->key, f->keylen, fp,
	    sizeof(fp)) == 0) {
		fputs(fp, stdout);
	} else if ((b64 = b64_encode(f->key, f->keylen)) != NULL) {
		printf("p=%s", b64);
		free(b64);
	} else {
		fputs("?", stdout);
	}
	if (f->testing)
		fputs(" testing", stdout);
	if (f->not_after != 0)
		printf(" not-after=%" PRId64, f->not_after);
	putchar('\n');
}

/*
 * The one-shot deadline.  The lookup runs in this thread (lookup_fg:
 * libunbound's worker thread would cost a thread start, a pipe to hand
 * the answer over and a join, ~10 context switches a process); a timer
 * bounds it instead.  At the deadline on_deadline writes what lookup_sync
 * gives then (state tempfail, reason timeout), formatted beforehand, and
 * ends the process with its exit status.  Nothing else is written to
 * stdout before the answer, so the output is the same either way.
 */
static char	deadline_out[OWNER_NAME_MAX + 64];
static size_t	deadline_len;

static void
say(int fd, const char *s)
{
	ssize_t n = write(fd, s, strlen(s));

	(void)n;
}

/* on_deadline: async-signal-safe calls only (strerrordesc_np: a table). */
static void
on_deadline(int sig)
{
	const char *e;

	(void)sig;
	if (write(STDOUT_FILENO, deadline_out, deadline_len) ==
	    (ssize_t)deadline_len)
		_exit(EX_TEMPFAIL);
	e = strerrordesc_np(errno);
	say(STDERR_FILENO, "senderkey: write error: ");
	say(STDERR_FILENO, e != NULL ? e : "unknown error");
	say(STDERR_FILENO, "\n");
	_exit(EX_IOERR);
}

/* arm_deadline: on_deadline for OWNER in MS milliseconds; 0 or -1. */
static int
arm_deadline(const char *owner, unsigned ms)
{
	struct sigaction sa;
	struct itimerval it;
	sigset_t set;
	int n;

	n = snprintf(deadline_out, sizeof(deadline_out),
	    "state=%s\nowner=%s\nreason=timeout\n",
	    lookup_state_name(LOOKUP_TEMPFAIL), owner);
	if (n < 0 || (size_t)n >= sizeof(deadline_out))
		return -1;
	deadline_len = (size_t)n;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_deadline;
	sigemptyset(&sa.sa_mask);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	/* a parent's ignored or blocked SIGALRM must not undo the deadline */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	if (sigaction(SIGALRM, &sa, NULL) == -1 ||
	    sigprocmask(SIG_UNBLOCK, &set, NULL) == -1 ||
	    setitimer(ITIMER_REAL, &it, NULL) == -1) {
		fprintf(stderr, "senderkey: cannot set the deadline: %s\n",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* disarm_deadline: the answer is in: no timer from here on. */
static void
disarm_deadline(void)
{
	static const struct itimerval off;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
	(void)setitimer(ITIMER_REAL, &off, NULL);
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
	struct resolver_opts ro;
	struct lookup *lk = NULL;
	struct lookup_answer *ans = NULL;
	char owner[OWNER_NAME_MAX];
	size_t i;
	int ch, policy = 0, rc;

	resolver_opts_init(&ro);
	while ((ch = getopt(argc, argv, "A:C:F:pt:x:")) != -1) {
		switch (ch) {
		case 'x':
		case 'A':
		case 'C':
		case 'F':
		case 't':
			if (resolver_opts_parse(&ro, ch, optarg) == -1)
				return EX_USAGE;
			break;
		case 'p':
			policy = 1;
			break;
		default:
			senderkey_usage(stderr, "query");
			return EX_USAGE;
		}
	}
	if (argc - optind != 1) {
		senderkey_usage(stderr, "query");
		return EX_USAGE;
	}
	if ((rc = owner_for(argv[optind], policy, owner, sizeof(owner))) != 0)
		return rc;
	if (resolver_opts_load(&ro) == -1)
		return EX_CONFIG;
	if ((lk = resolver_opts_lookup(&ro)) == NULL) {
		resolver_opts_clear(&ro);
		return EX_NOINPUT;
	}
	rc = arm_deadline(owner, lookup_timeout_ms(lk));
	if (rc == 0)
		rc = lookup_fg(lk, owner, policy ? LOOKUP_POLICY : LOOKUP_KEY,
		    &ans);
	disarm_deadline();
	if (rc != 0) {
		fprintf(stderr, "senderkey: %s: the lookup failed\n", owner);
		lookup_free(lk);
		resolver_opts_clear(&ro);
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
	resolver_opts_clear(&ro);
	return rc;
}
