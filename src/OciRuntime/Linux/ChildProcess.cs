namespace OciRuntime.Linux;

/// <summary>Helpers for the children the runtime starts itself (hooks, ps(1), newuidmap, the
/// container's process) and waits for.</summary>
internal static unsafe class ChildProcess
{
    /// <summary>waitpid until it reports <paramref name="pid"/>, retried on EINTR (a forwarded
    /// signal interrupts it); the wait status. Other errors throw naming <paramref name="what"/>.</summary>
    public static int WaitForExit(int pid, int options, string what)
    {
        int status = 0;
        while (LibC.waitpid(pid, &status, options) < 0)
        {
            if (LibC.Errno != LibC.EINTR)
                throw SyscallException.Last(what);
        }
        return status;
    }

    /// <summary>An executable named <paramref name="name"/> in $PATH, then in
    /// <paramref name="fallbackDirs"/>; null when there is none. Only absolute directories count.</summary>
    public static string? FindProgram(string name, IEnumerable<string> fallbackDirs)
    {
        var path = Environment.GetEnvironmentVariable("PATH")?.Split(':', StringSplitOptions.RemoveEmptyEntries) ?? [];
        foreach (var dir in path.Concat(fallbackDirs))
        {
            string candidate = Path.Combine(dir, name);
            if (dir.StartsWith('/') && LibC.access(candidate, LibC.X_OK) == 0)
                return candidate;
        }
        return null;
    }
}
