/*
 * e2e_test.c - the executor for real. This driver is linked with libociexec.a, so its own binary
 * carries the executor's constructor: oci_spawn_executor("/proc/self/exe", ...) re-executes it as
 * "ociruntime init" and the plan runs there, exactly as in the .NET binary.
 *
 * Container scenarios need root (they unshare namespaces) and are skipped otherwise. Everything
 * they mount happens in the executor's new mount namespace and goes away with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/host.h"
#include "plan_enc.h"
#include "startup/early.h"

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

#define MAX_MSGS 16

struct result {
    int nmsgs;
    struct oci_msg msgs[MAX_MSGS];
    char out[8192]; /* the program's stdout */
    pid_t spawned, init;
    int spawned_status, init_status;
};

static char tmpdir[64], rootfs[128], fifo[160];
static int capture_stderr; /* the program's stderr goes to r->out too */

#define TAG_START 42 /* on NOTIFY(TAG_START) the driver writes the exec fifo, as `start` does */

/* What the driver answers to OCI_MSG_IDMAP_SOURCE, as the C# host would from its plan's step. */
static struct {
    const char *source;
    uint64_t propagation;
    uint32_t opts;
    int failed_op, err; /* of the last request */
} idmap_request;

/* recvmsg of one message with at most one fd (SCM_RIGHTS); bytes or -1; *fd -1 when none came */
static ssize_t recv_with_fd(int sock, struct oci_msg *m, int *fd)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = { m, sizeof *m };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
    *fd = -1;
    ssize_t k = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    struct cmsghdr *c = k > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
        memcpy(fd, CMSG_DATA(c), sizeof *fd);
    return k;
}

/* The host's answer to OCI_MSG_IDMAP_SOURCE: the tree from oci_idmap_source, or ABORT. */
static int answer_idmap_source(int sock, pid_t init, int userns)
{
    int tree = oci_idmap_source(init, userns, idmap_request.source, idmap_request.propagation, idmap_request.opts,
                                &idmap_request.failed_op);
    close(userns);
    uint32_t reply = tree >= 0 ? OCI_REPLY_OK : OCI_REPLY_ABORT;
    idmap_request.err = tree >= 0 ? 0 : -tree;
    if (tree < 0)
        return send(sock, &reply, sizeof reply, 0) == sizeof reply ? 0 : -1;
    int r = oci_send_fd(sock, tree, reply);
    close(tree);
    return r;
}

/* Runs a plan through oci_spawn_executor and collects everything: messages (SYNC answered with
 * `reply`), the program's stdout, the exit statuses of the spawned process and of the init. */
