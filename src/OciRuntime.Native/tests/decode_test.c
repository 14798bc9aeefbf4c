/*
 * decode_test.c - plan_validate on valid plans, on each kind of malformed plan, and on ~20k
 * random mutations of a valid one (built with ASan/UBSan: any out-of-bounds read aborts).
 */
#include <errno.h>
#include <stdio.h>

#include "executor/plan_decode.h"
#include "plan_enc.h"

static int passed, failed;

#define CHECK(cond, ...)                                                                                   \
    do {                                                                                                   \
        if (cond) {                                                                                        \
            passed++;                                                                                      \
        } else {                                                                                           \
            failed++;                                                                                      \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                                   \
            printf(__VA_ARGS__);                                                                           \
            printf("\n");                                                                                  \
        }                                                                                                  \
    } while (0)

/* Validates a copy in a buffer of exactly `n` bytes, so ASan sees any read past the end. */
static int validate(const unsigned char *p, size_t n, struct plan_info *info, uint32_t *bad)
{
    unsigned char *copy = malloc(n ? n : 1);
    memcpy(copy, p, n);
    struct plan_info local;
    int r = plan_validate(copy, n, info ? info : &local, bad);
    /* After success, read every field the way the executor does, touching every string byte. */
    if (r == 0) {
        struct plan_info *pi = info ? info : &local;
        size_t off = OCI_PLAN_HEADER_SIZE;
        for (uint32_t i = 0; i < pi->step_count; i++) {
            struct plan_step st;
            if (plan_next(pi, &off, &st) < 0)
                abort();
            const char *schema = plan_schema(st.op), *s;
            uint32_t u, cnt;
            uint64_t q;
            volatile size_t sink = 0;
            for (; *schema; schema++) {
                int bad_read = 0;
                switch (*schema) {
                case 'u': bad_read = cur_u32(&st.payload, &u); break;
                case 'Q': bad_read = cur_u64(&st.payload, &q); break;
                case 's': bad_read = cur_str(&st.payload, &s); if (!bad_read) sink += strlen(s); break;
                case 'L':
                    bad_read = cur_count(&st.payload, &cnt);
                    for (uint32_t k = 0; !bad_read && k < cnt; k++)
                        if (!(bad_read = cur_str(&st.payload, &s)))
                            sink += strlen(s);
                    break;
                case 'U':
                    bad_read = cur_count(&st.payload, &cnt);
                    for (uint32_t k = 0; !bad_read && k < cnt; k++)
                        bad_read = cur_u32(&st.payload, &u);
                    break;
                }
                if (bad_read)
                    abort(); /* validated but unreadable: a decoder bug */
            }
            if (st.payload.left != 0)
                abort();
            (void)sink;
        }
        if (off != n)
            abort();
    }
    free(copy);
    return r;
}

