/*
 * policy_uentry: user entries (specs/store.md 7) for "senderkey policy":
 * where the journal file is, the entries of a recipient read from it,
 * their lines in "show", and "forget", the one command that writes them
 * from the command line.  What an entry means beside the rules is
 * core/store_uentry.c's store_uentry_merge; show, explain and report
 * call it through policy_uentry_find.  Errors are printed to stderr;
 * functions return 0 or an exit status (sysexits.h).
 */
#ifndef SK_POLICY_UENTRY_H
#define SK_POLICY_UENTRY_H

#include <stddef.h>

#include "core/store.h"

struct config;

/* The user entries read: sorted by recipient, then sender. */
struct policy_uentry_set {
	struct store_uentry	*e;
	size_t			 n;
};

/*
 * policy_uentry_cmd: for a command of ARGV (*ARGC words), take its
 * "--journal FILE" out of ARGV; the journal file is FILE, else CFG's
 * JournalFile unless STORE was given with -f (STORE_GIVEN), else
 * journal.db beside STORE (as "report" finds it).  Then, with SET NULL,
 * run "forget" (policy_uentry_forget); else read every user entry into
 * *SET (policy_uentry_load, SOFT): none when CFG's JournalDays is 0 and
 * no --journal is given (senderkeyd has none then).
 */
int	 policy_uentry_cmd(const char *store, int store_given,
	    const struct config *cfg, int *argc, char **argv,
	    struct policy_uentry_set *set);

/*
 * policy_uentry_load: the user entries of RECIPIENT (canonical mailbox;
 * NULL: everyone's) in the journal file PATH into *SET.  A missing file
 * has none (0).  A file that cannot be read: the error on stderr; with
 * SOFT the set stays empty and 0 is returned (the caller goes on with
 * the rules alone, as stderr says), else an exit status.
 */
int	 policy_uentry_load(const char *path, const char *recipient,
	    int soft, struct policy_uentry_set *set);

/* policy_uentry_free: the entries of SET; SET is empty again. */
void	 policy_uentry_free(struct policy_uentry_set *set);

/* policy_uentry_find: SET's entry of RECIPIENT naming SENDER, or NULL. */
const struct store_uentry *policy_uentry_find(
	    const struct policy_uentry_set *set, const char *recipient,
	    const char *sender);

/*
 * policy_uentry_print: E as "show" lists it: text (one line per pin,
 * marked "# user entry: SOURCE TIME") or, with JSON, one object of the
 * "user_entries" array (FIRST: no comma before it).
 */
void	 policy_uentry_print(const struct store_uentry *e, int json,
	    int first);

/* policy_uentry_list: SET's entries of WANT ("": all), printed. */
void	 policy_uentry_list(const struct policy_uentry_set *set,
	    const char *want, int json);

/*
 * policy_uentry_forget: "forget RECIPIENT SENDER|--all [--source
 * imap|sent]" (ARGV[0] "forget", options already without --journal) on
 * the journal file PATH, DELIMS the RecipientDelimiter set or NULL.
 */
int	 policy_uentry_forget(const char *path, const char *delims, int argc,
	    char **argv);

#endif
