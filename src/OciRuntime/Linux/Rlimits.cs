namespace OciRuntime.Linux;

/// <summary>RLIMIT_* names of the runtime-spec and their resource numbers on Linux.</summary>
internal static class Rlimits
{
    private static readonly string[] Names =
    [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
        "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
        "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ];

    public static bool TryGetResource(string name, out uint resource)
    {
        int i = Array.IndexOf(Names, name);
        resource = (uint)Math.Max(i, 0);
        return i >= 0;
    }
}
