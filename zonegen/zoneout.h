/*
 * zoneout: write a zonegen record set as a zone file fragment, as input
 * for nsupdate(1), or as JSON.  Output is deterministic: the same records
 * give the same bytes (no dates in headers).
 */
#ifndef SK_ZONEOUT_H
#define SK_ZONEOUT_H

#include <stdio.h>

struct zonegen;

enum zoneout_format {
	ZONEOUT_ZONE,
	ZONEOUT_NSUPDATE,
	ZONEOUT_JSON,
};

/* zoneout_format_parse: "zone", "nsupdate", "json"; returns 0 or -1. */
int	zoneout_format_parse(const char *name, enum zoneout_format *out);

/*
 * zoneout_write: the finished record set ZG to FP in FORMAT.  Returns 0,
 * or -1 when a record cannot be formatted or the stream reports an error.
 */
int	zoneout_write(FILE *fp, const struct zonegen *zg,
	    enum zoneout_format format);

#endif
