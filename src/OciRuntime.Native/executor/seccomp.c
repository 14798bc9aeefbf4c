/*
 * seccomp.c - OCI_OP_SECCOMP: load a BPF program the host compiled (with libseccomp), now or
 * right before execve, and hand a notify listener's fd to the host.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "plan.h"

/* A filter kept for EXEC (OCI_SECCOMP_AT_EXEC). It points into the plan mapping, which stays
 * mapped until execve. */
static struct {
    const void *prog;
    uint32_t insns, flags, step;
} g_at_exec;

static int load(const void *prog, uint32_t insns, uint32_t flags)
{
    /* The plan's u32 pairs are struct sock_filter in memory (little-endian, asserted in
     * creds.c); the kernel copies the array byte-wise, so an unaligned start is fine. */
    struct sock_fprog fp = { .len = (unsigned short)insns, .filter = (struct sock_filter *)(uintptr_t)prog };
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fp);
}

void op_seccomp(struct plan_cursor *c)
{
    uint32_t flags, opts, n;
    if (cur_u32(c, &flags) < 0 || cur_u32(c, &opts) < 0 || cur_count(c, &n) < 0 || (size_t)n * 4 != c->left)
        fail_err(EBADMSG, "decode plan");
    /* An empty program or one the kernel's short length cannot carry is the host's bug. */
    if (n == 0 || n % 2 != 0 || n / 2 > BPF_MAXINSNS)
        fail_err(EINVAL, "seccomp: program size");
    int listener = (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0;
    if (opts & OCI_SECCOMP_AT_EXEC) {
        if (listener || g_at_exec.prog)
            fail_err(EINVAL, "seccomp: listener at exec");
        g_at_exec.prog = c->p;
        g_at_exec.insns = n / 2;
        g_at_exec.flags = flags;
        g_at_exec.step = g_exec.step;
        return;
    }
    int fd = load(c->p, n / 2, flags);
    if (fd < 0)
        fail("seccomp");
    if (listener) {
        if (send_fd_msg(OCI_MSG_SECCOMP_FD, g_exec.step, fd) < 0)
            fail("send seccomp fd");
        close(fd);
        wait_host_reply();
    }
}

void load_seccomp_at_exec(void)
{
    if (!g_at_exec.prog)
        return;
    if (load(g_at_exec.prog, g_at_exec.insns, g_at_exec.flags) < 0) {
        g_exec.step = g_at_exec.step; /* the error names linux.seccomp, not process.args */
        fail("seccomp");
    }
}
