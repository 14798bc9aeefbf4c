using System.Text;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace OciRuntime.Conformance;

/// <summary>
/// One test's world: a temp dir under the sandbox's OCI_CONFORMANCE_TMP, a <see cref="Runtime"/>
/// with its own --root, bundles, host-side mounts the test made. Dispose force-deletes every
/// container, undoes the test's own mounts, then looks for anything left behind (processes
/// carrying the test's tag, mounts under the test dir, cgroups named after its containers, state
/// dirs) — removes it and fails the test if there was any.
/// </summary>
public sealed class TestScope : IDisposable
{
    private static int s_counter;
    private readonly ITestOutputHelper? _output;
    private readonly List<(string What, Action Undo)> _cleanups = new();
    private readonly object _logLock = new();

    public TestScope(string name, ITestOutputHelper? output)
    {
        TestEnv.EnsureReady();
        _output = output;
        int n = Interlocked.Increment(ref s_counter);
        Tag = $"{name}-{n}-{Guid.NewGuid().ToString("N")[..8]}";
        Dir = Path.Combine(TestEnv.TempBase, Tag);
        Directory.CreateDirectory(Dir);
        Runtime = new Runtime(this);
    }

    /// <summary>Unique per test; put in the environment of every process the test starts.</summary>
    public string Tag { get; }

    /// <summary>The test's temp dir: bundles, host dirs, --root, logs, outputs.</summary>
    public string Dir { get; }

    public Runtime Runtime { get; }

    public void Log(string text)
    {
        lock (_logLock)
        {
            try { _output?.WriteLine(text); }
            catch (InvalidOperationException) { } // no test running any more
        }
    }

    /// <summary>A new (empty) dir under the test dir.</summary>
    public string NewDir(string name)
    {
        string d = Path.Combine(Dir, name);
        for (int i = 2; Directory.Exists(d) || File.Exists(d); i++)
            d = Path.Combine(Dir, name + i);
        Directory.CreateDirectory(d);
        return d;
    }

    public Bundle NewBundle(string name = "bundle") => new(this, NewDir(name));

    /// <summary>Registers an action run (in reverse order) at the end of the test, before the leftover checks.</summary>
    public void OnCleanup(string what, Action undo)
    {
        lock (_cleanups)
            _cleanups.Add((what, undo));
    }

    /// <summary>mount(2) on the host side (the sandbox's mount namespace), undone at the end of the test.</summary>
    public void HostMount(string source, string target, string? fstype, ulong flags, string? data = null)
    {
        Native.Mount(source, target, fstype, flags, data);
        if ((flags & Native.MS_BIND) != 0 || fstype != null)
            OnCleanup("umount " + target, () => Native.umount2(target, Native.MNT_DETACH));
    }

    /// <summary>
    /// Asserts that nothing of the containers in <paramref name="goneIds"/> exists any more: no state
    /// dir under --root (nor at --root/ID resolved as a path, for ids like "../x"), no process
    /// carrying the test's tag other than those of <paramref name="keepPids"/>, no mount under the
    /// test dir besides the test's own, no cgroup named after the ids.
    /// </summary>
    public void AssertNothingLeft(IEnumerable<string> goneIds, IEnumerable<int>? keepPids = null)
    {
        var problems = new List<string>();
        foreach (string id in goneIds)
        {
            if (id.Length == 0)
                continue;
            string p = Path.GetFullPath(Path.Combine(Runtime.Root, id));
            string rootFull = Path.GetFullPath(Runtime.Root);
            if (rootFull == p || rootFull.StartsWith(p.TrimEnd('/') + "/", StringComparison.Ordinal))
                continue; // "." or "..": resolves to --root itself or above it
            if (Directory.Exists(p) || File.Exists(p))
                problems.Add($"state left for container id '{id}': {p}");
        }
        var keep = new HashSet<int>(keepPids ?? Array.Empty<int>());
        foreach (var (pid, comm) in WaitTaggedGone(keep, TimeSpan.FromSeconds(2)))
            problems.Add($"process left: pid {pid} ({comm})");
        foreach (var m in UnexpectedMounts())
            problems.Add($"mount left: {m.Line}");
        var ids = goneIds.Where(i => i.StartsWith("ct", StringComparison.Ordinal) && i.Length > 8).ToList();
        foreach (string cg in HostState.CgroupDirsNamed(ids))
            problems.Add($"cgroup left: {cg}");
        foreach (string unit in HostState.SystemdUnitsNamed(ids))
            problems.Add($"systemd unit left: {unit}");
        if (problems.Count > 0)
            throw new XunitException("left behind:\n  " + string.Join("\n  ", problems));
    }

    private List<MountEntry> UnexpectedMounts()
    {
        HashSet<string> own;
        lock (_cleanups)
            own = _cleanups.Where(c => c.What.StartsWith("umount ", StringComparison.Ordinal)).Select(c => c.What[7..]).ToHashSet();
        return MountInfo.ReadSelf().Under(Dir).Where(m => !own.Contains(m.MountPoint)).ToList();
    }

