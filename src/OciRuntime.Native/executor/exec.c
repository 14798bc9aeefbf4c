/*
 * exec.c - the end of the plan: the exec fifo (OPEN_FIFO, RELEASE_CODE, WAIT_FIFO), fds
 * (CLOSE_FDS), the program (RESOLVE_EXEC) and EXEC itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "plan.h"

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

void op_resolve_exec(struct plan_cursor *c)
{
    const char *file = get_str(c);
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
void op_close_fds(struct plan_cursor *c)
{
    uint32_t keep = get_u32(c);
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

_Noreturn void op_exec(struct plan_cursor *c)
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

void op_open_fifo(struct plan_cursor *c)
{
    if ((g_exec.fifo_fd = open(get_str(c), O_RDWR | O_CLOEXEC)) < 0)
        fail("open exec fifo");
}

void op_release_code(struct plan_cursor *c)
{
    (void)c;
    g_exec.release_code = 1; /* done by the wait that follows, which must stay mapped */
}

void op_wait_fifo(struct plan_cursor *c)
{
    (void)c;
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
}
