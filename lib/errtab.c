/*
 * errtab.c: errtab_name and errtab_text, the lookups behind the
 * foo_errname() and foo_strerror() of modules with an error table
 * (see errtab.h).
 */
#include "errtab.h"

static const struct errtab *
find(const struct errtab *t, size_t n, int code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].code == code)
			return &t[i];
	return NULL;
}

const char *
errtab_name(const struct errtab *t, size_t n, int code)
{
	const struct errtab *r = find(t, n, code);

	return r != NULL ? r->name : "unknown";
}

const char *
errtab_text(const struct errtab *t, size_t n, int code)
{
	const struct errtab *r = find(t, n, code);

	return r != NULL ? r->text : "unknown error";
}
