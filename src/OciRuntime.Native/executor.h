/*
 * executor.h - the C API the C# runtime calls (src/OciRuntime/Linux/NativeExecutor.cs).
 */
#ifndef OCI_EXECUTOR_H
#define OCI_EXECUTOR_H

/*
 * Starts the executor: a vfork-style clone of the (multi-threaded .NET) caller that only clears
 * FD_CLOEXEC on plan_fd and sync_fd and execve()s
 *     exe, { "ociruntime", "init", NULL }, { "_OCIRUNTIME_EXECUTOR=<plan_fd>,<sync_fd>", NULL }.
 * The re-executed binary runs the plan in a constructor (entry.c) before .NET starts.
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

/* The early executor the constructor started for `run` or `create` (early.c): cloned into a new
 * pid namespace, from the read-only image, waiting on its sync socket for a plan fd (sent as a
 * u32 OCI_REPLY_OK with SCM_RIGHTS). 0 with its pid and the host's end of the socket, taken once;
 * -1 when there is none. Closing the socket unused makes it exit. */
int oci_early_executor_take(int *pid, int *sync_fd);

#endif
