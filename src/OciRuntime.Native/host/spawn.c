/*
 * spawn.c - host side (called from C#): start the executor. oci_spawn_executor clones the .NET
 * process vfork-style and re-executes the binary from a read-only image of it; the binary's
 * constructor (startup/entry.c) then runs the executor (executor/main.c) before .NET starts.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <linux/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/common.h"
#include "host.h"
#include "plan.h"

struct spawn_args {
    int exe_fd;
    char *const *argv;
    char *const *envp;
    int plan_fd, sync_fd;
    sigset_t oldmask; /* unused: the executor sets its own mask */
    volatile int err; /* set by the child on failure; the memory is shared (CLONE_VM) */
};

static int clear_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFD);
    return fl < 0 ? -1 : fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
}

/* Runs on the caller's memory while the caller waits (CLONE_VFORK): async-signal-safe calls only.
 * The fd table and the signal handlers are the child's own copies (no CLONE_FILES/CLONE_SIGHAND).
 * Every signal stays blocked through the execve, so .NET's handlers can never run here; the
 * execve itself resets them to SIG_DFL, and the executor resets the ignored ones and unblocks
 * (executor_main): 2 syscalls there instead of 64 here. */
static int spawn_child(void *arg)
{
    struct spawn_args *a = arg;
    if (clear_cloexec(a->plan_fd) == 0 && clear_cloexec(a->sync_fd) == 0)
        syscall(SYS_execveat, a->exe_fd, "", a->argv, a->envp, AT_EMPTY_PATH);
    a->err = errno ? errno : ENOEXEC;
    _exit(127);
}

int oci_executor_image(const char *exe)
{
    if (exe == NULL)
        return -EINVAL;
    /* CVE-2019-5736: until it execs the container's program, the executor runs the runtime binary,
     * and a process that can see it (a container sharing its pid namespace) could open
     * /proc/<pid>/exe and, once the exec is done, reopen it for writing and replace the host's
     * runtime. So the executor is started from a read-only detached bind of the binary: its exe
     * link leads through a read-only mount that nobody else can reach or remount, and any open for
     * writing fails with EROFS. Costs two syscalls, no copy and no memory (a sealed memfd copy
     * would keep the whole binary in memory for every created container). */
    int exe_fd = sys_open_tree(AT_FDCWD, exe, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (exe_fd < 0)
        return -errno;
    struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
    if (sys_mount_setattr(exe_fd, 0, &ro) < 0) {
        int err = errno;
        close(exe_fd);
        return -err;
    }
    return exe_fd;
}

int oci_spawn_executor(const char *exe, int plan_fd, int sync_fd)
{
    int exe_fd = oci_executor_image(exe);
    if (exe_fd < 0)
        return exe_fd;
    int pid = oci_spawn_executor_fd(exe_fd, plan_fd, sync_fd, 0);
    close(exe_fd);
    return pid;
}

/* Rootless: an unprivileged caller may not clone a mount (open_tree with OPEN_TREE_CLONE needs
 * CAP_SYS_ADMIN over the mount namespace), so oci_spawn_executor fails with EPERM. The caller
 * then passes the image itself: an O_PATH fd of a binary the caller cannot write (the container's
 * root, mapped to the caller or to ids below it, cannot write it either), or a sealed memfd copy
 * of one it could. Same child, same argv/envp. */
int oci_spawn_executor_fd(int exe_fd, int plan_fd, int sync_fd, unsigned long ns_flags)
{
    if (exe_fd < 0 || plan_fd < 0 || sync_fd < 0 || plan_fd == sync_fd || (ns_flags & ~(unsigned long)CLONE_NEWPID) != 0)
        return -EINVAL;
    char env[sizeof OCI_EXECUTOR_ENV + 24];
    snprintf(env, sizeof env, "%s=%d,%d", OCI_EXECUTOR_ENV, plan_fd, sync_fd);
    char arg0[] = "ociruntime", arg1[] = "init";
    char *argv[] = { arg0, arg1, NULL };
    char *envp[] = { env, NULL };
    struct spawn_args a = { .exe_fd = exe_fd, .argv = argv, .envp = envp, .plan_fd = plan_fd, .sync_fd = sync_fd };
    return vfork_spawn(spawn_child, &a, &a.oldmask, &a.err, ns_flags);
}
