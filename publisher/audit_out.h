/*
 * audit_out: the three forms of a "senderkey audit" report
 * (specs/audit.md section 4): human text (a Nagios summary line, then one
 * line per finding), one JSON document, and a JSON object per line.  Only
 * formatting: the caller opens the stream and checks it for errors.
 */
#ifndef SK_AUDIT_OUT_H
#define SK_AUDIT_OUT_H

#include <stdint.h>
#include <stdio.h>

#include "audit.h"

/* What the report is about, for its header and summary. */
struct audit_meta {
	const char		*domain;
	int64_t			 now;
	size_t			 senders;	/* senders audited */
	enum audit_status	 status;
	enum audit_denial	 denial;
	const char		*unknown;	/* why UNKNOWN, or NULL */
};

/*
 * audit_out_summary: the Nagios line "SENDERKEY STATUS - DOMAIN: ... |
 * perfdata" and a newline.
 */
void	audit_out_summary(FILE *fp, const struct audit_meta *m,
	    const struct audit_report *r);

/*
 * audit_out_text: the summary, then each finding at least as severe as
 * MINSEV as "SEVERITY code subject: message".
 */
void	audit_out_text(FILE *fp, const struct audit_meta *m,
	    const struct audit_report *r, enum audit_sev minsev);

/* audit_out_json: one JSON document (specs/audit.md 4.2) and a newline. */
void	audit_out_json(FILE *fp, const struct audit_meta *m,
	    const struct audit_report *r);

/*
 * audit_out_json_stream: one JSON object per line: every finding
 * ("type":"finding"), then the summary ("type":"summary").
 */
void	audit_out_json_stream(FILE *fp, const struct audit_meta *m,
	    const struct audit_report *r);

/* audit_out_json_string: S as a JSON string, quotes included. */
void	audit_out_json_string(FILE *fp, const char *s);

#endif
