/*
 * store_uentry.c: user entries (specs/store.md 7), the rules a user made
 * from the mail client or by sending mail, kept in the journal file's
 * table uentry because senderkeyd writes them and never writes the rules
 * file.  Here: what a user entry means beside the rules (the merge of
 * verdicts.md 4.2, pure, the one copy), and its rows: loaded checked,
 * put and forgotten in one transaction each, with the bound per
 * recipient.  Not here: the daemon's copy in memory and when it is
 * reloaded (resolver/uentry.c), the listing (cli/cmd_policy.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"

static const char *const usources[] = { "imap", "sent" };

const char *
store_uentry_source_name(enum store_usource src)
{
	if ((size_t)src < sizeof(usources) / sizeof(usources[0]))
		return usources[src];
	return "?";
}

int
store_uentry_source_from_name(const char *name, enum store_usource *src)
{
	size_t i;

	for (i = 0; i < sizeof(usources) / sizeof(usources[0]); i++)
		if (strcmp(name, usources[i]) == 0) {
			*src = (enum store_usource)i;
			return 0;
		}
	return -1;
}

int
store_uentry_merge(struct store_result *r, const struct store_uentry *ue)
{
	size_t n;
	int beat;

	if (ue == NULL || r->recipient_invalid || r->sender_invalid)
		return 0;
	/* the operator's entry of the exact pair wins whole */
	if (r->list_level == STORE_LEVEL_ADDRESS && !r->by_domain)
		return 0;
	beat = r->list_level == STORE_LEVEL_ADDRESS && r->by_domain;
	r->list = ue->action == STORE_DENY ? VL_DENY : VL_ALLOW;
	r->list_level = STORE_LEVEL_ADDRESS;
	r->by_domain = 0;
	r->rule_id = 0;
	r->beat_allow = 0;
	r->beat_domain = beat;
	r->by_user = 1;
	r->user_source = (int)ue->source;
	r->user_created = ue->created;
	n = strlen(ue->recipient);
	memcpy(r->rule_recipient, ue->recipient, n < STORE_TARGET_MAX ?
	    n + 1 : 0);
	n = strlen(ue->sender);
	memcpy(r->rule_sender, ue->sender, n < STORE_TARGET_MAX ? n + 1 : 0);
	memset(r->pins, 0, sizeof(r->pins));
	r->npins = ue->action == STORE_ALLOW && ue->npins <= STORE_MAX_PINS ?
	    ue->npins : 0;
	memcpy(r->pins, ue->pins, r->npins * STORE_FP_LEN);
	return 1;
}

int
store_uentry_valid(const struct store_uentry *ue)
{
	size_t i, k;

	if (memchr(ue->recipient, '\0', sizeof(ue->recipient)) == NULL ||
	    memchr(ue->sender, '\0', sizeof(ue->sender)) == NULL ||
	    store_canon_is(ue->recipient) != STORE_T_ADDR ||
	    store_canon_is(ue->sender) != STORE_T_ADDR ||
	    (ue->action != STORE_ALLOW && ue->action != STORE_DENY) ||
	    (ue->source != STORE_US_IMAP && ue->source != STORE_US_SENT) ||
	    ue->npins > STORE_MAX_PINS ||
	    (ue->action == STORE_DENY && ue->npins > 0))
		return 0;
	for (i = 0; i < ue->npins; i++)
		for (k = i + 1; k < ue->npins; k++)
			if (memcmp(ue->pins[i], ue->pins[k], STORE_FP_LEN) == 0)
				return 0;
	return 1;
}

/* col: column I of ST as a NUL-free string of under MAX octets, or NULL. */
static const char *
col(sqlite3_stmt *st, int i, size_t max)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	int n = sqlite3_column_bytes(st, i);

	if (s == NULL || n < 0 || (size_t)n >= max || strlen(s) != (size_t)n)
		return NULL;
	return s;
}

/*
 * add_row: the current row of ST (recipient, sender, action, pin,
 * source, created) to *A: a new pair, or a pin of the last one.  0, -1
 * when the row breaks the rules, -2 out of memory.
 */
