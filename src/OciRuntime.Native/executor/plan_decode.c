/*
 * plan_decode.c - validation of a plan and a cursor to read its fields.
 *
 * Every length is compared with what is left before it is used, never added to a pointer first:
 * `n > left` cannot overflow, `p + n > end` can (runc's CVE-2021-43784 was a length that wrapped).
 */
#include "plan_decode.h"

#include <errno.h>
#include <string.h>

#include "plan.h"

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int cur_u32(struct plan_cursor *c, uint32_t *v)
{
    if (c->left < 4)
        return -1;
    *v = le32(c->p);
    c->p += 4;
    c->left -= 4;
    return 0;
}

int cur_u64(struct plan_cursor *c, uint64_t *v)
{
    if (c->left < 8)
        return -1;
    *v = (uint64_t)le32(c->p) | (uint64_t)le32(c->p + 4) << 32;
    c->p += 8;
    c->left -= 8;
    return 0;
}

int cur_str(struct plan_cursor *c, const char **s)
{
    struct plan_cursor t = *c;
    uint32_t n;
    if (cur_u32(&t, &n) < 0 || n == 0 || n > t.left)
        return -1;
    /* The last byte is the terminator and the only NUL: the string is usable in place. */
    if (t.p[n - 1] != 0 || memchr(t.p, 0, n - 1) != NULL)
        return -1;
    *s = (const char *)t.p;
    c->p = t.p + n;
    c->left = t.left - n;
    return 0;
}

int cur_count(struct plan_cursor *c, uint32_t *n)
{
    struct plan_cursor t = *c;
    if (cur_u32(&t, n) < 0 || *n > OCI_PLAN_MAX_LIST)
        return -1;
    *c = t;
    return 0;
}

/* Generated from plan.h's one opcode list: "+" and the schema per opcode, "" for a number that
 * is none (characters, not pointers: nothing to relocate at start-up). */
static const char g_schemas[][10] = {
#define OCI_OP_SCHEMA(name, number, schema, handler) [number] = "+" schema,
    OCI_PLAN_OPS(OCI_OP_SCHEMA)
#undef OCI_OP_SCHEMA
};

const char *plan_schema(uint32_t op)
{
    return op < sizeof g_schemas / sizeof *g_schemas && g_schemas[op][0] ? g_schemas[op] + 1 : NULL;
}

int plan_next(const struct plan_info *info, size_t *off, struct plan_step *st)
{
    if (*off > info->size || info->size - *off < OCI_STEP_HEADER_SIZE)
        return -1;
    const unsigned char *h = info->base + *off;
    uint32_t size = le32(h + 4);
    size_t rest = info->size - *off - OCI_STEP_HEADER_SIZE;
    if (size > rest)
        return -1;
    st->op = le32(h);
    st->payload.p = h + OCI_STEP_HEADER_SIZE;
    st->payload.left = size;
    *off += OCI_STEP_HEADER_SIZE + size;
    return 0;
}

/* Reads every field the schema names; the payload must be used up exactly. Counts the pointers an
 * EXEC needs (each list plus its NULL). */
static int check_payload(const char *schema, struct plan_cursor c, size_t *ptrs)
{
    uint32_t u, n;
    uint64_t q;
    const char *s;
    *ptrs = 0;
    for (; *schema; schema++) {
        switch (*schema) {
        case 'u':
            if (cur_u32(&c, &u) < 0)
                return -1;
            break;
        case 'Q':
            if (cur_u64(&c, &q) < 0)
                return -1;
            break;
        case 's':
            if (cur_str(&c, &s) < 0)
                return -1;
            break;
        case 'L':
            if (cur_count(&c, &n) < 0)
                return -1;
            for (uint32_t i = 0; i < n; i++)
                if (cur_str(&c, &s) < 0)
                    return -1;
            *ptrs += (size_t)n + 1;
            break;
        case 'U':
            if (cur_count(&c, &n) < 0 || (size_t)n * 4 > c.left)
                return -1;
            c.p += (size_t)n * 4;
            c.left -= (size_t)n * 4;
            break;
        default:
            return -1;
        }
    }
    return c.left == 0 ? 0 : -1;
}

int plan_validate(const void *buf, size_t size, struct plan_info *info, uint32_t *bad_step)
{
    struct plan_cursor h = { buf, size };
    uint32_t magic, version, total, count;
    *bad_step = OCI_STEP_NONE;
    if (buf == NULL || size > OCI_PLAN_MAX_SIZE || cur_u32(&h, &magic) < 0 || cur_u32(&h, &version) < 0 ||
        cur_u32(&h, &total) < 0 || cur_u32(&h, &count) < 0)
        return -EBADMSG;
    if (magic != OCI_PLAN_MAGIC || version != OCI_PLAN_VERSION || total != size || count > OCI_PLAN_MAX_STEPS)
        return -EBADMSG;

    info->base = buf;
    info->size = size;
    info->step_count = count;
    info->max_exec_ptrs = 0;
    size_t off = OCI_PLAN_HEADER_SIZE, ptrs;
    for (uint32_t i = 0; i < count; i++) {
        struct plan_step st;
        const char *schema;
        *bad_step = i;
        if (plan_next(info, &off, &st) < 0 || (schema = plan_schema(st.op)) == NULL ||
            check_payload(schema, st.payload, &ptrs) < 0)
            return -EBADMSG;
        if ((st.op == OCI_OP_EXEC || st.op == OCI_OP_RUN_HOOK) && ptrs > info->max_exec_ptrs)
            info->max_exec_ptrs = ptrs;
    }
    *bad_step = OCI_STEP_NONE;
    return off == size ? 0 : -EBADMSG; /* bytes after the last step */
}
