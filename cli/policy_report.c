/*
 * policy_report.c: "senderkey policy report" and the entries of "set
 * RECIPIENT deny --keep-history" (policy_report.h), from the decision
 * journal (specs/store.md 6.4).  The rows of one recipient are read
 * once; a sender's figures are summed here, what deny mode would do is
 * store_journal_deny's, against the rules as store_eval reads them now.
 * Not here: the command line and the write transaction (cmd_policy.c),
 * the journal's file (core/store_journal.c).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "lib/addr.h"
#include "lib/config.h"
#include "lib/key.h"
#include "core/verdict.h"
#include "policy_report.h"
#include "util.h"

#define DAY	86400
#define MAX_DAYS 3660

/* What a report or --keep-history reads. */
struct policy_report {
	char			 journal[PATH_MAX];
	char			 recipient[STORE_TARGET_MAX]; /* mailbox */
	int64_t			 since;		/* Unix time */
	unsigned		 days;		/* the window, for the header */
	struct store_jrow	*rows;		/* store_journal_read */
	size_t			 n;
	struct store_jrow	*out;		/* dir out: LearnOutbound */
	size_t			 nout;
	int			 want_ue;	/* read the user entries */
	struct store_uentry	*ue;		/* the recipient's (7) */
	size_t			 nue;
};

/* One sender's figures, summed over its rows. */
struct sender_sum {
	const char	*sender;
	uint64_t	 rcpt, data, authorized;
	uint64_t	 tags[VERDICT_TAG_COUNT];
	int64_t		 first, last;
	size_t		 npins;
	unsigned char	 pins[STORE_MAX_PINS][STORE_FP_LEN];
	enum store_journal_deny deny;
};

static int
parse_since(const char *arg, unsigned days, int64_t now,
    int64_t *since, unsigned *ndays)
{
	unsigned long long v;
	char *end;
	int64_t unit;

	if (arg == NULL) {
		*since = now - (int64_t)days * DAY;
		*ndays = days > 0 ? days : 1;
		return 0;
	}
	v = strtoull(arg, &end, 10);
	if (end == arg || arg[0] < '0' || arg[0] > '9' || end[0] == '\0' ||
	    end[1] != '\0')
		goto bad;
	unit = end[0] == 'd' ? DAY : end[0] == 'h' ? 3600 :
	    end[0] == 'm' ? 60 : end[0] == 's' ? 1 : 0;
	if (unit == 0 || v == 0 || v > (unsigned long long)MAX_DAYS * DAY /
	    (unsigned long long)unit)
		goto bad;
	*since = now - (int64_t)v * unit;
	*ndays = (unsigned)(((int64_t)v * unit + DAY - 1) / DAY);
	return 0;
bad:
	fprintf(stderr, "senderkey: --since %s: expected a duration such "
	    "as 90d, 12h, 30m or 45s (at most %d days)\n", arg, MAX_DAYS);
	return EX_USAGE;
}

