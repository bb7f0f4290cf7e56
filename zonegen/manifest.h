/*
 * manifest: the lists of senders that "senderkey zonegen" publishes, read
 * from CSV, OpenSSH allowed_signers and vCard 3.0/4.0 files, and the
 * validation of all of them together (specs/manifest.md).  Pure: no I/O.
 * The caller reads each file into memory and hands over the bytes; keys
 * are not decoded here, only located (a path, or inline bytes with their
 * declared type), so that zonegen decides how to load and check them.
 *
 * Errors are collected, not returned one by one: every parser and the
 * validation pass append "FILE:LINE: what is wrong" texts to the manifest
 * (at most MANIFEST_MAX_ERRORS are kept, all are counted) and go on with
 * the next line, so that one run reports every problem.
 */
#ifndef SK_MANIFEST_H
#define SK_MANIFEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct addr;

#define MANIFEST_MAX_ERRORS	100	/* error texts kept; more are counted */
#define MANIFEST_FIELD_MAX	65536	/* octets in one CSV field or line */
#define MANIFEST_LINE_MAX	262144	/* octets in one unfolded vCard line */
#define MANIFEST_MAX_KEYS	16	/* keys per sender (record-format 3.2) */

enum manifest_format {
	MANIFEST_CSV,		/* address,key[,not_before,not_after,flags] */
	MANIFEST_SIGNERS,	/* OpenSSH allowed_signers */
	MANIFEST_VCARD,		/* vCard 2.1, 3.0, 4.0 */
};

/* Where an entry's key comes from. */
enum manifest_key {
	MANIFEST_KEY_NONE,	/* a vCard contact without KEY */
	MANIFEST_KEY_FILE,	/* path: a PEM, OpenSSH or OpenPGP key file */
	MANIFEST_KEY_DATA,	/* inline bytes of type keytype */
	MANIFEST_KEY_GENERATE,	/* "generate": make a key pair (keygen) */
};

/* The declared type of inline key bytes (MANIFEST_KEY_DATA). */
enum manifest_keytype {
	MANIFEST_KT_NONE,
	MANIFEST_KT_SSH,	/* one OpenSSH public key line, as text */
	MANIFEST_KT_PEM,	/* PEM text ("-----BEGIN PUBLIC KEY-----") */
	MANIFEST_KT_PGP,	/* OpenPGP transferable public key: binary
				   packets, or ASCII armour as text */
};

/* Entry flags. */
#define MANIFEST_F_TESTING	0x01	/* publish t=y */
#define MANIFEST_F_REVOKED	0x02	/* publish an empty p= for this key */

/* Validation flags. */
#define MANIFEST_V_SKIP_FOREIGN	0x01	/* other domains: count, do not fail */

/*
 * One sender and one key source.  Owned by the manifest (read-only for
 * callers, valid until manifest_free); a sender with several keys has
 * several entries.  Times are Unix times in UTC; 0 means not set.
 */
struct manifest_entry {
	const char		*file;		/* the manifest's name as given */
	const char		*address;	/* as written in the file */
	const struct addr	*addr;		/* parsed, canonical forms */
	const char		*path;		/* KEY_FILE: resolved path */
	const unsigned char	*data;		/* KEY_DATA: the key octets */
	size_t			 datalen;
	unsigned long		 line;		/* line of the address */
	unsigned long		 key_line;	/* line of the key (vCard KEY) */
	int64_t			 not_before;
	int64_t			 not_after;
	enum manifest_key	 key;
	enum manifest_keytype	 keytype;	/* KEY_DATA: what data holds */
	unsigned		 flags;		/* MANIFEST_F_* */
	int			 foreign;	/* set by manifest_validate */
};

/* Counts from manifest_validate. */
struct manifest_stats {
	size_t	entries;	/* all entries */
	size_t	senders;	/* distinct canonical addresses published */
	size_t	foreign;	/* entries skipped as foreign (skip_foreign) */
	size_t	nokey;		/* entries without a key source */
};

struct manifest;

/* manifest_new: an empty manifest, or NULL when out of memory. */
struct manifest	*manifest_new(void);
/* manifest_free: release M, its entries and errors; NULL is a no-op. */
void		 manifest_free(struct manifest *m);

/*
 * manifest_detect: the format of the file PATH holding LEN octets at BUF:
 * by extension first (.csv, .vcf / .vcard), else by content (a vCard
 * starts with BEGIN:VCARD, a CSV with a header naming "address"),
 * else allowed_signers.
 */
enum manifest_format manifest_detect(const char *path, const char *buf,
		    size_t len);
/* manifest_format_name: "csv", "allowed_signers", "vcard". */
const char	*manifest_format_name(enum manifest_format f);

