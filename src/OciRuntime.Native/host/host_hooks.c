/*
 * host_hooks.c - host side (called from C#): start one hook process (or another helper program,
 * such as ps(1) for `ps`, with its output to given fds). vfork+execve, because the
 * .NET process must not fork a child that runs managed code, and System.Diagnostics.Process would
 * install a SIGCHLD handler that reaps the children the runtime waits for itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "host.h"

struct hook_args {
    const char *path;
    char *const *argv, *const *envp;
    const char *const *ns_paths; /* NULL-terminated; joined in this order before execve */
    const char *cwd;             /* chdir here after joining them (NULL: the runtime's cwd, or the
                                  * joined mount namespace's root) */
    int stdin_fd, stdout_fd, stderr_fd; /* stdout/stderr: -1 keeps the runtime's */
    sigset_t oldmask;
    volatile int err;
};

/* On the caller's memory (CLONE_VM|CLONE_VFORK): async-signal-safe calls only. No CLONE_FS, so
 * joining a mount namespace is allowed here. */
static int hook_child(void *arg)
{
    struct hook_args *a = arg;
    reset_signal_handlers();
    for (const char *const *p = a->ns_paths; p && *p; p++) {
        int fd = open(*p, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, 0) < 0)
            goto out;
        close(fd);
    }
    if (a->cwd && chdir(a->cwd) < 0)
        goto out;
    if (dup2(a->stdin_fd, 0) < 0 || (a->stdout_fd >= 0 && dup2(a->stdout_fd, 1) < 0) ||
        (a->stderr_fd >= 0 && dup2(a->stderr_fd, 2) < 0))
        goto out;
    sigprocmask(SIG_SETMASK, &a->oldmask, NULL);
    /* The runtime's own fds (all close-on-exec in .NET) must not reach the hook; 1 and 2 are the
     * runtime's unless redirected above. */
    syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */);
    execve(a->path, a->argv, a->envp);
out:
    a->err = errno ? errno : ENOEXEC;
    _exit(127);
}

/* The hook's pid, or -errno (the execve's, a setns's or the chdir's). */
int oci_spawn_hook(const char *path, char *const *argv, char *const *envp, int stdin_fd, const char *const *ns_paths,
                   const char *cwd)
{
    if (path == NULL || argv == NULL || envp == NULL || stdin_fd < 0)
        return -EINVAL;
    struct hook_args a = { .path = path, .argv = argv, .envp = envp, .ns_paths = ns_paths, .cwd = cwd, .stdin_fd = stdin_fd,
                           .stdout_fd = -1, .stderr_fd = -1 };
    return vfork_spawn(hook_child, &a, &a.oldmask, &a.err, 0);
}

/* A program in the runtime's namespaces with its stdin, stdout and stderr on the given fds; its pid
 * or -errno. */
int oci_spawn_redirected(const char *path, char *const *argv, char *const *envp, int stdin_fd, int stdout_fd, int stderr_fd)
{
    if (path == NULL || argv == NULL || envp == NULL || stdin_fd < 0 || stdout_fd < 0 || stderr_fd < 0)
        return -EINVAL;
    struct hook_args a = { .path = path, .argv = argv, .envp = envp, .stdin_fd = stdin_fd,
                           .stdout_fd = stdout_fd, .stderr_fd = stderr_fd };
    return vfork_spawn(hook_child, &a, &a.oldmask, &a.err, 0);
}
