/*
 * radix.c: LSD radix sort on 64-bit keys, one octet per pass (radix.h).
 * One counting pass fills all eight histograms; a pass whose octet is the
 * same in every key is skipped (zonegen's keys differ in all eight).
 */
#include <stdlib.h>
#include <string.h>

#include "radix.h"

int
radix_sort(struct radix_item *v, struct radix_item *room, size_t n)
{
	size_t (*cnt)[256] = NULL, i, sum, t;
	struct radix_item *tmp = room, *src = v, *dst, *x;
	unsigned d, shift;

	if (n < 2)
		return 0;
	if ((cnt = calloc(8, sizeof(*cnt))) == NULL || (tmp == NULL &&
	    (tmp = reallocarray(NULL, n, sizeof(*tmp))) == NULL)) {
		free(cnt);
		return -1;
	}
	for (i = 0; i < n; i++) {
		uint64_t k = v[i].key;

		for (d = 0; d < 8; d++)
			cnt[d][(k >> (8 * d)) & 0xff]++;
	}
	dst = tmp;
	for (d = 0; d < 8; d++) {
		shift = 8 * d;
		if (cnt[d][(src[0].key >> shift) & 0xff] == n)
			continue;	/* every key has this octet */
		for (i = 0, sum = 0; i < 256; i++) {
			t = cnt[d][i];
			cnt[d][i] = sum;
			sum += t;
		}
		for (i = 0; i < n; i++) {
			x = &src[i];
			dst[cnt[d][(x->key >> shift) & 0xff]++] = *x;
		}
		x = src;
		src = dst;
		dst = x;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	if (tmp != room)
		free(tmp);
	free(cnt);
	return 0;
}
