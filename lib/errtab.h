/*
 * errtab: the name and text of an error code, looked up in a module's
 * constant table ({ code, "name", "text" } rows), for the modules whose
 * foo_errname() and foo_strerror() read such a table (addr, keyrec).
 * Pure: no I/O.
 */
#ifndef SK_ERRTAB_H
#define SK_ERRTAB_H

#include <stddef.h>

struct errtab {
	int		 code;		/* the module's enum value */
	const char	*name;		/* stable, e.g. "bad-base64" */
	const char	*text;		/* for people */
};

/* errtab_name: the name of CODE in the N rows of T, or "unknown". */
const char	*errtab_name(const struct errtab *t, size_t n, int code);

/* errtab_text: the text of CODE in the N rows of T, or "unknown error". */
const char	*errtab_text(const struct errtab *t, size_t n, int code);

#endif
