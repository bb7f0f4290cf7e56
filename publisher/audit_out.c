/*
 * audit_out.c: writes an audit report as text, JSON or JSON lines
 * (specs/audit.md section 4).  Formatting only: no checks, no DNS.
 */
#include <stdio.h>
#include <string.h>

#include "audit_out.h"

void
audit_out_json_string(FILE *fp, const char *s)
{
	const unsigned char *p;

	putc('"', fp);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\u%04x", *p);
		else
			putc(*p, fp);
	}
	putc('"', fp);
}

void
audit_out_summary(FILE *fp, const struct audit_meta *m,
    const struct audit_report *r)
{
	fprintf(fp, "SENDERKEY %s - %s: ", audit_status_name(m->status),
	    m->domain);
	if (m->unknown != NULL)
		fprintf(fp, "%s; ", m->unknown);
	fprintf(fp, "%zu senders, %zu critical, %zu errors, %zu warnings, "
	    "%zu notices | senders=%zu critical=%zu errors=%zu warnings=%zu "
	    "notices=%zu\n", m->senders,
	    audit_report_nsev(r, AUDIT_CRITICAL),
	    audit_report_nsev(r, AUDIT_ERROR),
	    audit_report_nsev(r, AUDIT_WARNING),
	    audit_report_nsev(r, AUDIT_NOTICE), m->senders,
	    audit_report_nsev(r, AUDIT_CRITICAL),
	    audit_report_nsev(r, AUDIT_ERROR),
	    audit_report_nsev(r, AUDIT_WARNING),
	    audit_report_nsev(r, AUDIT_NOTICE));
}

void
audit_out_text(FILE *fp, const struct audit_meta *m,
    const struct audit_report *r, enum audit_sev minsev)
{
	const struct audit_finding *f;
	size_t i;

	audit_out_summary(fp, m, r);
	for (i = 0; (f = audit_report_get(r, i)) != NULL; i++) {
		if (f->sev > minsev)
			continue;
		fprintf(fp, "%s %s %s: %s\n", audit_sev_name(f->sev), f->code,
		    f->subject, f->message);
	}
}

static void
finding(FILE *fp, const struct audit_finding *f)
{
	fprintf(fp, "{\"severity\":\"%s\",\"code\":", audit_sev_name(f->sev));
	audit_out_json_string(fp, f->code);
	fputs(",\"subject\":", fp);
	audit_out_json_string(fp, f->subject);
	fputs(",\"message\":", fp);
	audit_out_json_string(fp, f->message);
	putc('}', fp);
}

/* summary_fields: the members shared by the document and the last line. */
static void
summary_fields(FILE *fp, const struct audit_meta *m,
    const struct audit_report *r)
{
	char ts[21];
	int i;

	audit_time(m->now, ts);
	fprintf(fp, "\"schema\":\"%s\",\"domain\":", AUDIT_SCHEMA);
	audit_out_json_string(fp, m->domain);
	fprintf(fp, ",\"time\":\"%s\",\"status\":\"%s\",\"exit\":%d,"
	    "\"senders\":%zu,\"denial\":\"%s\",", ts,
	    audit_status_name(m->status), (int)m->status, m->senders,
	    audit_denial_name(m->denial));
	if (m->unknown != NULL) {
		fputs("\"unknown\":", fp);
		audit_out_json_string(fp, m->unknown);
		putc(',', fp);
	}
	fputs("\"counts\":{", fp);
	for (i = 0; i < AUDIT_NSEV; i++)
		fprintf(fp, "%s\"%s\":%zu", i > 0 ? "," : "",
		    audit_sev_name((enum audit_sev)i),
		    audit_report_nsev(r, (enum audit_sev)i));
	putc('}', fp);
}

void
audit_out_json(FILE *fp, const struct audit_meta *m,
    const struct audit_report *r)
{
	const struct audit_finding *f;
	size_t i;

	putc('{', fp);
	summary_fields(fp, m, r);
	fputs(",\"findings\":[", fp);
	for (i = 0; (f = audit_report_get(r, i)) != NULL; i++) {
		if (i > 0)
			putc(',', fp);
		fputs("\n", fp);
		finding(fp, f);
	}
	fputs("\n]}\n", fp);
}

void
audit_out_json_stream(FILE *fp, const struct audit_meta *m,
    const struct audit_report *r)
{
	const struct audit_finding *f;
	size_t i;

	for (i = 0; (f = audit_report_get(r, i)) != NULL; i++) {
		fprintf(fp, "{\"type\":\"finding\",\"schema\":\"%s\","
		    "\"domain\":", AUDIT_SCHEMA);
		audit_out_json_string(fp, m->domain);
		fputs(",\"finding\":", fp);
		finding(fp, f);
		fputs("}\n", fp);
	}
	fputs("{\"type\":\"summary\",", fp);
	summary_fields(fp, m, r);
	fputs("}\n", fp);
}
