/*
 * bigmem: advice for the large arrays zonegen and the manifest keep for
 * a million senders.  Faulting in hundreds of megabytes 4 KiB at a time
 * costs more than the work on them (a page fault per 40 senders); with
 * transparent huge pages in "madvise" mode the kernel maps 2 MiB at a
 * time for memory advised MADV_HUGEPAGE.  Only advice: nothing changes
 * in what the memory holds, and failures are ignored.
 */
#ifndef SK_BIGMEM_H
#define SK_BIGMEM_H

#include <stddef.h>

#define BIGMEM_MIN	(4UL << 20)	/* smaller blocks are left alone */

/*
 * bigmem_advise: advise MADV_HUGEPAGE for the whole 2 MiB pages inside
 * the LEN octets at P (memory the caller allocated, e.g. with malloc or
 * realloc), when LEN is at least BIGMEM_MIN.
 */
void	bigmem_advise(void *p, size_t len);

#endif
