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
 *
 * The readers of the three formats are mf_csv.c, mf_signers.c and
 * mf_vcard.c; what they share (the container, dates, error texts) is in
 * the private mf_base.h.  Callers use only this header.
 */
#ifndef SK_MANIFEST_H
#define SK_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

struct addr;

#define MANIFEST_MAX_ERRORS	100	/* error texts kept; more are counted */
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
 * are kept) or memory ran out.  manifest_parse_vcard is manifest_parse
 * with MANIFEST_VCARD.
 */
int		 manifest_parse(struct manifest *m, enum manifest_format fmt,
		    const char *path, const char *buf, size_t len);
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

#endif
