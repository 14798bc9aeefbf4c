/*
 * executor.c - the step interpreter. It decides nothing: each opcode of plan.h maps to the
 * syscalls it names, in the order the plan gives. Mount and path work lives in mounts.c/paths.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"
#include "plan.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "SET_USER passes the plan's u32 gids in place");

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

static const char *get_str(struct plan_cursor *c)
{
    const char *s;
    if (cur_str(c, &s) < 0)
        fail_err(EBADMSG, "decode plan");
    return s;
}

static uint32_t get_count(struct plan_cursor *c)
{
    uint32_t n;
    if (cur_count(c, &n) < 0)
        fail_err(EBADMSG, "decode plan");
    return n;
}

static void op_setns(uint32_t nstype, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        fail("open namespace");
    if (setns(fd, (int)nstype) < 0)
        fail("setns");
    close(fd);
}

/* fork() semantics with CLONE_PARENT, so the host (our parent) can wait for the new init. The
 * child waits until the parent has reported its pid: the host must learn the init's pid before
 * any message the init itself sends. */
static void op_fork(void)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        fail("pipe2");
    long pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0)
        fail("clone");
    if (pid > 0) {
        close(p[0]);
        if (send_msg(OCI_MSG_PID, (uint32_t)pid, 0, NULL) == 0 && write(p[1], "", 1) != 1)
            _exit(1);
        _exit(0);
    }
    close(p[1]);
    char b;
    ssize_t n;
    do
        n = read(p[0], &b, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1)
        _exit(1); /* the parent could not tell the host: it will see the error or EOF */
    close(p[0]);
}

static void op_mknod(const char *path, uint32_t mode, uint32_t major, uint32_t minor, uint32_t uid,
                     uint32_t gid)
{
    char buf[PATH_MAX];
    const char *name;
    int dir = open_parent(path, buf, &name);
    if (mknodat(dir, name, (mode_t)mode, makedev(major, minor)) < 0) {
        if (errno != EEXIST)
            fail("mknodat");
        /* runtime-spec: an existing file at the path that is not the requested device is an
         * error. Type and device number are compared; mode and owner are the file's own. */
        struct stat st;
        if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            fail("fstatat existing device");
        int is_dev = S_ISCHR(mode) || S_ISBLK(mode);
        if ((st.st_mode & S_IFMT) != (mode & S_IFMT) ||
            (is_dev && (major(st.st_rdev) != major || minor(st.st_rdev) != minor)))
            fail_err(EEXIST, "mknod: a different file exists at the path");
    } else {
        /* Set explicitly: mknod's mode went through the umask. Through an O_PATH fd of the node,
         * checked to be the node just made: a name looked up again (fchmodat follows symlinks)
         * could be a symlink swapped in meanwhile, and the chmod would land on its target. */
        int node = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (node < 0)
            fail("open new node");
        struct stat st;
        if (fstat(node, &st) < 0)
            fail("fstat new node");
        if ((st.st_mode & S_IFMT) != (mode & S_IFMT) || ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) &&
                                                         st.st_rdev != makedev(major, minor)))
            fail_err(EEXIST, "new node replaced");
        if (fchownat(node, "", uid, gid, AT_EMPTY_PATH) < 0)
            fail("fchownat");
        /* fchmodat2(AT_EMPTY_PATH) where the kernel has it (6.6), else the fd's /proc link. */
        if (syscall(452 /* fchmodat2 */, node, "", mode & 07777, AT_EMPTY_PATH) < 0) {
            char link[32];
            fd_path(link, node);
            if (chmod(link, mode & 07777) < 0)
                fail("fchmodat");
        }
        close(node);
    }
    close(dir);
}

static void op_symlink(const char *content, const char *path)
{
    char buf[PATH_MAX];
    const char *name;
    int dir = open_parent(path, buf, &name);
    if (symlinkat(content, dir, name) < 0 && errno != EEXIST)
        fail("symlinkat");
    close(dir);
}

