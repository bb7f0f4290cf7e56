/*
 * move.c: MOVE (move.h).  The user is the login Dovecot gives (the one
 * the mail client authenticated as), never anything the message says;
 * the sender and key are taken from the field, and believed only as far
 * as the journal confirms them: a forged or copied (IMAP APPEND) field
 * cannot name a sender who never wrote to this user, nor a key that
 * never verified them.
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "lib/addr.h"
#include "lib/config.h"
#include "lib/rcpt.h"
#include "core/proto_line_entry.h"
#include "core/trustfield.h"
#include "journal.h"
#include "log.h"
#include "move.h"
#include "server_int.h"
#include "uentry.h"

/* user_mailbox: the login USER as a canonical mailbox into MBOX. */
static int
user_mailbox(const struct config *cfg, const char *user,
    char mbox[STORE_TARGET_MAX])
{
	char in[STORE_TARGET_MAX + 256];
	struct addr *a;
	int n;

	if (strchr(user, '@') != NULL)
		n = snprintf(in, sizeof(in), "%s", user);
	else if (cfg->client_domain != NULL)
		n = snprintf(in, sizeof(in), "%s@%s", user, cfg->client_domain);
	else
		return -1;	/* a bare login and no ClientDomain */
	if (n < 0 || (size_t)n >= sizeof(in) ||
	    (a = rcpt_mailbox(in, ADDR_FORM_SMTP, cfg->recipient_delimiter,
	    NULL, 0, NULL)) == NULL)
		return -1;
	n = snprintf(mbox, STORE_TARGET_MAX, "%s", addr_canon(a));
	addr_free(a);
	return n < 0 || n >= STORE_TARGET_MAX ? -1 : 0;
}

/* none: "ok entry=none why=WHY", logged. */
static int
none(struct server *s, const char *user, const char *sender,
    const char *why, char *buf, size_t bufsz)
{
	char snd[STORE_TARGET_MAX];

	log_msg(s->log, LOG_NOTICE, "move: user=%s sender=%s entry=none "
	    "why=%s", user, sender[0] != '\0' ? log_value(sender, snd,
	    sizeof(snd)) : "-", why);
	return proto_line_entry_encode(buf, bufsz, PLENT_NONE, why);
}

int
move_answer(struct server *s, const struct proto_line_request *rq,
    char *buf, size_t bufsz)
{
	struct trustfield f;
	char mbox[STORE_TARGET_MAX], user[128], err[256], snd[STORE_TARGET_MAX];
	const unsigned char (*pins)[STORE_FP_LEN] = NULL;
	int seen, seen_key, rc, allow = rq->move == PLM_ALLOW;

	log_value(rq->user, user, sizeof(user));
	f.sender[0] = '\0';
	if (s->journal == NULL || s->uentry == NULL)
		return none(s, user, "", "no-journal", buf, bufsz);
	if (user_mailbox(s->cfg, rq->user, mbox) == -1)
		return none(s, user, "", "bad-user", buf, bufsz);
	if (rq->field[0] == '\0')
		return none(s, mbox, "", "no-field", buf, bufsz);
	if (trustfield_parse(rq->field, strlen(rq->field), &f, NULL) == -1) {
		f.sender[0] = '\0';
		return none(s, mbox, "", "bad-field", buf, bufsz);
	}
	if (f.sender[0] == '\0')
		return none(s, mbox, "", "no-sender", buf, bufsz);
	if (!allow)
		f.has_key = 0;	/* a deny entry has no pin */
	log_value(f.sender, snd, sizeof(snd));
	if (journal_seen(s->journal, mbox, f.sender, f.has_key ? f.key : NULL,
	    &seen, &seen_key, err, sizeof(err)) == -1) {
		log_msg(s->log, LOG_ERR, "move: user=%s sender=%s: the journal "
		    "cannot be read: %s", mbox, snd, err);
		return proto_line_error(buf, bufsz, PLE_INTERNAL);
	}
	if (!seen)
		return none(s, mbox, f.sender, "not-seen", buf, bufsz);
	if (f.has_key && !seen_key)
		return none(s, mbox, f.sender, "key-not-seen", buf, bufsz);
	if (f.has_key)
		pins = (const unsigned char (*)[STORE_FP_LEN])f.key;
	rc = uentry_put(s->uentry, mbox, f.sender, allow ? STORE_ALLOW :
	    STORE_DENY, pins, pins != NULL ? 1 : 0, UENTRY_IMAP, 0, err,
	    sizeof(err));
	if (rc == -1) {
		log_msg(s->log, LOG_ERR, "move: user=%s sender=%s action=%s: "
		    "not written: %s", mbox, snd, allow ? "allow" :
		    "block", err);
		return proto_line_error(buf, bufsz, PLE_INTERNAL);
	}
	log_msg(s->log, LOG_INFO, "move: user=%s sender=%s action=%s "
	    "pinned=%s entry=%s", mbox, snd, allow ? "allow" : "block",
	    pins != NULL ? "yes" : "no", rc == 0 ? "written" : "unchanged");
	return proto_line_entry_encode(buf, bufsz, rc == 0 ? PLENT_WRITTEN :
	    PLENT_UNCHANGED, NULL);
}