static int run(struct enc *e, int seal, uint32_t reply, struct result *r)
{
    size_t n = enc_finish(e);
    memset(r, 0, sizeof *r);
    r->spawned_status = r->init_status = -1;
    int plan = memfd_create("plan", MFD_CLOEXEC | MFD_ALLOW_SEALING), sv[2], out[2];
    if (plan < 0 || write(plan, e->buf, n) != (ssize_t)n)
        return -1;
    if (seal && fcntl(plan, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
        return -1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 || pipe2(out, O_CLOEXEC) < 0)
        return -1;
    fflush(stdout);
    int saved = fcntl(1, F_DUPFD_CLOEXEC, 10);
    int saved_err = fcntl(2, F_DUPFD_CLOEXEC, 10);
    dup2(out[1], 1); /* the child's stdout; dup2 leaves fd 1 without CLOEXEC */
    if (capture_stderr)
        dup2(out[1], 2);
    r->spawned = oci_spawn_executor("/proc/self/exe", plan, sv[1]);
    dup2(saved, 1);
    dup2(saved_err, 2);
    close(saved);
    close(saved_err);
    close(out[1]);
    close(plan);
    close(sv[1]);
    if (r->spawned < 0) {
        close(sv[0]);
        close(out[0]);
        return -1;
    }
    r->init = r->spawned;
    for (;;) {
        struct oci_msg m;
        int passed_fd;
        ssize_t k = recv_with_fd(sv[0], &m, &passed_fd);
        if (k <= 0)
            break;
        if (k != sizeof m || r->nmsgs == MAX_MSGS)
            return -1;
        r->msgs[r->nmsgs++] = m;
        if (m.type == OCI_MSG_IDMAP_SOURCE && passed_fd >= 0 && answer_idmap_source(sv[0], r->init, passed_fd) < 0)
            return -1;
        else if (passed_fd >= 0 && m.type != OCI_MSG_IDMAP_SOURCE)
            close(passed_fd);
        if (m.type == OCI_MSG_PID)
            r->init = (pid_t)m.arg;
        if (m.type == OCI_MSG_SYNC && send(sv[0], &reply, sizeof reply, 0) != sizeof reply)
            return -1;
        if (m.type == OCI_MSG_NOTIFY && m.arg == TAG_START) {
            int f = open(fifo, O_WRONLY | O_CLOEXEC);
            if (f < 0 || write(f, "0", 1) != 1)
                return -1;
            close(f);
        }
    }
    close(sv[0]);
    size_t len = 0;
    ssize_t k;
    while (len < sizeof r->out - 1 && (k = read(out[0], r->out + len, sizeof r->out - 1 - len)) > 0)
        len += (size_t)k;
    r->out[len] = 0;
    close(out[0]);
    int st;
    pid_t p;
    while ((p = waitpid(-1, &st, __WALL)) > 0) {
        if (p == r->spawned)
            r->spawned_status = st;
        if (p == r->init)
            r->init_status = st;
    }
    free(e->buf);
    return 0;
}

static int exited(int status, int code) { return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code; }

static const struct oci_msg *find_msg(const struct result *r, uint32_t type)
{
    for (int i = 0; i < r->nmsgs; i++)
        if (r->msgs[i].type == type)
            return &r->msgs[i];
    return NULL;
}

/* Expects exactly one ERROR, for step `step`, with errno `err` and operation `what`. */
static void expect_error(const char *name, const struct result *r, uint32_t step, int err, const char *what)
{
    const struct oci_msg *m = find_msg(r, OCI_MSG_ERROR);
    CHECK(m != NULL, "%s: no error message", name);
    if (m) {
        CHECK(m->arg == step, "%s: step %u, want %u", name, m->arg, step);
        CHECK(m->err == err, "%s: errno %d (%s), want %d", name, m->err, strerror(m->err), err);
        CHECK(strcmp(m->what, what) == 0, "%s: what \"%s\", want \"%s\"", name, m->what, what);
    }
    CHECK(exited(r->spawned_status, 1), "%s: exit status %#x, want 1", name, r->spawned_status);
}

/* ---- plans that need no privilege ---- */

static void test_errors(void)
{
    struct enc e;
    struct result r;

    enc_init(&e);
    s_u32(&e, OCI_OP_NOTIFY, 5);
    s_setns(&e, CLONE_NEWNET, "/nonexistent/ns/net");
    s_u32(&e, OCI_OP_NOTIFY, 6);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "setns: run");
    CHECK(r.nmsgs == 2 && r.msgs[0].type == OCI_MSG_NOTIFY && r.msgs[0].arg == 5, "setns: notify first");
    expect_error("setns", &r, 1, ENOENT, "open namespace");

    enc_init(&e);
    s_u32(&e, OCI_OP_NOTIFY, 5);
    e.buf[0] ^= 1; /* bad magic: nothing may run, not even the NOTIFY */
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "bad plan: run");
    CHECK(r.nmsgs == 1, "bad plan: %d messages", r.nmsgs);
    expect_error("bad plan", &r, OCI_STEP_NONE, EBADMSG, "decode plan");

    enc_init(&e);
    s_u32(&e, OCI_OP_NOTIFY, 5);
    s_u32(&e, OCI_OP_NOTIFY, 6);
    s_u32(&e, 77, 0); /* a bad step after good ones: still nothing runs */
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "bad step: run");
    CHECK(r.nmsgs == 1, "bad step: %d messages", r.nmsgs);
    expect_error("bad step", &r, 2, EBADMSG, "decode plan");

    enc_init(&e);
    s_u32(&e, OCI_OP_NOTIFY, 5);
    CHECK(run(&e, 0, OCI_REPLY_OK, &r) == 0, "unsealed: run");
    expect_error("unsealed", &r, OCI_STEP_NONE, EPERM, "plan not sealed");

    enc_init(&e);
    s_u32(&e, OCI_OP_SYNC, 9);
    s_u32(&e, OCI_OP_NOTIFY, 10);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "sync ok: run");
    CHECK(r.nmsgs == 2 && r.msgs[0].type == OCI_MSG_SYNC && r.msgs[0].arg == 9 && r.msgs[1].type == OCI_MSG_NOTIFY &&
              r.msgs[1].arg == 10, "sync ok: messages");
    CHECK(exited(r.spawned_status, 0), "sync ok: status %#x", r.spawned_status);

    enc_init(&e);
    s_u32(&e, OCI_OP_SYNC, 9);
    s_u32(&e, OCI_OP_NOTIFY, 10);
    CHECK(run(&e, 1, OCI_REPLY_ABORT, &r) == 0, "sync abort: run");
    CHECK(r.nmsgs == 1 && r.msgs[0].type == OCI_MSG_SYNC, "sync abort: %d messages", r.nmsgs);
    CHECK(exited(r.spawned_status, 1), "sync abort: status %#x", r.spawned_status);

    static const char *const nowhere[] = { "/nonexistent", "/also/not", NULL };
    enc_init(&e);
    s_resolve_exec(&e, "no-such-program", nowhere);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "resolve: run");
    expect_error("resolve missing", &r, 0, ENOENT, "exec: program not found");

    static const char *const etc[] = { "/etc", NULL };
    enc_init(&e);
    s_resolve_exec(&e, "passwd", etc);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "resolve: run");
    expect_error("resolve not executable", &r, 0, EACCES, "exec: program not executable");

    enc_init(&e);
    s_mkdir(&e, "/x", 0755); /* before OPEN_ROOT: no root to resolve in */
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "no root: run");
    expect_error("no root", &r, 0, EBADF, "openat2 root");

    /* A program that runs: no namespaces, just exec on the host. */
    static const char *const bin[] = { "/usr/bin", "/bin", NULL };
    static const char *const argv[] = { "echo", "hello", NULL };
    static const char *const envp[] = { NULL };
    enc_init(&e);
    s_resolve_exec(&e, "echo", bin);
    s_exec(&e, 3, argv, envp);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "echo: run");
    CHECK(r.nmsgs == 0, "echo: %d messages (first type %u err %d what %s)", r.nmsgs, r.msgs[0].type, r.msgs[0].err,
          r.msgs[0].what);
    CHECK(strcmp(r.out, "hello\n") == 0, "echo: output \"%s\"", r.out);
    CHECK(exited(r.spawned_status, 0), "echo: status %#x", r.spawned_status);

    /* execve failing after the checks (not an ELF/script): reported, exit 127 */
    static const char *const dev[] = { "/dev/null", NULL };
    enc_init(&e);
    s_exec(&e, 3, dev, envp);
    capture_stderr = 1;
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "execve: run");
    capture_stderr = 0;
    CHECK(strcmp(r.out, "ociruntime: exec /dev/null: Permission denied\n") == 0, "execve: stderr \"%s\"", r.out);
    const struct oci_msg *m = find_msg(&r, OCI_MSG_ERROR);
    CHECK(m && m->arg == 0 && m->err == EACCES && strcmp(m->what, "execve") == 0, "execve: error message");
    CHECK(exited(r.spawned_status, 127), "execve: status %#x", r.spawned_status);

    /* The exec fifo: the program runs only after the driver wrote it. */
    static const char *const started[] = { "/bin/echo", "started", NULL };
    snprintf(fifo, sizeof fifo, "/tmp/ociexec-fifo-%d", (int)getpid());
    CHECK(mkfifo(fifo, 0600) == 0, "mkfifo: %s", strerror(errno));
    enc_init(&e);
    s_str(&e, OCI_OP_OPEN_FIFO, fifo);
    s_resolve_exec(&e, started[0], bin);
    s_u32(&e, OCI_OP_NOTIFY, TAG_START);
    s_none(&e, OCI_OP_WAIT_FIFO);
    s_exec(&e, 3, started, envp);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "fifo: run");
    CHECK(strcmp(r.out, "started\n") == 0 && exited(r.spawned_status, 0), "fifo: output \"%s\"", r.out);
    unlink(fifo);

    /* A bad executable path fails the spawn itself. */
    int plan = memfd_create("plan", MFD_CLOEXEC), sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
    int rc = oci_spawn_executor("/nonexistent/ociruntime", plan, sv[1]);
    CHECK(rc == -ENOENT, "spawn of a missing exe: %d", rc);
    CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "spawn of a missing exe left a child");
    close(plan);
    close(sv[0]);
    close(sv[1]);
}

