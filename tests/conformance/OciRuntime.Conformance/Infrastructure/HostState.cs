using System.Text;

namespace OciRuntime.Conformance;

/// <summary>What the tests look at on the host side: processes, cgroups.</summary>
public static class HostState
{
    public const string TagVariable = "OCI_CONFORMANCE_TAG";

    /// <summary>
    /// Live processes (not zombies) whose environment carries TAG=<paramref name="tag"/>: every
    /// runtime invocation of a test and every container process it starts gets the test's tag, so
    /// these are provably the test's own.
    /// </summary>
    public static List<(int Pid, string Comm)> TaggedProcesses(string tag)
    {
        byte[] needle = Encoding.UTF8.GetBytes(TagVariable + "=" + tag + "\0");
        var found = new List<(int, string)>();
        int self = Environment.ProcessId;
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == self)
                continue;
            try
            {
                if (IsZombieOrGone(pid))
                    continue;
                byte[] env = File.ReadAllBytes(Path.Combine(dir, "environ"));
                if (env.AsSpan().IndexOf(needle) >= 0)
                    found.Add((pid, File.ReadAllText(Path.Combine(dir, "comm")).Trim()));
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>True if the pid is gone or a zombie (dead, waiting to be reaped by whoever is its parent).</summary>
    public static bool IsZombieOrGone(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            char state = stat[close + 2];
            return state is 'Z' or 'X';
        }
        catch (IOException) { return true; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public static bool IsAlive(int pid) => !IsZombieOrGone(pid);

    /// <summary>Waits until the pid is gone or a zombie.</summary>
    public static bool WaitDead(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (IsZombieOrGone(pid))
                return true;
            Thread.Sleep(10);
        }
        return IsZombieOrGone(pid);
    }

    /// <summary>The owner of a host path (stat(1), which follows symlinks as the tests want).</summary>
    public static (uint Uid, uint Gid) Owner(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat", ["-L", "-c", "%u %g", path]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string[] f = p.StandardOutput.ReadToEnd().Trim().Split(' ');
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"stat {path} failed");
        return (uint.Parse(f[0]), uint.Parse(f[1]));
    }

    public static string? ReadNsLink(int pid, string ns)
    {
        try { return new FileInfo($"/proc/{pid}/ns/{ns}").LinkTarget; }
        catch (IOException) { return null; }
    }

    /// <summary>The cgroup hierarchies mounted under /sys/fs/cgroup (v1 controllers and cgroup2).</summary>
    public static List<MountEntry> CgroupHierarchies() =>
        MountInfo.ReadSelf().Where(m => (m.FsType is "cgroup" or "cgroup2") &&
            (m.MountPoint.StartsWith("/sys/fs/cgroup/", StringComparison.Ordinal) || m.MountPoint == "/sys/fs/cgroup")).ToList();

    /// <summary>systemd units (any state, failed ones too) whose name contains one of the ids, as
    /// "NAME LOAD ACTIVE SUB" lines of `systemctl list-units --all`; empty unless the runtime runs
    /// with its systemd cgroup driver (<see cref="TestEnv.SystemdCgroup"/>).</summary>
    public static List<string> SystemdUnitsNamed(IReadOnlyCollection<string> ids)
    {
        if (!TestEnv.SystemdCgroup || ids.Count == 0)
            return new List<string>();
        var psi = new System.Diagnostics.ProcessStartInfo("systemctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "list-units", "--all", "--plain", "--no-legend", "--full", "--no-pager" })
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            return new List<string> { $"(systemctl list-units failed, exit {p.ExitCode}: {error.Trim()})" };
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(4)))
            .Where(l => ids.Any(id => id.Length > 0 && l.Split(' ')[0].Contains(id, StringComparison.Ordinal))).ToList();
    }

    /// <summary>Stops the units and clears their failed state (cleanup of what a test left).</summary>
    public static void StopSystemdUnits(IEnumerable<string> unitLines)
    {
        foreach (string unit in unitLines.Select(l => l.Split(' ')[0]).Where(u => !u.StartsWith('(')))
            foreach (string verb in new[] { "stop", "reset-failed" })
                System.Diagnostics.Process.Start("systemctl", new[] { verb, unit })!.WaitForExit(30000);
    }

    /// <summary>Cgroup dirs (in any hierarchy, up to 6 levels deep) whose name contains one of the ids.</summary>
    public static List<string> CgroupDirsNamed(IReadOnlyCollection<string> ids)
    {
        var found = new List<string>();
        if (ids.Count == 0)
            return found;
        foreach (var h in CgroupHierarchies())
            Walk(h.MountPoint, 0);
        return found;

        void Walk(string dir, int depth)
        {
            if (depth > 6)
                return;
            IEnumerable<string> subdirs;
            try { subdirs = Directory.EnumerateDirectories(dir).ToList(); }
            catch (IOException) { return; }
            foreach (string sub in subdirs)
            {
                string name = Path.GetFileName(sub);
                if (ids.Any(id => id.Length > 0 && name.Contains(id, StringComparison.Ordinal)))
                    found.Add(sub);
                Walk(sub, depth + 1);
            }
        }
    }

    /// <summary>rmdir the dirs, deepest first, retrying briefly while they are busy.</summary>
    public static List<string> RemoveCgroupDirs(IEnumerable<string> dirs)
    {
        var failed = new List<string>();
        foreach (string d in dirs.OrderByDescending(d => d.Length))
        {
            bool ok = false;
            for (int i = 0; i < 50 && !ok; i++)
            {
                try
                {
                    // a cgroup dir is removed with rmdir(2) even though it lists files
                    if (!Directory.Exists(d) || RmDir(d))
                        ok = true;
                    else
                        Thread.Sleep(20);
                }
                catch (IOException) { Thread.Sleep(20); }
            }
            if (!ok)
                failed.Add(d);
        }
        return failed;
    }

    private static bool RmDir(string path) => NativeRm.rmdir(path) == 0;

    private static class NativeRm
    {
        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        public static extern int rmdir(string path);
    }
}