/*
 * manifest_parse: read LEN octets at BUF (need not be NUL-terminated, may
 * hold anything) as a manifest of format FMT named PATH (used in error
 * texts, and relative key paths are resolved against its directory).
 * Entries are appended to M in file order; errors are collected in M.
 * Returns 0 when the file had no error, -1 when it had any (the good lines
 * are kept) or memory ran out.  manifest_parse_csv, _signers and _vcard
 * are the same for one format.
 */
int		 manifest_parse(struct manifest *m, enum manifest_format fmt,
		    const char *path, const char *buf, size_t len);
int		 manifest_parse_csv(struct manifest *m, const char *path,
		    const char *buf, size_t len);
int		 manifest_parse_signers(struct manifest *m, const char *path,
		    const char *buf, size_t len);
int		 manifest_parse_vcard(struct manifest *m, const char *path,
		    const char *buf, size_t len);

/*
 * manifest_validate: check all entries of M together for publication
 * under the A-label DOMAIN (see specs/manifest.md section 5): dates in
 * order, one domain (other domains are errors, or with
 * MANIFEST_V_SKIP_FOREIGN are marked foreign and counted), owner names
 * that fit, no duplicate or conflicting entries, at most MANIFEST_MAX_KEYS
 * keys per sender.  Errors are appended to M.  Fills ST when not NULL.
 * Returns 0 when M has no error at all (from parsing or validation), else
 * -1.
 */
int		 manifest_validate(struct manifest *m, const char *domain,
		    unsigned vflags, struct manifest_stats *st);

/* manifest_count, manifest_entry: the entries, I from 0; NULL past end. */
size_t		 manifest_count(const struct manifest *m);
const struct manifest_entry *manifest_entry(const struct manifest *m,
		    size_t i);

/*
 * manifest_nerrors: how many errors were found (may exceed the kept ones);
 * manifest_nkept: how many texts manifest_error returns;
 * manifest_error: the I-th text, "FILE:LINE: message" (no newline), or
 * NULL past the end.  Texts hold no control characters.
 */
size_t		 manifest_nerrors(const struct manifest *m);
size_t		 manifest_nkept(const struct manifest *m);
const char	*manifest_error(const struct manifest *m, size_t i);

/*
 * manifest_entry_format: E as one line of text (no newline) for listings
 * and golden files, malloc'd (caller frees), or NULL when out of memory:
 *   FILE:LINE ADDRESS CANONICAL KEY not_before=T not_after=T flags=F
 * with KEY one of "none", "generate", "file:PATH", or for inline bytes
 * "ssh:N:H", "pem:N:H", "pgp:N:H" (N octets, H the first 16 hex digits of
 * their SHA-256); T a date-time or "-"; F "-", "testing", "revoked" or
 * "testing,revoked".
 */
char		*manifest_entry_format(const struct manifest_entry *e);

/*
 * manifest_time_parse: an ISO 8601 date "YYYY-MM-DD" (00:00:00 UTC) or
 * date-time "YYYY-MM-DDTHH:MM:SSZ", years 1970 to 9999, exactly LEN octets
 * at S.  Stores the Unix time and returns 0, or returns -1.
 * manifest_time_format: T as "YYYY-MM-DDTHH:MM:SSZ" in OUT (21 bytes).
 */
int		 manifest_time_parse(const char *s, size_t len, int64_t *out);
void		 manifest_time_format(int64_t t, char out[21]);

/*
 * For the format parsers (mf_*.c) only.
 *
 * manifest_err: append an error for FILE:LINE (LINE 0: the whole file).
 * manifest_add: a new entry for FILE:LINE with the address as written
 * (ADDRLEN octets at ADDRESS), key NONE and no dates; NULL after adding
 * the error (bad address, out of memory).  FILE must be the string
 * returned by manifest_file_name.
 * manifest_set_path: KEY_FILE with REL resolved against FILE's directory.
 * manifest_set_data: KEY_DATA of TYPE, a copy of LEN octets at DATA.
 * manifest_file_name: a copy of PATH kept for the manifest's lifetime.
 * manifest_date: manifest_time_parse plus the error "bad WHAT date".
 * manifest_quote: a printable, bounded copy of LEN octets at S, for error
 * texts (control octets as \xHH), in OUT of OUTSZ bytes.
 */
void		 manifest_err(struct manifest *m, const char *file,
		    unsigned long line, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
struct manifest_entry *manifest_add(struct manifest *m, const char *file,
		    unsigned long line, const char *address, size_t addrlen);
int		 manifest_set_path(struct manifest *m,
		    struct manifest_entry *e, const char *rel, size_t len);
int		 manifest_set_data(struct manifest *m,
		    struct manifest_entry *e, enum manifest_keytype type,
		    const void *data, size_t len);
const char	*manifest_file_name(struct manifest *m, const char *path);
int		 manifest_date(struct manifest *m, const char *file,
		    unsigned long line, const char *what, const char *s,
		    size_t len, int64_t *out);
const char	*manifest_quote(const char *s, size_t len, char *out,
		    size_t outsz);

#endif
