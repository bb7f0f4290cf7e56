/*
 * util: small helpers shared by the senderkey subcommands (not by the
 * daemon): reading or mapping a whole file with a size cap, and durations.
 */
#ifndef SK_UTIL_H
#define SK_UTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * util_read_file: the contents of PATH ("-": standard input), at most MAX
 * octets, in a malloc'd buffer with a NUL added (*LEN excludes it).
 * Returns NULL with ERR set ("PATH: reason") and errno EFBIG when the
 * file holds more than MAX octets.
 */
char	*util_read_file(const char *path, size_t max, size_t *len, char *err,
	    size_t errsz);

/*
 * util_duration: "90", "90s", "15m", "12h", "14d", "2w" as seconds.
 * Returns 0, or -1 for anything else.
 */
/*
 * util_map_file: the regular file PATH (at most MAX octets) mapped
 * read-only, for parsers that read a large file once and keep pointing
 * into it; util_map_buf gives its octets (not NUL-terminated) and length.
 * Returns NULL with ERR set ("PATH: reason") for anything but a regular
 * file.  util_map_free unmaps it (NULL: no-op); pointers into it die.
 */
struct util_map;
struct util_map	*util_map_file(const char *path, size_t max, char *err,
	    size_t errsz);
const char	*util_map_buf(const struct util_map *m, size_t *len);
void		 util_map_free(struct util_map *m);

int	 util_duration(const char *s, int64_t *out);

/*
 * util_time: a Unix time, "now", or an ISO date "YYYY-MM-DD" or date-time
 * "YYYY-MM-DDTHH:MM:SSZ" (UTC).  Returns 0, or -1.
 */
int	 util_time(const char *s, int64_t now, int64_t *out);

/*
 * util_utc: T as "YYYY-MM-DDTHH:MM:SSZ" (UTC) in OUT; the number itself
 * when it cannot be written so.
 */
void	 util_utc(int64_t t, char out[32]);

/*
 * util_fp_text: the 32 octets at FP as key_fingerprint writes a
 * fingerprint ("AB:CD:..."), in OUT (96 octets: KEY_FP_SIZE).
 */
void	 util_fp_text(const unsigned char fp[32], char out[96]);

#endif
