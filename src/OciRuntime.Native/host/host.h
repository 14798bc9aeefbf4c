/*
 * host.h - the host helpers: the C API the C# runtime calls through P/Invoke
 * (src/OciRuntime/Linux/NativeExecutor.cs and its neighbours), run in the .NET process. Plain C
 * where .NET cannot do the job safely (a vfork-style clone from a multi-threaded process,
 * SCM_RIGHTS, signal forwarding without .NET's signal machinery). The other C entry point C# calls,
 * oci_early_executor_take, belongs to the start-up code (startup/early.h).
 */
#ifndef OCI_HOST_H
#define OCI_HOST_H

#include <signal.h>
#include <stdint.h>

/* ---- spawn.c: the executor ---- */

/*
 * Starts the executor: a vfork-style clone of the (multi-threaded .NET) caller that only clears
 * FD_CLOEXEC on plan_fd and sync_fd and execve()s
 *     exe, { "ociruntime", "init", NULL }, { "_OCIRUNTIME_EXECUTOR=<plan_fd>,<sync_fd>", NULL }.
 * The re-executed binary runs the plan in a constructor (startup/entry.c) before .NET starts.
 * Returns the child's pid, or -errno (including the errno of a failed execve).
 */
int oci_spawn_executor(const char *exe, int plan_fd, int sync_fd);

/* The image oci_spawn_executor execs: an O_PATH fd of exe on a read-only detached bind mount
 * (CVE-2019-5736), or -errno (EPERM without CAP_SYS_ADMIN). Closing it unmounts the bind, which
 * waits for an RCU grace period: the caller may close it when it has nothing better to do. */
int oci_executor_image(const char *exe);

/* As oci_spawn_executor, exec'ing exe_fd (AT_EMPTY_PATH) as it is (an oci_executor_image, or for
 * a caller that may not clone the binary's mount (rootless), an image the container cannot
 * write); ns_flags is 0 or CLONE_NEWPID: the executor is then cloned as pid 1 of a new pid
 * namespace (its plan has no FORK). */
int oci_spawn_executor_fd(int exe_fd, int plan_fd, int sync_fd, unsigned long ns_flags);

/* ---- host_fds.c: the --console-socket connection and fds passed with SCM_RIGHTS ---- */
int oci_connect_unix(const char *path);
int oci_send_fd(int sock, int fd, uint32_t reply);
int oci_send_named_fd(int sock, int fd, const char *name);
int oci_recv_fd(int sock);
int oci_tty_raw(int fd, void *saved, int size);
int oci_tty_restore(int fd, const void *saved);
int oci_tty_clear_onlcr(int fd);
int oci_copy_winsize(int from, int to);

/* ---- host_hooks.c: hooks and helper programs (vfork + execve) ---- */
int oci_spawn_hook(const char *path, char *const *argv, char *const *envp, int stdin_fd, const char *const *ns_paths,
                   const char *cwd);
int oci_spawn_redirected(const char *path, char *const *argv, char *const *envp, int stdin_fd, int stdout_fd,
                         int stderr_fd);

/* ---- idmap_source.c: an id-mapped bind source for an init in a user namespace (decisions §53) ---- */

/* What oci_idmap_source's *failed_op names when it fails (C# IdmapSource.Operation). */
enum oci_idmap_source_op {
    OCI_IDMAP_SOURCE_CLONE = 0,       /* the clone that does the work */
    OCI_IDMAP_SOURCE_OPEN_NS = 1,     /* open /proc/<pid>/ns/mnt */
    OCI_IDMAP_SOURCE_SETNS = 2,       /* setns into it */
    OCI_IDMAP_SOURCE_OPEN_TREE = 3,   /* open_tree(OPEN_TREE_CLONE) of the source */
    OCI_IDMAP_SOURCE_PROPAGATION = 4, /* mount_setattr of the propagation */
    OCI_IDMAP_SOURCE_IDMAP = 5,       /* mount_setattr(MOUNT_ATTR_IDMAP) */
};

/* In the mount namespace of pid (a clone of the caller joins it): open_tree(source,
 * OPEN_TREE_CLONE) with the opts and propagation of IDMAP_TREE (plan.h), id-mapped by userns_fd.
 * The detached tree's fd (close-on-exec), or -errno with *failed_op saying which call failed. */
int oci_idmap_source(int pid, int userns_fd, const char *source, uint64_t propagation, uint32_t opts, int *failed_op);

/* ---- signal_forward.c: signals to the runtime go to the container's process while it waits ---- */
int oci_forward_signals_start(int pid, const int *signals, int n);
void oci_forward_signals_stop(void);

/* ---- vfork_spawn.c (internal): run child(arg) in a vfork-style clone of the caller on a private
 * stack, all signals blocked across the clone (*child_mask gets the caller's mask, for a child
 * that restores it once it has reset its handlers); ns_flags: namespaces the child is cloned into
 * (CLONE_NEWPID or 0), or CLONE_FILES for a child that leaves an fd in the caller's table. The pid, or -errno; -(*child_err) when the child set it (failed exec). */
int vfork_spawn(int (*child)(void *), void *arg, sigset_t *child_mask, volatile int *child_err,
                unsigned long ns_flags);

#endif
