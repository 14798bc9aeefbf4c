/*
 * creds.c - credentials: user and groups, capabilities (now and at exec), no_new_privs.
 */
#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "SET_USER and SECCOMP pass the plan's u32s in place");

#include "internal.h"
#include "plan.h"

void op_set_user(struct plan_cursor *c)
{
    uint32_t uid = get_u32(c), gid = get_u32(c), opts = get_u32(c), n = get_count(c);
    if ((size_t)n * 4 > c->left)
        fail_err(EBADMSG, "decode plan");
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        fail("prctl keepcaps");
    /* The gids are little-endian u32s in the plan, maybe unaligned: the kernel copies them as
     * bytes, so they are passed in place (gid_t is a u32; the build asserts little-endian). */
    if ((opts & OCI_USER_SETGROUPS) && syscall(SYS_setgroups, (size_t)n, c->p) < 0)
        fail("setgroups");
    if (setresgid(gid, gid, gid) < 0)
        fail("setresgid");
    if (setresuid(uid, uid, uid) < 0)
        fail("setresuid");
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        fail("prctl keepcaps");
}

/* EPERM or ENOSYS from a probe: a seccomp filter in place (the container's, or one the runtime
 * was started under) or a kernel without the call. It says nothing about what was asked. */
int probe_unknown(int err)
{
    return err == EPERM || err == ENOSYS;
}

static long capset3(uint64_t eff, uint64_t perm, uint64_t inh)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2] = {
        { (uint32_t)eff, (uint32_t)perm, (uint32_t)inh },
        { (uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32) },
    };
    return syscall(SYS_capset, &h, d);
}

/* CAPS_AT_EXEC's sets, for EXEC after the filter (caps_at_exec). */
static struct {
    int set;
    uint32_t step;
    uint64_t eff, perm, inh;
} g_caps_at_exec;

void caps_at_exec(void)
{
    if (!g_caps_at_exec.set)
        return;
    /* Only lowers what CAPS set, so the kernel's own answer is never EPERM; EPERM or ENOSYS here
     * is the container's filter, and execve derives the program's sets without these (plan.h). */
    if (capset3(g_caps_at_exec.eff, g_caps_at_exec.perm, g_caps_at_exec.inh) < 0 && !probe_unknown(errno)) {
        g_exec.step = g_caps_at_exec.step; /* the error names process.capabilities */
        fail("capset");
    }
}

void op_caps(struct plan_cursor *c)
{
    uint64_t eff = get_u64(c), perm = get_u64(c), inh = get_u64(c), ambient = get_u64(c);
    if (capset3(eff, perm, inh) < 0)
        fail("capset");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
        fail("prctl ambient clear");
    for (unsigned cap = 0; cap < 64; cap++)
        if (((ambient >> cap) & 1) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
            fail("prctl ambient raise");
}

void op_caps_bounding(struct plan_cursor *c)
{
    uint64_t keep = get_u64(c);
    for (unsigned cap = 0; cap < 64; cap++) {
        if ((keep >> cap) & 1)
            continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL)
                break; /* past the kernel's last capability */
            fail("prctl capbset drop");
        }
    }
}

void op_caps_at_exec(struct plan_cursor *c)
{
    g_caps_at_exec.eff = get_u64(c);
    g_caps_at_exec.perm = get_u64(c);
    g_caps_at_exec.inh = get_u64(c);
    g_caps_at_exec.step = g_exec.step;
    g_caps_at_exec.set = 1;
}

void op_no_new_privs(struct plan_cursor *c)
{
    (void)c;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        fail("prctl no_new_privs");
}