static void op_chdir(const char *path)
{
    if (chdir(path) < 0)
        fail("chdir");
    /* A cwd inherited from outside the root shows as "(unreachable)/..." (CVE-2024-21626). The
     * raw syscall is used because glibc's getcwd hides that form behind ENOENT. */
    char cwd[PATH_MAX];
    if (syscall(SYS_getcwd, cwd, sizeof cwd) < 0 || cwd[0] != '/')
        fail_err(ESTALE, "cwd outside root");
}

static void op_set_user(struct plan_cursor *c)
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

static void op_mempolicy(struct plan_cursor *c)
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

/* EPERM or ENOSYS from a probe: a seccomp filter in place (the container's, or one the runtime
 * was started under) or a kernel without the call. It says nothing about what was asked. */
static int probe_unknown(int err)
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

/* CAPS_AT_EXEC's sets, for EXEC after the filter. */
static struct {
    int set;
    uint32_t step;
    uint64_t eff, perm, inh;
} g_caps_at_exec;

static void caps_at_exec(void)
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

static void op_caps(uint64_t eff, uint64_t perm, uint64_t inh, uint64_t ambient)
{
    if (capset3(eff, perm, inh) < 0)
        fail("capset");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
        fail("prctl ambient clear");
    for (unsigned cap = 0; cap < 64; cap++)
        if (((ambient >> cap) & 1) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
            fail("prctl ambient raise");
}

static void op_caps_bounding(uint64_t keep)
{
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

/* 0 when path is a regular file we may execute, or when a probe could not tell (execve will);
 * else the reason (an errno). */
static int check_program(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return probe_unknown(errno) ? 0 : errno;
    if (!S_ISREG(st.st_mode))
        return EACCES;
    /* glibc sends this as faccessat2, which older filters do not list. */
    if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0)
        return probe_unknown(errno) ? 0 : errno;
    return 0;
}

static void set_program(const char *path)
{
    size_t n = strlen(path);
    if (n >= sizeof g_exec.program)
        fail_err(ENAMETOOLONG, "exec: program path");
    memcpy(g_exec.program, path, n + 1);
}

static void op_resolve_exec(const char *file, struct plan_cursor *c)
{
    int err;
    if (strchr(file, '/')) {
        if ((err = check_program(file)) != 0)
            fail_err(err, err == ENOENT ? "exec: program not found"
                          : err == EACCES ? "exec: program not executable" : "exec: check program");
        set_program(file);
        return;
    }
    /* As execvp: the first executable match wins; a match we may not run is EACCES only when
     * nothing later is runnable. */
    int denied = 0;
    size_t flen = strlen(file);
    for (uint32_t i = 0, n = get_count(c); i < n; i++) {
        const char *dir = get_str(c);
        size_t dlen = strlen(dir);
        char path[PATH_MAX];
        if (dlen + 1 + flen >= sizeof path)
            continue;
        memcpy(path, dir, dlen);
        path[dlen] = '/';
        memcpy(path + dlen + 1, file, flen + 1);
        if ((err = check_program(path)) == 0) {
            set_program(path);
            return;
        }
        denied |= err == EACCES;
    }
    fail_err(denied ? EACCES : ENOENT, denied ? "exec: program not executable" : "exec: program not found");
}

void reset_signal_handlers(void)
{
    /* The raw syscall, because glibc refuses its two internal signals (32, 33), and a parent may
     * have left even those ignored. All-zero is SIG_DFL, no flags, empty mask, on every arch. */
    static const unsigned long dfl[4];
    for (int sig = 1; sig < _NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            syscall(SYS_rt_sigaction, sig, dfl, NULL, _NSIG / 8);
}

void reset_ignored_signals(void)
{
    /* One read of SigIgn instead of a syscall per signal; all of them if /proc cannot say. */
    char buf[4096];
    int fd = open("/proc/thread-self/status", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0)
        close(fd);
    const char *p = NULL;
    if (n > 0) {
        buf[n] = 0;
        p = strstr(buf, "\nSigIgn:\t");
    }
    if (p == NULL) {
        reset_signal_handlers();
        return;
    }
    unsigned long long ign = strtoull(p + 9, NULL, 16);
    static const unsigned long dfl[4];
    for (int sig = 1; sig <= 64; sig++)
        if ((ign >> (sig - 1)) & 1)
            syscall(SYS_rt_sigaction, sig, dfl, NULL, _NSIG / 8);
}

static void close_range_or_loop(unsigned lo, unsigned hi)
{
    if (syscall(SYS_close_range, lo, hi, 0) == 0)
        return;
    struct rlimit rl;
    rlim_t max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (1u << 20) ? rl.rlim_cur : (1u << 20);
    for (rlim_t fd = lo; fd < max && fd <= hi; fd++)
        close((int)fd);
}

void close_fds_except(uint32_t from, const int *held, size_t n)
{
    /* held is tiny: sort a copy, then close the gaps between its fds. */
    int k[OCI_HELD_FDS_MAX];
    size_t m = 0;
    for (size_t i = 0; i < n && m < OCI_HELD_FDS_MAX; i++)
        if (held[i] >= 0 && (uint32_t)held[i] >= from)
            k[m++] = held[i];
    for (size_t i = 1; i < m; i++)
        for (size_t j = i; j > 0 && k[j - 1] > k[j]; j--) {
            int t = k[j];
            k[j] = k[j - 1];
            k[j - 1] = t;
        }
    unsigned lo = from;
    for (size_t i = 0; i < m; i++) {
        if ((unsigned)k[i] > lo)
            close_range_or_loop(lo, (unsigned)k[i] - 1);
        lo = (unsigned)k[i] + 1;
    }
    close_range_or_loop(lo, ~0U);
}

/* CLOSE_FDS: every inherited fd the container is not given goes at once, so that nothing of the
 * host (a directory the caller leaked) stays reachable through /proc/<init>/fd while the init
 * waits for `start`; the fds the executor holds by now are kept. */
static void op_close_fds(uint32_t keep)
{
    int held[OCI_HELD_FDS_MAX];
    size_t n = 0;
    held[n++] = g_exec.sync_fd;
    held[n++] = g_exec.root_fd;
    held[n++] = g_exec.fifo_fd;
    held[n++] = g_exec.console_sock;
    held[n++] = g_exec.pty_peer;
    held[n++] = g_exec.proc_fd;
    held[n++] = g_exec.hook_state_fd;
    n += idmap_held_fds(held + n, OCI_HELD_FDS_MAX - n);
    close_fds_except(keep, held, n);
}

static size_t append(char *buf, size_t len, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n > cap - 1 - len)
        n = cap - 1 - len;
    memcpy(buf + len, s, n);
    buf[len + n] = 0;
    return len + n;
}

/* An argv and an envp list from the plan, NULL-terminated, into the pointer array EXEC and
 * RUN_HOOK share (sized from the plan's largest counts; checked again rather than trusted). */
static void get_argv_envp(struct plan_cursor *c, const char ***argv_out, const char ***envp_out)
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

static void run_hook(struct plan_cursor *c)
{
    const char *label = get_str(c), *path = get_str(c);
    const char **argv, **envp;
    get_argv_envp(c, &argv, &envp);
    op_run_hook(label, path, argv, envp, get_u32(c));
}

static _Noreturn void op_exec(struct plan_cursor *c)
{
    uint32_t keep = get_u32(c);
    const char **argv, **envp;
    get_argv_envp(c, &argv, &envp);

    /* Signals: executor_main left every disposition at SIG_DFL and the mask empty, and nothing
     * in the executor changes either. Every fd the program is not given is closed now, not only
     * marked close-on-exec: execve resolves its path before it closes those, so a leaked
     * directory fd would let "/proc/self/fd/N/..." run a host binary (CVE-2024-21626). Only the
     * sync socket stays (close-on-exec since executor_main), to report a failed execve. */
    close_fds_except(keep, &g_exec.sync_fd, 1);
    /* Last before execve: the container's filter then sees only capset and execve of the
     * executor's calls (and the report below if execve fails). */
    load_seccomp_at_exec();
    caps_at_exec();

    const char *path = g_exec.program[0] ? g_exec.program : argv[0];
    if (path)
        execve(path, (char *const *)argv, (char *const *)envp);
    int err = path ? errno : EFAULT;
    send_msg(OCI_MSG_ERROR, g_exec.step, err, "execve");
    char line[PATH_MAX + 128];
    const char *desc = strerrordesc_np(err);
    size_t len = append(line, 0, sizeof line, "ociruntime: exec ");
    len = append(line, len, sizeof line, path ? path : "(no program)");
    len = append(line, len, sizeof line, ": ");
    len = append(line, len, sizeof line, desc ? desc : "unknown error");
    len = append(line, len, sizeof line, "\n");
    if (write(2, line, len) < 0) {
    }
    _exit(127);
}

/* Writes value in one write(2) to fd, after checking that fd is a procfs file (a mount or a
 * symlink must not redirect the write); closes fd. what names the file in errors. */
void write_procfs(int fd, const char *value, const char *what_fstatfs, const char *what_write)
{
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0)
        fail(what_fstatfs);
    if (sf.f_type != PROC_SUPER_MAGIC)
        fail_err(EPERM, "verify procfs");
    size_t len = strlen(value);
    ssize_t w = write(fd, value, len);
    if (w < 0)
        fail(what_write);
    if ((size_t)w != len)
        fail_err(EIO, what_write);
    close(fd);
}

