/*
 * audit_orphan.c: the DKIM bridge names of a zone transfer that belong to
 * no sender the audit knows (audit_orphan.h, specs/audit.md 1.3 and 3,
 * dkim-orphan).  Pure: no I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/owner.h"
#include "audit.h"
#include "audit_orphan.h"

static int
sel_cmp(const void *a, const void *b)
{
	return strncmp(*(const char *const *)a, *(const char *const *)b,
	    OWNER_DKIM_HEX);
}

/*
 * audit_orphan_dkim: every DKIM bridge name of the zone transfer whose
 * 32 hex digits begin no sender's owner name (no _senderkey record the
 * transfer listed, no manifest entry): a key DKIM verifiers accept for a
 * sender the domain no longer has (audit.md 3, dkim-orphan).
 */
int
audit_orphan_dkim(const struct audit_zone *z, struct audit_sender *const *s,
    size_t n, struct audit_report *r)
{
	const char **own;
	const char *sel;
	char name[OWNER_NAME_MAX];
	size_t i, m = 0;
	int rc = -1;

	if (z->ndkim_sels == 0)
		return 0;
	if ((own = calloc(n + 1, sizeof(*own))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i]->owner != NULL &&
		    strlen(s[i]->owner) >= OWNER_DKIM_HEX)
			own[m++] = s[i]->owner;
	qsort(own, m, sizeof(*own), sel_cmp);
	for (i = 0; i < z->ndkim_sels; i++) {
		sel = z->dkim_sels[i];
		if (strlen(sel) == OWNER_DKIM_HEX &&
		    bsearch(&sel, own, m, sizeof(*own), sel_cmp) != NULL)
			continue;
		snprintf(name, sizeof(name), "sk%s._domainkey.%s.", sel,
		    z->domain);
		if (audit_report_add(r, AUDIT_ERROR, "dkim-orphan", name,
		    "a DKIM key record for a sender with no _senderkey record "
		    "and no manifest entry: DKIM verifiers still accept its "
		    "key (remove it)") == -1)
			goto done;
	}
	rc = 0;
done:
	free(own);
	return rc;
}