/* A plan with one step of every opcode. */
static size_t build_full(struct enc *e)
{
    static const char *const argv[] = { "sh", "-c", "echo hi", NULL };
    static const char *const envp[] = { "PATH=/bin", "HOME=/root", NULL };
    static const char *const dirs[] = { "/usr/bin", "/bin", NULL };
    static const uint32_t gids[] = { 1, 2, 3 };
    enc_init(e);
    s_setns(e, 0x40000000, "/proc/1/ns/net");
    s_u32(e, OCI_OP_UNSHARE, 0x20000000);
    s_none(e, OCI_OP_FORK);
    s_u32(e, OCI_OP_SYNC, 1);
    s_u32(e, OCI_OP_NOTIFY, 1);
    s_str(e, OCI_OP_SETHOSTNAME, "host");
    s_str(e, OCI_OP_SETDOMAINNAME, "domain");
    s_str(e, OCI_OP_OPEN_ROOT, "/rootfs");
    s_mount(e, "proc", "/proc", "proc", "", 0, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKDIR);
    s_propagate(e, "/", 0x80000 | 0x4000, 0);
    s_mknod(e, "/dev/null", 0x2000 | 0666, 1, 3, 0, 0);
    s_2str(e, OCI_OP_SYMLINK, "/proc/self/fd", "/dev/fd");
    s_mkdir(e, "/a/b", 0755);
    s_none(e, OCI_OP_PIVOT_ROOT);
    s_none(e, OCI_OP_MOVE_ROOT);
    s_remount(e, "/", 1, OCI_MNT_TARGET_IN_ROOT);
    s_2str(e, OCI_OP_MASK, "/proc/kcore", "/dev/null");
    s_str(e, OCI_OP_CHDIR, "/");
    s_u32(e, OCI_OP_UMASK, 022);
    s_rlimit(e, 7, 1024, 4096);
    s_none(e, OCI_OP_SETSID);
    s_none(e, OCI_OP_NO_NEW_PRIVS);
    step_begin(e, OCI_OP_CAPS_BOUNDING); enc_u64(e, ~0ull); step_end(e);
    s_set_user(e, 1000, 1000, OCI_USER_SETGROUPS, gids, 3);
    s_caps(e, 1, 2, 3, 4);
    s_str(e, OCI_OP_OPEN_FIFO, "/run/fifo");
    s_none(e, OCI_OP_RELEASE_CODE);
    step_begin(e, OCI_OP_CAPS_AT_EXEC); enc_u64(e, 1); enc_u64(e, 2); enc_u64(e, 3); step_end(e);
    s_none(e, OCI_OP_WAIT_FIFO);
    s_resolve_exec(e, "sh", dirs);
    s_exec(e, 3, argv, envp);
    s_2str(e, OCI_OP_WRITE_PROC, "/proc/sys/net/ipv4/ip_forward", "1");
    /* seccomp: flags, opts, a 2-instruction program as u32 pairs (ld arch; ret allow) */
    step_begin(e, OCI_OP_SECCOMP); enc_u32(e, 8); enc_u32(e, OCI_SECCOMP_AT_EXEC); enc_u32(e, 4);
    enc_u32(e, 0x20); enc_u32(e, 4); enc_u32(e, 0x06); enc_u32(e, 0x7fff0000); step_end(e);
    s_u32(e, OCI_OP_PERSONALITY, 8);
    s_u32(e, OCI_OP_IOPRIO, 2u << 13 | 4);
    step_begin(e, OCI_OP_SCHED); enc_u32(e, 3); enc_u64(e, 1); enc_u32(e, 5); enc_u32(e, 0);
    enc_u64(e, 0); enc_u64(e, 0); enc_u64(e, 0); step_end(e);
    s_str(e, OCI_OP_TIMENS_OFFSETS, "monotonic 1 0\n");
    return enc_finish(e);
}

/* A plan of one step whose payload is given raw. */
static size_t build_one(struct enc *e, uint32_t op, const void *payload, size_t n)
{
    enc_init(e);
    step_begin(e, op);
    enc_raw(e, payload, n);
    step_end(e);
    return enc_finish(e);
}

static void expect_bad(const char *name, const unsigned char *p, size_t n, uint32_t want_step)
{
    uint32_t bad = 12345;
    int r = validate(p, n, NULL, &bad);
    CHECK(r == -EBADMSG, "%s: accepted (r=%d)", name, r);
    CHECK(bad == want_step, "%s: bad step %u, want %u", name, bad, want_step);
}

static void test_valid(void)
{
    struct enc e;
    size_t n = build_full(&e);
    struct plan_info info;
    uint32_t bad;
    CHECK(validate(e.buf, n, &info, &bad) == 0, "full plan rejected at step %u", bad);
    CHECK(info.step_count == e.steps, "step_count %u, want %u", info.step_count, e.steps);
    CHECK(info.max_exec_ptrs == 4 + 3, "max_exec_ptrs %zu", info.max_exec_ptrs);
    free(e.buf);

    enc_init(&e);
    n = enc_finish(&e);
    CHECK(validate(e.buf, n, &info, &bad) == 0 && info.step_count == 0, "empty plan rejected");
    free(e.buf);

    /* Lists may be empty. */
    static const char *const none[] = { NULL };
    enc_init(&e);
    s_exec(&e, 3, none, none);
    s_set_user(&e, 0, 0, 0, NULL, 0);
    n = enc_finish(&e);
    CHECK(validate(e.buf, n, &info, &bad) == 0 && info.max_exec_ptrs == 2, "empty lists rejected");
    free(e.buf);
}

