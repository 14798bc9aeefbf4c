using System.Runtime.InteropServices;

namespace OciRuntime.Linux;

/// <summary>The host-side fd helpers of the native library (src/OciRuntime.Native/host_fds.c).</summary>
internal static partial class HostFds
{
    /// <summary>A connected unix stream socket (close-on-exec), or -errno (-ENOTSOCK: not a socket).</summary>
    [LibraryImport("libociexec", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int oci_connect_unix(string path);

    /// <summary>Sends the u32 reply with fd attached (SCM_RIGHTS); 0 or -errno.</summary>
    [LibraryImport("libociexec")]
    public static partial int oci_send_fd(int sock, int fd, uint reply);
}
