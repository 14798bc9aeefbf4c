/*
 * attrs.c - process attributes the plan sets before exec: personality, I/O priority, scheduler,
 * memory policy.
 * Each is one syscall with the values the host computed.
 */
#include <errno.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "plan.h"

#define IOPRIO_WHO_PROCESS 1

/* struct sched_attr (linux/sched/types.h), SCHED_ATTR_SIZE_VER1 */
struct sched_attr_v1 {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t sched_util_min, sched_util_max;
};
_Static_assert(sizeof(struct sched_attr_v1) == 56, "SCHED_ATTR_SIZE_VER1");

void op_personality(struct plan_cursor *c)
{
    if (personality(get_u32(c)) < 0)
        fail("personality");
}

void op_ioprio(struct plan_cursor *c)
{
    if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, (int)get_u32(c)) < 0)
        fail("ioprio_set");
}

void op_sched(struct plan_cursor *c)
{
    struct sched_attr_v1 a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.sched_policy = get_u32(c);
    a.sched_flags = get_u64(c);
    a.sched_nice = (int32_t)get_u32(c);
    a.sched_priority = get_u32(c);
    a.sched_runtime = get_u64(c);
    a.sched_deadline = get_u64(c);
    a.sched_period = get_u64(c);
    if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
        fail("sched_setattr");
}

void op_mempolicy(struct plan_cursor *c)
{
    uint32_t mode = get_u32(c), n = get_count(c);
    _Static_assert(sizeof(unsigned long) == 8, "two plan words per unsigned long");
    unsigned long mask[16]; /* 1024 nodes, the kernel's largest MAX_NUMNODES on x86-64 */
    if (n > 32)
        fail_err(EINVAL, "memory policy: node mask too long");
    memset(mask, 0, sizeof mask);
    for (uint32_t i = 0; i < n; i++)
        mask[i / 2] |= (unsigned long)get_u32(c) << (32 * (i % 2));
    if (syscall(SYS_set_mempolicy, (int)mode, n ? mask : NULL, n ? 32 * (unsigned long)n + 1 : 0) < 0)
        fail("set_mempolicy");
}