/* ---- containers (root) ---- */

static int copy_file(const char *from, const char *to, mode_t mode)
{
    int in = open(from, O_RDONLY | O_CLOEXEC), out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    char buf[65536];
    ssize_t k;
    if (in < 0 || out < 0)
        return -1;
    while ((k = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)k) != k)
            return -1;
    close(in);
    return close(out);
}

static int make_rootfs(void)
{
    static const char *const applets[] = { "sh", "ls", "cat", "grep", "hostname", "stat", "test", "readlink", "wc",
                                           "awk", "touch", NULL };
    char p[256];
    strcpy(tmpdir, "/tmp/ociexec-test-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(rootfs, sizeof rootfs, "%s/rootfs", tmpdir);
    snprintf(p, sizeof p, "%s/bin", rootfs);
    if (mkdir(rootfs, 0755) < 0 || mkdir(p, 0755) < 0)
        return -1;
    snprintf(p, sizeof p, "%s/bin/busybox", rootfs);
    if (copy_file("/bin/busybox", p, 0755) < 0)
        return -1;
    for (int i = 0; applets[i]; i++) {
        snprintf(p, sizeof p, "%s/bin/%s", rootfs, applets[i]);
        if (symlink("busybox", p) < 0)
            return -1;
    }
    /* Symlinks that point out of the rootfs if resolved on the host. */
    snprintf(p, sizeof p, "%s/escape", rootfs);
    if (symlink("../../..", p) < 0)
        return -1;
    snprintf(p, sizeof p, "%s/abs", rootfs);
    if (symlink("/", p) < 0)
        return -1;
    snprintf(p, sizeof p, "%s/plainfile", rootfs);
    if (copy_file("/etc/hostname", p, 0644) < 0)
        return -1;
    snprintf(p, sizeof p, "%s/hostfile", tmpdir);
    return copy_file("/etc/hostname", p, 0644);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* The start of every container plan: namespaces, the rootfs as a mount, its root fd. */
static void container_start(struct enc *e, uint32_t ns)
{
    enc_init(e);
    s_u32(e, OCI_OP_UNSHARE, ns);
    if (ns & CLONE_NEWPID)
        s_none(e, OCI_OP_FORK);
    if (ns & CLONE_NEWUTS)
        s_str(e, OCI_OP_SETHOSTNAME, "ocitest");
    s_propagate(e, "/", MS_SLAVE | MS_REC, 0);
    s_mount(e, rootfs, rootfs, "", "", MS_BIND | MS_REC, 0);
    s_str(e, OCI_OP_OPEN_ROOT, rootfs);
}

static const char *const path_env[] = { "PATH=/bin", NULL };
static const char *const bin_dirs[] = { "/bin", NULL };

/* proc, pivot_root, cwd, find the program, exec it. */
static void container_finish(struct enc *e, const char *const *argv)
{
    s_mount(e, "proc", "/proc", "proc", "", MS_NOSUID | MS_NODEV | MS_NOEXEC, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKDIR);
    s_none(e, OCI_OP_PIVOT_ROOT);
    s_str(e, OCI_OP_CHDIR, "/");
    s_resolve_exec(e, argv[0], bin_dirs);
    s_u32(e, OCI_OP_NOTIFY, 1);
    s_exec(e, 3, argv, path_env);
}

static void test_hostname_pid1(void)
{
    struct enc e;
    struct result r;
    static const char *const argv[] = { "sh", "-c", "echo $(hostname) $$", NULL };
    container_start(&e, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWIPC);
    container_finish(&e, argv);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "pid1: run");
    const struct oci_msg *pid = find_msg(&r, OCI_MSG_PID), *err = find_msg(&r, OCI_MSG_ERROR);
    CHECK(err == NULL, "pid1: error at step %u: %s: %s", err ? err->arg : 0, err ? err->what : "",
          err ? strerror(err->err) : "");
    CHECK(pid != NULL && r.nmsgs >= 2 && r.msgs[0].type == OCI_MSG_PID, "pid1: PID message first");
    CHECK(r.msgs[r.nmsgs - 1].type == OCI_MSG_NOTIFY && r.msgs[r.nmsgs - 1].arg == 1, "pid1: NOTIFY last");
    CHECK(strcmp(r.out, "ocitest 1\n") == 0, "pid1: output \"%s\"", r.out);
    CHECK(exited(r.spawned_status, 0), "pid1: spawned status %#x", r.spawned_status);
    CHECK(r.init != r.spawned && exited(r.init_status, 0), "pid1: init status %#x", r.init_status);
}

static int host_exists(const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "/%s-%d", name, (int)getpid());
    struct stat st;
    return lstat(p, &st) == 0 || errno != ENOENT;
}

static int rootfs_exists(const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s-%d", rootfs, name, (int)getpid());
    struct stat st;
    return lstat(p, &st) == 0;
}