static int
load(struct policy_report *p)
{
	struct store_journal *j;
	enum store_err e = STORE_OK;
	char err[STORE_ERR_MAX + 128];
	int rc = 0;

	if ((j = store_journal_open(p->journal, STORE_JOURNAL_RDONLY, &e, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: journal %s%s\n", err,
		    e == STORE_ENOENT ? " (senderkeyd writes it when "
		    "JournalDays is not 0)" : "");
		return e == STORE_ENOENT ? EX_NOINPUT : e == STORE_EPERM ?
		    EX_NOPERM : e == STORE_EBUSY ? EX_TEMPFAIL : EX_DATAERR;
	}
	if (store_journal_read(j, p->recipient, STORE_JIN, p->since, &p->rows,
	    &p->n) == -1 || store_journal_read(j, p->recipient, STORE_JOUT,
	    p->since, &p->out, &p->nout) == -1 || (p->want_ue && store_uentry_load(j, p->recipient,
	    &p->ue, &p->nue) == -1)) {
		fprintf(stderr, "senderkey: journal %s: %s\n", p->journal,
		    store_journal_error(j));
		e = store_journal_errcode(j);
		rc = e == STORE_EBUSY ? EX_TEMPFAIL : e == STORE_EINTERNAL ?
		    EX_SOFTWARE : EX_DATAERR;
	}
	store_journal_free(j);
	return rc;
}

static void
drop_rows(struct policy_report *p)
{
	free(p->rows);
	p->rows = NULL;
	p->n = 0;
	free(p->out);
	p->out = NULL;
	p->nout = 0;
	free(p->ue);
	p->ue = NULL;
	p->nue = 0;
}

/*
 * eval: the rules now for SENDER (SA) and P's recipient (RA), with the
 * recipient's user entry of SENDER (verdicts.md 4.2), into *R.
 */
static void
eval(const struct policy_report *p, const struct store *s,
    const struct addr *sa, const struct addr *ra, const char *sender,
    struct store_result *r)
{
	size_t i;

	store_eval(s, sa, ra, ra != NULL ? addr_domain(ra) : "", r);
	for (i = 0; i < p->nue; i++)
		if (strcmp(p->ue[i].sender, sender) == 0)
			store_uentry_merge(r, &p->ue[i]);
}

/*
 * judge: the store's result now for SENDER and P's recipient, and so
 * what deny mode would do, into *SS.
 */
static void
judge(const struct policy_report *p, const struct store *s,
    struct sender_sum *ss)
{
	struct store_result r;
	struct addr *sa, *ra;

	sa = addr_parse(ss->sender, NULL, NULL);
	ra = addr_parse(p->recipient, NULL, NULL);
	eval(p, s, sa, ra, ss->sender, &r);
	ss->deny = store_journal_deny(&r, p->rows, p->n, ss->sender);
	addr_free(sa);
	addr_free(ra);
}

/* sum: the figures of the sender of ROWS[I] (rows of one sender follow
   each other), into *SS; returns the index after them. */
static size_t
sum(const struct policy_report *p, size_t i, struct sender_sum *ss)
{
	const struct store_jrow *r;

	memset(ss, 0, sizeof(*ss));
	ss->sender = p->rows[i].sender;
	ss->first = INT64_MAX;
	for (; i < p->n && strcmp(p->rows[i].sender, ss->sender) == 0; i++) {
		r = &p->rows[i];
		if (r->sig == VSIG_UNKNOWN)
			ss->rcpt += r->count;
		else
			ss->data += r->count;
		if (r->verdict == VERDICT_AUTHORIZED)
			ss->authorized += r->count;
		if ((size_t)r->tag < VERDICT_TAG_COUNT)
			ss->tags[r->tag] += r->count;
		if (r->first < ss->first)
			ss->first = r->first;
		if (r->last > ss->last)
			ss->last = r->last;
	}
	ss->npins = store_journal_pins(p->rows, p->n, ss->sender, ss->pins,
	    STORE_MAX_PINS);
	return i;
}

static void
json_str(const char *s)
{
	const unsigned char *c;

	putchar('"');
	for (c = (const unsigned char *)s; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			printf("\\u%04x", *c);
		else
			putchar(*c);
	}
	putchar('"');
}

/* The tags in the order of trust, most trusted first. */
static const enum verdict_tag tag_order[] = { VT_AUTHORIZED, VT_TRUSTED,
	VT_UNTRUSTED, VT_UNAUTHORIZED, VT_NONE };

/* print_text: one sender's line. */
static void
print_text(const struct sender_sum *ss)
{
	char fp[KEY_FP_SIZE], t[32];
	size_t i;
	int first = 1;

	util_utc(ss->last, t);
	printf("%s rcpt=%llu data=%llu authorized=%llu tags=", ss->sender,
	    (unsigned long long)ss->rcpt, (unsigned long long)ss->data,
	    (unsigned long long)ss->authorized);
	for (i = 0; i < sizeof(tag_order) / sizeof(tag_order[0]); i++) {
		if (ss->tags[tag_order[i]] == 0)
			continue;
		printf("%s%s:%llu", first ? "" : ",",
		    verdict_tag_name(tag_order[i]),
		    (unsigned long long)ss->tags[tag_order[i]]);
		first = 0;
	}
	printf(" last=%s deny=%s%s", t, ss->deny == STORE_JD_ACCEPT ?
	    "" : "refuse:", store_journal_deny_name(ss->deny));
	for (i = 0; i < ss->npins; i++) {
		util_fp_text(ss->pins[i], fp);
		printf(" key=%s", fp);
	}
	putchar('\n');
}

/* print_json: one sender's object. */
static void
print_json(const struct sender_sum *ss, int first)
{
	char fp[KEY_FP_SIZE];
	size_t i;
	int f = 1;

	printf("%s\n    {\"sender\": ", first ? "" : ",");
	json_str(ss->sender);
	printf(", \"rcpt\": %llu, \"data\": %llu, \"authorized\": %llu, "
	    "\"tags\": {", (unsigned long long)ss->rcpt,
	    (unsigned long long)ss->data, (unsigned long long)ss->authorized);
	for (i = 0; i < sizeof(tag_order) / sizeof(tag_order[0]); i++) {
		if (ss->tags[tag_order[i]] == 0)
			continue;
		printf("%s\"%s\": %llu", f ? "" : ", ",
		    verdict_tag_name(tag_order[i]),
		    (unsigned long long)ss->tags[tag_order[i]]);
		f = 0;
	}
	printf("}, \"keys\": [");
	for (i = 0; i < ss->npins; i++) {
		util_fp_text(ss->pins[i], fp);
		printf("%s\"%s\"", i > 0 ? ", " : "", fp);
	}
	printf("], \"first\": %lld, \"last\": %lld, \"deny\": \"%s\"}",
	    (long long)ss->first, (long long)ss->last,
	    store_journal_deny_name(ss->deny));
}

/*
 * sent: the addresses P's recipient wrote to (dir out rows, one per
 * address after summing), as text lines "sent ADDRESS count=N last=TIME"
 * under a header, or as the JSON member "sent".
 */
static void
sent(const struct policy_report *p, int json)
{
	const char *a;
	uint64_t count;
	int64_t first, last;
	size_t i, naddr = 0;
	char t[32];

	for (i = 0; i < p->nout; i++)
		naddr += i == 0 || strcmp(p->out[i].sender,
		    p->out[i - 1].sender) != 0;
	if (json)
		printf(",\n  \"sent\": [");
	else
		printf("# sent to %zu address%s (LearnOutbound)\n", naddr,
		    naddr == 1 ? "" : "es");
	for (i = 0; i < p->nout;) {
		a = p->out[i].sender;
		count = 0;
		first = INT64_MAX;
		last = 0;
		for (; i < p->nout && strcmp(p->out[i].sender, a) == 0; i++) {
			count += p->out[i].count;
			if (p->out[i].first < first)
				first = p->out[i].first;
			if (p->out[i].last > last)
				last = p->out[i].last;
		}
		if (json) {
			printf("%s\n    {\"address\": ", a == p->out[0].sender ?
			    "" : ",");
			json_str(a);
			printf(", \"count\": %llu, \"first\": %lld, "
			    "\"last\": %lld}", (unsigned long long)count,
			    (long long)first, (long long)last);
		} else {
			util_utc(last, t);
			printf("sent %s count=%llu last=%s\n", a,
			    (unsigned long long)count, t);
		}
	}
	if (json)
		printf("\n  ]");
}

static int
report(const struct policy_report *p, const struct store *s,
    int json)
{
	struct sender_sum ss;
	char t[32];
	size_t i, nsenders = 0, refused = 0;

	for (i = 0; i < p->n;) {
		i = sum(p, i, &ss);
		nsenders++;
		judge(p, s, &ss);
		refused += ss.deny != STORE_JD_ACCEPT;
	}
	util_utc(p->since, t);
	if (json) {
		printf("{\n  \"recipient\": ");
		json_str(p->recipient);
		printf(",\n  \"since\": %lld,\n  \"senders\": [",
		    (long long)p->since);
	} else
		printf("# %s since %s (%u day%s): %zu sender%s, %zu refused "
		    "by deny mode today\n", p->recipient, t, p->days,
		    p->days == 1 ? "" : "s", nsenders, nsenders == 1 ? "" :
		    "s", refused);
	for (i = 0; i < p->n;) {
		i = sum(p, i, &ss);
		judge(p, s, &ss);
		if (json)
			print_json(&ss, ss.sender == p->rows[0].sender);
		else
			print_text(&ss);
	}
	if (json)
		printf("\n  ]");
	if (p->nout > 0)
		sent(p, json);
	if (json)
		printf("\n}\n");
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "senderkey: write error on standard output\n");
		return EX_IOERR;
	}
	return 0;
}

