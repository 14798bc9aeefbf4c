/*
 * fields.c - reading a step's fields: each op's handler takes its fields from the cursor in the
 * order of its schema (plan.h). The plan was validated whole before the first step, so a failure
 * here means it changed since, which the seals forbid; it is still reported, not trusted.
 */
#include <errno.h>

#include "internal.h"
#include "plan.h"

/* Field readers for a validated plan: a failure here means the plan changed after validation,
 * which the seals forbid, but it is still reported rather than trusted. */
uint32_t get_u32(struct plan_cursor *c)
{
    uint32_t v;
    if (cur_u32(c, &v) < 0)
        fail_err(EBADMSG, "decode plan");
    return v;
}

uint64_t get_u64(struct plan_cursor *c)
{
    uint64_t v;
    if (cur_u64(c, &v) < 0)
        fail_err(EBADMSG, "decode plan");
    return v;
}

const char *get_str(struct plan_cursor *c)
{
    const char *s;
    if (cur_str(c, &s) < 0)
        fail_err(EBADMSG, "decode plan");
    return s;
}

uint32_t get_count(struct plan_cursor *c)
{
    uint32_t n;
    if (cur_count(c, &n) < 0)
        fail_err(EBADMSG, "decode plan");
    return n;
}

/* An argv and an envp list from the plan, NULL-terminated, into the pointer array EXEC and
 * RUN_HOOK share (sized from the plan's largest counts; checked again rather than trusted). */
void get_argv_envp(struct plan_cursor *c, const char ***argv_out, const char ***envp_out)
{
    const char **argv = g_exec.ptrs, **envp;
    uint32_t n = get_count(c);
    if ((size_t)n + 1 > g_exec.nptrs)
        fail_err(EBADMSG, "decode plan");
    for (uint32_t i = 0; i < n; i++)
        argv[i] = get_str(c);
    argv[n] = NULL;
    envp = argv + n + 1;
    size_t room = g_exec.nptrs - n - 1;
    if ((size_t)(n = get_count(c)) + 1 > room)
        fail_err(EBADMSG, "decode plan");
    for (uint32_t i = 0; i < n; i++)
        envp[i] = get_str(c);
    envp[n] = NULL;
    *argv_out = argv;
    *envp_out = envp;
}