static void test_symlink_escape(void)
{
    struct enc e;
    struct result r;
    char dir[64], mnt[64], node[64], link[64], file[64], src[128], script[256];
    int me = (int)getpid();
    snprintf(dir, sizeof dir, "/escape/PWN-dir-%d/sub", me);
    snprintf(mnt, sizeof mnt, "/abs/PWN-mnt-%d", me);
    snprintf(node, sizeof node, "/escape/PWN-node-%d", me);
    snprintf(link, sizeof link, "/abs/escape/PWN-link-%d", me);
    snprintf(file, sizeof file, "/escape/PWN-file-%d", me);
    snprintf(src, sizeof src, "%s/hostfile", tmpdir);
    snprintf(script, sizeof script, "ls -d /PWN-*; grep -c ' /PWN-mnt-%d ' /proc/self/mountinfo", me);
    const char *argv[] = { "sh", "-c", script, NULL };

    container_start(&e, CLONE_NEWNS);
    s_mkdir(&e, dir, 0755);
    s_mount(&e, "tmpfs", mnt, "tmpfs", "mode=755,size=65536k", 0, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKDIR);
    s_mknod(&e, node, S_IFCHR | 0666, 1, 3, 0, 0);
    s_2str(&e, OCI_OP_SYMLINK, "bin", link);
    s_mknod(&e, node, S_IFCHR | 0666, 1, 3, 0, 0); /* both again: an existing node or link is left alone */
    s_2str(&e, OCI_OP_SYMLINK, "bin", link);
    s_mount(&e, src, file, "", "", MS_BIND, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKLIKE_SOURCE);
    container_finish(&e, argv);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "escape: run");
    const struct oci_msg *err = find_msg(&r, OCI_MSG_ERROR);
    CHECK(err == NULL, "escape: error at step %u: %s: %s", err ? err->arg : 0, err ? err->what : "",
          err ? strerror(err->err) : "");
    char want[512];
    snprintf(want, sizeof want, "/PWN-dir-%d\n/PWN-file-%d\n/PWN-link-%d\n/PWN-mnt-%d\n/PWN-node-%d\n1\n", me, me, me,
             me, me);
    CHECK(strcmp(r.out, want) == 0, "escape: inside the container:\n%s\nwant:\n%s", r.out, want);
    static const char *const names[] = { "PWN-dir", "PWN-mnt", "PWN-node", "PWN-link", "PWN-file" };
    for (int i = 0; i < 5; i++) {
        CHECK(!host_exists(names[i]), "escape: /%s-%d exists on the host", names[i], me);
        CHECK(rootfs_exists(names[i]), "escape: %s-%d missing in the rootfs", names[i], me);
    }
}

static void test_full_container(void)
{
    struct enc e;
    struct result r;
    static const char *const argv[] = {
        "sh", "-c",
        "hostname; stat -c '%F %a %t:%T' /dev/null; readlink /dev/fd; wc -c < /proc/version; ls /proc/fs | wc -l;"
        "awk '$5 == \"/proc/sys\" || $5 == \"/\" { split($6, o, \",\"); print $5, o[1], $7 ~ /^shared:/ }'"
        " /proc/self/mountinfo;"
        "pwd",
        NULL,
    };
    container_start(&e, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS);
    s_u32(&e, OCI_OP_OPEN_PROCFS, OCI_PROCFS_NEW);
    s_mount(&e, "tmpfs", "/dev", "tmpfs", "mode=755,size=65536k", MS_NOSUID, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKDIR);
    s_mknod(&e, "/dev/null", S_IFCHR | 0666, 1, 3, 0, 0);
    s_2str(&e, OCI_OP_SYMLINK, "/proc/self/fd", "/dev/fd");
    s_mount(&e, "proc", "/proc", "proc", "", MS_NOSUID | MS_NODEV | MS_NOEXEC, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKDIR);
    /* CVE-2025-52881's redirection: another procfs file bound over the one WRITE_PROC writes. The
     * write goes through the executor's own procfs, so it still sets the hostname. */
    s_mount(&e, "/proc/sys/kernel/domainname", "/proc/sys/kernel/hostname", "", "", MS_BIND,
            OCI_MNT_SOURCE_IN_ROOT | OCI_MNT_TARGET_IN_ROOT);
    s_propagate(&e, "/dev", MS_PRIVATE, OCI_MNT_TARGET_IN_ROOT);
    s_none(&e, OCI_OP_PIVOT_ROOT);
    s_propagate(&e, "/", MS_SHARED | MS_REC, OCI_MNT_TARGET_IN_ROOT);
    s_2str(&e, OCI_OP_WRITE_PROC, "sys/kernel/hostname", "viaproc");
    s_mount(&e, "/proc/sys", "/proc/sys", "", "", MS_BIND | MS_REC | MS_RDONLY,
            OCI_MNT_SOURCE_IN_ROOT | OCI_MNT_TARGET_IN_ROOT | OCI_MNT_REMOUNT | OCI_MNT_IGNORE_MISSING);
    s_mount(&e, "/nope", "/nope", "", "", MS_BIND | MS_REC | MS_RDONLY,
            OCI_MNT_SOURCE_IN_ROOT | OCI_MNT_TARGET_IN_ROOT | OCI_MNT_REMOUNT | OCI_MNT_IGNORE_MISSING);
    s_2str(&e, OCI_OP_MASK, "/proc/version", "/dev/null");
    s_2str(&e, OCI_OP_MASK, "/proc/fs", "/dev/null");
    s_2str(&e, OCI_OP_MASK, "/proc/does-not-exist", "/dev/null");
    s_remount(&e, "/", MS_RDONLY, OCI_MNT_TARGET_IN_ROOT);
    s_str(&e, OCI_OP_CHDIR, "/bin");
    s_resolve_exec(&e, argv[0], bin_dirs);
    s_exec(&e, 3, argv, path_env);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "full: run");
    const struct oci_msg *err = find_msg(&r, OCI_MSG_ERROR);
    CHECK(err == NULL, "full: error at step %u: %s: %s", err ? err->arg : 0, err ? err->what : "",
          err ? strerror(err->err) : "");
    const char *want = "viaproc\ncharacter special file 666 1:3\n/proc/self/fd\n0\n0\n/ ro 1\n/proc/sys ro 1\n/bin\n";
    CHECK(strcmp(r.out, want) == 0, "full: output:\n%s\nwant:\n%s", r.out, want);
    CHECK(exited(r.init_status, 0), "full: init status %#x", r.init_status);
}