static struct policy_import_item *
push(struct policy_import_list *l)
{
	struct policy_import_item *it;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap == 0 ? 16 : l->cap * 2;
		if ((it = reallocarray(l->items, cap, sizeof(*it))) == NULL) {
			fprintf(stderr, "senderkey: out of memory\n");
			return NULL;
		}
		l->items = it;
		l->cap = cap;
	}
	it = &l->items[l->n++];
	memset(it, 0, sizeof(*it));
	return it;
}

static int
keep_items(const struct policy_report *p, const struct store *s,
    struct policy_import_list *l, size_t *nsenders)
{
	struct policy_import_item *it;
	struct store_result r;
	struct sender_sum ss;
	struct addr *sa, *ra;
	size_t i, k;

	*nsenders = 0;
	if ((it = push(l)) == NULL)
		return EX_SOFTWARE;
	it->kind = POLICY_IMPORT_MODE;
	memcpy(it->recipient, p->recipient, sizeof(it->recipient));
	snprintf(it->mode, sizeof(it->mode), "deny");
	ra = addr_parse(p->recipient, NULL, NULL);
	for (i = 0; i < p->n;) {
		i = sum(p, i, &ss);
		if (ss.npins == 0)
			continue;	/* never authenticated */
		sa = addr_parse(ss.sender, NULL, NULL);
		eval(p, s, sa, ra, ss.sender, &r);
		addr_free(sa);
		if (r.list != VL_NONE)
			continue;	/* an entry (or a user's) decides it */
		(*nsenders)++;
		for (k = 0; k < ss.npins; k++) {
			if ((it = push(l)) == NULL) {
				addr_free(ra);
				return EX_SOFTWARE;
			}
			it->kind = POLICY_IMPORT_ALLOW;
			memcpy(it->recipient, p->recipient,
			    sizeof(it->recipient));
			snprintf(it->sender, sizeof(it->sender), "%s",
			    ss.sender);
			store_canon_pin_hex(ss.pins[k], it->pin);
		}
	}
	addr_free(ra);
	return 0;
}

