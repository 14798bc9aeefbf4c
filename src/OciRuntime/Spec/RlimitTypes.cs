namespace OciRuntime.Spec;

/// <summary>The values of process.rlimits[].type that Linux defines (resource numbers are in OciRuntime.Linux.Rlimits).</summary>
public static class RlimitTypes
{
    public static IReadOnlyList<string> All { get; } =
    [
        "RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS",
        "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC",
        "RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK",
    ];

    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    public static bool IsKnown(string? type) => type is not null && Known.Contains(type);
}
