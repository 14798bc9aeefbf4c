/*
 * early.c - the early executor: for `run` and `create`, the runtime's constructor starts the
 * executor before .NET starts, so that the executor's exec and C start-up (~1.7 ms in this VM,
 * most of it page faults) run on the other core while .NET starts and the C# side plans. The
 * executor waits on its sync socket for the plan; C# takes it with oci_early_executor_take, or
 * discards it (closes the socket: the executor sees EOF and exits) when its plan wants another
 * start (decisions §24). Both sides of its protocol are here, in the runtime's constructor and in
 * the executor before the plan (early_executor_main), and the protocol is early.h: no other C
 * file knows it; the executor proper is given a plan fd and a sync fd (executor_run).
 *
 * It is cloned as oci_spawn_executor_fd would clone it for such a plan: into a new pid namespace
 * (the common case, where the executor is the init itself, §23), from a read-only bind of the
 * binary (CVE-2019-5736, §11). A plan that needs a user or time namespace, or a fork, discards it.
 *
 * Mechanism only: which words are the subcommand and which global options take a value mirrors
 * the C# command line (Cli/CommandLine.cs: GlobalOptions, Command.StartsAContainer); a wrong guess
 * costs one needless clone, never a wrong container. EarlyExecutorCommandLineTests reads with_value[]
 * and the strcmp(a, "...") names below and fails when they differ from the C# parser's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/common.h"
#include "common/raw_syscall.h"
#include "early.h"
#include "executor/executor.h"
#include "host/host.h"
#include "plan.h"
#include "startup.h"

static int g_pid = -1, g_sock = -1;

/* What the clone child reads. Static, and never written after the clone: the child shares the
 * parent's memory until its execve, while the parent goes on into .NET's start-up. */
static struct {
    int image_fd, sync_fd;
    char env[sizeof OCI_EXECUTOR_ENV + 16];
    char arg0[11], arg1[5];
    char *argv[3], *envp[2];
} g_args;
static char g_stack[16384] __attribute__((aligned(64)));

/* Non-zero while the child shares our memory: the kernel zeroes it and wakes a futex waiter when
 * the child's execve (or exit) lets go of it (CLONE_CHILD_CLEARTID). */
static volatile int g_sharing_memory;

/* Raw system calls only: the child shares the parent's thread-local storage, errno included. */
static int early_child(void *unused)
{
    (void)unused;
    long fl = raw_syscall3(SYS_fcntl, g_args.sync_fd, F_GETFD, 0);
    if (fl >= 0 && raw_syscall3(SYS_fcntl, g_args.sync_fd, F_SETFD, fl & ~FD_CLOEXEC) == 0)
        raw_syscall5(SYS_execveat, g_args.image_fd, (long)"", (long)g_args.argv, (long)g_args.envp, AT_EMPTY_PATH);
    for (;;)
        raw_syscall3(SYS_exit, 127, 0, 0);
    return 0;
}

/* The subcommand: the first word that is not an option or a global option's value. */
static int starts_a_container(int argc, char **argv)
{
    static const char *const with_value[] = { "--root", "--log", "--log-format", "--criu", "--rootless", "--cgroup-manager" };
    for (int i = 1; i < argc && argv[i]; i++) {
        const char *a = argv[i];
        if (a[0] == '-') {
            if (strchr(a, '=') == NULL)
                for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++)
                    if (strcmp(a, with_value[k]) == 0)
                        i++;
            continue;
        }
        return strcmp(a, "run") == 0 || strcmp(a, "create") == 0;
    }
    return 0;
}

