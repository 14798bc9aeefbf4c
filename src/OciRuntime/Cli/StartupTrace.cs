using System.Diagnostics;

namespace OciRuntime.Cli;

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

    public static void Mark(string phase)
    {
        if (!Enabled)
            return;
        long now = Stopwatch.GetTimestamp();
        Log.Info($"trace: {phase} {Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds:F2} ms (at {Stopwatch.GetElapsedTime(Start, now).TotalMilliseconds:F2} ms since main)");
        _last = now;
    }
}