/* OPEN_PROCFS: the procfs that WRITE_PROC writes through, one nothing of the container's config
 * has been (or can be) mounted on. */
static void op_open_procfs(uint32_t how)
{
    int fd;
    if (how == OCI_PROCFS_NEW) {
        int fs = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
        if (fs < 0)
            fail("fsopen proc");
        if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
            fail("fsconfig proc");
        fd = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (fd < 0)
            fail("fsmount proc");
        close(fs);
    } else if (how == OCI_PROCFS_CURRENT) {
        fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            fail("open /proc");
    } else
        fail_err(EINVAL, "procfs source");
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0)
        fail("fstatfs procfs");
    if (sf.f_type != PROC_SUPER_MAGIC)
        fail_err(EPERM, "verify procfs");
    if (g_exec.proc_fd >= 0)
        close(g_exec.proc_fd);
    g_exec.proc_fd = fd;
}

/* WRITE_PROC: path is relative to the procfs of OPEN_PROCFS and is walked without crossing a mount
 * or following any symlink, so no mount (a config's, or one a shared volume propagates) and no
 * link can send the value to another file (CVE-2019-19921, CVE-2025-52881). Only a leading "self"
 * or "thread-self", procfs' own links, is read and replaced by its target first. */
static void op_write_proc(const char *path, const char *value)
{
    if (g_exec.proc_fd < 0)
        fail_err(EBADF, "no procfs opened");
    char buf[PATH_MAX];
    const char *p = path;
    size_t first = strcspn(path, "/");
    if ((first == 4 && strncmp(path, "self", 4) == 0) || (first == 11 && strncmp(path, "thread-self", 11) == 0)) {
        char link[12];
        memcpy(link, path, first);
        link[first] = 0;
        ssize_t n = readlinkat(g_exec.proc_fd, link, buf, sizeof buf - 1);
        if (n < 0)
            fail("readlink procfs self");
        size_t rest = strlen(path + first);
        if ((size_t)n + rest >= sizeof buf)
            fail_err(ENAMETOOLONG, "proc file path");
        memcpy(buf + n, path + first, rest + 1);
        p = buf;
    }
    struct open_how how = {
        .flags = O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    int fd;
    do
        fd = (int)syscall(SYS_openat2, g_exec.proc_fd, p, &how, sizeof how);
    while (fd < 0 && (errno == EAGAIN || errno == EINTR));
    if (fd < 0)
        fail("openat2 proc file");
    write_procfs(fd, value, "fstatfs proc file", "write proc file");
}

/* The time namespace's offsets can be set only while no process is in it: the executor unshared it
 * (which moves only its children) and writes its own file before it forks. The file is reached
 * from /proc through the "self" link and checked to be procfs, so a mount over /proc cannot
 * redirect the write. */
static void op_timens_offsets(const char *offsets)
{
    int self = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (self < 0)
        fail("open /proc/self");
    int fd = openat(self, "timens_offsets", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    close(self);
    if (fd < 0)
        fail("open timens_offsets");
    write_procfs(fd, offsets, "fstatfs timens_offsets", "write timens_offsets");
}

static void run_step(uint32_t op, struct plan_cursor *c)
{
    const char *s1, *s2, *s3, *s4;
    uint32_t u1, u2, u3, u4, u5;
    uint64_t q1, q2, q3, q4;
    /* Fields are read into locals first: the order of evaluation of call arguments is unspecified. */
    switch (op) {
    case OCI_OP_SETNS:
        u1 = get_u32(c);
        op_setns(u1, get_str(c));
        break;
    case OCI_OP_UNSHARE:
        /* What an early executor was told to unshare ahead (decisions §29) counts for the first
         * UNSHARE step only; the host sent it only for a plan that starts with exactly that
         * (after CLOSE_FDS). */
        u1 = get_u32(c) & ~g_exec.unshared_ahead;
        g_exec.unshared_ahead = 0;
        if (u1 != 0 && unshare((int)u1) < 0)
            fail("unshare");
        break;
    case OCI_OP_FORK:
        op_fork();
        break;
    case OCI_OP_SYNC:
        sync_with_host(get_u32(c));
        break;
    case OCI_OP_NOTIFY:
        if (send_notify(get_u32(c)) < 0)
            fail("send notify");
        break;
    case OCI_OP_SETHOSTNAME:
        s1 = get_str(c);
        if (sethostname(s1, strlen(s1)) < 0)
            fail("sethostname");
        break;
    case OCI_OP_SETDOMAINNAME:
        s1 = get_str(c);
        if (setdomainname(s1, strlen(s1)) < 0)
            fail("setdomainname");
        break;
    case OCI_OP_OPEN_ROOT: {
        int fd = open(get_str(c), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            fail("open root");
        if (g_exec.root_fd >= 0)
            close(g_exec.root_fd);
        g_exec.root_fd = fd;
        break;
    }
    case OCI_OP_MOUNT:
        s1 = get_str(c), s2 = get_str(c), s3 = get_str(c), s4 = get_str(c);
        q1 = get_u64(c);
        op_mount(s1, s2, s3, s4, q1, get_u32(c));
        break;
    case OCI_OP_PROPAGATE:
        s1 = get_str(c);
        q1 = get_u64(c);
        op_propagate(s1, q1, get_u32(c));
        break;
    case OCI_OP_MKNOD:
        s1 = get_str(c);
        u1 = get_u32(c), u2 = get_u32(c), u3 = get_u32(c), u4 = get_u32(c), u5 = get_u32(c);
        op_mknod(s1, u1, u2, u3, u4, u5);
        break;
    case OCI_OP_SYMLINK:
        s1 = get_str(c);
        op_symlink(s1, get_str(c));
        break;
    case OCI_OP_MKDIR:
        s1 = get_str(c);
        close(mkdir_all(s1, (mode_t)get_u32(c)));
        break;
    case OCI_OP_PIVOT_ROOT:
        op_pivot_root();
        break;
    case OCI_OP_MOVE_ROOT:
        op_move_root();
        break;
    case OCI_OP_REMOUNT:
        s1 = get_str(c);
        q1 = get_u64(c);
        op_remount(s1, q1, get_u32(c));
        break;
    case OCI_OP_MOUNT_SETATTR:
        s1 = get_str(c);
        q1 = get_u64(c), q2 = get_u64(c);
        op_mount_setattr(s1, q1, q2, get_u32(c));
        break;
    case OCI_OP_MASK:
        s1 = get_str(c);
        op_mask(s1, get_str(c));
        break;
    case OCI_OP_CHDIR:
        op_chdir(get_str(c));
        break;
    case OCI_OP_UMASK:
        umask((mode_t)get_u32(c));
        break;
    case OCI_OP_RLIMIT: {
        u1 = get_u32(c);
        q1 = get_u64(c), q2 = get_u64(c);
        struct rlimit rl = { q1, q2 };
        if (prlimit(0, (__rlimit_resource_t)u1, &rl, NULL) < 0)
            fail("prlimit");
        break;
    }
    case OCI_OP_SETSID:
        if (setsid() < 0)
            fail("setsid");
        break;
    case OCI_OP_NO_NEW_PRIVS:
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
            fail("prctl no_new_privs");
        break;
    case OCI_OP_CAPS_BOUNDING:
        op_caps_bounding(get_u64(c));
        break;
    case OCI_OP_SET_USER:
        op_set_user(c);
        break;
    case OCI_OP_CAPS:
        q1 = get_u64(c), q2 = get_u64(c), q3 = get_u64(c), q4 = get_u64(c);
        op_caps(q1, q2, q3, q4);
        break;
    case OCI_OP_MEMPOLICY:
        op_mempolicy(c);
        break;
    case OCI_OP_OPEN_PROCFS:
        op_open_procfs(get_u32(c));
        break;
    case OCI_OP_CLOSE_FDS:
        op_close_fds(get_u32(c));
        break;
    case OCI_OP_RELEASE_CODE:
        g_exec.release_code = 1; /* done by the wait that follows, which must stay mapped */
        break;
    case OCI_OP_CAPS_AT_EXEC:
        g_caps_at_exec.eff = get_u64(c);
        g_caps_at_exec.perm = get_u64(c);
        g_caps_at_exec.inh = get_u64(c);
        g_caps_at_exec.step = g_exec.step;
        g_caps_at_exec.set = 1;
        break;
    case OCI_OP_OPEN_FIFO:
        if ((g_exec.fifo_fd = open(get_str(c), O_RDWR | O_CLOEXEC)) < 0)
            fail("open exec fifo");
        break;
    case OCI_OP_WAIT_FIFO: {
        char b;
        ssize_t n;
        if (g_exec.release_code)
            n = read_fifo_released(g_exec.fifo_fd, &b);
        else
            do
                n = read(g_exec.fifo_fd, &b, 1);
            while (n < 0 && errno == EINTR);
        if (n < 0)
            fail("read exec fifo");
        /* Kept open (O_CLOEXEC): `start` waits for this last writer of the fifo to go, which is
         * the execve (or the end of the executor). */
        g_exec.fifo_reports = 1; /* kept open: `start` learns from it how the rest went */
        break;
    }
    case OCI_OP_RECV_HOOK_STATE:
        op_recv_hook_state(get_u32(c));
        break;
    case OCI_OP_RUN_HOOK:
        run_hook(c);
        break;
    case OCI_OP_RESOLVE_EXEC:
        s1 = get_str(c);
        op_resolve_exec(s1, c);
        break;
    case OCI_OP_EXEC:
        op_exec(c); /* never returns */
    case OCI_OP_WRITE_PROC:
        s1 = get_str(c);
        op_write_proc(s1, get_str(c));
        break;
    case OCI_OP_SECCOMP:
        op_seccomp(c);
        break;
    case OCI_OP_PERSONALITY:
        op_personality(c);
        break;
    case OCI_OP_IOPRIO:
        op_ioprio(c);
        break;
    case OCI_OP_SCHED:
        op_sched(c);
        break;
    case OCI_OP_RECV_CONSOLE:
        op_recv_console(get_u32(c));
        break;
    case OCI_OP_CREATE_PTY:
        s1 = get_str(c);
        u1 = get_u32(c), u2 = get_u32(c);
        op_create_pty(s1, u1, u2);
        break;
    case OCI_OP_BIND_CONSOLE:
        op_bind_console(get_str(c));
        break;
    case OCI_OP_SET_CTTY:
        op_set_ctty();
        break;
    case OCI_OP_TIMENS_OFFSETS:
        op_timens_offsets(get_str(c));
        break;
    case OCI_OP_USERNS_FROM_MAPS:
        u1 = get_u32(c);
        s1 = get_str(c);
        op_userns_from_maps(u1, s1, get_str(c));
        break;
    case OCI_OP_USERNS_FROM_PATH:
        u1 = get_u32(c);
        op_userns_from_path(u1, get_str(c));
        break;
    case OCI_OP_IDMAP_TREE:
        op_idmap_tree(c);
        break;
    case OCI_OP_ATTACH_TREE:
        op_attach_tree(c);
        break;
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
