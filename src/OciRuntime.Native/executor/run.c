/*
 * run.c - the step loop. It decides nothing: each opcode of plan.h's list (OCI_PLAN_OPS) has a
 * handler, op_<handler>, that reads its own fields and makes the syscalls its entry names, and
 * run_step, generated from the same list, maps the one to the other.
 */
#include <errno.h>
#include <unistd.h>

#include "internal.h"
#include "plan.h"

/* SYNC and NOTIFY are the protocol alone (sync.c does the messages). */
void op_sync(struct plan_cursor *c)
{
    sync_with_host(get_u32(c));
}

void op_notify(struct plan_cursor *c)
{
    if (send_notify(get_u32(c)) < 0)
        fail("send notify");
}

/* The dispatch, generated from the list: a switch with a case per opcode, which the compiler
 * makes a jump table of relative offsets (no pointer to relocate at start-up, unlike an array of
 * function pointers). */
static void run_step(uint32_t op, struct plan_cursor *c)
{
    switch (op) {
#define OCI_OP_CASE(name, number, schema, handler) \
    case number:                                   \
        op_##handler(c);                           \
        break;
        OCI_PLAN_OPS(OCI_OP_CASE)
#undef OCI_OP_CASE
    default:
        fail_err(EBADMSG, "decode plan");
    }
}

_Noreturn void run_plan(const struct plan_info *plan)
{
    size_t off = OCI_PLAN_HEADER_SIZE;
    for (uint32_t i = 0; i < plan->step_count; i++) {
        struct plan_step st;
        g_exec.step = i;
        if (plan_next(plan, &off, &st) < 0)
            fail_err(EBADMSG, "decode plan");
        run_step(st.op, &st.payload);
    }
    _exit(0); /* a plan without EXEC (e.g. only joins and checks) just ends */
}
