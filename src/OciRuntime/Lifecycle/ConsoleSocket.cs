using OciRuntime.Linux;

namespace OciRuntime.Lifecycle;

/// <summary>
/// --console-socket: the unix socket on which the caller (containerd's shim, a test receiver)
/// waits for the pty master. The runtime connects; the executor, inside the container, sends the
/// master over this connection, which the host hands it at the ConsoleSocket sync.
/// </summary>
internal sealed class ConsoleSocket : IDisposable
{
    public int Fd { get; private set; }

    private ConsoleSocket(int fd) => Fd = fd;

    /// <summary>The connection when the process has a terminal; null without one. The two must
    /// go together: a terminal needs somewhere to send its master.</summary>
    public static ConsoleSocket? Open(string? path, bool terminal)
    {
        if (!terminal)
        {
            if (path is not null)
                throw new RuntimeError($"--console-socket {path}: given, but process.terminal is false (no pty to send)");
            return null;
        }
        if (path is null)
            throw new RuntimeError("process.terminal: a terminal needs --console-socket to send the pty master to");
        int fd = HostFds.oci_connect_unix(Path.GetFullPath(path));
        if (fd == -LibC.ENOTSOCK)
            throw new RuntimeError($"--console-socket {path}: not a unix socket");
        if (fd < 0)
            throw new SyscallException($"--console-socket {path}: connect", -fd);
        return new ConsoleSocket(fd);
    }

    public void Dispose()
    {
        if (Fd >= 0)
            LibC.close(Fd);
        Fd = -1;
    }
}
