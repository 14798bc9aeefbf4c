using System.Runtime.InteropServices;
using OciRuntime.Linux;

namespace OciRuntime.Lifecycle;

/// <summary>
/// `run` with process.terminal (`exec -t`) and no --console-socket, in the foreground: the runtime
/// is its own console socket (one end of a socketpair goes to the executor), receives the pty
/// master, clears its ONLCR (the caller's terminal translates already: lines end in \n, as
/// runc), puts the caller's terminal in raw mode and copies stdin to the pty and the pty to
/// stdout until the container's side is closed; the window size follows the caller's
/// (SIGWINCH). The caller's terminal is the first of stderr, stdout, stdin that is one, else
/// /dev/tty (as runc: stdin may be a pipe). It is restored however the run ends.
/// </summary>
internal sealed unsafe class CallerTerminal : IDisposable
{
    private const int TermiosSize = 64; // >= sizeof(struct termios) (60 on Linux)
    private readonly int _ours;
    private readonly int _console;
    private readonly bool _consoleOpened;
    private int _theirs;
    private int _master = -1;
    private readonly byte[] _saved = new byte[TermiosSize];
    private bool _raw;
    private Thread? _output;
    private PosixSignalRegistration? _winch;

    private CallerTerminal(int ours, int theirs, int console, bool consoleOpened)
    {
        _ours = ours;
        _theirs = theirs;
        _console = console;
        _consoleOpened = consoleOpened;
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
        var (console, opened) = HostConsole();
        int* sv = stackalloc int[2];
        if (LibC.socketpair(LibC.AF_UNIX, 1 /* SOCK_STREAM */ | LibC.SOCK_CLOEXEC, 0, sv) != 0)
        {
            int e = LibC.Errno;
            if (opened)
                LibC.close(console);
            throw new SyscallException("socketpair", e);
        }
        return new CallerTerminal(sv[0], sv[1], console, opened);
    }

    private static (int Fd, bool Opened) HostConsole()
    {
        foreach (int fd in new[] { 2, 1, 0 })
            if (TtyNative.isatty(fd) == 1)
                return (fd, false);
        int tty = LibC.open("/dev/tty", LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC, 0);
        if (tty >= 0)
            return (tty, true);
        throw new RuntimeError("process.terminal: needs --console-socket, or a terminal to attach to "
            + "(none of stdin, stdout, stderr is one, and there is no controlling terminal)");
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
        TtyNative.oci_tty_clear_onlcr(_master);
        TtyNative.oci_copy_winsize(_console, _master);
        fixed (byte* s = _saved)
            _raw = TtyNative.oci_tty_raw(_console, s, TermiosSize) == 0;
        _winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, c =>
        {
            c.Cancel = true;
            TtyNative.oci_copy_winsize(_console, _master);
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
                TtyNative.oci_tty_restore(_console, s);
        if (_consoleOpened)
            LibC.close(_console);
        if (_theirs >= 0)
            LibC.close(_theirs);
        LibC.close(_ours);
        // The master stays open: the input thread may still be using it; the process ends soon.
    }
}
