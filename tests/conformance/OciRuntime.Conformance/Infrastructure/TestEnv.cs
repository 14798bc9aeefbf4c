using System.Runtime.InteropServices;

namespace OciRuntime.Conformance;

/// <summary>
/// Where things are: the runtime under test, the sandbox temp dir, the probe and busybox.
/// Every test calls <see cref="EnsureReady"/> (through <see cref="TestScope"/>) so that running the
/// suite outside the sandbox fails at once with a message that says how to run it.
/// </summary>
public static class TestEnv
{
    /// <summary>Timeout for one runtime invocation; OCI_CALL_TIMEOUT (seconds) raises it where
    /// everything is slow (the TCG-emulated VM of tests/vm).</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("OCI_CALL_TIMEOUT"), out int s) && s > 0 ? s : 10);

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>OCI_CONFORMANCE_REPEAT (default 1): how many times a test written for it runs its
    /// body in one process, to hunt a flaky one where each `dotnet test` start costs minutes (the
    /// TCG guest of tests/systemd: OCI_SYSTEMD_CONFORMANCE_REPEAT).</summary>
    public static int Repeat { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("OCI_CONFORMANCE_REPEAT"), out int n) && n > 1 ? n : 1;

    /// <summary>$OCI_RUNTIME, or &lt;repo&gt;/out/ociruntime.</summary>
    public static string RuntimeBinary { get; } = ResolveRuntime();

    /// <summary>The temp dir the sandbox made (OCI_CONFORMANCE_TMP); every test dir lives under it.</summary>
    public static string TempBase => Environment.GetEnvironmentVariable("OCI_CONFORMANCE_TMP") ?? "";

    /// <summary>The sandbox's run id (OCI_SANDBOX_RUN_ID), part of every generated container id.</summary>
    public static string SandboxRunId => Environment.GetEnvironmentVariable("OCI_SANDBOX_RUN_ID") ?? "";

