/*
 * zoneout: write a zonegen record set as a zone file fragment, as input
 * for nsupdate(1), or as JSON.  Output is deterministic: the same records
 * give the same bytes (no dates in headers).
 */
#ifndef SK_ZONEOUT_H
#define SK_ZONEOUT_H

#include <stddef.h>
#include <stdio.h>

struct zonegen;
struct zonegen_counts;
struct zonegen_wire;

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

/*
 * zoneout_more_fn: record I (from 0) of a caller's records, into *W.  The
 * strings W points to must stay valid until the call after the next one
 * (the writer compares each address with the one before).
 */
typedef void	(*zoneout_more_fn)(void *arg, size_t i,
		    struct zonegen_wire *w);

/*
 * zoneout_write_zone: the zone format of zoneout_write, with the header
 * counts COUNTS (NULL: ZG's own) and ZG's records; or, when MORE is not
 * NULL, instead of ZG's records the NMORE records from MORE(ARG, I, &w)
 * in canonical order (zg_fast.c's: ZG's apex records merged with its
 * senders').  ZG still gives the domain and TTL of the header and lines.
 * Returns 0, or -1 as zoneout_write.
 */
int	zoneout_write_zone(FILE *fp, const struct zonegen *zg,
	    const struct zonegen_counts *counts, size_t nmore,
	    zoneout_more_fn more, void *arg);

#endif
