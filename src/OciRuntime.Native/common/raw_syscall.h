/*
 * raw_syscall.h - system calls without glibc's wrappers, always inlined, for the two places that
 * must not go through libc: the early executor's clone child (it shares the parent's thread-local
 * storage, errno included, until its execve) and the created container's wait, which must run no
 * code outside its own page (release_wait.c). x86-64; they return the result or -errno.
 */
#ifndef OCI_RAW_SYSCALL_H
#define OCI_RAW_SYSCALL_H

static inline __attribute__((always_inline)) long raw_syscall3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static inline __attribute__((always_inline)) long raw_syscall5(long n, long a, long b, long c, long d, long e)
{
    long r;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
    return r;
}

#endif