static void test_fds_and_signals(void)
{
    struct enc e;
    struct result r;
    /* What a .NET caller leaves behind: a fd without CLOEXEC, SIGPIPE ignored, a blocked signal. */
    int leak = open("/dev/null", O_RDONLY);
    dup2(leak, 42);
    close(leak);
    signal(SIGPIPE, SIG_IGN);
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);

    static const char *const ls[] = { "ls", "/proc/self/fd", NULL };
    container_start(&e, CLONE_NEWNS);
    container_finish(&e, ls);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "fds: run");
    CHECK(strcmp(r.out, "0\n1\n2\n3\n") == 0, "fds: the program sees fds:\n%s", r.out);

    static const char *const grep[] = { "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL };
    container_start(&e, CLONE_NEWNS);
    container_finish(&e, grep);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "signals: run");
    CHECK(strcmp(r.out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n") == 0, "signals:\n%s", r.out);

    close(42);
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Identity, limits, capabilities: what the program ends up with. */
static void test_process(void)
{
    struct enc e;
    struct result r;
    static const uint32_t gids[] = { 5, 6 };
    static const char *const argv[] = {
        "sh", "-c", "id; ulimit -n; umask; exec grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs)' /proc/self/status", NULL,
    };
    const uint64_t net_bind = 1ull << 10;
    container_start(&e, CLONE_NEWNS | CLONE_NEWPID);
    s_mount(&e, "proc", "/proc", "proc", "", 0, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKDIR);
    s_none(&e, OCI_OP_PIVOT_ROOT);
    s_none(&e, OCI_OP_SETSID);
    s_rlimit(&e, RLIMIT_NOFILE, 1000, 1000);
    s_str(&e, OCI_OP_CHDIR, "/");
    s_u32(&e, OCI_OP_UMASK, 027);
    step_begin(&e, OCI_OP_CAPS_BOUNDING);
    enc_u64(&e, net_bind | 1);
    step_end(&e);
    s_set_user(&e, 1000, 1000, OCI_USER_SETGROUPS, gids, 2);
    s_caps(&e, net_bind, net_bind, net_bind, net_bind);
    s_none(&e, OCI_OP_NO_NEW_PRIVS);
    s_resolve_exec(&e, argv[0], bin_dirs);
    s_exec(&e, 3, argv, path_env);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "process: run");
    const struct oci_msg *err = find_msg(&r, OCI_MSG_ERROR);
    CHECK(err == NULL, "process: error at step %u: %s: %s", err ? err->arg : 0, err ? err->what : "",
          err ? strerror(err->err) : "");
    const char *want = "uid=1000 gid=1000 groups=5,6\n1000\n0027\n"
                       "CapInh:\t0000000000000400\nCapPrm:\t0000000000000400\nCapEff:\t0000000000000400\n"
                       "CapBnd:\t0000000000000401\nCapAmb:\t0000000000000400\nNoNewPrivs:\t1\n";
    CHECK(strcmp(r.out, want) == 0, "process: output:\n%s\nwant:\n%s", r.out, want);
}

/* --no-pivot, the cwd check (CVE-2024-21626) and the procfs check of WRITE_PROC. */
static void test_root_checks(void)
{
    struct enc e;
    struct result r;
    static const char *const argv[] = { "sh", "-c", "pwd; ls -d /bin/busybox", NULL };
    container_start(&e, CLONE_NEWNS);
    s_mount(&e, "proc", "/proc", "proc", "", 0, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKDIR);
    s_none(&e, OCI_OP_MOVE_ROOT);
    s_str(&e, OCI_OP_CHDIR, "/bin");
    s_resolve_exec(&e, argv[0], bin_dirs);
    s_exec(&e, 3, argv, path_env);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "move root: run");
    CHECK(strcmp(r.out, "/bin\n/bin/busybox\n") == 0, "move root: output \"%s\"", r.out);

    /* The driver's cwd is outside the root: chdir through the container's /proc (same pid
     * namespace) gets there, as a leaked directory fd would. */
    char cwd_link[64];
    snprintf(cwd_link, sizeof cwd_link, "/proc/%d/cwd", (int)getpid());
    container_start(&e, CLONE_NEWNS);
    s_mount(&e, "proc", "/proc", "proc", "", 0, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKDIR);
    s_none(&e, OCI_OP_PIVOT_ROOT);
    s_str(&e, OCI_OP_CHDIR, cwd_link);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "cwd: run");
    expect_error("cwd outside root", &r, 6, ESTALE, "cwd outside root");

    container_start(&e, CLONE_NEWNS);
    s_2str(&e, OCI_OP_WRITE_PROC, "sys/kernel/hostname", "1");
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "write_proc: run");
    expect_error("write_proc without a procfs", &r, 4, EBADF, "no procfs opened");

    /* No symlink is followed, not even procfs' own (but a leading self/thread-self). */
    container_start(&e, CLONE_NEWNS);
    s_u32(&e, OCI_OP_OPEN_PROCFS, OCI_PROCFS_NEW);
    s_2str(&e, OCI_OP_WRITE_PROC, "mounts", "1");
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "write_proc: run");
    expect_error("write_proc through a symlink", &r, 5, ELOOP, "openat2 proc file");

    container_start(&e, CLONE_NEWNS);
    s_mount(&e, "tmpfs", "/dev", "tmpfs", "", 0, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKDIR);
    s_mknod(&e, "/dev/null", S_IFCHR | 0666, 1, 5, 0, 0); /* a fake /dev/null (it is /dev/zero) */
    s_2str(&e, OCI_OP_MASK, "/plainfile", "/dev/null");
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "mask: run");
    expect_error("mask with a fake /dev/null", &r, 6, EPERM, "verify /dev/null");

    /* runtime-spec: an existing file at a device's path that is not that device is an error */
    container_start(&e, CLONE_NEWNS);
    s_mount(&e, "tmpfs", "/dev", "tmpfs", "", 0, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKDIR);
    s_mknod(&e, "/dev/null", S_IFCHR | 0666, 1, 3, 0, 0);
    s_mknod(&e, "/dev/null", S_IFCHR | 0666, 1, 5, 0, 0);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "mknod over another device: run");
    expect_error("mknod over another device", &r, 6, EEXIST, "mknod: a different file exists at the path");

    container_start(&e, CLONE_NEWNS);
    s_mount(&e, "tmpfs", "/dev", "tmpfs", "", 0, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKDIR);
    s_mknod(&e, "/dev/null", S_IFCHR | 0666, 1, 3, 0, 0);
    s_mknod(&e, "/dev/null", S_IFBLK | 0666, 1, 3, 0, 0);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "mknod over another type: run");
    expect_error("mknod over another type", &r, 6, EEXIST, "mknod: a different file exists at the path");
}

