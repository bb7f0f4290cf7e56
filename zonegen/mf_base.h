/*
 * mf_base: what the manifest's format parsers (mf_csv.c, mf_signers.c,
 * mf_vcard.c) and manifest.c share: the container itself (struct
 * manifest: entries, their strings, collected errors), adding entries and
 * errors to it, and the texts the parsers read alike (ISO 8601 dates,
 * quoting input into error texts).  Private to those files: callers use
 * manifest.h.  Pure: no I/O.
 */
#ifndef SK_MF_BASE_H
#define SK_MF_BASE_H

#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

#define MF_FIELD_MAX	65536	/* octets in one CSV field or line */
#define MF_LINE_MAX	262144	/* octets in one unfolded vCard line */

struct mf_block;

/*
 * The manifest.  Entries, their strings and their parsed addresses live
 * in blocks owned by the manifest (no allocation per entry); the string
 * blocks hold key data, so they are wiped before they are freed.
 */
struct manifest {
	struct manifest_entry	**ent;
	size_t			  nent, capent;
	struct mf_block		 *eblocks;	/* head: the one in use */
	struct mf_block		 *sblocks;	/* head: the one in use */
	size_t			  ecap, scap;	/* size of the next block */
	char			**err;		/* kept texts */
	size_t			  nerr;		/* kept */
	size_t			  nerrall;	/* found */
	char			**files;
	size_t			  nfiles;
};

/* mf_base_release: free all M holds (not M itself), wiping key data. */
void		 mf_base_release(struct manifest *m);

/* mf_base_nerrors: how many errors M has found so far. */
size_t		 mf_base_nerrors(const struct manifest *m);

/*
 * mf_base_err: append an error for FILE:LINE (LINE 0: the whole file);
 * only the first MANIFEST_MAX_ERRORS texts are kept, all are counted.
 * mf_base_add: a new entry for FILE:LINE with the address as written
 * (ADDRLEN octets at ADDRESS), key NONE and no dates; NULL after adding
 * the error (bad address, out of memory).  FILE must be the string
 * returned by mf_base_file.
 * mf_base_set_path: KEY_FILE with REL resolved against E's file's
 * directory.  mf_base_set_data: KEY_DATA of TYPE, a copy of LEN octets
 * at DATA.  Both return 0, or -1 after adding the error.
 * mf_base_file: a copy of PATH kept for the manifest's lifetime, or NULL.
 */
void		 mf_base_err(struct manifest *m, const char *file,
		    unsigned long line, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
struct manifest_entry *mf_base_add(struct manifest *m, const char *file,
		    unsigned long line, const char *address, size_t addrlen);
int		 mf_base_set_path(struct manifest *m,
		    struct manifest_entry *e, const char *rel, size_t len);
int		 mf_base_set_data(struct manifest *m,
		    struct manifest_entry *e, enum manifest_keytype type,
		    const void *data, size_t len);
const char	*mf_base_file(struct manifest *m, const char *path);

/*
 * mf_base_quote: a printable, bounded copy of LEN octets at S for error
 * texts (control octets as \xHH, "..." when cut), in OUT of OUTSZ bytes;
 * returns OUT.
 */
const char	*mf_base_quote(const char *s, size_t len, char *out,
		    size_t outsz);

/*
 * mf_base_time_parse: an ISO 8601 date "YYYY-MM-DD" (00:00:00 UTC) or
 * date-time "YYYY-MM-DDTHH:MM:SSZ", years 1970 to 9999, exactly LEN octets
 * at S.  Stores the Unix time and returns 0, or returns -1.
 * mf_base_time_format: T as "YYYY-MM-DDTHH:MM:SSZ" in OUT (21 bytes).
 * mf_base_date: mf_base_time_parse, or the error "bad WHAT date" for
 * FILE:LINE and -1.
 */
int		 mf_base_time_parse(const char *s, size_t len, int64_t *out);
void		 mf_base_time_format(int64_t t, char out[21]);
int		 mf_base_date(struct manifest *m, const char *file,
		    unsigned long line, const char *what, const char *s,
		    size_t len, int64_t *out);

#endif
