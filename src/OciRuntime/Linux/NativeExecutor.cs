using System.Runtime.InteropServices;

namespace OciRuntime.Linux;

/// <summary>The entry point of the C executor (src/OciRuntime.Native/executor.h).</summary>
internal static partial class NativeExecutor
{
    /// <summary>Re-executes <paramref name="exe"/> as the executor; returns its pid or -errno.</summary>
    [LibraryImport("libociexec", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int oci_spawn_executor(string exe, int planFd, int syncFd);
}
