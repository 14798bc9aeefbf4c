/*
 * process.c - the process's place and identity: namespaces (SETNS, UNSHARE, FORK), host and
 * domain names, rlimits, umask, session.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "plan.h"

void op_setns(struct plan_cursor *c)
{
    uint32_t nstype = get_u32(c);
    const char *path = get_str(c);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fail("open namespace");
    if (setns(fd, (int)nstype) < 0)
        fail("setns");
    close(fd);
}

/* fork() semantics with CLONE_PARENT, so the host (our parent) can wait for the new init. The
 * child waits until the parent has reported its pid: the host must learn the init's pid before
 * any message the init itself sends. */
void op_fork(struct plan_cursor *c)
{
    (void)c;
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        fail("pipe2");
    long pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0)
        fail("clone");
    if (pid > 0) {
        close(p[0]);
        if (send_msg(OCI_MSG_PID, (uint32_t)pid, 0, NULL) == 0 && write(p[1], "", 1) != 1)
            _exit(1);
        _exit(0);
    }
    close(p[1]);
    char b;
    ssize_t n;
    do
        n = read(p[0], &b, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1)
        _exit(1); /* the parent could not tell the host: it will see the error or EOF */
    close(p[0]);
}

void op_unshare(struct plan_cursor *c)
{
    /* What was unshared before the plan (executor_run's unshared: the early executor's, decisions
     * §29) counts for the first UNSHARE step only; the host asked for it only for a plan that
     * starts with exactly that (after CLOSE_FDS). */
    uint32_t flags = get_u32(c) & ~g_exec.unshared_ahead;
    g_exec.unshared_ahead = 0;
    if (flags != 0 && unshare((int)flags) < 0)
        fail("unshare");
}

void op_sethostname(struct plan_cursor *c)
{
    const char *name = get_str(c);
    if (sethostname(name, strlen(name)) < 0)
        fail("sethostname");
}

void op_setdomainname(struct plan_cursor *c)
{
    const char *name = get_str(c);
    if (setdomainname(name, strlen(name)) < 0)
        fail("setdomainname");
}

void op_umask(struct plan_cursor *c)
{
    umask((mode_t)get_u32(c));
}

void op_rlimit(struct plan_cursor *c)
{
    uint32_t resource = get_u32(c);
    struct rlimit rl;
    rl.rlim_cur = get_u64(c);
    rl.rlim_max = get_u64(c);
    if (prlimit(0, (__rlimit_resource_t)resource, &rl, NULL) < 0)
        fail("prlimit");
}

void op_setsid(struct plan_cursor *c)
{
    (void)c;
    if (setsid() < 0)
        fail("setsid");
}
