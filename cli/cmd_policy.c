/*
 * cmd_policy: "senderkey policy [-f STORE | -x CONFIG] COMMAND ...", the
 * recipient policy store's command line (man/senderkey-policy.1).  Writes
 * go through core/store.h's writer, one transaction per command; reads
 * and "explain" through its reader, the daemon's own evaluation.
 *
 * Exit status: 0 done (explain: the rules alone do not refuse the sender), 1
 * explain: the rules alone make it unauthorized, 64 usage, 65 bad data, 66 no
 * store or input file, 70 internal, 73 cannot create the store, 74 I/O error
 * (disk full), 75 temporary failure (store locked or unreachable, key
 * lookup), 77 permission (world-writable, read-only), 78 bad config file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/addr.h"
#include "lib/config.h"
#include "lib/key.h"
#include "lib/keyrec.h"
#include "lib/owner.h"
#include "lib/rcpt.h"
#include "core/decision.h"
#include "core/lookup.h"
#include "core/store.h"
#include "core/verdict.h"
#include "cmds.h"
#include "policy_import.h"
#include "policy_print.h"
#include "policy_report.h"
#include "policy_uentry.h"
#include "resolver_opts.h"

struct pctx {
	const char	*store;		/* -f, or the config's PolicyStore */
	const char	*cfgpath;	/* -x */
	struct config	*cfg;		/* loaded on demand */
	int		 given;		/* -f given */
};

static int
exit_for(enum store_err e)
{
	switch (e) {
	case STORE_OK:
		return 0;
	case STORE_ENOENT:
		return EX_NOINPUT;
	case STORE_EPERM:
		return EX_NOPERM;
	case STORE_ECREATE:
		return EX_CANTCREAT;
	case STORE_EIO:
		return EX_IOERR;
	case STORE_ECORRUPT:
	case STORE_EDATA:
		return EX_DATAERR;
	case STORE_EBUSY:
	case STORE_EUNAVAIL:
		return EX_TEMPFAIL;
	case STORE_EINTERNAL:
		break;
	}
	return EX_SOFTWARE;
}

/* config: load the configuration once; 0 or an exit status. */
static int
config(struct pctx *c)
{
	char err[CONFIG_ERR_MAX];

	if (c->cfg != NULL)
		return 0;
	if (config_load(c->cfgpath, &c->cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "senderkey: %s\n", err);
		return EX_CONFIG;
	}
	return 0;
}

static int
store_path(struct pctx *c)
{
	int rc;

	if (c->store != NULL && config_store_has_password(c->store)) {
		fprintf(stderr, "senderkey: -f: give the password in a "
		    "password file (PGPASSFILE, ~/.pgpass), not in the URI\n");
		return EX_USAGE;
	}
	if (c->store != NULL)
		return 0;
	if ((rc = config(c)) != 0)
		return rc;
	if ((c->store = c->cfg->policy_store) == NULL) {
		fprintf(stderr, "senderkey: no policy store: give -f STORE or "
		    "set PolicyStore in %s\n", c->cfgpath != NULL ? c->cfgpath :
		    CONFIG_DEFAULT_PATH);
		return EX_USAGE;
	}
	/* The configuration's store with its password file (libpq reads
	   PGPASSFILE when it connects); -f STORE: the caller's own. */
	if (config_store_is_pg(c->store) && c->cfg->policy_store_passfile !=
	    NULL && setenv("PGPASSFILE", c->cfg->policy_store_passfile, 1))
		return EX_OSERR;
	return 0;
}

static enum verdict_mode
default_mode(const struct pctx *c)
{
	return c->cfg != NULL && c->cfg->default_mode == CONFIG_MODE_DENY ?
	    VM_DENY : VM_ALLOW;
}

