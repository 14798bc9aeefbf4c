/*
 * plan_decode.h - a bounds-checked cursor over a plan (see plan.h for the format).
 *
 * The plan is validated as a whole before any step runs (plan_validate), so a half-executed
 * plan can never be the result of a malformed one. The executor then reads the fields again with
 * the same cursor functions; they cannot fail on a validated plan, but they still check.
 * No allocation: strings are returned as pointers into the plan itself (plan.h guarantees the
 * NUL terminator), and lists are walked in place.
 */
#ifndef OCI_PLAN_DECODE_H
#define OCI_PLAN_DECODE_H

#include <stddef.h>
#include <stdint.h>

#define OCI_PLAN_HEADER_SIZE 16u
#define OCI_STEP_HEADER_SIZE 8u

/* A window of bytes still to be read. Every read checks `left` first, so nothing reads past it. */
struct plan_cursor {
    const unsigned char *p;
    size_t left;
};

/* Each returns 0, or -1 (cursor unchanged) when the field does not fit or breaks the str rules. */
int cur_u32(struct plan_cursor *c, uint32_t *v);
int cur_u64(struct plan_cursor *c, uint64_t *v);
int cur_str(struct plan_cursor *c, const char **s);
/* The count of a strlist or u32list; rejects counts above OCI_PLAN_MAX_LIST. The items follow
 * and are read one by one with cur_str / cur_u32. */
int cur_count(struct plan_cursor *c, uint32_t *n);

struct plan_step {
    uint32_t op;
    struct plan_cursor payload;
};

struct plan_info {
    const unsigned char *base;
    size_t size;
    uint32_t step_count;
    size_t max_exec_ptrs; /* the most argv + envp pointers (with their NULLs) any EXEC step needs */
};

/* The payload layout of an opcode, one letter per field: u = u32, Q = u64, s = str,
 * L = strlist, U = u32list. NULL for an unknown opcode. */
const char *plan_schema(uint32_t op);

/* Checks the header and every step against plan.h. Returns 0 and fills *info, or -EBADMSG with
 * *bad_step = the index of the offending step (OCI_STEP_NONE for the header or trailing bytes). */
int plan_validate(const void *buf, size_t size, struct plan_info *info, uint32_t *bad_step);

/* Reads the step at *off (start with OCI_PLAN_HEADER_SIZE) and advances *off past it.
 * Returns 0, or -1 when the step header or payload overruns the plan. */
int plan_next(const struct plan_info *info, size_t *off, struct plan_step *st);

#endif
