using System.Runtime.InteropServices;
using OciRuntime.Linux;

namespace OciRuntime.Lifecycle;

/// <summary>
/// `run` with process.terminal and no --console-socket, from a terminal: the runtime is its own
/// console socket (one end of a socketpair goes to the executor), receives the pty master, puts
/// the caller's terminal in raw mode and copies bytes both ways until the container's side of
/// the pty is closed; the window size follows the caller's (SIGWINCH). The terminal is restored
/// however the run ends.
/// </summary>
internal sealed unsafe class CallerTerminal : IDisposable
{
    private const int TermiosSize = 64; // >= sizeof(struct termios) (60 on Linux)
    private readonly int _ours;
    private int _theirs;
    private int _master = -1;
    private readonly byte[] _saved = new byte[TermiosSize];
    private bool _raw;
    private Thread? _output;
    private PosixSignalRegistration? _winch;

    private CallerTerminal(int ours, int theirs)
    {
        _ours = ours;
        _theirs = theirs;
    }

    /// <summary>The fd to pass to the executor as the console socket.</summary>
    public int ConsoleFd => _theirs;

    /// <summary>Null when the run needs no attaching (no terminal, or a console socket given).</summary>
    public static CallerTerminal? ForRun(bool terminal, string? consoleSocket, bool detach)
    {
        if (!terminal || consoleSocket is not null)
            return null;
        if (detach)
            throw new RuntimeError("process.terminal: a detached container needs --console-socket to send its pty to");
        if (TtyNative.isatty(0) != 1)
            throw new RuntimeError("process.terminal: needs --console-socket, or `run` started from a terminal to attach to");
        int* sv = stackalloc int[2];
        if (LibC.socketpair(LibC.AF_UNIX, 1 /* SOCK_STREAM */ | LibC.SOCK_CLOEXEC, 0, sv) != 0)
            throw SyscallException.Last("socketpair");
        return new CallerTerminal(sv[0], sv[1]);
    }

    /// <summary>After create: take the master (sent during create) and start copying.</summary>
    public void Attach()
    {
        LibC.close(_theirs);
        _theirs = -1;
        int fd = TtyNative.oci_recv_fd(_ours);
        if (fd < 0)
            throw new SyscallException("receive the container's pty", -fd);
        _master = fd;
        TtyNative.oci_copy_winsize(0, _master);
        fixed (byte* s = _saved)
            _raw = TtyNative.oci_tty_raw(0, s, TermiosSize) == 0;
        _winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, c =>
        {
            c.Cancel = true;
            TtyNative.oci_copy_winsize(0, _master);
        });
        // Input: never ends by itself (the caller's terminal stays open), so a background thread.
        new Thread(() => Copy(0, _master)) { IsBackground = true, Name = "tty-in" }.Start();
        _output = new Thread(() => Copy(_master, 1)) { IsBackground = true, Name = "tty-out" };
        _output.Start();
    }

    private static void Copy(int from, int to)
    {
        byte* buf = stackalloc byte[4096];
        while (true)
        {
            nint n = LibC.read(from, buf, 4096);
            if (n < 0 && LibC.Errno == LibC.EINTR)
                continue;
            if (n <= 0)
                return; // EIO on the master: every fd of the container's side is closed
            for (nint off = 0; off < n;)
            {
                nint w = LibC.write(to, buf + off, n - off);
                if (w < 0 && LibC.Errno == LibC.EINTR)
                    continue;
                if (w <= 0)
                    return;
                off += w;
            }
        }
    }

    public void Dispose()
    {
        // What the container wrote last is still in the pty: let the copy drain it.
        _output?.Join(TimeSpan.FromSeconds(2));
        _winch?.Dispose();
        if (_raw)
            fixed (byte* s = _saved)
                TtyNative.oci_tty_restore(0, s);
        if (_theirs >= 0)
            LibC.close(_theirs);
        LibC.close(_ours);
        // The master stays open: the input thread may still be using it; the process ends soon.
    }
}
