/*
 * plan_enc.h - a small plan encoder for the tests (the C# PlanWriter's format, see plan.h).
 * Test code only: it allocates freely and aborts on out-of-memory.
 */
#ifndef OCI_TEST_PLAN_ENC_H
#define OCI_TEST_PLAN_ENC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

struct enc {
    unsigned char *buf;
    size_t len, cap;
    uint32_t steps;
    size_t step_start; /* offset of the open step's header */
};

static inline void enc_raw(struct enc *e, const void *p, size_t n)
{
    if (e->len + n > e->cap) {
        e->cap = (e->len + n) * 2 + 64;
        e->buf = realloc(e->buf, e->cap);
        if (!e->buf)
            abort();
    }
    memcpy(e->buf + e->len, p, n);
    e->len += n;
}

static inline void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8), p[2] = (unsigned char)(v >> 16), p[3] = (unsigned char)(v >> 24);
}

static inline void enc_u32(struct enc *e, uint32_t v)
{
    unsigned char b[4];
    put32(b, v);
    enc_raw(e, b, 4);
}

static inline void enc_u64(struct enc *e, uint64_t v)
{
    enc_u32(e, (uint32_t)v);
    enc_u32(e, (uint32_t)(v >> 32));
}

static inline void enc_str(struct enc *e, const char *s)
{
    size_t n = strlen(s) + 1;
    enc_u32(e, (uint32_t)n);
    enc_raw(e, s, n);
}

/* NULL-terminated list */
static inline void enc_strlist(struct enc *e, const char *const *list)
{
    uint32_t n = 0;
    while (list[n])
        n++;
    enc_u32(e, n);
    for (uint32_t i = 0; i < n; i++)
        enc_str(e, list[i]);
}

static inline void enc_init(struct enc *e)
{
    memset(e, 0, sizeof *e);
    enc_u32(e, OCI_PLAN_MAGIC);
    enc_u32(e, OCI_PLAN_VERSION);
    enc_u32(e, 0); /* total_size, patched by enc_finish */
    enc_u32(e, 0); /* step_count */
}

static inline void step_begin(struct enc *e, uint32_t op)
{
    e->step_start = e->len;
    enc_u32(e, op);
    enc_u32(e, 0);
    e->steps++;
}

static inline void step_end(struct enc *e)
{
    put32(e->buf + e->step_start + 4, (uint32_t)(e->len - e->step_start - 8));
}

static inline size_t enc_finish(struct enc *e)
{
    put32(e->buf + 8, (uint32_t)e->len);
    put32(e->buf + 12, e->steps);
    return e->len;
}

/* ---- one helper per step ---- */
static inline void s_none(struct enc *e, uint32_t op) { step_begin(e, op); step_end(e); }
static inline void s_u32(struct enc *e, uint32_t op, uint32_t v) { step_begin(e, op); enc_u32(e, v); step_end(e); }
static inline void s_str(struct enc *e, uint32_t op, const char *s) { step_begin(e, op); enc_str(e, s); step_end(e); }

static inline void s_setns(struct enc *e, uint32_t type, const char *path)
{
    step_begin(e, OCI_OP_SETNS); enc_u32(e, type); enc_str(e, path); step_end(e);
}

static inline void s_mount(struct enc *e, const char *src, const char *tgt, const char *type, const char *data,
                           uint64_t flags, uint32_t opts)
{
    step_begin(e, OCI_OP_MOUNT);
    enc_str(e, src); enc_str(e, tgt); enc_str(e, type); enc_str(e, data); enc_u64(e, flags); enc_u32(e, opts);
    step_end(e);
}

static inline void s_propagate(struct enc *e, const char *tgt, uint64_t flags, uint32_t opts)
{
    step_begin(e, OCI_OP_PROPAGATE); enc_str(e, tgt); enc_u64(e, flags); enc_u32(e, opts); step_end(e);
}

static inline void s_remount(struct enc *e, const char *path, uint64_t flags, uint32_t opts)
{
    step_begin(e, OCI_OP_REMOUNT); enc_str(e, path); enc_u64(e, flags); enc_u32(e, opts); step_end(e);
}

static inline void s_mknod(struct enc *e, const char *path, uint32_t mode, uint32_t maj, uint32_t min, uint32_t uid,
                           uint32_t gid)
{
    step_begin(e, OCI_OP_MKNOD);
    enc_str(e, path); enc_u32(e, mode); enc_u32(e, maj); enc_u32(e, min); enc_u32(e, uid); enc_u32(e, gid);
    step_end(e);
}

static inline void s_2str(struct enc *e, uint32_t op, const char *a, const char *b)
{
    step_begin(e, op); enc_str(e, a); enc_str(e, b); step_end(e);
}

static inline void s_mkdir(struct enc *e, const char *path, uint32_t mode)
{
    step_begin(e, OCI_OP_MKDIR); enc_str(e, path); enc_u32(e, mode); step_end(e);
}

static inline void s_rlimit(struct enc *e, uint32_t res, uint64_t soft, uint64_t hard)
{
    step_begin(e, OCI_OP_RLIMIT); enc_u32(e, res); enc_u64(e, soft); enc_u64(e, hard); step_end(e);
}

static inline void s_set_user(struct enc *e, uint32_t uid, uint32_t gid, uint32_t opts, const uint32_t *gids, uint32_t n)
{
    step_begin(e, OCI_OP_SET_USER);
    enc_u32(e, uid); enc_u32(e, gid); enc_u32(e, opts); enc_u32(e, n);
    for (uint32_t i = 0; i < n; i++)
        enc_u32(e, gids[i]);
    step_end(e);
}

static inline void s_caps(struct enc *e, uint64_t eff, uint64_t perm, uint64_t inh, uint64_t amb)
{
    step_begin(e, OCI_OP_CAPS); enc_u64(e, eff); enc_u64(e, perm); enc_u64(e, inh); enc_u64(e, amb); step_end(e);
}

static inline void s_resolve_exec(struct enc *e, const char *file, const char *const *dirs)
{
    step_begin(e, OCI_OP_RESOLVE_EXEC); enc_str(e, file); enc_strlist(e, dirs); step_end(e);
}

static inline void s_exec(struct enc *e, uint32_t keep, const char *const *argv, const char *const *envp)
{
    step_begin(e, OCI_OP_EXEC); enc_u32(e, keep); enc_strlist(e, argv); enc_strlist(e, envp); step_end(e);
}

#endif
