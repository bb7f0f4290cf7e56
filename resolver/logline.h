/*
 * logline: the one key=value line senderkeyd logs per decision, with
 * the fields and order of specs/protocol.md (conn, queue_id, sender,
 * recipient, verdict, reason, tag, dnssec, policy, why_bogus, class, ms,
 * mode, list, pin), built with copies instead of printf.  Pure.  Not
 * here: writing it (log.c's log_line), escaping the values as sent
 * (log.c's log_value, which the caller applies to the request's
 * strings).
 */
#ifndef SK_LOGLINE_H
#define SK_LOGLINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/lookup.h"
#include "core/verdict.h"

#define LOGLINE_MAX	2048	/* octets; a longer line is cut */

/* One decision as it is logged; the strings are borrowed. */
struct logline_decision {
	uint64_t			 conn;		/* connection id */
	const char			*queue_id;	/* log_value'd */
	const char			*sender;	/* log_value'd */
	const char			*recipient;	/* log_value'd */
	const struct verdict_output	*v;
	const struct verdict_input	*in;		/* mode, list, pin,
							   policy */
	const struct lookup_answer	*ka;		/* NULL: none */
	int				 has_policy;	/* a policy answer was
							   used */
	const char			*class_id;	/* "" or NULL: "-" */
	uint64_t			 ms;		/* time taken */
};

/*
 * logline_decision: D's line into BUF (BUFSZ octets, at most LOGLINE_MAX
 * used), without LF or NUL.  dnssec= is the key answer's state when the
 * verdict used the lookup, why_bogus= its reason (escaped) for a bogus
 * answer, policy= the policy input when HAS_POLICY; "-" otherwise.
 * Returns the length (the line is cut at BUFSZ).
 */
size_t		 logline_decision(char *buf, size_t bufsz,
		    const struct logline_decision *d);

#endif
