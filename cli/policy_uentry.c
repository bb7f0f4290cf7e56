/*
 * policy_uentry.c: user entries for "senderkey policy" (policy_uentry.h):
 * the journal file found as "report" finds it, a recipient's entries
 * read from it read-only, their lines in "show", and "forget" in one
 * transaction of the journal file (not of the rules: no audit row).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "lib/config.h"
#include "lib/key.h"
#include "policy_uentry.h"
#include "util.h"

/* exit_of: the exit status of a journal error E. */
static int
exit_of(enum store_err e)
{
	switch (e) {
	case STORE_ENOENT:
		return EX_NOINPUT;
	case STORE_EPERM:
		return EX_NOPERM;
	case STORE_EBUSY:
		return EX_TEMPFAIL;
	case STORE_EIO:
		return EX_IOERR;
	case STORE_EINTERNAL:
		return EX_SOFTWARE;
	default:
		return EX_DATAERR;
	}
}


int
policy_uentry_load(const char *path, const char *recipient, int soft,
    struct policy_uentry_set *set)
{
	struct store_journal *j;
	enum store_err e = STORE_OK;
	char err[STORE_ERR_MAX + 128];

	memset(set, 0, sizeof(*set));
	if ((j = store_journal_open(path, STORE_JOURNAL_RDONLY, &e, err,
	    sizeof(err))) == NULL) {
		if (e == STORE_ENOENT)
			return 0;	/* no journal yet: no user entries */
		fprintf(stderr, "senderkey: journal %s%s\n", err, soft ?
		    "; user entries not read" : "");
		return soft ? 0 : exit_of(e);
	}
	if (store_uentry_load(j, recipient, &set->e, &set->n) == -1) {
		fprintf(stderr, "senderkey: journal %s: %s%s\n", path,
		    store_journal_error(j), soft ? "; user entries not read" :
		    "");
		e = store_journal_errcode(j);
		store_journal_free(j);
		return soft ? 0 : exit_of(e);
	}
	store_journal_free(j);
	return 0;
}

void
policy_uentry_free(struct policy_uentry_set *set)
{
	free(set->e);
	set->e = NULL;
	set->n = 0;
}

const struct store_uentry *
policy_uentry_find(const struct policy_uentry_set *set,
    const char *recipient, const char *sender)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->e[i].recipient, recipient) == 0 &&
		    strcmp(set->e[i].sender, sender) == 0)
			return &set->e[i];
	return NULL;
}

void
policy_uentry_print(const struct store_uentry *e, int json, int first)
{
	const char *act = e->action == STORE_DENY ? "deny" : "allow";
	char fp[KEY_FP_SIZE], when[32];
	size_t i = 0;

	util_utc(e->created, when);
	if (json) {
		/* addresses are canonical: no character needs escaping */
		printf("%s\n    {\"recipient\": \"%s\", \"rule\": \"%s\", "
		    "\"sender\": \"%s\", \"pins\": [", first ? "" : ",",
		    e->recipient, act, e->sender);
		for (i = 0; i < e->npins; i++) {
			util_fp_text(e->pins[i], fp);
			printf("%s\"%s\"", i > 0 ? ", " : "", fp);
		}
		printf("], \"source\": \"%s\", \"created\": %lld}",
		    store_uentry_source_name(e->source),
		    (long long)e->created);
		return;
	}
	do {
		if (e->npins > 0)
			util_fp_text(e->pins[i], fp);
		printf("u      %s %s %s%s%s # user entry: %s %s\n",
		    e->recipient, act, e->sender, e->npins > 0 ? " pin " : "",
		    e->npins > 0 ? fp : "", store_uentry_source_name(e->source),
		    when);
	} while (++i < e->npins);
}

/* forget_args: ARGV of "forget" checked into RCPT, SENDER, SRC. */
static int
forget_args(const char *delims, int argc, char **argv,
    char rcpt[STORE_TARGET_MAX], char sender[STORE_TARGET_MAX], int *all,
    enum store_usource *src, int *has_src)
{
	char err[512];
	int i, kind, changed = 0;

