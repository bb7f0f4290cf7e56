/*
 * bigmem.c: MADV_HUGEPAGE for the 2 MiB-aligned inside of large blocks
 * (bigmem.h).  Only whole pages inside the caller's block are advised,
 * so no other allocation's memory is concerned.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "bigmem.h"

#define HUGE	(2UL << 20)

void
bigmem_advise(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	uintptr_t start = (uintptr_t)p, end = start + len;

	if (p == NULL || len < BIGMEM_MIN)
		return;
	start = (start + HUGE - 1) & ~(HUGE - 1);
	end &= ~(HUGE - 1);
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}
