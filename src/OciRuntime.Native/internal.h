/*
 * internal.h - state and helpers shared by the executor's files. Not part of the API.
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
    uint32_t unshared_ahead; /* OCI_REPLY_UNSHARE_AHEAD's flags, until the first UNSHARE step */
    int release_code;        /* RELEASE_CODE: WAIT_FIFO lets go of the code while it waits */
    int proc_fd;             /* OPEN_PROCFS: the runtime's own procfs instance; -1 before */
    int hook_state_fd;       /* RECV_HOOK_STATE: the state JSON the hooks read on stdin; -1 before */
    int fifo_reports;        /* WAIT_FIFO has read `start`'s byte: a failure is also written to the fifo */
};

/* the most fds close_fds_except keeps (the executor's own ones, id-mapped trees included) */
#define OCI_HELD_FDS_MAX (16 + 2 * 256)

extern struct exec_state g_exec;

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

/* vfork_spawn.c: run child(arg) in a vfork-style clone of the caller on a private stack, all signals
 * blocked across the clone (*child_mask gets the caller's mask, for a child that restores it once
 * it has reset its handlers); ns_flags: namespaces the child is cloned into (CLONE_NEWPID or 0).
 * The pid, or -errno; -(*child_err) when the child set it (failed exec). */
int vfork_spawn(int (*child)(void *), void *arg, sigset_t *child_mask, volatile int *child_err,
                unsigned long ns_flags);

/* prefault.c: the runtime's (not the executor's) zero-initialised data and malloc heap, each populated in one call */
void prefault_runtime_data(void);
void prefault_malloc_heap(void);

/* fdpass.c: recvmsg of the host's u32 reply with one fd attached (SCM_RIGHTS, close-on-exec): the
 * fd; -1 at EOF or when the reply is not OK (the host knows why); -2 when no single fd came. */
int recv_reply_fd(int sock);
/* fdpass.c: recvmsg into data, retried on EINTR; bytes received or -1 (errno); *fd the one fd that
 * came with it (SCM_RIGHTS, close-on-exec), else -1 */
ssize_t recvmsg_with_fd(int sock, void *data, size_t len, int *fd);

/* release_wait.c: read(2) of one byte from the exec fifo with the executor's read-only segments
 * dropped from its page tables while it blocks; -1 with errno on failure */
ssize_t read_fifo_released(int fd, char *byte);

/* early.c: in the runtime's constructor, start the executor for `run`/`create` before .NET does */
void early_executor_start(int argc, char **argv);
/* early.c: at the end of the constructor, wait until that executor no longer shares our memory */
void early_executor_wait_exec(void);

/* fdpass.c: sendmsg of len bytes with fd attached (SCM_RIGHTS), retried on EINTR; bytes sent or -1 */
ssize_t sendmsg_with_fd(int sock, const void *data, size_t len, int fd);
void wait_host_reply(void);             /* returns only on REPLY_OK */

/* paths.c: every path is inside the root fd (RESOLVE_IN_ROOT), never a host path. */
int in_root_open(const char *path, int flags);            /* fd, or -1 with errno */
int mkdir_all(const char *path, mode_t mode);             /* O_PATH fd of the directory */
int open_parent(const char *path, char buf[PATH_MAX], const char **name); /* parent made 0755 */
void make_file(const char *path);                         /* empty file, parents as dirs */
void fd_path(char buf[32], int fd);                       /* "/proc/self/fd/<fd>" */
void reopen_root(void);                                   /* root_fd = "/" */

/* mounts.c */
void op_mount(const char *src, const char *tgt, const char *fstype, const char *data, uint64_t flags,
              uint32_t opts);
void op_propagate(const char *tgt, uint64_t flags, uint32_t opts);
void op_remount(const char *path, uint64_t flags, uint32_t opts);
void op_mask(const char *path, const char *null_device);
void op_mount_setattr(const char *path, uint64_t attr_set, uint64_t attr_clr, uint32_t opts);
void op_pivot_root(void);
void op_move_root(void);
struct mount_attr;
struct mount_attr attr_from_flags(uint64_t flags);            /* MS_* -> mount_setattr attributes */
int open_target(const char *tgt, uint32_t opts, int src);     /* created per opts; -1 with errno */

/* copyup.c: copy the tree below the directory src into the directory dst (OCI_MNT_COPYUP) */
void copy_tree(int src, int dst);

/* idmap.c: id-mapped mounts (plan.h 60-64) */
void op_userns_from_maps(uint32_t slot, const char *uid_map, const char *gid_map);
void op_userns_from_path(uint32_t slot, const char *path);
void op_idmap_tree(struct plan_cursor *c);
void op_attach_tree(struct plan_cursor *c);
size_t idmap_held_fds(int *out, size_t max); /* the fds the slots hold, at most max of them */

/* executor.c: field readers for a validated plan (EBADMSG "decode plan" if one does not fit) */
uint32_t get_u32(struct plan_cursor *c);
uint64_t get_u64(struct plan_cursor *c);

/* seccomp.c */
void op_seccomp(struct plan_cursor *c);
void load_seccomp_at_exec(void); /* the filter OCI_SECCOMP_AT_EXEC kept, if any */

/* attrs.c: process attributes that survive execve */
void op_personality(struct plan_cursor *c);
void op_ioprio(struct plan_cursor *c);
void op_sched(struct plan_cursor *c);
/* terminal.c */
void op_recv_console(uint32_t tag);
void op_create_pty(const char *ptmx, uint32_t rows, uint32_t cols);
void op_bind_console(const char *path);
void op_set_ctty(void);

/* hooks.c */
void op_recv_hook_state(uint32_t tag);
void op_run_hook(const char *label, const char *path, const char *const *argv, const char *const *envp, uint32_t timeout);

/* executor.c */
/* one write(2) of value to fd after checking fd is on procfs; closes fd */
void write_procfs(int fd, const char *value, const char *what_fstatfs, const char *what_write);
/* closes every fd >= from except the n in held (negative entries ignored) */
void close_fds_except(uint32_t from, const int *held, size_t n);
void reset_signal_handlers(void);
void reset_ignored_signals(void); /* what is left to reset after an execve: the ignored ones */ /* every disposition to SIG_DFL; async-signal-safe */
_Noreturn void run_plan(const struct plan_info *plan);

#endif