    /// <summary>Global options put before every runtime command (OCI_RUNTIME_ARGS, split on spaces), e.g.
    /// "--systemd-cgroup" in the systemd group (tests/systemd).</summary>
    public static IReadOnlyList<string> RuntimeArgs { get; } =
        (Environment.GetEnvironmentVariable("OCI_RUNTIME_ARGS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether the runtime runs with its systemd cgroup driver: bundles then get a
    /// "system.slice:ocitest:ID" cgroupsPath and the leftover checks look for units too.</summary>
    public static bool SystemdCgroup { get; } =
        RuntimeArgs.Contains("--systemd-cgroup") || RuntimeArgs.Contains("--cgroup-manager=systemd");

    public static string ProbePath { get; } =
        Environment.GetEnvironmentVariable("OCI_PROBE") is { Length: > 0 } p ? p : Path.Combine(AppContext.BaseDirectory, "probe");

    public static string BusyboxPath { get; } =
        Environment.GetEnvironmentVariable("OCI_BUSYBOX") is { Length: > 0 } b ? b : "/bin/busybox";

    private static readonly Lazy<string?> s_problem = new(FindProblem);
    private static readonly Lazy<string> s_assets = new(MakeAssets);

    /// <summary>Throws with a clear message unless the suite runs as root inside the sandbox.</summary>
    public static void EnsureReady()
    {
        if (s_problem.Value is { } problem)
            throw new InvalidOperationException(problem);
    }

    /// <summary>A dir (under <see cref="TempBase"/>) with the busybox and probe binaries that bundles hard-link.</summary>
    public static string AssetsDir => s_assets.Value;

    private static string? FindProblem()
    {
        const string how = "Run the conformance suite as root through the sandbox: " +
                           "OCI_RUNTIME=/path/to/runtime tests/sandbox/run-in-sandbox.sh dotnet test tests/conformance/OciRuntime.Conformance";
        if (Native.geteuid() != 0)
            return "conformance tests need root (euid 0). " + how;
        if (Environment.GetEnvironmentVariable("OCI_SANDBOX") != "1" || TempBase.Length == 0 || !Directory.Exists(TempBase))
            return "conformance tests must run inside tests/sandbox/run-in-sandbox.sh (OCI_SANDBOX/OCI_CONFORMANCE_TMP not set): " +
                   "outside it they would create cgroups in the machine's hierarchy. " + how;
        if (!File.Exists(RuntimeBinary))
            return $"runtime binary not found: {RuntimeBinary} (set OCI_RUNTIME, or build the runtime into <repo>/out/ociruntime)";
        if (!File.Exists(ProbePath))
            return $"probe helper not found: {ProbePath} (built by the project from tests/conformance/probe; needs gcc and glibc static)";
        if (!File.Exists(BusyboxPath))
            return $"busybox not found at {BusyboxPath}: install Debian's busybox-static (or set OCI_BUSYBOX to a static busybox)";
        return null;
    }

    private static string MakeAssets()
    {
        string dir = Path.Combine(TempBase, "assets");
        lock (s_assets)
        {
            Directory.CreateDirectory(dir);
            foreach (var (src, name) in new[] { (BusyboxPath, "busybox"), (ProbePath, "probe") })
            {
                string dst = Path.Combine(dir, name);
                if (File.Exists(dst))
                    continue;
                string tmp = dst + "." + Environment.ProcessId + ".tmp";
                File.Copy(src, tmp, overwrite: true);
                File.SetUnixFileMode(tmp, (UnixFileMode)0b111_101_101);
                File.Move(tmp, dst, overwrite: true);
            }
        }
        return dir;
    }

    private static string ResolveRuntime()
    {
        string? env = Environment.GetEnvironmentVariable("OCI_RUNTIME");
        if (!string.IsNullOrEmpty(env))
            return Path.GetFullPath(env);
        return Path.Combine(RepoRoot, "out", "ociruntime");
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OciRuntime.sln")))
                return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }

    /// <summary>Whether this process (the runtime's parent, as root here) has capability number
    /// <paramref name="cap"/> in its effective set: the host fact some outcomes depend on.</summary>
    public static bool HasCapability(int cap)
    {
        string hex = File.ReadLines("/proc/self/status").First(l => l.StartsWith("CapEff:")).Split(':')[1].Trim();
        return (Convert.ToUInt64(hex, 16) >> cap & 1) != 0;
    }

    public const int CAP_SYS_RESOURCE = 24;

    /// <summary>Whether the runtime under test is ociruntime (by file name), for the few messages only it promises.</summary>
    public static bool IsOciRuntime => Path.GetFileName(RuntimeBinary).StartsWith("ociruntime", StringComparison.Ordinal);
}

internal static partial class Native
{
    [DllImport("libc", SetLastError = true)]
    public static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    public static extern int kill(int pid, int sig);

    [DllImport("libc", SetLastError = true)]
    public static extern int mount(string source, string target, string? fstype, ulong flags, string? data);

    [DllImport("libc", SetLastError = true)]
    public static extern int umount2(string target, int flags);

    public const ulong MS_RDONLY = 1, MS_BIND = 4096, MS_REC = 16384, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20;
    public const int MNT_DETACH = 2;

    /// <summary>mount(2), or an exception naming the call and errno. A read-only remount is retried
    /// on EBUSY for up to 2 s: the kernel refuses it while any process holds a file of the mount
    /// open for writing, and a child that a parallel test forks holds copies of this process's
    /// (close-on-exec) fds until its exec: a file the test just wrote can be one of them.</summary>
    public static void Mount(string source, string target, string? fstype, ulong flags, string? data = null)
    {
        const ulong MS_REMOUNT = 32;
        const int EBUSY = 16;
        for (int attempt = 0; mount(source, target, fstype, flags, data) != 0; attempt++)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EBUSY || (flags & (MS_REMOUNT | MS_RDONLY)) != (MS_REMOUNT | MS_RDONLY) || attempt == 200)
                throw new InvalidOperationException($"mount({source}, {target}, {fstype}, 0x{flags:x}, {data}) failed: errno {errno}");
            Thread.Sleep(10);
        }
    }
}
