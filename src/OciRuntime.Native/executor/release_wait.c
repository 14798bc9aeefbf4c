/*
 * release_wait.c - a created container's wait for `start`, with the executor's code let go.
 *
 * Between `create` and `start` the container's init is this executor, blocked on the exec fifo.
 * Its code and constants (the binary's read-only segments, never written) are dropped from its
 * page tables while it waits (decisions §25), so that it holds only what it has written: data,
 * stack, a little heap. The code doing that must stay mapped itself: a fault on any page of the
 * binary maps the whole page-cache folio around it (64-256 KiB here). So the drop and the
 * blocking read are one function in a page of its own, which calls no other code and reads no
 * constants (raw system calls only); after `start` the rest of the code comes back as it is used.
 */
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "internal.h"
#include "common/raw_syscall.h"

#define ISLAND_PAGE 4096u
#define MAX_RANGES 8

struct ranges {
    struct {
        uintptr_t start, end;
    } r[MAX_RANGES];
    int n;
};

static int collect_read_only(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct ranges *rs = arg;
    for (int i = 0; i < info->dlpi_phnum && rs->n < MAX_RANGES; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
            continue;
        uintptr_t start = (info->dlpi_addr + ph->p_vaddr) & ~(uintptr_t)(ISLAND_PAGE - 1);
        uintptr_t end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + ISLAND_PAGE - 1) & ~(uintptr_t)(ISLAND_PAGE - 1);
        rs->r[rs->n].start = start;
        rs->r[rs->n].end = end;
        rs->n++;
    }
    return 1; /* the executable itself is all there is (static) */
}

static inline __attribute__((always_inline)) void island_drop(uintptr_t start, uintptr_t end)
{
    if (end > start) /* best effort: it only saves memory */
        raw_syscall3(SYS_madvise, (long)start, (long)(end - start), MADV_DONTNEED);
}

/* The island: page-aligned, so that `keep` (its own page) is the one page of the segments left
 * mapped. Returns read(2)'s result, or -errno. */
__attribute__((noinline, aligned(ISLAND_PAGE), section(".text.oci_wait_island"), no_stack_protector))
static long release_and_read(const struct ranges *rs, uintptr_t keep, int fd, char *byte)
{
    for (int i = 0; i < rs->n; i++) {
        uintptr_t start = rs->r[i].start, end = rs->r[i].end;
        if (keep >= start && keep < end) {
            island_drop(start, keep);
            island_drop(keep + ISLAND_PAGE, end);
        } else {
            island_drop(start, end);
        }
    }
    long n;
    do
        n = raw_syscall3(SYS_read, fd, (long)byte, 1);
    while (n == -EINTR);
    return n;
}

ssize_t read_fifo_released(int fd, char *byte)
{
    struct ranges rs = { .n = 0 };
    dl_iterate_phdr(collect_read_only, &rs);
    long n = release_and_read(&rs, (uintptr_t)release_and_read, fd, byte);
    if (n < 0) {
        errno = (int)-n;
        return -1;
    }
    return n;
}