/* open_read: the store read-only, as the daemon sees it. */
static int
open_read(struct pctx *c, struct store **out)
{
	char err[STORE_ERR_MAX + 128];
	enum store_err e = STORE_ECORRUPT;
	int rc, exists;

	if ((rc = store_path(c)) != 0 || (rc = config(c)) != 0)
		return rc;
	if (config_store_is_pg(c->store))
		exists = 1;	/* a database: no file to check */
	else if ((rc = store_file_perms(c->store, &exists, err,
	    sizeof(err))) != 0) {
		fprintf(stderr, "senderkey: %s\n", err);
		return rc == -1 ? EX_NOPERM : EX_NOINPUT;
	}
	if (!exists) {
		fprintf(stderr, "senderkey: %s: no such store\n", c->store);
		return EX_NOINPUT;
	}
	if ((*out = store_load(c->store, NULL, default_mode(c), &e, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		return exit_for(e);
	}
	return 0;
}

/* canon: ARG as a target of the wanted kind (-1: any); 0 or 65. */
static int
canon(const char *what, const char *arg, int want, char *out)
{
	char err[512];
	int k;

	if ((k = store_canon(arg, out, err, sizeof(err))) == -1) {
		fprintf(stderr, "senderkey: %s %s\n", what, err);
		return EX_DATAERR;
	}
	if (want != -1 && k != want) {
		fprintf(stderr, "senderkey: %s %s: expected an address\n", what,
		    arg);
		return EX_DATAERR;
	}
	return 0;
}

/*
 * canon_rcpt: the recipient ARG as the mailbox it is delivered to, with
 * the configuration's RecipientDelimiter (store_canon_rcpt), in OUT;
 * when that is not ARG's own canonical form, one line on stderr says so
 * (VERB: "stored" or "read").  0 or an exit status.
 */
static int
canon_rcpt(struct pctx *c, const char *arg, const char *verb, char *out)
{
	char err[512];
	int rc, changed = 0;

	if ((rc = config(c)) != 0)
		return rc;
	if (store_canon_rcpt(arg, c->cfg->recipient_delimiter, out,
	    &changed, err, sizeof(err)) == -1) {
		fprintf(stderr, "senderkey: recipient %s\n", err);
		return EX_DATAERR;
	}
	if (changed)
		fprintf(stderr, "senderkey: recipient %s is %s as %s, the "
		    "mailbox it is delivered to\n", arg, verb, out);
	return 0;
}

/* apply: ITEMS in one transaction with the audit text WHAT. */
static int
apply(struct pctx *c, const struct policy_import_item *items, size_t n,
    const char *what)
{
	struct store_writer *db = NULL;
	enum store_err e = STORE_OK;
	const struct policy_import_item *it;
	char err[STORE_ERR_MAX + 128];
	size_t i, ch, total = 0;
	int rc;

	if ((rc = store_path(c)) != 0)
		return rc;
	if ((db = store_writer_open(c->store, STORE_CREATE, &e, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		return exit_for(e);
	}
	if (store_writer_begin(db) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		it = &items[i];
		ch = 0;
		if (it->kind == POLICY_IMPORT_MODE)
			rc = store_writer_set_mode(db, it->recipient,
			    it->mode[0] != '\0' ? it->mode : NULL, &ch);
		else if (it->kind == POLICY_IMPORT_DENY)
			rc = store_writer_add(db, it->recipient, STORE_DENY,
			    it->sender, NULL, &ch);
		else
			rc = store_writer_add(db, it->recipient, STORE_ALLOW,
			    it->sender, it->pin[0] != '\0' ? it->pin : NULL,
			    &ch);
		if (rc == -1)
			goto fail;
		total += ch;
	}
	if (store_writer_commit(db, what) == -1)
		goto fail;
	store_writer_free(db);
	printf("%zu rule%s changed\n", total, total == 1 ? "" : "s");
	return 0;
fail:
	fprintf(stderr, "senderkey: %s: %s (nothing changed)\n", c->store,
	    store_writer_error(db));
	rc = exit_for(store_writer_errcode(db));
	store_writer_free(db);
	return rc;
}

/* pin_current: look SENDER's key up and pin it; 0 or an exit status. */
static int
pin_current(struct pctx *c, const char *sender, char pin[STORE_PIN_HEX])
{
	struct lookup_opts opts;
	struct lookup *lk = NULL;
	struct lookup_answer *ans = NULL;
	const struct keyrec_fields *f;
	struct addr *a = NULL;
	EVP_PKEY *pk = NULL;
	unsigned char d[KEY_SHA256_LEN];
	char owner[OWNER_NAME_MAX], err[CONFIG_ERR_MAX], fp[KEY_FP_SIZE];
	int rc;

	if ((rc = config(c)) != 0)
		return rc;
	if ((a = addr_parse(sender, NULL, NULL)) == NULL ||
	    owner_name(a, OWNER_SENDERKEY, owner, sizeof(owner)) != 0) {
		addr_free(a);
		fprintf(stderr, "senderkey: %s: cannot build the owner name\n",
		    sender);
		return EX_DATAERR;
	}
	addr_free(a);
	memset(&opts, 0, sizeof(opts));
	resolver_opts_fill(&opts, c->cfg);
	if ((lk = lookup_new(&opts, err, sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		return EX_NOINPUT;
	}
	if (lookup_sync(lk, owner, LOOKUP_KEY, &ans) != 0) {
		fprintf(stderr, "senderkey: %s: the lookup failed\n", owner);
		rc = EX_TEMPFAIL;
		goto done;
	}
	if (ans->state != LOOKUP_SECURE_KEY || ans->nkeys != 1) {
		fprintf(stderr, "senderkey: %s: --pin-current needs exactly one "
		    "usable key proven by DNSSEC; the lookup of %s says %s%s%s "
		    "with %zu usable key%s\n", sender, owner,
		    lookup_state_name(ans->state), ans->reason != NULL ?
		    " " : "", ans->reason != NULL ? ans->reason : "",
		    ans->nkeys, ans->nkeys == 1 ? "" : "s");
		rc = ans->state == LOOKUP_TEMPFAIL ||
		    ans->state == LOOKUP_BOGUS ? EX_TEMPFAIL : EX_DATAERR;
		goto done;
	}
	f = keyrec_get(ans->keys[0]);
	if ((pk = key_from_record_bytes((int)f->alg, f->key, f->keylen)) ==
	    NULL || key_spki_sha256(pk, d) == -1 ||
	    key_fingerprint(pk, fp, sizeof(fp)) == -1 ||
	    store_canon_pin(fp, pin) == -1) {
		fprintf(stderr, "senderkey: %s: cannot read the published key\n",
		    sender);
		rc = EX_DATAERR;
		goto done;
	}
	fprintf(stderr, "senderkey: %s: pinning %s\n", sender, fp);
	rc = 0;
done:
	EVP_PKEY_free(pk);
	lookup_answer_free(ans);
	lookup_free(lk);
	return rc;
}

static int
apply_cb(void *arg, const struct policy_import_item *items, size_t n,
    const char *what)
{
	return apply(arg, items, n, what);
}

/* c_history: report, and set ... deny --keep-history (policy_report.c) */
static int
c_history(struct pctx *c, int argc, char **argv)
{
	struct policy_report_ctx ctx;
	int rc;

	if ((rc = store_path(c)) != 0 || (rc = config(c)) != 0)
		return rc;
	memset(&ctx, 0, sizeof(ctx));
	ctx.store = c->store;
	ctx.store_given = c->given;
	ctx.cfg = c->cfg;
	ctx.apply = apply_cb;
	ctx.arg = c;
	return policy_report_run(&ctx, argc, argv,
	    strcmp(argv[0], "set") == 0);
}

/* user_entries: policy_uentry_cmd (SET NULL: forget); 0 or a status. */
static int
user_entries(struct pctx *c, int *argc, char **argv,
    struct policy_uentry_set *set)
{
	int rc;

	if ((rc = store_path(c)) != 0 || (rc = config(c)) != 0)
		return rc;
	return policy_uentry_cmd(c->store, c->given, c->cfg, argc, argv, set);
}

static int
c_forget(struct pctx *c, int argc, char **argv)
{
	return user_entries(c, &argc, argv, NULL);
}

static int
c_set(struct pctx *c, int argc, char **argv)
{
	struct policy_import_item it;
	char what[600];
	int rc;

	if (argc > 3)
		return c_history(c, argc, argv);
	if (argc != 3 || (strcmp(argv[2], "allow") != 0 &&
	    strcmp(argv[2], "deny") != 0 && strcmp(argv[2], "default") != 0)) {
		senderkey_usage(stderr, "policy");
		return EX_USAGE;
	}
	memset(&it, 0, sizeof(it));
	if ((rc = canon_rcpt(c, argv[1], "stored", it.recipient)) != 0)
		return rc;
	it.kind = POLICY_IMPORT_MODE;
	if (strcmp(argv[2], "default") != 0)
		snprintf(it.mode, sizeof(it.mode), "%s", argv[2]);
	snprintf(what, sizeof(what), "set %s %s", it.recipient, argv[2]);
	return apply(c, &it, 1, what);
}

/* c_entry: allow, deny and remove. */
static int
c_entry(struct pctx *c, int argc, char **argv)
{
	struct store_writer *db = NULL;
	enum store_err e = STORE_OK;
	struct policy_import_item it;
	const char *cmd = argv[0], *pinarg = NULL;
	char what[900], err[STORE_ERR_MAX + 128];
	char plain[STORE_TARGET_MAX];
	size_t n = 0;
	int rc, current = 0, kind, i;

	memset(&it, 0, sizeof(it));
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--pin") == 0 && i + 1 < argc &&
		    pinarg == NULL && strcmp(cmd, "deny") != 0)
			pinarg = argv[++i];
		else if (strcmp(argv[i], "--pin-current") == 0 &&
		    strcmp(cmd, "allow") == 0 && !current)
			current = 1;
		else
			argc = -1;
	}
	if (argc < 3 || (pinarg != NULL && current)) {
		senderkey_usage(stderr, "policy");
		return EX_USAGE;
	}
	if ((rc = canon("sender", argv[2], -1, it.sender)) != 0 ||
	    (rc = canon_rcpt(c, argv[1], strcmp(cmd, "remove") == 0 ?
	    "read" : "stored", it.recipient)) != 0)
		return rc;
	kind = it.sender[0] == '*' ? STORE_T_DOMAIN : STORE_T_ADDR;
	if ((pinarg != NULL || current) && kind != STORE_T_ADDR) {
		fprintf(stderr, "senderkey: a pin needs a sender address, not "
		    "%s\n", it.sender);
		return EX_DATAERR;
	}
	if (pinarg != NULL && store_canon_pin(pinarg, it.pin) == -1) {
		fprintf(stderr, "senderkey: --pin %s: expected a SHA-256 "
		    "fingerprint (64 hex digits, colons allowed)\n", pinarg);
		return EX_DATAERR;
	}
	if (current && (rc = pin_current(c, it.sender, it.pin)) != 0)
		return rc;
	snprintf(what, sizeof(what), "%s %s %s%s%s", cmd, it.recipient,
	    it.sender, it.pin[0] != '\0' ? " pin " : "", it.pin);
	if (strcmp(cmd, "allow") == 0 || strcmp(cmd, "deny") == 0) {
		it.kind = cmd[0] == 'a' ? POLICY_IMPORT_ALLOW :
		    POLICY_IMPORT_DENY;
		return apply(c, &it, 1, what);
	}
	/* remove */
	if ((rc = store_path(c)) != 0)
		return rc;
	if ((db = store_writer_open(c->store, 0, &e, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "senderkey: %s\n", err);
		return exit_for(e);
	}
	/* a rule stored before recipients were mailboxes: as written */
	if (store_canon(argv[1], plain, NULL, 0) == -1)
		snprintf(plain, sizeof(plain), "%s", it.recipient);
	if (store_writer_begin(db) == -1 || store_writer_remove(db,
	    it.recipient, it.sender, it.pin[0] != '\0' ? it.pin : NULL,
	    &n) == -1 || (n == 0 && strcmp(plain, it.recipient) != 0 &&
	    store_writer_remove(db, plain, it.sender, it.pin[0] != '\0' ?
	    it.pin : NULL, &n) == -1) ||
	    (n > 0 && store_writer_commit(db, what) == -1)) {
		fprintf(stderr, "senderkey: %s: %s (nothing changed)\n",
		    c->store, store_writer_error(db));
		rc = exit_for(store_writer_errcode(db));
		store_writer_free(db);
		return rc;
	}
	store_writer_free(db);
	if (n == 0) {
		fprintf(stderr, "senderkey: %s has no entry for %s\n",
		    it.recipient, it.sender);
		return EX_DATAERR;
	}
	printf("%zu rule%s changed\n", n, n == 1 ? "" : "s");
	return 0;
}

/* c_show: show [RECIPIENT] [--json], and export. */
static int
c_show(struct pctx *c, int argc, char **argv)
{
	struct store *s = NULL;
	const struct store_rule *r;
	struct policy_uentry_set us = { NULL, 0 };
	char want[STORE_TARGET_MAX] = "", dom[STORE_TARGET_MAX] = "";
	const char *at;
	int rc, json = 0, export = strcmp(argv[0], "export") == 0, i, first = 1;
	size_t k;

	if (!export && (rc = user_entries(c, &argc, argv, &us)) != 0)
		return rc;
	for (i = 1; i < argc; i++) {
		if (!export && strcmp(argv[i], "--json") == 0 && !json)
			json = 1;
		else if (!export && want[0] == '\0' && argv[i][0] != '-') {
			if ((rc = canon_rcpt(c, argv[i], "read", want)) != 0)
				goto done;
		} else {
			senderkey_usage(stderr, "policy");
			rc = EX_USAGE;
			goto done;
		}
	}
	if (want[0] != '\0' && want[0] != '*' &&
	    (at = strrchr(want, '@')) != NULL)
		snprintf(dom, sizeof(dom), "*%s", at);
	if ((rc = open_read(c, &s)) != 0)
		goto done;
	if (json) {
		printf("{\n  \"store\": ");
		policy_print_json_str(c->store);
		printf(",\n  \"default_mode\": \"%s\",\n  \"rules\": [",
		    verdict_mode_name(default_mode(c)));
	} else if (export)
		printf("# senderkey policy export (schema %d)\n",
		    store_version(s));
	else
		printf("# %s: DefaultMode %s\n", c->store,
		    verdict_mode_name(default_mode(c)));
	for (k = 0; (r = store_rule(s, k)) != NULL; k++) {
		if (want[0] != '\0' && strcmp(r->recipient, want) != 0 &&
		    strcmp(r->recipient, dom) != 0)
			continue;
		policy_print_rule(r, json, export, first);
		first = 0;
	}
	if (json)
		printf("\n  ],\n  \"user_entries\": [");
	policy_uentry_list(&us, want, json);
	if (json)
		printf("\n  ]\n}\n");
	rc = policy_print_finish();
done:
	store_free(s);
	policy_uentry_free(&us);
	return rc;
}

/*
 * explain_rcpt: the mailbox the recipient ARG is delivered to, as
 * senderkeyd reads it, saying on stderr when it is not ARG itself; NULL
 * (DOM: its domain or "") when there is none: then its domain's strictest
 * rules apply, as in the daemon.
 */
static struct addr *
explain_rcpt(struct pctx *c, const char *arg, char *dom, size_t domsz)
{
	struct addr *mb, *plain;
	enum addr_err e;

	mb = rcpt_mailbox(arg, ADDR_FORM_SMTP, c->cfg->recipient_delimiter,
	    dom, domsz, &e);
	if (mb == NULL) {
		fprintf(stderr, "senderkey: recipient %s: cannot tell the "
		    "mailbox it is delivered to: %s; the strictest rules of "
		    "%s%s apply\n", arg, addr_strerror(e), dom[0] != '\0' ?
		    "*@" : "every domain", dom);
		return NULL;
	}
	plain = addr_parse(arg, NULL, NULL);
	if (plain == NULL || strcmp(addr_canon(plain), addr_canon(mb)) != 0)
		fprintf(stderr, "senderkey: recipient %s is read as %s, the "
		    "mailbox it is delivered to\n", arg, addr_canon(mb));
	addr_free(plain);
	return mb;
}

static int
c_explain(struct pctx *c, int argc, char **argv)
{
	struct store *s = NULL;
	struct store_result r;
	struct decision_facts f;
	struct decision d;
	struct verdict_output out;
	struct addr *a = NULL, *ra;
	struct policy_uentry_set us;
	char buf[STORE_EXPLAIN_MAX], fp[KEY_FP_SIZE], dom[256];
	size_t i;
	int rc;

	if ((rc = user_entries(c, &argc, argv, &us)) != 0)
		return rc;
	if (argc != 3 || (rc = open_read(c, &s)) != 0) {
		if (argc != 3)
			senderkey_usage(stderr, "policy");
		policy_uentry_free(&us);
		return argc != 3 ? EX_USAGE : rc;
	}
	memset(&f, 0, sizeof(f));
	if (argv[1][0] == '\0' || strcmp(argv[1], "<>") == 0)
		f.sender = VS_NULL;
	else if ((a = addr_parse(argv[1], NULL, NULL)) == NULL)
		f.sender = VS_INVALID;
	else
		f.sender = VS_OK;
	ra = explain_rcpt(c, argv[2], dom, sizeof(dom));
	store_eval(s, a, ra, dom, &r);
	if (a != NULL && ra != NULL)
		store_uentry_merge(&r, policy_uentry_find(&us, addr_canon(ra),
		    addr_canon(a)));
	policy_uentry_free(&us);
	addr_free(a);
	addr_free(ra);
	store_explain(&r, buf, sizeof(buf));
	f.rp = &r;
	decision_derive(&f, &d);
	printf("mode=%s\nlist=%s\n", verdict_mode_name(r.mode),
	    verdict_list_name(r.list));
	if (r.list != VL_NONE && r.by_user)
		printf("rule=user\n");
	else if (r.list != VL_NONE)
		printf("rule=e%lld\n", (long long)r.rule_id);
	for (i = 0; i < r.npins; i++) {
		policy_print_pin(r.pins[i], fp);
		printf("pin=%s\n", fp);
	}
	printf("why=%s\n", buf);
	rc = 0;
	if (verdict_without_dns(&d.in)) {
		verdict_decide(&d.in, &out);
		printf("verdict=%s (%s), decided without DNS\n",
		    verdict_name(out.verdict), verdict_reason_name(out.reason));
		if (out.verdict == VERDICT_UNAUTHORIZED)
			rc = EX_NEGATIVE;
	} else
		printf("verdict=depends on the sender's key%s and signature\n",
		    r.npins > 0 ? " (pinned)" : "");
	store_free(s);
	if (policy_print_finish() != 0)
		return EX_IOERR;
	return rc;
}

/* import_rcpts: every recipient of L as the mailbox it is delivered to. */
static int
import_rcpts(struct pctx *c, struct policy_import_list *l)
{
	char out[STORE_TARGET_MAX];
	size_t i;
	int rc;

	for (i = 0; i < l->n; i++) {
		if ((rc = canon_rcpt(c, l->items[i].recipient, "stored",
		    out)) != 0)
			return rc;
		memcpy(l->items[i].recipient, out, sizeof(out));
	}
	return 0;
}

static int
c_import(struct pctx *c, int argc, char **argv)
{
	struct policy_import_list l;
	char rcpt[STORE_TARGET_MAX], what[900];
	const char *cmd = argv[0];
	int rc;

	memset(&l, 0, sizeof(l));
	if (strcmp(cmd, "import") == 0) {
		if (argc != 2) {
			senderkey_usage(stderr, "policy");
			return EX_USAGE;
		}
		if ((rc = policy_import_text(argv[1], &l)) != 0 ||
		    (rc = import_rcpts(c, &l)) != 0)
			goto done;
		snprintf(what, sizeof(what), "import %s", argv[1]);
	} else {
		if (argc != 3) {
			senderkey_usage(stderr, "policy");
			return EX_USAGE;
		}
		if ((rc = canon_rcpt(c, argv[1], "stored", rcpt)) != 0)
			return rc;
		rc = strcmp(cmd, "import-vcard") == 0 ?
		    policy_import_vcard(argv[2], rcpt, (int64_t)time(NULL),
		    &l) :
		    policy_import_gpg(argv[2], rcpt, (int64_t)time(NULL), &l);
		if (rc != 0)
			goto done;
		snprintf(what, sizeof(what), "%s %s %s (%zu entries)", cmd,
		    rcpt, argv[2], l.n);
	}
	if (rc == 0)
		rc = apply(c, l.items, l.n, what);
done:
	if (rc != 0 && rc != EX_USAGE)
		fprintf(stderr, "senderkey: nothing imported\n");
	policy_import_list_free(&l);
	return rc;
}

int
cmd_policy(int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		(*run)(struct pctx *, int, char **);
	} subs[] = {
		{ "set", c_set }, { "allow", c_entry }, { "deny", c_entry },
		{ "remove", c_entry }, { "show", c_show }, { "export", c_show },
		{ "explain", c_explain }, { "report", c_history }, { "import-vcard", c_import },
		{ "import-gpg", c_import }, { "import", c_import },
		{ "forget", c_forget },
	};
	struct pctx c;
	size_t i;
	int ch, rc;

	memset(&c, 0, sizeof(c));
	while ((ch = getopt(argc, argv, "+f:x:")) != -1) {
		switch (ch) {
		case 'f':
			c.store = optarg;
			c.given = 1;
			break;
		case 'x':
			c.cfgpath = optarg;
			break;
		default:
			senderkey_usage(stderr, "policy");
			return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		senderkey_usage(stderr, "policy");
		return EX_USAGE;
	}
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(argv[0], subs[i].name) == 0) {
			rc = subs[i].run(&c, argc, argv);
			config_free(c.cfg);
			return rc;
		}
	}
	fprintf(stderr, "senderkey: policy: unknown command '%s'\n", argv[0]);
	senderkey_usage(stderr, "policy");
	return EX_USAGE;
}