/* The options after RECIPIENT. */
struct opts {
	const char	*since, *journal;
	int		 json, dry_run;
};

static int
parse_opts(int argc, char **argv, int keep, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--since") == 0 && i + 1 < argc &&
		    o->since == NULL)
			o->since = argv[++i];
		else if (strcmp(argv[i], "--journal") == 0 && i + 1 < argc &&
		    o->journal == NULL)
			o->journal = argv[++i];
		else if (!keep && strcmp(argv[i], "--json") == 0 && !o->json)
			o->json = 1;
		else if (keep && strcmp(argv[i], "--dry-run") == 0 &&
		    !o->dry_run)
			o->dry_run = 1;
		else {
			fprintf(stderr, "senderkey: policy %s: unexpected "
			    "'%s'\n", keep ? "set" : "report", argv[i]);
			return EX_USAGE;
		}
	}
	return 0;
}

/* setup: P from the recipient RCPT and O; 0 or an exit status. */
static int
setup(const struct policy_report_ctx *ctx, const char *rcpt,
    const struct opts *o, struct policy_report *p)
{
	char err[512];
	const char *jf;
	int changed = 0, rc, kind;
	unsigned days = ctx->cfg->journal_days > 0 ? ctx->cfg->journal_days :
	    30;

	if ((kind = store_canon_rcpt(rcpt, ctx->cfg->recipient_delimiter,
	    p->recipient, &changed, err, sizeof(err))) != STORE_T_ADDR) {
		if (kind == -1)
			fprintf(stderr, "senderkey: recipient %s\n", err);
		else
			fprintf(stderr, "senderkey: recipient %s: expected a "
			    "mailbox, not a domain\n", rcpt);
		return EX_DATAERR;
	}
	if (changed)
		fprintf(stderr, "senderkey: recipient %s is read as %s, the "
		    "mailbox it is delivered to\n", rcpt, p->recipient);
	if ((rc = parse_since(o->since, days, (int64_t)time(NULL), &p->since,
	    &p->days)) != 0)
		return rc;
	/* senderkeyd has no user entries with JournalDays 0 */
	p->want_ue = o->journal != NULL || ctx->cfg->journal_days > 0;
	jf = o->journal != NULL ? o->journal : ctx->store_given ? NULL :
	    ctx->cfg->journal_file;
	if (jf == NULL && config_store_is_pg(ctx->store)) {
		fprintf(stderr, "senderkey: the journal is not on PostgreSQL "
		    "yet: give --journal FILE\n");
		return EX_USAGE;
	}
	if (store_journal_path(ctx->store, jf, p->journal,
	    sizeof(p->journal)) == -1) {
		fprintf(stderr, "senderkey: the journal's path is too long\n");
		return EX_USAGE;
	}
	return load(p);
}

