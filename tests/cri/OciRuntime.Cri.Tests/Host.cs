using System.Text.Json.Nodes;

namespace OciRuntime.Cri.Tests;

/// <summary>What the tests read on the host (the sandbox's view): cgroup files, namespaces,
/// processes, mounts, the shim's runtime state.</summary>
public static class Host
{
    /// <summary>The runc v2 shim's --root for the CRI plugin's containerd namespace.</summary>
    public const string RuntimeRoot = "/run/containerd/runc/k8s.io";

    /// <summary>A cgroup v1 file of the cgroup at <paramref name="path"/> (cgroupfs syntax).</summary>
    public static string Cgroup(string controller, string path, string file) =>
        File.ReadAllText($"/sys/fs/cgroup/{controller}{path}/{file}").Trim();

    /// <summary>The v1 hierarchies (mount points under /sys/fs/cgroup) of this host.</summary>
    public static IEnumerable<string> Hierarchies() =>
        File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')).Where(f => f.Length > 4 && f[4].StartsWith("/sys/fs/cgroup/", StringComparison.Ordinal)
            && f.SkipWhile(x => x != "-").Skip(1).FirstOrDefault() is "cgroup").Select(f => f[4]);

    /// <summary>The cgroup path of <paramref name="pid"/> in the hierarchy holding <paramref name="controller"/>.</summary>
    public static string? CgroupOf(int pid, string controller) =>
        File.ReadLines($"/proc/{pid}/cgroup").Select(l => l.Split(':', 3))
            .FirstOrDefault(p => p.Length == 3 && p[1].Split(',').Contains(controller))?[2];

    public static string Ns(int pid, string ns) => new FileInfo($"/proc/{pid}/ns/{ns}").LinkTarget ?? "";

    /// <summary>A "Key:\tvalue" line of /proc/PID/status.</summary>
    public static string Status(int pid, string key) =>
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Trim();

    /// <summary>Processes whose command line mentions <paramref name="text"/> (shims name their
    /// pod's sandbox id in -id).</summary>
    public static List<string> ProcessesMentioning(string text)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == Environment.ProcessId)
                continue;
            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }
            if (cmdline.Contains(text, StringComparison.Ordinal))
                found.Add($"{pid}: {cmdline}");
        }
        return found;
    }

    public static List<string> MountsMentioning(string text) =>
        File.ReadLines("/proc/self/mountinfo").Where(l => l.Contains(text, StringComparison.Ordinal)).ToList();

    /// <summary>The pid in a verbose status's "info" JSON (containerd's CRI plugin puts it there).</summary>
    public static int PidFromInfo(IDictionary<string, string> info) =>
        (int)JsonNode.Parse(info["info"])!["pid"]!;

    /// <summary>Waits until <paramref name="done"/> holds or the time is up; returns whether it held.</summary>
    public static bool WaitUntil(Func<bool> done, double seconds = 10)
    {
        var end = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (done())
                return true;
            if (DateTime.UtcNow > end)
                return false;
            Thread.Sleep(100);
        }
    }

    /// <summary>A capability set from /proc/PID/status as a bit mask.</summary>
    public static ulong CapMask(string hex) => Convert.ToUInt64(hex, 16);
}
