/*
 * fuzz_taglist.c: libFuzzer target for lib/taglist.c: taglist_parse on
 * the raw octets, then every name and value, and a lookup of each name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/taglist.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct taglist *t;
	enum taglist_err err;
	size_t pos = 0, i, n;

	if ((t = taglist_parse((const char *)data, size, &err, &pos)) ==
	    NULL) {
		(void)strlen(taglist_errname(err));
		if (pos > size)
			abort();	/* the error position is in the input */
		return 0;
	}
	n = taglist_count(t);
	if (n > TAGLIST_MAX_TAGS)
		abort();
	for (i = 0; i < n; i++) {
		(void)strlen(taglist_value(t, i));
		if (taglist_get(t, taglist_name(t, i)) == NULL)
			abort();	/* a tag present is found by name */
	}
	(void)taglist_get(t, "v");
	taglist_free(t);
	return 0;
}
