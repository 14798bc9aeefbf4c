/*
 * signals.c - signal dispositions back to SIG_DFL: for a child of the .NET process before it
 * execs (host/host_hooks.c), and for the executor, which an execve left with what was ignored.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

void reset_signal_handlers(void)
{
    /* The raw syscall, because glibc refuses its two internal signals (32, 33), and a parent may
     * have left even those ignored. All-zero is SIG_DFL, no flags, empty mask, on every arch. */
    static const unsigned long dfl[4];
    for (int sig = 1; sig < _NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            syscall(SYS_rt_sigaction, sig, dfl, NULL, _NSIG / 8);
}

void reset_ignored_signals(void)
{
    /* One read of SigIgn instead of a syscall per signal; all of them if /proc cannot say. */
    char buf[4096];
    int fd = open("/proc/thread-self/status", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0)
        close(fd);
    const char *p = NULL;
    if (n > 0) {
        buf[n] = 0;
        p = strstr(buf, "\nSigIgn:\t");
    }
    if (p == NULL) {
        reset_signal_handlers();
        return;
    }
    unsigned long long ign = strtoull(p + 9, NULL, 16);
    static const unsigned long dfl[4];
    for (int sig = 1; sig <= 64; sig++)
        if ((ign >> (sig - 1)) & 1)
            syscall(SYS_rt_sigaction, sig, dfl, NULL, _NSIG / 8);
}