void early_executor_start(int argc, char **argv)
{
    /* Unprivileged: a user namespace, hence the fork path; and no open_tree (§22). */
    if (geteuid() != 0 || !starts_a_container(argc, argv))
        return;
    int image = oci_executor_image("/proc/self/exe");
    if (image < 0)
        return;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        close(image);
        return;
    }
    g_args.image_fd = image;
    g_args.sync_fd = sv[1];
    snprintf(g_args.env, sizeof g_args.env, "%s=%c,%d", OCI_EXECUTOR_ENV, OCI_EARLY_MARK, sv[1]);
    strcpy(g_args.arg0, "ociruntime");
    strcpy(g_args.arg1, "init");
    g_args.argv[0] = g_args.arg0;
    g_args.argv[1] = g_args.arg1;
    g_args.envp[0] = g_args.env;

    /* CLONE_VM without CLONE_VFORK: the parent does not wait for the child's execve here, only
     * at the end of the constructor (early_executor_wait_exec). Every signal stays blocked in
     * the child (executor_main takes them again); nothing of .NET runs yet. */
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);
    g_sharing_memory = 1;
    int pid = clone(early_child, g_stack + sizeof g_stack, CLONE_VM | OCI_EARLY_CLONE_FLAGS | CLONE_CHILD_CLEARTID | SIGCHLD,
                    NULL, NULL, NULL, &g_sharing_memory);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pid < 0)
        g_sharing_memory = 0;
    /* The child has its own copies of both fds; closing ours leaves the image's last reference
     * (and the RCU wait of its unmount) to the child's execve, on the other core. */
    close(image);
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        return;
    }
    g_pid = pid;
    g_sock = sv[0];
}

/* .NET's start-up registers for membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED), and the
 * kernel makes that registration wait for an RCU grace period when the memory is shared with
 * another task (0.3–0.6 ms in this VM): as it is with the early executor until its execve. So
 * the constructor, after its own work, waits for that execve, which has had the meantime to
 * run on the other core. */
void early_executor_wait_exec(void)
{
    while (g_sharing_memory != 0)
        syscall(SYS_futex, &g_sharing_memory, FUTEX_WAIT, 1, NULL, NULL, 0);
}

int oci_early_executor_take(int *pid, int *sync_fd)
{
    if (g_pid < 0 || pid == NULL || sync_fd == NULL)
        return -1;
    *pid = g_pid;
    *sync_fd = g_sock;
    g_pid = g_sock = -1;
    return 0;
}

/* ---- in the early executor, before its plan ------------------------------------------------ */

static _Noreturn void early_bad_start(void)
{
    /* No sync fd to report on: stderr is all there is. */
    static const char msg[] = "ociruntime init: bad " OCI_EXECUTOR_ENV "\n";
    if (write(2, msg, sizeof msg - 1) < 0) {
    }
    _exit(1);
}

/* A message the host should not have sent: reported as the executor reports a failure before its
 * first step, on the sync socket. */
static _Noreturn void early_bad_message(int sync_fd)
{
    struct oci_msg m;
    memset(&m, 0, sizeof m);
    m.type = OCI_MSG_ERROR;
    m.arg = OCI_STEP_NONE;
    m.err = EBADMSG;
    strcpy(m.what, "receive plan");
    if (send(sync_fd, &m, sizeof m, MSG_NOSIGNAL) < 0) {
    }
    _exit(1);
}

void early_executor_main(const char *env_value)
{
    /* OCI_EARLY_MARK ",<sync fd>", as early_executor_start wrote it */
    if (env_value[0] != OCI_EARLY_MARK)
        return;
    const char *p = env_value + 1;
    long fd = 0;
    if (*p++ != ',' || *p < '0' || *p > '9')
        early_bad_start();
    for (; *p >= '0' && *p <= '9'; p++)
        if ((fd = fd * 10 + (*p - '0')) > INT_MAX)
            early_bad_start();
    if (*p != 0)
        early_bad_start();
    int sync_fd = (int)fd;

    /* The namespaces the plan starts by making, as soon as the host knows them, so that their
     * cost (a network namespace: ~0.5 ms) is paid while the host is still planning (§29). */
    uint32_t unshared = 0;
    for (;;) {
        uint32_t msg[2] = { 0, 0 };
        int plan_fd;
        ssize_t n = recvmsg_with_fd(sync_fd, msg, sizeof msg, &plan_fd);
        if (n == (ssize_t)sizeof msg && msg[0] == OCI_EARLY_UNSHARE_AHEAD && plan_fd < 0 && unshared == 0) {
            if (unshare((int)msg[1]) == 0)
                unshared = msg[1];
            continue;
        }
        if (n == 4 && msg[0] == OCI_EARLY_PLAN && plan_fd >= 0)
            executor_run(plan_fd, sync_fd, unshared);
        if (plan_fd >= 0)
            close(plan_fd);
        if (n <= 0)
            _exit(0); /* discarded: the runtime started another executor, or none */
        early_bad_message(sync_fd);
    }
}
