using System.Runtime.InteropServices;

namespace OciRuntime.Linux;

/// <summary>The host-side fd helpers of the native library (src/OciRuntime.Native/host/host_fds.c).</summary>
internal static partial class HostFds
{
    /// <summary>A connected unix stream socket (close-on-exec), or -errno (-ENOTSOCK: not a socket).</summary>
    [LibraryImport("libociexec", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int oci_connect_unix(string path);

    /// <summary>Sends the u32 reply with fd attached (SCM_RIGHTS); 0 or -errno.</summary>
    [LibraryImport("libociexec")]
    public static partial int oci_send_fd(int sock, int fd, uint reply);

    [LibraryImport("libociexec", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int oci_send_named_fd(int sock, int fd, string name);
}

/// <summary>Hook processes (src/OciRuntime.Native/host/host_hooks.c).</summary>
internal static unsafe partial class HookSpawn
{
    /// <summary>vfork+execve of a hook with stdin_fd as its stdin, after joining the namespaces
    /// (paths, NULL-terminated list, may be null) and a chdir to <paramref name="cwd"/> (null: none);
    /// its pid or -errno.</summary>
    [LibraryImport("libociexec", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int oci_spawn_hook(string path, byte** argv, byte** envp, int stdinFd, byte** nsPaths, string? cwd);

    /// <summary>vfork+execve of a program with its stdin, stdout and stderr on the given fds; its pid or -errno.</summary>
    [LibraryImport("libociexec", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int oci_spawn_redirected(string path, byte** argv, byte** envp, int stdinFd, int stdoutFd, int stderrFd);
}

/// <summary>The caller's terminal, for `run` attached to it (src/OciRuntime.Native/host/host_fds.c).</summary>
internal static unsafe partial class TtyNative
{
    [LibraryImport("libociexec")]
    public static partial int oci_recv_fd(int sock);

    [LibraryImport("libociexec")]
    public static partial int oci_tty_raw(int fd, byte* saved, int size);

    [LibraryImport("libociexec")]
    public static partial int oci_tty_restore(int fd, byte* saved);

    [LibraryImport("libociexec")]
    public static partial int oci_copy_winsize(int from, int to);

    [LibraryImport("libociexec")]
    public static partial int oci_tty_clear_onlcr(int fd);

    public static int isatty(int fd) => Tmds.Linux.LibC.isatty(fd);
}
