/*
 * main.c - the executor's start: the plan and sync fds from the environment (or, for the early
 * executor, from startup/early.c, which received the plan on the sync socket), the plan mapped,
 * sealed-checked and validated whole, then run step by step (run.c). Called by the binary's
 * constructor (startup/entry.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "executor.h"
#include "internal.h"
#include "plan.h"

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

_Noreturn void executor_main(const char *spec)
{
    /* "<plan fd>,<sync fd>" (host/spawn.c) */
    int plan_fd, sync_fd;
    const char *p = spec;
    if (parse_fd(&p, &plan_fd) < 0 || *p++ != ',' || parse_fd(&p, &sync_fd) < 0 || *p != 0 || plan_fd == sync_fd)
        bad_start("bad " OCI_EXECUTOR_ENV);
    executor_run(plan_fd, sync_fd, 0);
}

_Noreturn void executor_run(int plan_fd, int sync_fd, uint32_t unshared)
{
    /* Started with every signal blocked (spawn_child) and every caught one back at SIG_DFL
     * (execve): reset what the runtime or its caller ignored (.NET ignores SIGPIPE, and execve
     * keeps that), then take signals again, so that `kill` reaches a created container. The
     * container's process inherits both: default dispositions and an empty mask. */
    reset_ignored_signals();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* CLOEXEC: once the user's program runs, the host sees EOF. */
    if (fcntl(sync_fd, F_SETFD, FD_CLOEXEC) < 0)
        bad_start("bad sync fd");
    g_exec.sync_fd = sync_fd;
    /* What the early executor unshared before its plan (decisions §29): the first UNSHARE step
     * takes it as done. */
    g_exec.unshared_ahead = unshared;

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