    private List<(int Pid, string Comm)> WaitTaggedGone(HashSet<int> keep, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = HostState.TaggedProcesses(Tag).Where(p => !keep.Contains(p.Pid)).ToList();
            if (left.Count == 0 || DateTime.UtcNow >= deadline)
                return left;
            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        var problems = new List<string>();

        // 1. every container this test may have made: the ids it used and whatever --root lists
        var ids = new HashSet<string>(Runtime.KnownIds);
        try
        {
            foreach (string d in Directory.EnumerateFileSystemEntries(Runtime.Root))
                ids.Add(Path.GetFileName(d));
        }
        catch (IOException) { }
        // (every known id, whatever the runtime's state layout; an error for a deleted one is fine)
        foreach (string id in ids.Where(i => i.Length > 0 && !i.Contains('/') && i != ".." && i != "."))
            Runtime.Invoke("delete", "--force", id);

        // 2. runtime processes still running (a foreground run the test did not wait for): they
        //    should end with their container; kill them if not
        problems.AddRange(Runtime.StopRunning(TimeSpan.FromSeconds(3)));

        // 3. the test's own host-side setup (mounts), newest first
        List<(string What, Action Undo)> cleanups;
        lock (_cleanups)
        {
            cleanups = _cleanups.AsEnumerable().Reverse().ToList();
            _cleanups.Clear();
        }
        foreach (var (what, undo) in cleanups)
        {
            try { undo(); }
            catch (Exception e) { problems.Add($"cleanup '{what}' failed: {e.Message}"); }
        }

        // 4. processes of this test that survived `delete --force`: kill them by pid
        var left = WaitTaggedGone(new HashSet<int>(), TimeSpan.FromSeconds(3));
        foreach (var (pid, comm) in left)
        {
            problems.Add($"process still alive after delete --force: pid {pid} ({comm}) — killed");
            Native.kill(pid, 9);
        }
        foreach (var (pid, _) in left)
            HostState.WaitDead(pid, TimeSpan.FromSeconds(2));

        // 5. mounts under the test dir
        var mounts = MountInfo.ReadSelf().Under(Dir);
        foreach (var m in mounts.OrderByDescending(m => m.MountPoint.Length))
        {
            problems.Add($"mount left under the test dir: {m.Line} — unmounted");
            Native.umount2(m.MountPoint, Native.MNT_DETACH);
        }

        // 6. systemd units named after them (the systemd cgroup driver), failed ones too
        var units = HostState.SystemdUnitsNamed(Runtime.KnownIds.Where(i => i.StartsWith("ct", StringComparison.Ordinal)).ToList());
        if (units.Count > 0)
        {
            problems.Add("systemd units left: " + string.Join(", ", units) + " — stopped");
            HostState.StopSystemdUnits(units);
        }

        // 6b. cgroups named after this test's containers
        var cgroups = HostState.CgroupDirsNamed(Runtime.KnownIds.Where(i => i.StartsWith("ct", StringComparison.Ordinal)).ToList());
        if (cgroups.Count > 0)
        {
            problems.Add("cgroups left: " + string.Join(", ", cgroups) + " — removed");
            foreach (string failed in HostState.RemoveCgroupDirs(cgroups))
                problems.Add("could not remove cgroup " + failed);
        }

        // 7. state left in --root
        try
        {
            foreach (string d in Directory.EnumerateFileSystemEntries(Runtime.Root))
                problems.Add($"state left under --root after delete --force: {d}");
        }
        catch (IOException) { }

        // 8. the test dir itself (never across a mount point, never through a symlink)
        if (MountInfo.ReadSelf().Under(Dir).Count == 0)
        {
            try { SafeDelete(Dir); }
            catch (Exception e) { problems.Add($"cannot remove test dir {Dir}: {e.Message}"); }
        }
        else
        {
            problems.Add($"test dir {Dir} kept: mounts remain under it");
        }

        if (problems.Count > 0)
        {
            var sb = new StringBuilder("The test left things behind (cleaned up now):\n");
            foreach (string p in problems)
                sb.Append("  ").AppendLine(p);
            Log(sb.ToString());
            throw new XunitException(sb.ToString());
        }
    }

    /// <summary>Recursive delete that unlinks symlinks instead of following them.</summary>
    public static void SafeDelete(string path)
    {
        var info = new DirectoryInfo(path);
        if (!info.Exists)
            return;
        foreach (var entry in info.EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget != null || entry is FileInfo)
                File.Delete(entry.FullName);
            else
                SafeDelete(entry.FullName);
        }
        Directory.Delete(path);
    }
}

/// <summary>Base class: one <see cref="TestScope"/> per test (xunit makes a class instance per test).</summary>
public abstract class ConformanceTest : IDisposable
{
    protected ConformanceTest(ITestOutputHelper output)
    {
        Scope = new TestScope(GetType().Name, output);
    }

    protected TestScope Scope { get; }
    protected Runtime Rt => Scope.Runtime;

    protected Bundle NewBundle() => Scope.NewBundle();

    public void Dispose() => Scope.Dispose();
}
