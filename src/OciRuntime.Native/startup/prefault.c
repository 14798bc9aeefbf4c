/*
 * prefault.c - when the binary starts as the runtime (not as the executor): populate its
 * zero-initialised data in one madvise(MADV_POPULATE_WRITE) before .NET starts.
 *
 * Why: NativeAOT's start-up unpacks ("rehydrates") its type data into a 1.5 MB NOBITS section
 * (.hydrated, after .bss). Touched page by page, that is ~400 page faults, each a trap that is
 * costly in a VM; a single madvise fills the same pages at a fraction of the cost. The executor
 * never starts .NET, so it skips this and keeps its waiting process small. (Populating the code
 * and read-only data as well was tried: no gain, and every mapped page counts in the RSS.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "startup.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/* From the linker: the start of .bss and the end of all the writable data that follows it. */
extern char __bss_start[], _end[];

void prefault_runtime_data(void)
{
    uintptr_t page = 4096;
    uintptr_t start = (uintptr_t)__bss_start & ~(page - 1);
    uintptr_t end = ((uintptr_t)_end + page - 1) & ~(page - 1);
    /* Best effort: an older kernel says EINVAL, and the pages then fault in as before. */
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
}

/*
 * The malloc heap likewise: the first malloc makes glibc's brk heap (~132 KB), which the .NET
 * runtime then fills while it starts (the GC's and the thread store's structures, ~84 KB, each
 * page first touched by a memset: ~20 faults). One madvise over the fresh heap instead; the pages
 * it populates beyond what start-up uses (~50 KB) are the price, paid in RSS, not in time.
 */
void prefault_malloc_heap(void)
{
    void *first = malloc(1);
    if (first == NULL)
        return;
    uintptr_t page = 4096;
    uintptr_t start = (uintptr_t)first & ~(page - 1);
    uintptr_t end = (uintptr_t)sbrk(0) & ~(page - 1);
    free(first);
    /* sbrk(0) is the heap's end only if malloc made the heap with brk; after an mmap fallback it
     * is not above the chunk, and nothing is done. */
    if (end > start && end - start <= 1024 * 1024)
        (void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
}
