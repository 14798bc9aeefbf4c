namespace OciRuntime.Lifecycle;

/// <summary>
/// Systemd socket activation passed through, as runc does: when the runtime itself was given
/// sockets (LISTEN_FDS=n with LISTEN_PID naming the runtime's own pid), fds 3..3+n-1 are kept for
/// the container's process, which gets LISTEN_FDS=n and LISTEN_PID=1; --preserve-fds counts after them.
/// </summary>
internal static class InheritedFds
{
    public static int ListenFds(string? listenFds, string? listenPid, int selfPid)
    {
        if (listenPid is null || !int.TryParse(listenPid, out int pid) || pid != selfPid)
            return 0;
        return int.TryParse(listenFds, out int n) && n > 0 ? n : 0;
    }

    public static int ListenFdsOfThisProcess() =>
        ListenFds(Environment.GetEnvironmentVariable("LISTEN_FDS"), Environment.GetEnvironmentVariable("LISTEN_PID"),
            Environment.ProcessId);

    /// <summary>The process's env with the activation variables for <paramref name="n"/> sockets
    /// (any it had are replaced: the numbers must describe the fds it really gets).</summary>
    public static List<string> WithListenEnv(List<string>? env, int n)
    {
        var list = (env ?? []).Where(e => !e.StartsWith("LISTEN_FDS=", StringComparison.Ordinal) &&
                                          !e.StartsWith("LISTEN_PID=", StringComparison.Ordinal)).ToList();
        if (n > 0)
            list.AddRange(["LISTEN_FDS=" + n, "LISTEN_PID=1"]);
        return n > 0 ? list : env ?? [];
    }
}