/* open_rules: the rules file, read-only, as the daemon reads it. */
static int
open_rules(const struct policy_report_ctx *ctx, struct store **s)
{
	char err[STORE_ERR_MAX + 128];
	int exists, rc;

	/* a database has no file to check */
	if (!config_store_is_pg(ctx->store) && ((rc = store_file_perms(
	    ctx->store, &exists, err, sizeof(err))) != 0 || !exists)) {
		fprintf(stderr, "senderkey: %s\n", rc != 0 ? err :
		    "no such store");
		return rc == -1 ? EX_NOPERM : EX_NOINPUT;
	}
	if ((*s = store_open(ctx->store, ctx->cfg->default_mode ==
	    CONFIG_MODE_DENY ? VM_DENY : VM_ALLOW, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		return EX_DATAERR;
	}
	return 0;
}

/* dry_run: the changes L as "senderkey policy export" writes rules. */
static int
dry_run(const struct policy_import_list *l)
{
	char fp[KEY_FP_SIZE];
	unsigned char pin[STORE_FP_LEN];
	size_t i;

	printf("# senderkey policy set --keep-history --dry-run: nothing "
	    "written\n");
	for (i = 0; i < l->n; i++) {
		if (l->items[i].kind == POLICY_IMPORT_MODE) {
			printf("%s mode %s\n", l->items[i].recipient,
			    l->items[i].mode);
			continue;
		}
		if (store_canon_pin_bytes(l->items[i].pin, pin) == -1)
			return EX_SOFTWARE;
		util_fp_text(pin, fp);
		printf("%s allow %s pin %s\n", l->items[i].recipient,
		    l->items[i].sender, fp);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "senderkey: write error on standard output\n");
		return EX_IOERR;
	}
	return 0;
}

int
policy_report_run(const struct policy_report_ctx *ctx, int argc,
    char **argv, int keep)
{
	struct policy_report p;
	struct policy_import_list l;
	struct store *s = NULL;
	struct opts o;
	char what[STORE_TARGET_MAX + 80];
	size_t nsenders = 0;
	int first = keep ? 4 : 2, rc;

	memset(&p, 0, sizeof(p));
	memset(&l, 0, sizeof(l));
	if (argc < first || (keep && (strcmp(argv[2], "deny") != 0 ||
	    strcmp(argv[3], "--keep-history") != 0))) {
		fprintf(stderr, "senderkey: policy %s\n", keep ?
		    "set RECIPIENT deny --keep-history [--since DURATION] "
		    "[--dry-run]" : "report RECIPIENT [--since DURATION] "
		    "[--json]");
		return EX_USAGE;
	}
	if ((rc = parse_opts(argc - first, argv + first, keep, &o)) != 0 ||
	    (rc = setup(ctx, argv[1], &o, &p)) != 0 ||
	    (rc = open_rules(ctx, &s)) != 0)
		goto done;
	if (!keep) {
		rc = report(&p, s, o.json);
		goto done;
	}
	if ((rc = keep_items(&p, s, &l, &nsenders)) != 0)
		goto done;
	if (o.dry_run) {
		rc = dry_run(&l);
		goto done;
	}
	snprintf(what, sizeof(what), "set %s deny --keep-history (%zu "
	    "sender%s)", p.recipient, nsenders, nsenders == 1 ? "" : "s");
	rc = ctx->apply(ctx->arg, l.items, l.n, what);
done:
	store_free(s);
	policy_import_list_free(&l);
	drop_rows(&p);
	return rc;
}
