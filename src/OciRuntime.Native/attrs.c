/*
 * attrs.c - process attributes the plan sets before exec: personality, I/O priority, scheduler.
 * Each is one syscall with the values the host computed.
 */
#include <errno.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

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

static uint32_t u32_or_fail(struct plan_cursor *c)
{
    uint32_t v;
    if (cur_u32(c, &v) < 0)
        fail_err(EBADMSG, "decode plan");
    return v;
}

static uint64_t u64_or_fail(struct plan_cursor *c)
{
    uint64_t v;
    if (cur_u64(c, &v) < 0)
        fail_err(EBADMSG, "decode plan");
    return v;
}

void op_personality(struct plan_cursor *c)
{
    if (personality(u32_or_fail(c)) < 0)
        fail("personality");
}

void op_ioprio(struct plan_cursor *c)
{
    if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, (int)u32_or_fail(c)) < 0)
        fail("ioprio_set");
}

void op_sched(struct plan_cursor *c)
{
    struct sched_attr_v1 a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.sched_policy = u32_or_fail(c);
    a.sched_flags = u64_or_fail(c);
    a.sched_nice = (int32_t)u32_or_fail(c);
    a.sched_priority = u32_or_fail(c);
    a.sched_runtime = u64_or_fail(c);
    a.sched_deadline = u64_or_fail(c);
    a.sched_period = u64_or_fail(c);
    if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
        fail("sched_setattr");
}
