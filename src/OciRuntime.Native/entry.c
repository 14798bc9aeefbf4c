/*
 * entry.c - how the executor starts: oci_spawn_executor (host side, in the .NET process) and the
 * constructor that takes over the re-executed binary before .NET starts.
 *
 * Both live in this one file on purpose: C# references oci_spawn_executor, so the linker pulls
 * this object out of libociexec.a, and the constructor comes with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/mount.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "executor.h"
#include "internal.h"
#include "plan.h"

/* ---- host side ------------------------------------------------------------------------------ */

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
    int exe_fd = (int)syscall(SYS_open_tree, AT_FDCWD, exe, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (exe_fd < 0)
        return -errno;
    struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
    if (syscall(SYS_mount_setattr, exe_fd, "", AT_EMPTY_PATH, &ro, sizeof ro) < 0) {
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

/* ---- executor side -------------------------------------------------------------------------- */

static _Noreturn void bad_start(const char *why)
{
    /* No sync fd to report on: stderr is all there is. */
    static const char prefix[] = "ociruntime init: ";
    if (write(2, prefix, sizeof prefix - 1) < 0 || write(2, why, strlen(why)) < 0 || write(2, "\n", 1) < 0) {
    }
    _exit(1);
}

/* A decimal fd: digits only, no sign, no leading zero, at most INT_MAX. */
static int parse_fd(const char **p, int *out)
{
    const char *s = *p;
    long v = 0;
    if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
        return -1;
    for (; *s >= '0' && *s <= '9'; s++)
        if ((v = v * 10 + (*s - '0')) > INT_MAX)
            return -1;
    *out = (int)v;
    *p = s;
    return 0;
}

/* An early executor waits for its plan: the sealed memfd with OCI_REPLY_OK. Before it, the host
 * may tell it the namespaces the plan starts by making (OCI_REPLY_UNSHARE_AHEAD), as soon as it
 * knows them, so that their cost (a network namespace: ~0.5 ms) is paid while the host is still
 * planning. A failed unshare is forgotten: the plan's own step then makes and reports it. */
static int receive_early_plan(int sync_fd)
{
    for (;;) {
        uint32_t msg[2] = { OCI_REPLY_ABORT, 0 };
        int fd;
        ssize_t n = recvmsg_with_fd(sync_fd, msg, sizeof msg, &fd);
        if (n == (ssize_t)sizeof msg && msg[0] == OCI_REPLY_UNSHARE_AHEAD && fd < 0) {
            if (g_exec.unshared_ahead == 0 && unshare((int)msg[1]) == 0)
                g_exec.unshared_ahead = msg[1];
            continue;
        }
        if (n == 4 && msg[0] == OCI_REPLY_OK && fd >= 0)
            return fd;
        if (fd >= 0)
            close(fd);
        if (n <= 0 || msg[0] == OCI_REPLY_ABORT)
            _exit(0); /* discarded: the runtime started another executor, or none */
        fail_err(EBADMSG, "receive plan");
    }
}

static _Noreturn void executor_main(const char *spec)
{
    /* Started with every signal blocked (spawn_child) and every caught one back at SIG_DFL
     * (execve): reset what the runtime or its caller ignored (.NET ignores SIGPIPE, and execve
     * keeps that), then take signals again, so that `kill` reaches a created container. The
     * container's process inherits both: default dispositions and an empty mask. */
    reset_ignored_signals();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* "<plan fd>,<sync fd>", or "@,<sync fd>" for an early executor (early.c), whose plan comes
     * later over the sync socket. */
    int plan_fd = -1, sync_fd;
    const char *p = spec;
    bool early = p[0] == '@';
    if (early)
        p++;
    else if (parse_fd(&p, &plan_fd) < 0)
        bad_start("bad " OCI_EXECUTOR_ENV);
    if (*p++ != ',' || parse_fd(&p, &sync_fd) < 0 || *p != 0 || plan_fd == sync_fd)
        bad_start("bad " OCI_EXECUTOR_ENV);
    /* CLOEXEC: once the user's program runs, the host sees EOF. */
    if (fcntl(sync_fd, F_SETFD, FD_CLOEXEC) < 0)
        bad_start("bad sync fd");
    g_exec.sync_fd = sync_fd;
    if (early)
        plan_fd = receive_early_plan(sync_fd);

    struct stat st;
    if (fstat(plan_fd, &st) < 0)
        fail("fstat plan");
    if (!S_ISREG(st.st_mode) || st.st_size < (off_t)OCI_PLAN_HEADER_SIZE || st.st_size > (off_t)OCI_PLAN_MAX_SIZE)
        fail_err(EBADMSG, "decode plan");
    /* The plan is validated once and then read again step by step: that is only sound if nobody
     * can change it in between, which the memfd seals guarantee. */
    int seals = fcntl(plan_fd, F_GET_SEALS);
    if (seals < 0 || (seals & (F_SEAL_WRITE | F_SEAL_SHRINK)) != (F_SEAL_WRITE | F_SEAL_SHRINK))
        fail_err(EPERM, "plan not sealed");
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, plan_fd, 0);
    if (map == MAP_FAILED)
        fail("mmap plan");
    close(plan_fd);

    struct plan_info plan;
    uint32_t bad;
    if (plan_validate(map, (size_t)st.st_size, &plan, &bad) < 0) {
        g_exec.step = bad;
        fail_err(EBADMSG, "decode plan");
    }
    /* The only allocation: argv/envp pointer arrays for EXEC, sized from the validated counts. */
    if (plan.max_exec_ptrs > 0) {
        void *ptrs = mmap(NULL, plan.max_exec_ptrs * sizeof(char *), PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (ptrs == MAP_FAILED)
            fail("mmap argv");
        g_exec.ptrs = ptrs;
        g_exec.nptrs = plan.max_exec_ptrs;
    }
    run_plan(&plan);
}

/* glibc passes (argc, argv, envp) to constructors of the main program. Only "<exe> init" with
 * OCI_EXECUTOR_ENV set becomes the executor; anything else returns and .NET starts as usual. */
__attribute__((constructor)) static void oci_executor_entry(int argc, char **argv, char **envp)
{
    if (argc >= 2 && argv != NULL && argv[1] != NULL && strcmp(argv[1], "init") == 0 && envp != NULL) {
        size_t n = strlen(OCI_EXECUTOR_ENV);
        for (char **e = envp; *e; e++)
            if (strncmp(*e, OCI_EXECUTOR_ENV, n) == 0 && (*e)[n] == '=')
                executor_main(*e + n + 1);
    }
    early_executor_start(argc, argv);
    prefault_runtime_data();
    prefault_malloc_heap();
    early_executor_wait_exec();
}