	*all = *has_src = 0;
	sender[0] = '\0';
	if (argc < 3)
		goto usage;
	if ((kind = store_canon_rcpt(argv[1], delims, rcpt, &changed, err,
	    sizeof(err))) != STORE_T_ADDR) {
		fprintf(stderr, "senderkey: recipient %s%s\n", kind == -1 ?
		    err : argv[1], kind == -1 ? "" : ": expected a mailbox, "
		    "not a domain (user entries are a mailbox's)");
		return EX_DATAERR;
	}
	if (changed)
		fprintf(stderr, "senderkey: recipient %s is read as %s, the "
		    "mailbox it is delivered to\n", argv[1], rcpt);
	if (strcmp(argv[2], "--all") == 0)
		*all = 1;
	else if ((kind = store_canon(argv[2], sender, err, sizeof(err))) !=
	    STORE_T_ADDR) {
		fprintf(stderr, "senderkey: sender %s%s\n", kind == -1 ? err :
		    argv[2], kind == -1 ? "" : ": expected an address (user "
		    "entries never name a domain)");
		return EX_DATAERR;
	}
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--source") != 0 || i + 1 >= argc ||
		    *has_src)
			goto usage;
		if (store_uentry_source_from_name(argv[++i], src) == -1) {
			fprintf(stderr, "senderkey: --source %s: expected imap "
			    "or sent\n", argv[i]);
			return EX_USAGE;
		}
		*has_src = 1;
	}
	return 0;
usage:
	fprintf(stderr, "senderkey: policy forget RECIPIENT SENDER|--all "
	    "[--source imap|sent] [--journal FILE]\n");
	return EX_USAGE;
}

int
policy_uentry_forget(const char *path, const char *delims, int argc,
    char **argv)
{
	char rcpt[STORE_TARGET_MAX], sender[STORE_TARGET_MAX];
	char err[STORE_ERR_MAX + 128];
	struct store_journal *j;
	enum store_err e = STORE_OK;
	enum store_usource src = STORE_US_IMAP;
	size_t n = 0;
	int rc, all, has_src;

	if ((rc = forget_args(delims, argc, argv, rcpt, sender, &all, &src,
	    &has_src)) != 0)
		return rc;
	if ((j = store_journal_open(path, 0, &e, err, sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: journal %s%s\n", err,
		    e == STORE_ENOENT ? " (no user entries: senderkeyd "
		    "writes it when JournalDays is not 0)" : "");
		return exit_of(e);
	}
	if (store_uentry_forget(j, rcpt, all ? NULL : sender,
	    has_src ? &src : NULL, &n) == -1) {
		fprintf(stderr, "senderkey: journal %s: %s; nothing "
		    "forgotten\n", path, store_journal_error(j));
		rc = exit_of(store_journal_errcode(j));
		store_journal_free(j);
		return rc;
	}
	store_journal_free(j);
	printf("%zu user entr%s forgotten\n", n, n == 1 ? "y" : "ies");
	if (fflush(stdout) != 0 || ferror(stdout))
		return EX_IOERR;
	return 0;
}

void
policy_uentry_list(const struct policy_uentry_set *set, const char *want,
    int json)
{
	size_t i;
	int first = 1;

	for (i = 0; i < set->n; i++) {
		if (want[0] != '\0' && strcmp(set->e[i].recipient, want) != 0)
			continue;
		policy_uentry_print(&set->e[i], json, first);
		first = 0;
	}
}

int
policy_uentry_cmd(const char *store, int store_given,
    const struct config *cfg, int *argc, char **argv,
    struct policy_uentry_set *set)
{
	char path[4096];
	const char *opt = NULL, *jf;
	int i;

	if (set != NULL)
		memset(set, 0, sizeof(*set));
	for (i = 1; i < *argc; i++)
		if (strcmp(argv[i], "--journal") == 0 && i + 1 < *argc) {
			opt = argv[i + 1];
			memmove(&argv[i], &argv[i + 2],
			    (size_t)(*argc - i - 1) * sizeof(*argv));
			*argc -= 2;
			break;
		}
	jf = opt != NULL ? opt : store_given ? NULL : cfg->journal_file;
	if (jf == NULL && config_store_is_pg(store)) {
		/* show and explain: the rules alone; forget: nothing to do */
		if (set != NULL)
			return 0;
		fprintf(stderr, "senderkey: the journal is not on PostgreSQL "
		    "yet: give --journal FILE\n");
		return EX_USAGE;
	}
	if (store_journal_path(store, jf, path, sizeof(path)) == -1) {
		fprintf(stderr, "senderkey: the journal's path is too long\n");
		return EX_USAGE;
	}
	if (set == NULL)
		return policy_uentry_forget(path, cfg->recipient_delimiter,
		    *argc, argv);
	if (opt == NULL && cfg->journal_days == 0)
		return 0;
	return policy_uentry_load(path, NULL, 1, set);
}
