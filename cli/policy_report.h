/*
 * policy_report: what "senderkey policy report" and "set RECIPIENT deny
 * --keep-history" make of the decision journal (specs/store.md 6.4):
 * the journal read for one recipient, a report per sender (text or
 * JSON) with what deny mode would do today, and the allow entries
 * --keep-history writes.  cmd_policy.c parses the command line and
 * applies the entries in its one transaction.  Errors are printed to
 * stderr; functions return 0 or an exit status (sysexits.h).
 */
#ifndef SK_POLICY_REPORT_H
#define SK_POLICY_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"
#include "policy_import.h"

struct config;

/* What the command line resolved for a report or --keep-history. */
struct policy_report_ctx {
	const char		*store;		/* the rules file */
	int			 store_given;	/* -f: the journal beside it */
	const struct config	*cfg;		/* delimiter, journal, days */
	/* one transaction of ITEMS (N) with the audit text WHAT */
	int			(*apply)(void *arg,
				    const struct policy_import_item *items,
				    size_t n, const char *what);
	void			*arg;
};

/*
 * policy_report_run: "report RECIPIENT [--since DURATION] [--json]
 * [--journal FILE]" (KEEP 0; ARGV[0] is "report"), or "set RECIPIENT
 * deny --keep-history [--since DURATION] [--dry-run] [--journal FILE]"
 * (KEEP 1; ARGV[0] is "set"), as senderkey-policy(1) says.  Returns 0
 * or an exit status.
 */
int	 policy_report_run(const struct policy_report_ctx *ctx, int argc,
	    char **argv, int keep);

#endif