/* Terminal steps refuse to work on what they were not given (no fd, no pty). */
static void test_terminal_errors(void)
{
    struct enc e;
    struct result r;

    enc_init(&e);
    s_none(&e, OCI_OP_SET_CTTY);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "ctty: run");
    expect_error("ctty without a pty", &r, 0, EBADF, "no pty");

    enc_init(&e);
    step_begin(&e, OCI_OP_CREATE_PTY);
    enc_str(&e, "/dev/pts/ptmx");
    enc_u32(&e, 0);
    enc_u32(&e, 0);
    step_end(&e);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "pty: run");
    expect_error("pty without a console socket", &r, 0, EBADF, "no console socket");

    enc_init(&e);
    s_str(&e, OCI_OP_BIND_CONSOLE, "/dev/console");
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "console: run");
    expect_error("console without a devpts pty", &r, 0, EPERM, "verify console is a devpts inode");

    /* The driver replies OK without attaching an fd: that is an error, not a silent -1. */
    enc_init(&e);
    s_u32(&e, OCI_OP_RECV_CONSOLE, 20);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "recv console: run");
    CHECK(r.nmsgs == 2 && r.msgs[0].type == OCI_MSG_SYNC && r.msgs[0].arg == 20, "recv console: sync first");
    expect_error("console reply without an fd", &r, 0, EBADMSG, "receive console socket");
}

/* ---- id-mapped mounts (USERNS_FROM_*, IDMAP_TREE, ATTACH_TREE) ---- */

static void s_idmap_tree(struct enc *e, uint32_t tree, uint32_t ns, const char *src, uint64_t prop, uint32_t opts)
{
    step_begin(e, OCI_OP_IDMAP_TREE);
    enc_u32(e, tree);
    enc_u32(e, ns);
    enc_str(e, src);
    enc_u64(e, prop);
    enc_u32(e, opts);
    step_end(e);
}

static void s_attach_tree(struct enc *e, uint32_t tree, const char *tgt, uint64_t flags, uint32_t opts)
{
    step_begin(e, OCI_OP_ATTACH_TREE);
    enc_u32(e, tree);
    enc_str(e, tgt);
    enc_u64(e, flags);
    enc_u32(e, opts);
    step_end(e);
}

static void s_userns_from_maps(struct enc *e, uint32_t slot, const char *uid_map, const char *gid_map)
{
    step_begin(e, OCI_OP_USERNS_FROM_MAPS);
    enc_u32(e, slot);
    enc_str(e, uid_map);
    enc_str(e, gid_map);
    step_end(e);
}

/* Slots are checked, never trusted: empty, out of range, or not a user namespace. */
static void test_idmap_errors(void)
{
    struct enc e;
    struct result r;

    enc_init(&e);
    s_attach_tree(&e, 0, "/mnt", 0, OCI_MNT_TARGET_IN_ROOT);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "attach empty: run");
    expect_error("attach an empty tree slot", &r, 0, EBADF, "idmap tree slot empty");

    enc_init(&e);
    s_idmap_tree(&e, 0, 3, "/", 0, 0);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "tree without userns: run");
    expect_error("idmap tree without its user namespace", &r, 0, EBADF, "idmap userns slot empty");

    enc_init(&e);
    s_idmap_tree(&e, OCI_IDMAP_MAX_SLOTS, 0, "/", 0, 0);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "slot range: run");
    expect_error("idmap slot out of range", &r, 0, EINVAL, "idmap slot out of range");

    enc_init(&e);
    step_begin(&e, OCI_OP_USERNS_FROM_PATH);
    enc_u32(&e, 0);
    enc_str(&e, "/proc/self/ns/net");
    step_end(&e);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "userns path: run");
    expect_error("a namespace that is not a user namespace", &r, 0, EINVAL, "not a user namespace");
}

/* Root: on-disk 1000 is 0 through the mount, on-disk 0 is unmapped (65534); a slot closed after
 * its last use can be filled again; "idmapped" shows in mountinfo. */
