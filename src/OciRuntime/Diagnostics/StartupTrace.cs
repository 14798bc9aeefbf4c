using System.Diagnostics;

namespace OciRuntime.Diagnostics;

/// <summary>
/// `--trace`: the duration of each start-up phase (parse, validate, plan, cgroup, spawn, each
/// group of executor steps, start, exec), written to the log as info entries, so a user can see
/// where the time goes. Costs nothing when off.
/// </summary>
internal static class StartupTrace
{
    private static readonly long Start = Stopwatch.GetTimestamp();
    private static long _last = Start;

    public static bool Enabled { get; set; }

    private static long _lastExecutor;

    public static void Mark(string phase)
    {
        if (!Enabled)
            return;
        long now = Stopwatch.GetTimestamp();
        Log.Info($"trace: {phase} {Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds:F2} ms (at {Stopwatch.GetElapsedTime(Start, now).TotalMilliseconds:F2} ms since main)");
        _last = now;
    }

    /// <summary>A host phase after which the executor has its plan: its phases are timed from here.</summary>
    public static void MarkExecutorStarted(string phase)
    {
        Mark(phase);
        _lastExecutor = _last;
    }

    /// <summary>
    /// A phase of the executor, timed when the executor sent its message (CLOCK_MONOTONIC, the
    /// clock Stopwatch reads on Linux) rather than when the host, busy with the cgroup, read it.
    /// </summary>
    public static void MarkExecutor(string phase, ulong sentAtNs)
    {
        if (!Enabled)
            return;
        long at = (long)(sentAtNs * (double)Stopwatch.Frequency / 1e9);
        Log.Info($"trace: executor: {phase} {Stopwatch.GetElapsedTime(_lastExecutor, at).TotalMilliseconds:F2} ms (at {Stopwatch.GetElapsedTime(Start, at).TotalMilliseconds:F2} ms since main)");
        _lastExecutor = at;
    }
}