static void test_header(void)
{
    struct enc e;
    size_t n = build_full(&e);
    unsigned char *p = e.buf;

    put32(p, 0x4E4C5044);
    expect_bad("bad magic", p, n, OCI_STEP_NONE);
    put32(p, OCI_PLAN_MAGIC);

    put32(p + 4, 2);
    expect_bad("bad version", p, n, OCI_STEP_NONE);
    put32(p + 4, OCI_PLAN_VERSION);

    put32(p + 8, (uint32_t)n + 1);
    expect_bad("total_size too big", p, n, OCI_STEP_NONE);
    put32(p + 8, (uint32_t)n - 1);
    expect_bad("total_size too small", p, n, OCI_STEP_NONE);
    put32(p + 8, (uint32_t)n);

    expect_bad("shorter than a header", p, 15, OCI_STEP_NONE);
    expect_bad("empty buffer", p, 0, OCI_STEP_NONE);

    /* build_full has one step per opcode: counted by the encoder, so new opcodes need no edit here. */
    uint32_t all = e.steps;
    put32(p + 12, all + 1);
    expect_bad("more steps than present", p, n, all);
    put32(p + 12, all - 1);
    expect_bad("fewer steps than present (trailing bytes)", p, n, OCI_STEP_NONE);
    put32(p + 12, 0xFFFFFFFF);
    expect_bad("step_count 0xFFFFFFFF", p, n, OCI_STEP_NONE);
    put32(p + 12, all);

    /* Step 0's payload_size made to reach past the plan, by one and by a wrapping amount. */
    uint32_t size0 = (uint32_t)(p[20] | p[21] << 8);
    put32(p + 20, (uint32_t)(n - 24 + 1));
    expect_bad("step overruns plan", p, n, 0);
    put32(p + 20, 0xFFFFFFFF);
    expect_bad("step size 0xFFFFFFFF", p, n, 0);
    put32(p + 20, 0xFFFFFFF8);
    expect_bad("step size wrapping", p, n, 0);
    put32(p + 20, size0);
    free(e.buf);

    /* Bytes after the last step. */
    enc_init(&e);
    s_none(&e, OCI_OP_FORK);
    enc_u32(&e, 0);
    n = enc_finish(&e);
    expect_bad("trailing bytes after last step", e.buf, n, OCI_STEP_NONE);
    free(e.buf);
}

