/*
 * mf_csv: the CSV manifest reader (specs/manifest.md section 2).
 * Private to zonegen/: callers use manifest_parse (manifest.h), the
 * shared parts are in mf_base.h.  Pure: no I/O.
 */
#ifndef SK_MF_CSV_H
#define SK_MF_CSV_H

#include <stddef.h>

struct manifest;

/*
 * mf_csv_parse: LEN octets at BUF as a CSV manifest named PATH, with the
 * contract of manifest_parse: entries and errors are appended to M;
 * returns 0 when the file had no error, else -1.
 */
int	 mf_csv_parse(struct manifest *m, const char *path, const char *buf,
	    size_t len);

#endif
