/*
 * vfork_spawn.c - host side: start a child from the multi-threaded .NET process the only safe
 * way, a vfork-style clone (CLONE_VM|CLONE_VFORK) on a private stack whose child only resets its
 * signal handlers, arranges fds and execs. Shared by oci_spawn_executor and oci_spawn_hook.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "host.h"

#define SPAWN_STACK_SIZE (64 * 1024)

int vfork_spawn(int (*child)(void *), void *arg, sigset_t *child_mask, volatile int *child_err,
                unsigned long ns_flags)
{
    void *stack = mmap(NULL, SPAWN_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        return -errno;
    /* Everything stays blocked until the child has reset the handlers it shares nothing of but a
     * copy: .NET's handlers must never run in it. The child restores *child_mask itself. */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, child_mask);
    int pid = clone(child, (char *)stack + SPAWN_STACK_SIZE, CLONE_VM | CLONE_VFORK | ns_flags | SIGCHLD, arg);
    int err = errno;
    pthread_sigmask(SIG_SETMASK, child_mask, NULL);
    munmap(stack, SPAWN_STACK_SIZE);
    if (pid < 0)
        return -err;
    if (*child_err != 0) { /* its exec failed: the caller gets that errno, and no zombie */
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        return -*child_err;
    }
    return pid;
}