static void test_fields(void)
{
    struct enc e;
    size_t n;
    unsigned char b[64];

    /* str rules, on SETHOSTNAME (payload: one str) */
    put32(b, 3); memcpy(b + 4, "abc", 3);
    n = build_one(&e, OCI_OP_SETHOSTNAME, b, 7); expect_bad("str without NUL", e.buf, n, 0); free(e.buf);
    put32(b, 4); memcpy(b + 4, "a\0b", 4);
    n = build_one(&e, OCI_OP_SETHOSTNAME, b, 8); expect_bad("str with interior NUL", e.buf, n, 0); free(e.buf);
    put32(b, 0);
    n = build_one(&e, OCI_OP_SETHOSTNAME, b, 4); expect_bad("str length 0", e.buf, n, 0); free(e.buf);
    put32(b, 9); memcpy(b + 4, "abc", 4);
    n = build_one(&e, OCI_OP_SETHOSTNAME, b, 8); expect_bad("str longer than payload", e.buf, n, 0); free(e.buf);
    put32(b, 0xFFFFFFFF); memcpy(b + 4, "abc", 4);
    n = build_one(&e, OCI_OP_SETHOSTNAME, b, 8); expect_bad("str length 0xFFFFFFFF", e.buf, n, 0); free(e.buf);
    put32(b, 4); memcpy(b + 4, "abc", 4); memcpy(b + 8, "xy", 2);
    n = build_one(&e, OCI_OP_SETHOSTNAME, b, 10); expect_bad("trailing bytes in step", e.buf, n, 0); free(e.buf);
    n = build_one(&e, OCI_OP_SETHOSTNAME, b, 2); expect_bad("str length cut", e.buf, n, 0); free(e.buf);

    /* fixed fields */
    n = build_one(&e, OCI_OP_UNSHARE, b, 3); expect_bad("u32 cut", e.buf, n, 0); free(e.buf);
    n = build_one(&e, OCI_OP_CAPS_BOUNDING, b, 7); expect_bad("u64 cut", e.buf, n, 0); free(e.buf);
    n = build_one(&e, OCI_OP_FORK, b, 1); expect_bad("payload on a no-field step", e.buf, n, 0); free(e.buf);

    /* huge counts: EXEC (u32 keep, strlist, strlist) and SET_USER (.., u32list) */
    put32(b, 3); put32(b + 4, 0xFFFFFFFF);
    n = build_one(&e, OCI_OP_EXEC, b, 8); expect_bad("strlist count 0xFFFFFFFF", e.buf, n, 0); free(e.buf);
    put32(b, 3); put32(b + 4, OCI_PLAN_MAX_LIST + 1);
    n = build_one(&e, OCI_OP_EXEC, b, 8); expect_bad("strlist count over limit", e.buf, n, 0); free(e.buf);
    put32(b, 3); put32(b + 4, 2); put32(b + 8, 2); memcpy(b + 12, "a", 2); put32(b + 14, 0);
    n = build_one(&e, OCI_OP_EXEC, b, 18); expect_bad("strlist with fewer items", e.buf, n, 0); free(e.buf);
    put32(b, 0); put32(b + 4, 0); put32(b + 8, 0); put32(b + 12, 0x40000001);
    n = build_one(&e, OCI_OP_SET_USER, b, 20); expect_bad("u32list count*4 wraps 32 bits", e.buf, n, 0); free(e.buf);
    put32(b + 12, 0xFFFFFFFF);
    n = build_one(&e, OCI_OP_SET_USER, b, 20); expect_bad("u32list count 0xFFFFFFFF", e.buf, n, 0); free(e.buf);
    put32(b + 12, 2);
    n = build_one(&e, OCI_OP_SET_USER, b, 20); expect_bad("u32list with fewer items", e.buf, n, 0); free(e.buf);

    /* unknown opcodes */
    n = build_one(&e, 0, b, 0); expect_bad("opcode 0", e.buf, n, 0); free(e.buf);
    n = build_one(&e, 31, b, 0); expect_bad("opcode 31", e.buf, n, 0); free(e.buf);
    n = build_one(&e, 0xFFFFFFFF, b, 0); expect_bad("opcode 0xFFFFFFFF", e.buf, n, 0); free(e.buf);

    /* the failing step's index is reported, not just "bad" */
    enc_init(&e);
    s_none(&e, OCI_OP_FORK);
    s_none(&e, OCI_OP_SETSID);
    s_u32(&e, 99, 0);
    n = enc_finish(&e);
    expect_bad("bad third step", e.buf, n, 2);
    free(e.buf);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static void test_fuzz(void)
{
    struct enc e;
    size_t base_n = build_full(&e);
    static const uint32_t interesting[] = { 0, 1, 2, 3, 4, 7, 8, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF8,
                                            0xFFFFFFFC, 65536, 65537, 0x40000000 };
    unsigned accepted = 0;
    const int iterations = 20000;
    for (int it = 0; it < iterations; it++) {
        size_t n = base_n;
        unsigned char *p = malloc(base_n + 64);
        memcpy(p, e.buf, base_n);
        int muts = 1 + (int)(next_rand() % 4);
        for (int m = 0; m < muts; m++) {
            if (n == 0)
                break;
            size_t at = next_rand() % n;
            switch (next_rand() % 6) {
            case 0: p[at] ^= (unsigned char)(1u << (next_rand() % 8)); break;
            case 1: p[at] = (unsigned char)next_rand(); break;
            case 2:
                if (at + 4 <= n)
                    put32(p + at, interesting[next_rand() % (sizeof interesting / sizeof *interesting)]);
                break;
            case 3: n = at; break; /* truncate */
            case 4: { /* append junk */
                size_t k = next_rand() % 16;
                for (size_t i = 0; i < k && n < base_n + 64; i++)
                    p[n++] = (unsigned char)next_rand();
                break;
            }
            case 5: p[at] = 0; break;
            }
        }
        /* Often keep total_size consistent so the mutation reaches the steps. */
        if (n >= 12 && next_rand() % 2)
            put32(p + 8, (uint32_t)n);
        uint32_t bad;
        struct plan_info info;
        int r = validate(p, n, &info, &bad);
        if (r == 0)
            accepted++;
        else if (r != -EBADMSG)
            abort();
        free(p);
    }
    free(e.buf);
    printf("fuzz: %d mutated plans, %u still valid, no out-of-bounds read\n", iterations, accepted);
    CHECK(accepted < (unsigned)iterations, "every mutation was accepted");
}

int main(void)
{
    test_valid();
    test_header();
    test_fields();
    test_fuzz();
    printf("decode_test: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