static int
add_row(sqlite3_stmt *st, struct store_uentry **a, size_t *n, size_t *cap)
{
	const char *rc_s, *snd, *act, *pin, *src;
	struct store_uentry *u, *t;
	enum store_usource us;
	enum store_action action;

	if ((rc_s = col(st, 0, STORE_TARGET_MAX)) == NULL ||
	    (snd = col(st, 1, STORE_TARGET_MAX)) == NULL ||
	    (act = col(st, 2, 8)) == NULL || (pin = col(st, 3,
	    STORE_PIN_HEX)) == NULL || (src = col(st, 4, 8)) == NULL ||
	    store_uentry_source_from_name(src, &us) == -1)
		return -1;
	if (strcmp(act, "allow") == 0)
		action = STORE_ALLOW;
	else if (strcmp(act, "deny") == 0)
		action = STORE_DENY;
	else
		return -1;
	u = *n > 0 ? &(*a)[*n - 1] : NULL;
	if (u == NULL || strcmp(u->recipient, rc_s) != 0 ||
	    strcmp(u->sender, snd) != 0) {
		if (*n == *cap) {
			*cap = *cap == 0 ? 16 : *cap * 2;
			if ((t = reallocarray(*a, *cap, sizeof(**a))) == NULL)
				return -2;
			*a = t;
		}
		u = &(*a)[(*n)++];
		memset(u, 0, sizeof(*u));
		memcpy(u->recipient, rc_s, strlen(rc_s) + 1);
		memcpy(u->sender, snd, strlen(snd) + 1);
		u->action = action;
		u->source = us;
		u->created = sqlite3_column_int64(st, 5);
		if (*pin == '\0')
			return 0;
	} else if (u->action != action || u->source != us || *pin == '\0' ||
	    u->npins == 0)
		return -1;	/* kinds mixed, or an unpinned row beside */
	if (action != STORE_ALLOW || u->npins >= STORE_MAX_PINS ||
	    store_canon_pin_bytes(pin, u->pins[u->npins]) == -1)
		return -1;
	u->npins++;
	return 0;
}

int
store_uentry_load(struct store_journal *j, const char *recipient,
    struct store_uentry **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct store_uentry *a = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (j->version < 2)
		return 0;
	if ((rc = sqlite3_prepare_v2(j->db, "SELECT recipient, sender, "
	    "action, pin, source, created FROM uentry WHERE ?1 IS NULL OR "
	    "recipient = ?1 ORDER BY recipient, sender, pin", -1, &st, NULL))
	    != SQLITE_OK || (rc = recipient == NULL ? sqlite3_bind_null(st, 1) :
	    sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC)) !=
	    SQLITE_OK) {
		store_sql_fault(&j->f, j->db, rc, "reading the user entries");
		goto fail;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = add_row(st, &a, n, &cap)) == -2) {
			store_sql_refuse(&j->f, STORE_EINTERNAL,
			    "out of memory");
			goto fail;
		}
		if (rc == -1 || !store_uentry_valid(&a[*n - 1])) {
			store_sql_refuse(&j->f, STORE_ECORRUPT, "a user entry "
			    "row of %s is not valid", (const char *)
			    sqlite3_column_text(st, 0));
			goto fail;
		}
	}
	if (rc != SQLITE_DONE) {
		store_sql_fault(&j->f, j->db, rc, "reading the user entries");
		goto fail;
	}
	sqlite3_finalize(st);
	if (*n == 0) {
		free(a);
		a = NULL;
	}
	*out = a;
	return 0;
fail:
	sqlite3_finalize(st);
	free(a);
	*n = 0;
	return -1;
}

/* same: whether the stored entry OLD is UE already. */
static int
same(const struct store_uentry *old, const struct store_uentry *ue)
{
	size_t i, k;

	if (old->action != ue->action || old->source != ue->source ||
	    old->npins != ue->npins)
		return 0;
	for (i = 0; i < ue->npins; i++) {
		for (k = 0; k < old->npins; k++)
			if (memcmp(ue->pins[i], old->pins[k], STORE_FP_LEN) ==
			    0)
				break;
		if (k == old->npins)
			return 0;
	}
	return 1;
}

/* pair_rows: the stored entry of UE's pair into *OLD; 1, 0 none, -1. */
static int
pair_rows(struct store_journal *j, const struct store_uentry *ue,
    struct store_uentry *old)
{
	struct store_uentry *a = NULL;
	size_t n = 0, i;

	if (store_uentry_load(j, ue->recipient, &a, &n) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(a[i].sender, ue->sender) == 0) {
			*old = a[i];
			free(a);
			return 1;
		}
	free(a);
	return 0;
}

/* insert: UE's rows (one per pin, or one without). */
static int
insert(struct store_journal *j, const struct store_uentry *ue)
{
	char pin[STORE_PIN_HEX], created[32];
	size_t i = 0;

	snprintf(created, sizeof(created), "%lld", (long long)ue->created);
	do {
		pin[0] = '\0';
		if (ue->npins > 0)
			store_canon_pin_hex(ue->pins[i], pin);
		if (store_sql_run(j->db, &j->f, "INSERT INTO uentry "
		    "(recipient, sender, action, pin, source, created) VALUES "
		    "(?1, ?2, ?3, ?4, ?5, CAST(?6 AS INTEGER))", NULL, 6,
		    ue->recipient,
		    ue->sender, ue->action == STORE_DENY ? "deny" : "allow",
		    pin, store_uentry_source_name(ue->source), created) == -1)
			return -1;
	} while (++i < ue->npins);
	return 0;
}

