using OciRuntime.Linux;
using OciRuntime.Planning;
using OciRuntime.Spec;

namespace OciRuntime.Cgroups.V2;

/// <summary>The container's cgroup in the unified cgroup v2 tree.</summary>
internal sealed class CgroupV2Manager : ICgroupManager
{
    private readonly string _mountPoint;
    private readonly string _dir;
    private readonly List<CgroupWrite> _writes;
    private readonly DeviceProgram? _devices;
    private readonly List<string> _created = [];

    public CgroupV2Manager(string mountPoint, string dir, List<CgroupWrite> writes, DeviceProgram? devices)
    {
        _mountPoint = mountPoint;
        _dir = dir;
        _writes = writes;
        _devices = devices;
    }

    public IReadOnlyDictionary<string, string> Directories => new Dictionary<string, string> { [_mountPoint] = _dir };

    /// <summary>The deepest directory of the container's path that exists already.</summary>
    private string ExistingAncestor()
    {
        string d = _dir;
        while (!Directory.Exists(d) && d.Length > _mountPoint.Length)
            d = Path.GetDirectoryName(d)!;
        return d;
    }

    /// <summary>Every controller the writes need must be offered by the tree above the container,
    /// or the files will never appear: refused before anything is created.</summary>
    public void CheckControllers()
    {
        string ancestor = ExistingAncestor();
        var offered = (CgroupFiles.Read(ancestor, "cgroup.controllers") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var w in _writes)
            if (w.Controller.Length > 0 && !offered.Contains(w.Controller))
                throw new PlanningException(w.Field,
                    $"not supported by this host: the {w.Controller} controller is not available (not in {ancestor}/cgroup.controllers; needed for {w.File})");
    }

    public void Create()
    {
        CheckControllers();
        if (Directory.Exists(_dir))
            CgroupDirectory.RefuseIfInUse(_dir,
                frozen: CgroupFiles.KeyValues(_dir, "cgroup.events").GetValueOrDefault("frozen") == 1UL); // itself or an ancestor
        string ancestor = ExistingAncestor();
        try
        {
            _created.AddRange(CgroupDirectory.CreateAll(_dir));
            // Each level above the container hands its controllers down, so that the container's
            // directory gets their files. A level that holds processes cannot (the kernel's
            // no-internal-processes rule): then the files are missing and the write below says so.
            var levels = new List<string> { ancestor };
            levels.AddRange(_created);
            foreach (var level in levels.Where(l => l != _dir))
                EnableControllers(level);
            _devices?.Attach(_dir);
            ResourceWriter.Apply(_writes, _ => _dir);
        }
        catch
        {
            CgroupDirectory.RemoveAll(_created);
            throw;
        }
    }

    private static void EnableControllers(string dir)
    {
        var offered = (CgroupFiles.Read(dir, "cgroup.controllers") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var enabled = (CgroupFiles.Read(dir, "cgroup.subtree_control") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var c in offered.Except(enabled))
        {
            // A controller the kernel refuses (EBUSY, EINVAL...) stays off; a denied write is an error.
            string path = dir + "/cgroup.subtree_control";
            int err = SysFile.TryWrite(path, "+" + c);
            if (err is LibC.EACCES or LibC.EPERM)
                throw new RuntimeError($"cgroup: write \"+{c}\" to {path}: {LibC.StrError(err)}");
        }
    }

    /// <summary>The directory exists already, made by someone else (systemd's scope, its process
    /// in it): only the device program and the resource files, as <see cref="Create"/> would.</summary>
    public void ApplyToExisting()
    {
        _devices?.Attach(_dir);
        ResourceWriter.Apply(_writes, _ => _dir);
    }

    public void AddProcess(int pid) => CgroupDirectory.Write(_dir, "cgroup.procs", pid.ToString());

    public IReadOnlyList<int> Pids() => CgroupDirectory.Procs(_dir);

    public void Destroy() => CgroupDirectory.Remove(_dir);

    /// <summary>What an update of a v2 cgroup checks and completes before anything is written (the
    /// cgroupfs and the systemd drivers both): the resources are valid, a lower memory limit is not
    /// below what the container uses now (else it would be OOM-killed first), and a swap value
    /// without a memory limit counts against the memory limit in place (memory.swap.max is swap
    /// minus memory).</summary>
    internal static void PrepareUpdate(string dir, LinuxResources r, string field)
    {
        ResourceValidator.Validate(r, field);
        if (r.Memory is { Limit: { } limit, CheckBeforeUpdate: true } && limit > 0
            && CgroupFiles.Number(dir, "memory.current") > (ulong)limit)
            throw new PlanningException(field + ".memory.limit",
                $"{limit} is below the memory the container uses now ({CgroupFiles.Number(dir, "memory.current")})");
        if (r.Memory is { Swap: not null, Limit: null } m)
        {
            ulong cur = CgroupFiles.Number(dir, "memory.max");
            m.Limit = cur == ulong.MaxValue ? -1 : (long)cur;
        }
    }

    public void Update(LinuxResources r)
    {
        const string field = "resources";
        PrepareUpdate(_dir, r, field);
        ResourceWriter.Apply(V2Resources.Map(r, field), _ => _dir);
    }

    public void Freeze(bool frozen)
    {
        int err = SysFile.TryWrite(_dir + "/cgroup.freeze", frozen ? "1" : "0");
        // A thaw of a cgroup that is gone is done: nothing is left in it to run (runc's fs2
        // setFreezer ignores a thaw it cannot open, too). Under the systemd driver this is the
        // race `delete --force` of a paused container meets: systemd removes the scope's cgroup
        // as soon as the SIGKILLed init has left it, which can be before the thaw that follows
        // the kill (ENOENT at the open, ENODEV when removed between open and write).
        if (err is LibC.ENOENT or LibC.ENODEV && !frozen)
            return;
        if (err != 0)
            throw CgroupDirectory.WriteError(_dir + "/cgroup.freeze", frozen ? "1" : "0", err);
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            if (CgroupFiles.KeyValues(_dir, "cgroup.events").GetValueOrDefault("frozen") == (frozen ? 1UL : 0UL))
                return;
            Thread.Sleep(attempt < 10 ? 1 : 10);
        }
        throw new RuntimeError($"cgroup.freeze: {_dir} did not become {(frozen ? "frozen" : "thawed")}");
    }

