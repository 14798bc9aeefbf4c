using System.Runtime.InteropServices;

namespace OciRuntime.Linux;

/// <summary>The entry point of the C executor (src/OciRuntime.Native/host/host.h).</summary>
internal static partial class NativeExecutor
{
    /// <summary>An O_PATH fd of <paramref name="exe"/> on a read-only detached bind mount, for
    /// <see cref="oci_spawn_executor_fd"/> (CVE-2019-5736), or -errno (EPERM without
    /// CAP_SYS_ADMIN). Closing it unmounts the bind and waits for an RCU grace period.</summary>
    [LibraryImport("libociexec", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int oci_executor_image(string exe);

    /// <summary>Re-executes the image <paramref name="exeFd"/> as the executor, cloned into the
    /// namespaces of <paramref name="nsFlags"/> (0 or CLONE_NEWPID); its pid or -errno.</summary>
    [LibraryImport("libociexec")]
    public static partial int oci_spawn_executor_fd(int exeFd, int planFd, int syncFd, nuint nsFlags);

    /// <summary>The executor the binary's constructor started early for `run`/`create` (startup/early.c):
    /// 0 with its pid and the host's end of its sync socket, once; -1 when there is none.</summary>
    [LibraryImport("libociexec")]
    public static unsafe partial int oci_early_executor_take(int* pid, int* syncFd);
}
