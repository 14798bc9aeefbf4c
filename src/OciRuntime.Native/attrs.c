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