    public bool IsFrozen() => CgroupFiles.Read(_dir, "cgroup.freeze") == "1";

    public long OomKills() => (long)CgroupFiles.KeyValues(_dir, "memory.events").GetValueOrDefault("oom_kill");

    public CgroupStats Stats()
    {
        var s = new CgroupStats();
        var cpu = CgroupFiles.KeyValues(_dir, "cpu.stat");
        // cpu.stat counts microseconds; runc reports nanoseconds.
        s.CpuUsageTotal = cpu.GetValueOrDefault("usage_usec") * 1000;
        s.CpuUsageUser = cpu.GetValueOrDefault("user_usec") * 1000;
        s.CpuUsageKernel = cpu.GetValueOrDefault("system_usec") * 1000;
        s.ThrottlingPeriods = cpu.GetValueOrDefault("nr_periods");
        s.ThrottledPeriods = cpu.GetValueOrDefault("nr_throttled");
        s.ThrottledTime = cpu.GetValueOrDefault("throttled_usec") * 1000;
        s.MemoryUsage = CgroupFiles.Number(_dir, "memory.current");
        s.MemoryMaxUsage = CgroupFiles.Number(_dir, "memory.peak");
        s.MemoryLimit = CgroupFiles.Number(_dir, "memory.max");
        s.MemoryFailcnt = CgroupFiles.KeyValues(_dir, "memory.events").GetValueOrDefault("max");
        s.SwapUsage = CgroupFiles.Number(_dir, "memory.swap.current");
        s.SwapLimit = CgroupFiles.Number(_dir, "memory.swap.max");
        foreach (var (k, v) in CgroupFiles.KeyValues(_dir, "memory.stat"))
            s.MemoryStat[k] = v;
        s.PidsCurrent = CgroupFiles.Number(_dir, "pids.current");
        s.PidsLimit = CgroupFiles.Number(_dir, "pids.max");
        // io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..."
        foreach (var line in (CgroupFiles.Read(_dir, "io.stat") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            var dev = parts[0].Split(':');
            if (dev.Length != 2 || !ulong.TryParse(dev[0], out ulong ma) || !ulong.TryParse(dev[1], out ulong mi))
                continue;
            foreach (var kv in parts.Skip(1))
            {
                var p = kv.Split('=');
                if (p.Length != 2 || !ulong.TryParse(p[1], out ulong v))
                    continue;
                switch (p[0])
                {
                    case "rbytes": s.IoServiceBytes.Add((ma, mi, "Read", v)); break;
                    case "wbytes": s.IoServiceBytes.Add((ma, mi, "Write", v)); break;
                    case "rios": s.IoServiced.Add((ma, mi, "Read", v)); break;
                    case "wios": s.IoServiced.Add((ma, mi, "Write", v)); break;
                }
            }
        }
        foreach (var f in SafeEnumerate(_dir, "hugetlb.*.current"))
        {
            string size = Path.GetFileName(f).Split('.')[1];
            s.Hugetlb[size] = (CgroupFiles.Number(_dir, $"hugetlb.{size}.current"), 0,
                CgroupFiles.KeyValues(_dir, $"hugetlb.{size}.events").GetValueOrDefault("max"));
        }
        return s;
    }

    private static IEnumerable<string> SafeEnumerate(string dir, string pattern) =>
        Directory.Exists(dir) ? Directory.EnumerateFiles(dir, pattern) : [];
}
