/*
 * keycache_int: what tests of keycache.c need beyond keycache.h: the
 * byte charge of one entry and of one prepared copy, so a test can set a
 * byte bound that holds exactly N of them.  Not for the milter's other
 * modules.
 */
#ifndef SK_MILTER_KEYCACHE_INT_H
#define SK_MILTER_KEYCACHE_INT_H

#include <stddef.h>

/* keycache_cost_entry: the bytes charged for an entry of a key= text of
   LEN octets (its decoded key included). */
size_t		 keycache_cost_entry(size_t len);

/* keycache_cost_inst: the bytes charged for one prepared copy of it. */
size_t		 keycache_cost_inst(size_t len);

#endif
