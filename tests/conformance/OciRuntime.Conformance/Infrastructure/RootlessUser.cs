using System.Diagnostics;
using Xunit.Sdk;

namespace OciRuntime.Conformance;

/// <summary>
/// A throw-away unprivileged user for the rootless tests: made with useradd (unique name with the
/// sandbox run id), given /etc/subuid and /etc/subgid ranges, a home and an XDG_RUNTIME_DIR of
/// its own under the sandbox's temp dir, and a wrapper script that runs the runtime as that user
/// (setpriv --reuid/--regid/--init-groups). Dispose removes the user, its subordinate id lines and
/// its files, and kills whatever still runs as its uid (by pid), even after a failed test.
/// </summary>
public sealed class RootlessUser : IDisposable
{
    /// <summary>Subordinate ids given to the user when useradd gave none.</summary>
    private const uint FallbackSubStart = 600000, SubCount = 65536;

    public RootlessUser()
    {
        TestEnv.EnsureReady();
        Name = "oci" + TestEnv.SandboxRunId + Guid.NewGuid().ToString("N")[..6];
        Base = Path.Combine(TestEnv.TempBase, "rootless-" + Name);
        Directory.CreateDirectory(Base);
        File.SetUnixFileMode(Base, (UnixFileMode)Convert.ToInt32("755", 8));
        Home = Path.Combine(Base, "home");
        XdgRuntimeDir = Path.Combine(Base, "xdg");
        try
        {
            Sh($"useradd --no-create-home --home-dir {Home} --shell /bin/sh --user-group {Name}");
            Uid = uint.Parse(Sh($"id -u {Name}").Trim());
            Gid = uint.Parse(Sh($"id -g {Name}").Trim());
            if (SubRange("/etc/subuid") is null || SubRange("/etc/subgid") is null)
            {
                string r = $"{FallbackSubStart}-{FallbackSubStart + SubCount - 1}";
                Sh($"usermod --add-subuids {r} --add-subgids {r} {Name}");
            }
            SubUid = SubRange("/etc/subuid") ?? throw new XunitException($"no /etc/subuid range for {Name}");
            SubGid = SubRange("/etc/subgid") ?? throw new XunitException($"no /etc/subgid range for {Name}");
            foreach (var d in new[] { Home, XdgRuntimeDir })
            {
                Directory.CreateDirectory(d);
                File.SetUnixFileMode(d, (UnixFileMode)Convert.ToInt32("700", 8));
                Chown(d);
            }
            Binary = ReachableBinary();
            Wrapper = MakeWrapper(Path.Combine(Base, "as-user.sh"), Binary);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }
    public uint Uid { get; }
    public uint Gid { get; }
    public (uint Start, uint Count) SubUid { get; }
    public (uint Start, uint Count) SubGid { get; }
    public string Base { get; }
    public string Home { get; }
    public string XdgRuntimeDir { get; }

    /// <summary>The runtime binary as the user reaches it.</summary>
    public string Binary { get; } = "";

    /// <summary>Runs the runtime as the user: set it as Runtime.Binary and call with NoGlobalArgs.</summary>
    public string Wrapper { get; } = "";

    /// <summary>Where the runtime keeps its state for this user: $XDG_RUNTIME_DIR/ociruntime.</summary>
    public string StateRoot => Path.Combine(XdgRuntimeDir, "ociruntime");

    /// <summary>A script at <paramref name="path"/> that runs <paramref name="binary"/> as the user with
    /// HOME, USER and (unless <paramref name="withXdg"/> is false) XDG_RUNTIME_DIR set.</summary>
    public string MakeWrapper(string path, string binary, bool withXdg = true)
    {
        File.WriteAllText(path,
            "#!/bin/sh\n" +
            (withXdg ? $"export XDG_RUNTIME_DIR='{XdgRuntimeDir}'\n" : "unset XDG_RUNTIME_DIR\n") +
            $"export HOME='{Home}' USER='{Name}' LOGNAME='{Name}'\n" +
            $"exec /usr/bin/setpriv --reuid={Uid} --regid={Gid} --init-groups -- '{binary}' \"$@\"\n");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
        return path;
    }

    public void Chown(string path) => Sh($"chown {Uid}:{Gid} '{path}'");

    /// <summary>Everyone may enter every directory above <paramref name="path"/> (the user must reach its bundle).</summary>
    public static void OpenParents(string path)
    {
        for (string? d = Path.GetDirectoryName(path); d != null && d != "/"; d = Path.GetDirectoryName(d))
        {
            var mode = File.GetUnixFileMode(d);
            if ((mode & UnixFileMode.OtherExecute) == 0)
                File.SetUnixFileMode(d, mode | UnixFileMode.OtherExecute);
        }
    }

    /// <summary>The runtime binary if the user can execute it where it is, else a root-owned copy in the user's base dir.</summary>
    private string ReachableBinary()
    {
        string bin = TestEnv.RuntimeBinary;
        bool reachable = (File.GetUnixFileMode(bin) & UnixFileMode.OtherExecute) != 0;
        for (string? d = Path.GetDirectoryName(bin); reachable && d != null && d != "/"; d = Path.GetDirectoryName(d))
            reachable = (File.GetUnixFileMode(d) & UnixFileMode.OtherExecute) != 0;
        if (reachable)
            return bin;
        string copy = Path.Combine(Base, Path.GetFileName(bin));
        File.Copy(bin, copy);
        File.SetUnixFileMode(copy, (UnixFileMode)Convert.ToInt32("755", 8));
        return copy;
    }

    private (uint, uint)? SubRange(string file)
    {
        if (!File.Exists(file))
            return null;
        foreach (var line in File.ReadAllLines(file))
        {
            var f = line.Split(':');
            if (f.Length == 3 && f[0] == Name && uint.TryParse(f[1], out uint s) && uint.TryParse(f[2], out uint n) && n >= SubCount)
                return (s, n);
        }
        return null;
    }

    public void Dispose()
    {
        // Whatever still runs as the user (a container a failed test left) goes first, by pid:
        // userdel refuses a user with processes.
        if (Uid != 0)
            for (int round = 0; round < 20 && KillUsersProcesses() > 0; round++)
                Thread.Sleep(50);
        Sh($"userdel {Name}", check: false);
        foreach (var file in new[] { "/etc/subuid", "/etc/subgid" })
            RemoveLinesOf(file);
        try
        {
            Directory.Delete(Base, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private int KillUsersProcesses()
    {
        int n = 0;
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
                continue;
            try
            {
                var uidLine = File.ReadLines(Path.Combine(dir, "status")).FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                if (uidLine != null && uidLine.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1] == Uid.ToString()
                    && !HostState.IsZombieOrGone(pid))
                {
                    Native.kill(pid, 9);
                    n++;
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return n;
    }

    /// <summary>userdel removes the user's subordinate ranges; this makes sure, touching no other line.</summary>
    private void RemoveLinesOf(string file)
    {
        if (!File.Exists(file))
            return;
        var lines = File.ReadAllLines(file);
        var kept = lines.Where(l => !l.StartsWith(Name + ":", StringComparison.Ordinal)).ToArray();
        if (kept.Length != lines.Length)
            File.WriteAllLines(file, kept);
    }

    private static string Sh(string command, bool check = true)
    {
        var psi = new ProcessStartInfo("/bin/sh", ["-c", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // useradd/userdel wait for other tools' locks on /etc/passwd: retry a few times.
        for (int attempt = 0; ; attempt++)
        {
            using var p = Process.Start(psi)!;
            string stdout = p.StandardOutput.ReadToEnd();
            string stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode == 0 || !check)
                return stdout;
            if (attempt < 5 && stderr.Contains("lock", StringComparison.OrdinalIgnoreCase))
            {
                Thread.Sleep(200);
                continue;
            }
            throw new XunitException($"`{command}` failed with {p.ExitCode}: {stderr}");
        }
    }
}
