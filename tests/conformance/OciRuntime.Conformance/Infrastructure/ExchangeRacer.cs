using System.Runtime.InteropServices;

namespace OciRuntime.Conformance;

/// <summary>
/// The attacker of the mount races (CVE-2021-30465, CVE-2024-45310): a thread that swaps two names
/// with renameat2(RENAME_EXCHANGE) as fast as it can, so the object at each name alternates between
/// a directory and a symlink while the runtime works on it. <see cref="Swaps"/> counts the exchanges
/// that happened (the proof it ran); <see cref="Pause"/> stops it between containers so a test can
/// reset the tree.
/// </summary>
public sealed class ExchangeRacer : IDisposable
{
    private readonly string _a, _b;
    private readonly Thread _thread;
    private readonly object _gate = new();
    private volatile bool _stop;
    private bool _paused;
    private long _swaps, _errors;

    public ExchangeRacer(string a, string b)
    {
        _a = a;
        _b = b;
        _thread = new Thread(Loop) { IsBackground = true, Name = "exchange-racer" };
        _thread.Start();
    }

    public long Swaps => Interlocked.Read(ref _swaps);
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Swaps made with an even count leave both names as they started.</summary>
    /// <summary>Stops swapping (no exchange is in progress when it returns) and puts both names back
    /// where they started.</summary>
    public void Pause()
    {
        lock (_gate)
        {
            _paused = true;
            if (Swaps % 2 != 0 && renameat2(AT_FDCWD, _a, AT_FDCWD, _b, RENAME_EXCHANGE) == 0)
                Interlocked.Increment(ref _swaps);
        }
    }

    public void Resume()
    {
        lock (_gate)
            _paused = false;
    }

    /// <summary>Returns once the racer has made a new exchange (it is scheduled and swapping), so a
    /// container started next starts under the race.</summary>
    public void WaitSwapping()
    {
        long before = Swaps;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Swaps == before)
        {
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"the racer made no exchange in 10 s ({Errors} failed attempts)");
            Thread.Yield();
        }
    }

    private void Loop()
    {
        while (!_stop)
        {
            bool paused;
            lock (_gate)
            {
                paused = _paused;
                if (!paused)
                {
                    if (renameat2(AT_FDCWD, _a, AT_FDCWD, _b, RENAME_EXCHANGE) == 0)
                        Interlocked.Increment(ref _swaps);
                    else
                        Interlocked.Increment(ref _errors);
                }
            }
            if (paused)
                Thread.Sleep(1);
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }

    /// <summary>One exchange of the two names (false when one of them does not exist yet).</summary>
    public static bool ExchangeOnce(string a, string b) => renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0;

    private const int AT_FDCWD = -100;
    private const uint RENAME_EXCHANGE = 2;

    [DllImport("libc", SetLastError = true)]
    private static extern int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);
}