static void test_idmap_container(void)
{
    struct enc e;
    struct result r;
    char src[128], f[160], g[160];
    snprintf(src, sizeof src, "%s/idsrc", tmpdir);
    snprintf(f, sizeof f, "%s/f", src);
    snprintf(g, sizeof g, "%s/g", src);
    int fd;
    if (mkdir(src, 0755) < 0 || (fd = open(f, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) < 0) {
        CHECK(0, "idmap: source: %s", strerror(errno));
        return;
    }
    close(fd);
    if ((fd = open(g, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) < 0 || chown(f, 1000, 1000) < 0) {
        CHECK(0, "idmap: source: %s", strerror(errno));
        return;
    }
    close(fd);
    static const char *const argv[] = {
        "sh", "-c", "stat -c '%u %g' /mnt/f /mnt/g /mnt2/f /mnt2/g; grep -c idmapped /proc/self/mountinfo", NULL
    };
    enc_init(&e);
    s_userns_from_maps(&e, 0, "1000 0 1\n", "1000 0 1\n");
    s_idmap_tree(&e, 0, 0, src, MS_SLAVE, OCI_IDMAP_CLOSE_USERNS);
    s_userns_from_maps(&e, 0, "0 5000 1\n", "0 6000 1\n");
    s_idmap_tree(&e, 1, 0, src, MS_SLAVE | MS_REC, OCI_IDMAP_CLONE_RECURSIVE | OCI_IDMAP_RECURSIVE);
    s_u32(&e, OCI_OP_UNSHARE, CLONE_NEWNS);
    s_propagate(&e, "/", MS_SLAVE | MS_REC, 0);
    s_mount(&e, rootfs, rootfs, "", "", MS_BIND | MS_REC, 0);
    s_str(&e, OCI_OP_OPEN_ROOT, rootfs);
    s_attach_tree(&e, 0, "/mnt", MS_RDONLY, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKDIR | OCI_MNT_REMOUNT);
    s_attach_tree(&e, 1, "/mnt2", 0, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKLIKE_SOURCE);
    container_finish(&e, argv);
    CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "idmap: run");
    const struct oci_msg *err = find_msg(&r, OCI_MSG_ERROR);
    CHECK(err == NULL, "idmap: error at step %u: %s: %s", err ? err->arg : 0, err ? err->what : "",
          err ? strerror(err->err) : "");
    CHECK(strcmp(r.out, "0 0\n65534 65534\n65534 65534\n5000 6000\n2\n") == 0, "idmap: inside the container:\n%s", r.out);
}

/* OCI_IDMAP_BY_HOST: the host (this driver, through oci_idmap_source) clones the source in the
 * executor's mount namespace at the step's turn: the source is a bind the executor made there
 * (invisible in the driver's namespace), and the tree arrives id-mapped. A failure is the host's
 * to report: the executor ends without an error of its own. */
static void test_idmap_by_host(void)
{
    struct enc e;
    struct result r;
    char src[128], f[160], inside[192];
    snprintf(src, sizeof src, "%s/hostsrc", tmpdir);
    snprintf(f, sizeof f, "%s/f", src);
    snprintf(inside, sizeof inside, "%s/mnt", rootfs);
    int fd;
    if (mkdir(src, 0755) < 0 || (fd = open(f, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) < 0) {
        CHECK(0, "idmap by host: source: %s", strerror(errno));
        return;
    }
    close(fd);
    if (chown(f, 1000, 1000) < 0) {
        CHECK(0, "idmap by host: chown: %s", strerror(errno));
        return;
    }
    static const char *const argv[] = { "sh", "-c", "stat -c '%u %g' /mnt2/f; grep -c idmapped /proc/self/mountinfo", NULL };
    for (int fails = 0; fails < 2; fails++) {
        enc_init(&e);
        s_userns_from_maps(&e, 0, "1000 0 1\n", "1000 0 1\n");
        s_u32(&e, OCI_OP_UNSHARE, CLONE_NEWNS);
        s_propagate(&e, "/", MS_SLAVE | MS_REC, 0);
        s_mount(&e, rootfs, rootfs, "", "", MS_BIND | MS_REC, 0);
        s_str(&e, OCI_OP_OPEN_ROOT, rootfs);
        s_mount(&e, src, "/mnt", "", "", MS_BIND, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKDIR);
        s_idmap_tree(&e, 0, 0, inside, 0, OCI_IDMAP_CLOSE_USERNS | OCI_IDMAP_BY_HOST);
        s_attach_tree(&e, 0, "/mnt2", 0, OCI_MNT_TARGET_IN_ROOT | OCI_MNT_MKLIKE_SOURCE);
        container_finish(&e, argv);
        idmap_request.source = fails ? "/sys/kernel" : inside; /* sysfs: no id-mapped mounts (EINVAL) */
        idmap_request.propagation = 0;
        idmap_request.opts = fails ? OCI_IDMAP_CLONE_RECURSIVE : 0;
        CHECK(run(&e, 1, OCI_REPLY_OK, &r) == 0, "idmap by host: run");
        CHECK(find_msg(&r, OCI_MSG_IDMAP_SOURCE) != NULL && find_msg(&r, OCI_MSG_IDMAP_SOURCE)->arg == 6,
              "idmap by host: the request names its step");
        const struct oci_msg *err = find_msg(&r, OCI_MSG_ERROR);
        if (fails) {
            CHECK(idmap_request.err == EINVAL && idmap_request.failed_op == OCI_IDMAP_SOURCE_IDMAP,
                  "idmap by host: sysfs fails at mount_setattr idmap (op %d, %s)", idmap_request.failed_op,
                  strerror(idmap_request.err));
            CHECK(err == NULL && exited(r.init_status, 1), "idmap by host: an ABORT ends the executor without a report");
        } else {
            CHECK(err == NULL, "idmap by host: error at step %u: %s: %s", err ? err->arg : 0, err ? err->what : "",
                  err ? strerror(err->err) : "");
            CHECK(strcmp(r.out, "0 0\n1\n") == 0, "idmap by host: inside the container:\n%s", r.out);
        }
    }
}

/* ---- the early executor's side of its protocol (startup/early.h) ---- */

/* Starts this binary as an early executor ("init" with OCI_EXECUTOR_ENV = "@,<fd>", as the
 * constructor's clone does) and sends it `ahead` (unshare-ahead flags, if not 0), then either the
 * plan `e` (sealed) or the u32 `bad`, or nothing (e == NULL, bad == 0: EOF). Collects the messages,
 * answering SYNC with OK; at the first SYNC, *uts_differs says whether its uts namespace is
 * already not ours. */
static int run_early(struct enc *e, uint32_t ahead, uint32_t bad, struct result *r, int *uts_differs)
{
    memset(r, 0, sizeof *r);
    r->spawned_status = -1;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char env[64];
        int fd = dup(sv[1]); /* without CLOEXEC */
        snprintf(env, sizeof env, "%s=%c,%d", OCI_EXECUTOR_ENV, OCI_EARLY_MARK, fd);
        char *const argv[] = { "ociruntime", "init", NULL }, *const envp[] = { env, NULL };
        execve("/proc/self/exe", argv, envp);
        _exit(127);
    }
    r->spawned = r->init = pid;
    close(sv[1]);
    if (ahead != 0) {
        uint32_t msg[2] = { OCI_EARLY_UNSHARE_AHEAD, ahead };
        if (send(sv[0], msg, sizeof msg, 0) != sizeof msg)
            return -1;
    }
    if (e != NULL) {
        size_t n = enc_finish(e);
        int plan = memfd_create("plan", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        uint32_t m = OCI_EARLY_PLAN;
        if (plan < 0 || write(plan, e->buf, n) != (ssize_t)n ||
            fcntl(plan, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0 ||
            oci_send_fd(sv[0], plan, m) != 0)
            return -1;
        close(plan);
        free(e->buf);
    } else if (bad != 0 && send(sv[0], &bad, sizeof bad, 0) != sizeof bad) {
        return -1;
    } else if (bad == 0) {
        shutdown(sv[0], SHUT_WR);
    }
    for (;;) {
        struct oci_msg m;
        ssize_t k = recv(sv[0], &m, sizeof m, 0);
        if (k <= 0)
            break;
        if (k != sizeof m || r->nmsgs == MAX_MSGS)
            return -1;
        r->msgs[r->nmsgs++] = m;
        if (m.type == OCI_MSG_SYNC) {
            char mine[64] = "", its[64] = "", path[64];
            snprintf(path, sizeof path, "/proc/%d/ns/uts", (int)pid);
            if (uts_differs && readlink("/proc/self/ns/uts", mine, sizeof mine - 1) > 0 && readlink(path, its, sizeof its - 1) > 0)
                *uts_differs = strcmp(mine, its) != 0;
            uint32_t ok = OCI_REPLY_OK;
            if (send(sv[0], &ok, sizeof ok, 0) != sizeof ok)
                return -1;
        }
    }
    close(sv[0]);
    waitpid(pid, &r->spawned_status, 0);
    return 0;
}

static void test_early_protocol(void)
{
    struct enc e;
    struct result r;

    /* Discarded: EOF before any plan, and it exits 0 without a word. */
    CHECK(run_early(NULL, 0, 0, &r, NULL) == 0, "early eof: run");
    CHECK(r.nmsgs == 0 && exited(r.spawned_status, 0), "early eof: %d messages, status %#x", r.nmsgs, r.spawned_status);

    /* A message outside the protocol is reported before any step. */
    CHECK(run_early(NULL, 0, 7, &r, NULL) == 0, "early bad message: run");
    CHECK(r.nmsgs == 1, "early bad message: %d messages", r.nmsgs);
    expect_error("early bad message", &r, OCI_STEP_NONE, EBADMSG, "receive plan");

    /* The plan, run as any executor's on the same socket. */
    enc_init(&e);
    s_u32(&e, OCI_OP_NOTIFY, 5);
    s_u32(&e, OCI_OP_SYNC, 6);
    CHECK(run_early(&e, 0, 0, &r, NULL) == 0, "early plan: run");
    CHECK(r.nmsgs == 2 && r.msgs[0].type == OCI_MSG_NOTIFY && r.msgs[0].arg == 5 && r.msgs[1].type == OCI_MSG_SYNC,
          "early plan: %d messages", r.nmsgs);
    CHECK(exited(r.spawned_status, 0), "early plan: status %#x", r.spawned_status);
}

/* Root: the namespaces sent ahead are made before the plan runs (its SYNC before its UNSHARE sees
 * them), and the plan's UNSHARE step then has nothing left to make. */
static void test_early_unshare_ahead(void)
{
    struct enc e;
    struct result r;
    int differs = 0;
    enc_init(&e);
    s_u32(&e, OCI_OP_SYNC, 6); /* before any step that unshares */
    s_u32(&e, OCI_OP_UNSHARE, CLONE_NEWUTS);
    s_u32(&e, OCI_OP_NOTIFY, 7);
    CHECK(run_early(&e, CLONE_NEWUTS, 0, &r, &differs) == 0, "early ahead: run");
    const struct oci_msg *err = find_msg(&r, OCI_MSG_ERROR);
    CHECK(err == NULL, "early ahead: error %s: %s", err ? err->what : "", err ? strerror(err->err) : "");
    CHECK(differs, "early ahead: the uts namespace was not made before the plan");
    CHECK(r.nmsgs == 2 && exited(r.spawned_status, 0), "early ahead: %d messages, status %#x", r.nmsgs, r.spawned_status);
}

int main(void)
{
    alarm(60); /* a hang is a failure, not a stuck build */
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_errors();
    test_terminal_errors();
    test_idmap_errors();
    test_early_protocol();
    if (geteuid() != 0) {
        printf("e2e: container scenarios skipped (not root)\n");
    } else if (make_rootfs() < 0) {
        CHECK(0, "cannot build the test rootfs in %s: %s", tmpdir, strerror(errno));
    } else {
        test_hostname_pid1();
        test_symlink_escape();
        test_full_container();
        test_fds_and_signals();
        test_process();
        test_root_checks();
        test_idmap_container();
        test_idmap_by_host();
        test_early_unshare_ahead();
    }
    if (tmpdir[0] && tmpdir[strlen(tmpdir) - 1] != 'X')
        nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    printf("e2e_test: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
