/*
 * hooks.c - RECV_HOOK_STATE and RUN_HOOK: hooks run by the container's init itself, so that they
 * have exactly its credentials, capabilities, no_new_privs, seccomp filter (whatever the plan
 * applied before), cgroup and namespaces, and find their program in its root (as runc runs
 * startContainer hooks). The plan says which hooks and when; this file only spawns and waits.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "plan.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

void op_recv_hook_state(struct plan_cursor *c)
{
    int fd = sync_recv_fd(get_u32(c), "receive hook state");
    if (g_exec.hook_state_fd >= 0)
        close(g_exec.hook_state_fd);
    g_exec.hook_state_fd = fd;
}

/* "<label>: <text><number><suffix>", cut to what an error message holds. */
static void hook_what(char *out, size_t cap, const char *label, const char *text, int number, const char *suffix)
{
    size_t n = 0;
    for (const char *p = label; *p && n + 1 < cap; p++)
        out[n++] = *p;
    for (const char *p = ": "; *p && n + 1 < cap; p++)
        out[n++] = *p;
    for (const char *p = text; *p && n + 1 < cap; p++)
        out[n++] = *p;
    if (number >= 0) {
        char d[12];
        int k = 0;
        do
            d[k++] = (char)('0' + number % 10);
        while ((number /= 10) != 0);
        while (k > 0 && n + 1 < cap)
            out[n++] = d[--k];
    }
    for (const char *p = suffix; *p && n + 1 < cap; p++)
        out[n++] = *p;
    out[n] = 0;
}

void op_run_hook(struct plan_cursor *c)
{
    const char *label = get_str(c), *path = get_str(c);
    const char **argv, **envp;
    get_argv_envp(c, &argv, &envp);
    uint32_t timeout = get_u32(c);
    char what[sizeof ((struct oci_msg *)0)->what];
    int state = g_exec.hook_state_fd;
    if (state < 0)
        fail_err(EBADF, "no hook state");
    if (lseek(state, 0, SEEK_SET) < 0)
        fail("seek hook state");
    int pidfd = -1;
    long pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pidfd, 0, 0);
    if (pid < 0)
        fail("clone hook");
    if (pid == 0) {
        /* The hook gets the state on stdin, the init's stdout and stderr, and no other fd. */
        if (dup2(state, 0) < 0)
            _exit(127);
        syscall(SYS_close_range, 3, ~0U, 0);
        execve(path, (char *const *)argv, (char *const *)envp);
        _exit(127);
    }
    int timed_out = 0;
    if (timeout > 0) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };
        int ms = timeout > 2000000 ? 2000000000 : (int)timeout * 1000, r;
        do
            r = poll(&p, 1, ms);
        while (r < 0 && errno == EINTR);
        if (r == 0) {
            timed_out = 1;
            kill((pid_t)pid, SIGKILL);
        }
    }
    close(pidfd);
    int st;
    while (waitpid((pid_t)pid, &st, 0) < 0)
        if (errno != EINTR)
            fail("wait for hook");
    if (timed_out) {
        hook_what(what, sizeof what, label, "timed out, killed after ", (int)timeout, " s");
        fail_err(ETIMEDOUT, what);
    }
    if (WIFSIGNALED(st)) {
        hook_what(what, sizeof what, label, "killed by signal ", WTERMSIG(st), "");
        fail_err(EINTR, what);
    }
    if (WEXITSTATUS(st) != 0) {
        hook_what(what, sizeof what, label, "exited with status ", WEXITSTATUS(st), "");
        fail_err(ECHILD, what);
    }
}
