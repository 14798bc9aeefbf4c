using OciRuntime.Linux;

namespace OciRuntime.Lifecycle;

/// <summary>
/// `--pidfd-socket PATH` (runc's): a pidfd of the container's init (create, run) or of the exec'd
/// process is sent over a unix socket to whoever listens there (SCM_RIGHTS, message data
/// "pidfd"), so that a manager can signal and wait for that very process without pid reuse
/// races. The connection is made before anything is created, so a bad path fails cleanly.
/// </summary>
internal sealed class PidfdSocket : IDisposable
{
    private int _fd;
    private readonly string _path;

    private PidfdSocket(int fd, string path)
    {
        _fd = fd;
        _path = path;
    }

    public static PidfdSocket? Open(string? path)
    {
        if (path is null)
            return null;
        int fd = HostFds.oci_connect_unix(Path.GetFullPath(path));
        if (fd == -LibC.ENOTSOCK)
            throw new RuntimeError($"--pidfd-socket {path}: not a unix socket");
        if (fd < 0)
            throw new SyscallException($"--pidfd-socket {path}: connect", -fd);
        return new PidfdSocket(fd, path);
    }

    public void Send(int pid)
    {
        int pidfd = LibC.PidfdOpen(pid);
        if (pidfd < 0)
            throw SyscallException.Last($"--pidfd-socket {_path}: pidfd_open {pid}");
        try
        {
            int r = HostFds.oci_send_named_fd(_fd, pidfd, "pidfd");
            if (r < 0)
                throw new SyscallException($"--pidfd-socket {_path}: send", -r);
        }
        finally
        {
            LibC.close(pidfd);
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
            LibC.close(_fd);
        _fd = -1;
    }
}
