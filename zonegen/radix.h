/*
 * radix: a stable LSD radix sort of (64-bit key, index) pairs, for the
 * million owner names of a zone (zonegen sorts by hash octets: keys that
 * are nearly uniform, where a comparison sort spends most of its time).
 * Pure: no I/O.
 */
#ifndef SK_RADIX_H
#define SK_RADIX_H

#include <stddef.h>
#include <stdint.h>

struct radix_item {
	uint64_t	key;
	size_t		idx;
};

/*
 * radix_sort: sort the N items at V by KEY, ascending and stable (items
 * with equal keys keep their order).  Passes over an octet of the key
 * that all items share are skipped.  TMP is the caller's room for N items
 * (its contents are lost), or NULL for one allocated here.  Returns 0, or
 * -1 when out of memory (V is then unchanged).
 */
int	radix_sort(struct radix_item *v, struct radix_item *tmp, size_t n);

#endif