/*
 * bound: RECIPIENT's pairs other than SENDER's down to MAX - 1, "sent"
 * ones first, then the oldest created.
 */
static int
bound(struct store_journal *j, const char *recipient, const char *sender,
    uint64_t max, size_t *pruned)
{
	char keep[32];
	long long np = 0;
	int rc;

	if (max == 0)
		return 0;
	if ((rc = store_sql_int(j->db, "SELECT count(DISTINCT sender) FROM "
	    "uentry WHERE recipient = ?1", &np, 1, recipient)) != SQLITE_OK)
		return store_sql_fault(&j->f, j->db, rc,
		    "reading the user entries");
	if ((uint64_t)np <= max)
		return 0;
	*pruned = (size_t)((uint64_t)np - max);
	snprintf(keep, sizeof(keep), "%llu", (unsigned long long)(max - 1));
	return store_sql_run(j->db, &j->f, "DELETE FROM uentry WHERE "
	    "recipient = ?1 AND sender IN (SELECT sender FROM uentry WHERE "
	    "recipient = ?1 AND sender <> ?2 GROUP BY sender ORDER BY "
	    "max(source = 'imap') DESC, min(created) DESC, sender LIMIT -1 "
	    "OFFSET CAST(?3 AS INTEGER))", NULL, 3, recipient, sender, keep);
}

int
store_uentry_put(struct store_journal *j, const struct store_uentry *ue,
    int keep, uint64_t max, size_t *pruned)
{
	struct store_uentry old;
	size_t dummy;
	int rc;

	if (pruned == NULL)
		pruned = &dummy;
	*pruned = 0;
	if (j->rdonly || j->version < 2)
		return store_sql_refuse(&j->f, STORE_EPERM, "the journal is "
		    "open read-only");
	if (!store_uentry_valid(ue))
		return store_sql_refuse(&j->f, STORE_EDATA, "not a valid user "
		    "entry");
	if (store_sql_exec(j->db, &j->f, "BEGIN IMMEDIATE",
	    "locking the journal") == -1)
		return -1;
	if ((rc = pair_rows(j, ue, &old)) == -1)
		goto fail;
	if (rc == 1 && (keep || same(&old, ue))) {
		sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
		return 1;
	}
	if (store_sql_run(j->db, &j->f, "DELETE FROM uentry WHERE "
	    "recipient = ?1 AND sender = ?2", NULL, 2, ue->recipient,
	    ue->sender) == -1 || insert(j, ue) == -1 ||
	    bound(j, ue->recipient, ue->sender, max, pruned) == -1 ||
	    store_sql_exec(j->db, &j->f, "COMMIT", "committing the journal")
	    == -1)
		goto fail;
	return 0;
fail:
	sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
	*pruned = 0;
	return -1;
}

int
store_uentry_forget(struct store_journal *j, const char *recipient,
    const char *sender, const enum store_usource *source, size_t *n)
{
	const char *src = source != NULL ?
	    store_uentry_source_name(*source) : NULL;
	long long np = 0;
	int rc;

	if (n != NULL)
		*n = 0;
	if (j->rdonly || j->version < 2)
		return store_sql_refuse(&j->f, STORE_EPERM, "the journal is "
		    "open read-only");
	if (store_sql_exec(j->db, &j->f, "BEGIN IMMEDIATE",
	    "locking the journal") == -1)
		return -1;
	if ((rc = store_sql_int(j->db, "SELECT count(DISTINCT sender) FROM "
	    "uentry WHERE recipient = ?1 AND (?2 IS NULL OR sender = ?2) AND "
	    "(?3 IS NULL OR source = ?3)", &np, 3, recipient, sender, src)) !=
	    SQLITE_OK) {
		store_sql_fault(&j->f, j->db, rc, "reading the user entries");
		goto fail;
	}
	if (store_sql_run(j->db, &j->f, "DELETE FROM uentry WHERE "
	    "recipient = ?1 AND (?2 IS NULL OR sender = ?2) AND (?3 IS NULL "
	    "OR source = ?3)", NULL, 3, recipient, sender, src) == -1 ||
	    store_sql_exec(j->db, &j->f, "COMMIT", "committing the journal")
	    == -1)
		goto fail;
	if (n != NULL)
		*n = (size_t)np;
	return 0;
fail:
	sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
store_uentry_stamp(struct store_journal *j, long long stamp[2])
{
	int rc;

	stamp[0] = stamp[1] = 0;
	if (j->version < 2)
		return 0;
	if ((rc = store_sql_int(j->db, "SELECT count(*) FROM uentry",
	    &stamp[0], 0)) != SQLITE_OK || (rc = store_sql_int(j->db,
	    "SELECT CAST(total(rowid) AS INTEGER) FROM uentry", &stamp[1],
	    0)) != SQLITE_OK)
		return store_sql_fault(&j->f, j->db, rc,
		    "reading the user entries");
	return 0;
}
