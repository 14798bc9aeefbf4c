/*
 * internal.h - state and helpers shared by the executor's files (the executor proper). Not part of
 * any API: the other programs see executor.h only.
 *
 * The executor is single-threaded and never returns, so its state is one global; every helper
 * that hits a failing syscall reports it (step index, errno, what) and ends the process, which
 * keeps each step's code a straight line.
 */
#ifndef OCI_INTERNAL_H
#define OCI_INTERNAL_H

#include <limits.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>

#include "plan.h"
#include "plan_decode.h"

struct exec_state {
    int sync_fd;
    uint32_t step;          /* index of the step being run, reported with every error */
    int root_fd;            /* OPEN_ROOT; -1 before (openat2 then fails with EBADF) */
    int fifo_fd;            /* OPEN_FIFO */
    int console_sock;       /* RECV_CONSOLE; -1 before and after CREATE_PTY */
    int pty_peer;           /* CREATE_PTY's peer (the container's terminal); -1 before */
    char program[PATH_MAX]; /* RESOLVE_EXEC's result; empty means argv[0] */
    const char **ptrs;      /* room for argv + envp of the largest EXEC, mapped before step 0 */
    size_t nptrs;
    uint32_t unshared_ahead; /* executor_run's unshared, until the first UNSHARE step */
    int release_code;        /* RELEASE_CODE: WAIT_FIFO lets go of the code while it waits */
    int proc_fd;             /* OPEN_PROCFS: the runtime's own procfs instance; -1 before */
    int hook_state_fd;       /* RECV_HOOK_STATE: the state JSON the hooks read on stdin; -1 before */
    int fifo_reports;        /* WAIT_FIFO has read `start`'s byte: a failure is also written to the fifo */
};

/* the most fds close_fds_except keeps (the executor's own ones, id-mapped trees included) */
#define OCI_HELD_FDS_MAX (16 + 2 * 256)

extern struct exec_state g_exec;

/* Every op's handler, op_<handler> of plan.h's list: reads its fields from c in its schema's
 * order, does the step, and fails (never returns an error). Defined in the file of its subject:
 * process.c, creds.c, attrs.c, rootfs.c, mounts.c, idmap.c, procfs.c, terminal.c, hooks.c,
 * seccomp.c, exec.c (op_exec does not return), run.c (SYNC, NOTIFY). */
#define OCI_OP_DECLARE(name, number, schema, handler) void op_##handler(struct plan_cursor *c);
OCI_PLAN_OPS(OCI_OP_DECLARE)
#undef OCI_OP_DECLARE

/* run.c: runs the validated plan's steps in order (main.c calls it once the plan is mapped) */
_Noreturn void run_plan(const struct plan_info *plan);

/* fields.c: a step's fields (EBADMSG "decode plan" if one does not fit) */
uint32_t get_u32(struct plan_cursor *c);
uint64_t get_u64(struct plan_cursor *c);
const char *get_str(struct plan_cursor *c);
uint32_t get_count(struct plan_cursor *c); /* of a strlist or u32list; the items follow */
/* an argv and an envp strlist, NULL-terminated, into g_exec.ptrs (EXEC and RUN_HOOK) */
void get_argv_envp(struct plan_cursor *c, const char ***argv, const char ***envp);

/* sync.c */
int send_msg(uint32_t type, uint32_t arg, int err, const char *what);
int send_notify(uint32_t tag); /* NOTIFY, with the time it was sent (--trace) */
_Noreturn void fail_err(int err, const char *what);
_Noreturn void fail(const char *what); /* with errno */
void sync_with_host(uint32_t tag);      /* SYNC: returns only on REPLY_OK */
/* SYNC answered with an fd (close-on-exec): returns it; exits when the host refuses (it knows
 * why) and fails naming what when no fd came */
int sync_recv_fd(uint32_t tag, const char *what);
int send_fd_msg(uint32_t type, uint32_t arg, int fd); /* a message carrying fd (SCM_RIGHTS) */
/* send_fd_msg(type, step, fd), then the host's reply with an fd: that fd; ends the executor
 * without a report when the host aborts (it reports), fails with what when no fd came */
int request_fd(uint32_t type, int fd, const char *what);
void wait_host_reply(void);                           /* returns only on REPLY_OK */

/* release_wait.c: read(2) of one byte from the exec fifo with the executor's read-only segments
 * dropped from its page tables while it blocks; -1 with errno on failure */
ssize_t read_fifo_released(int fd, char *byte);

/* paths.c: every path is inside the root fd (RESOLVE_IN_ROOT), never a host path. */
int in_root_open(const char *path, int flags);            /* fd, or -1 with errno */
int mkdir_all(const char *path, mode_t mode);             /* O_PATH fd of the directory */
/* Walks path in the root as RESOLVE_IN_ROOT would, making what is missing (directories, and the
 * last one a file when asked), also where a symlink points to nothing yet: O_PATH fd of the end. */
int create_in_root(const char *path, mode_t mode, int last_is_file);
int open_parent(const char *path, char buf[PATH_MAX], const char **name); /* parent made 0755 */
void make_file(const char *path);                         /* empty file, parents as dirs */
void fd_path(char buf[32], int fd);                       /* "/proc/self/fd/<fd>" */
void reopen_root(void);                                   /* root_fd = "/" */

/* mounts.c */
struct mount_attr;
struct mount_attr attr_from_flags(uint64_t flags);            /* MS_* -> mount_setattr attributes */
int open_target(const char *tgt, uint32_t opts, int src);     /* created per opts; -1 with errno */
/* the remount flags of a bind on its detached tree (OCI_MNT_EXACT_FLAGS: runc's rule) */
void set_bind_flags(int tree, uint64_t flags, uint32_t opts);

/* copyup.c: copy the tree below the directory src into the directory dst (OCI_MNT_COPYUP) */
void copy_tree(int src, int dst);

/* idmap.c */
size_t idmap_held_fds(int *out, size_t max); /* the fds the slots hold, at most max of them */

/* seccomp.c */
void load_seccomp_at_exec(void); /* the filter OCI_SECCOMP_AT_EXEC kept, if any */

/* creds.c */
void caps_at_exec(void); /* the sets CAPS_AT_EXEC kept, if any */
/* EPERM or ENOSYS from a probe: a seccomp filter or an old kernel, which says nothing */
int probe_unknown(int err);

/* procfs.c: one write(2) of value to fd after checking fd is on procfs; closes fd */
void write_procfs(int fd, const char *value, const char *what_fstatfs, const char *what_write);

/* exec.c: closes every fd >= from except the n in held (negative entries ignored) */
void close_fds_except(uint32_t from, const int *held, size_t n);

#endif
