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

/* As oci_spawn_executor, exec'ing exe_fd (AT_EMPTY_PATH) as it is: for a caller that may not clone
 * the binary's mount (rootless), which passes an image the container cannot write. */
int oci_spawn_executor_fd(int exe_fd, int plan_fd, int sync_fd);

#endif
