/*
 * test_errtab: errtab_name and errtab_text find a code's row wherever
 * it is in the table, and answer "unknown" / "unknown error" for a code
 * without one (and for an empty table).
 */
#include "lib/errtab.h"
#include "t.h"

static const struct errtab tab[] = {
	{ 0, "ok", "no error" },
	{ 7, "seven", "the seventh error" },
	{ 3, "three", "the third error" },
};

int
main(void)
{
	size_t n = sizeof(tab) / sizeof(tab[0]);

	T_STREQ(errtab_name(tab, n, 0), "ok", "name of the first row");
	T_STREQ(errtab_name(tab, n, 3), "three", "name of the last row");
	T_STREQ(errtab_text(tab, n, 7), "the seventh error", "text");
	T_STREQ(errtab_name(tab, n, 4), "unknown", "no row: unknown");
	T_STREQ(errtab_text(tab, n, -1), "unknown error",
	    "no row: unknown error");
	T_STREQ(errtab_name(tab, 0, 0), "unknown", "empty table");
	return t_done();
}
