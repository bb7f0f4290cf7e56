/*
 * conf: a generic reader of opendkim.conf-style files, driven by a
 * caller-supplied schema.  conf_parse is pure (a buffer in, a struct or
 * an error out); conf_load only adds reading the file.
 *
 * Syntax, one setting a line:
 *
 *	# a comment (only as the first non-blank character of a line)
 *	Name value...
 *
 * Names are matched without regard to ASCII case.  The value is the rest
 * of the line after the blanks that follow the name, trailing blanks
 * (SP, HTAB, a CR before the LF) removed; '#' inside a value is part of
 * it.  Blank lines are ignored.  Lines are at most CONF_LINE_MAX octets.
 *
 * Every error reads "FILE:LINE: what was expected" (FILE as given).
 */
#ifndef SK_CONF_H
#define SK_CONF_H

#include <stddef.h>
#include <stdint.h>

#define CONF_LINE_MAX	4096	/* octets per line, LF excluded */
#define CONF_FILE_MAX	(1024 * 1024)	/* octets per file */
#define CONF_LIST_MAX	256	/* items per list setting */

enum conf_type {
	CONF_STRING,	/* any non-empty text (no NUL) */
	CONF_PATH,	/* an absolute path: starts with '/' */
	CONF_UINT,	/* decimal, within [min, max] */
	CONF_SIZE,	/* decimal with optional k/K, m/M, g/G (1024-based),
			   within [min, max] octets */
	CONF_DURATION,	/* decimal with unit ms, s, m, h or d (none: s),
			   within [min, max] milliseconds */
	CONF_BOOL,	/* yes|no (also true|false, on|off, 1|0) */
	CONF_ENUM,	/* one of enums[], ASCII case ignored */
	CONF_LIST,	/* items separated by commas and/or blanks */
};

#define CONF_REPEAT	0x01	/* CONF_LIST: may appear on several lines,
				   the items add up */

/*
 * A check hook for one setting: VALUE is the value as written (after the
 * type check).  Returns 0, or -1 with what was expected in WHY (WHYSZ
 * octets), which conf prefixes with "FILE:LINE: ".
 */
typedef int (*conf_check_fn)(const char *value, char *why, size_t whysz);

struct conf_schema {
	const char		*name;
	enum conf_type		 type;
	unsigned		 flags;		/* CONF_REPEAT */
	const char		*def;		/* default, written as in a
						   file; NULL: none */
	uint64_t		 min, max;	/* UINT, SIZE, DURATION (ms) */
	const char *const	*enums;		/* ENUM: NULL-terminated */
	conf_check_fn		 check;		/* NULL: none; for a LIST it
						   runs on every item */
};
/* A schema is an array of conf_schema ended by an entry with name NULL. */

struct conf;

/*
 * conf_parse: parse LEN octets of TEXT (NUL octets are errors) with
 * SCHEMA (which must outlive the result); FILENAME is used in errors.
 * Defaults are checked like file values (a bad default is an error
 * naming "(default)").  Returns a new conf owned by the caller, or NULL
 * with the message in ERR (ERRSZ octets; "out of memory" on ENOMEM).
 */
struct conf	*conf_parse(const struct conf_schema *schema, const char *text,
		    size_t len, const char *filename, char *err, size_t errsz);

/*
 * conf_load: read PATH (at most CONF_FILE_MAX octets) and conf_parse it.
 * Returns the conf, or NULL with "PATH: strerror" or a parse error in
 * ERR.  When the file does not exist errno is ENOENT afterwards.
 */
struct conf	*conf_load(const struct conf_schema *schema, const char *path,
		    char *err, size_t errsz);

/* conf_free: frees C.  NULL is a no-op. */
void		 conf_free(struct conf *c);

/*
 * Accessors by NAME (any case; must be in the schema, else they return
 * NULL / 0).  Strings are owned by C.  A setting that is neither in the
 * file nor has a default is "unset".
 */
/* conf_isset: 1 when NAME was in the file or has a default. */
int		 conf_isset(const struct conf *c, const char *name);
/* conf_line: the line NAME was (last) set on; 0 for a default or unset. */
unsigned	 conf_line(const struct conf *c, const char *name);
/* conf_str: the value as written (any type), or NULL when unset. */
const char	*conf_str(const struct conf *c, const char *name);
/* conf_uint: UINT, SIZE (octets), DURATION (ms) or BOOL (0/1); 0 unset. */
uint64_t	 conf_uint(const struct conf *c, const char *name);
/* conf_enum: ENUM: the index into enums[]; -1 when unset. */
int		 conf_enum(const struct conf *c, const char *name);
/*
 * conf_list: LIST: the number of items, *ITEMS set to the NUL-terminated
 * items (owned by C); 0 and *ITEMS NULL when unset.
 */
size_t		 conf_list(const struct conf *c, const char *name,
		    const char *const **items);

#endif
