using OciRuntime.Linux;
using OciRuntime.Planning;
using OciRuntime.Spec;

namespace OciRuntime.Cgroups.V1;

/// <summary>
/// The container's cgroup in every cgroup v1 hierarchy of the host (and in the hybrid "unified"
/// cgroup2 mount beside them, so that the container is placed there too).
/// </summary>
internal sealed class CgroupV1Manager : ICgroupManager
{
    private readonly Dictionary<string, string> _dirs;
    private readonly List<DeviceRule> _deviceRules;
    private readonly List<CgroupWrite> _writes;
    private readonly List<string> _created = [];

    public CgroupV1Manager(Dictionary<string, string> dirs, List<DeviceRule> deviceRules, List<CgroupWrite> writes)
    {
        _dirs = dirs;
        _deviceRules = deviceRules;
        _writes = writes;
        foreach (var w in writes)
            if (DirOf(w.Controller) is null)
                throw new PlanningException(w.Field, $"not supported by this host: it has no {w.Controller} cgroup hierarchy (for {w.File})");
    }

    public IReadOnlyDictionary<string, string> Directories => _dirs;

    /// <summary>The container's directory in the hierarchy holding a controller; the mount point's
    /// name lists the controllers it holds ("cpu,cpuacct").</summary>
    private string? DirOf(string controller)
    {
        foreach (var (mountPoint, dir) in _dirs)
            if (Path.GetFileName(mountPoint).Split(',').Contains(controller))
                return dir;
        return null;
    }

    public void Create()
    {
        foreach (var dir in _dirs.Values)
            if (Directory.Exists(dir))
                CgroupDirectory.RefuseIfInUse(dir, frozen: dir == DirOf("freezer") && IsFrozen());
        try
        {
            foreach (var (mountPoint, dir) in _dirs)
            {
                var made = CgroupDirectory.CreateAll(dir);
                _created.AddRange(made);
                if (Path.GetFileName(mountPoint).Split(',').Contains("cpuset"))
                    InheritCpuset(mountPoint, dir);
                if (Path.GetFileName(mountPoint).Split(',').Contains("devices") && _deviceRules.Count > 0)
                    ApplyDeviceRules(dir);
            }
            ResourceWriter.Apply(_writes, w => DirOf(w.Controller)!);
        }
        catch
        {
            CgroupDirectory.RemoveAll(_created);
            throw;
        }
    }

    /// <summary>A v1 cpuset without cpus or mems takes no task (the init's join fails with ENOSPC):
    /// from the hierarchy's root down to the container's directory, each level whose cpuset.cpus or
    /// cpuset.mems is empty gets its parent's, as runc's ensureParent/copyIfNeeded. This also fills
    /// a pre-existing parent made by someone else (a pod's cgroup) that was left empty.</summary>
    private static void InheritCpuset(string mountPoint, string dir)
    {
        var levels = new List<string>();
        for (string? d = dir; d is not null && d.Length > mountPoint.Length; d = Path.GetDirectoryName(d))
            levels.Add(d);
        levels.Reverse();
        foreach (var level in levels)
        {
            string parent = Path.GetDirectoryName(level)!;
            foreach (var f in new[] { "cpuset.cpus", "cpuset.mems" })
                if (SysFile.Read(Path.Combine(level, f)).Trim().Length == 0)
                    CgroupDirectory.Write(level, f, SysFile.Read(Path.Combine(parent, f)).Trim());
        }
    }

    /// <summary>Deny everything, then each rule in order (the defaults come last).</summary>
    private void ApplyDeviceRules(string dir)
    {
        var writes = new List<(string, string)>(_deviceRules.Count + 1);
        // A rule list that starts by denying everything (the spec's usual first entry) already does.
        if (_deviceRules is not [{ Allow: false, Line: "a" }, ..])
            writes.Add(("devices.deny", "a"));
        foreach (var r in _deviceRules)
            writes.Add((r.Allow ? "devices.allow" : "devices.deny", r.Line));
        CgroupDirectory.WriteEach(dir, writes);
    }

    public void AddProcess(int pid)
    {
        foreach (var dir in _dirs.Values)
            CgroupDirectory.Write(dir, "cgroup.procs", pid.ToString());
    }

    public IReadOnlyList<int> Pids() =>
        _dirs.Values.Select(CgroupDirectory.Procs).FirstOrDefault(p => p.Count > 0) ?? [];

    public void Destroy()
    {
        foreach (var dir in _dirs.Values)
            CgroupDirectory.Remove(dir);
    }

    public void Update(LinuxResources r)
    {
        const string field = "resources";
        ResourceValidator.Validate(r, field);
        bool swapFirst = false;
        if (r.Memory is { } m && DirOf("memory") is { } mem)
        {
            // As runc: memory -1 without a swap value lifts the memory+swap limit too (when the
            // kernel has one); the kernel refuses a memory limit above memory+swap.
            if (m.Limit == -1 && m.Swap is null or 0 && File.Exists(Path.Combine(mem, "memory.memsw.limit_in_bytes")))
                m.Swap = -1;
            ulong current = ulong.TryParse(CgroupFiles.Read(mem, "memory.limit_in_bytes"), out ulong c) ? c : ulong.MaxValue;
            swapFirst = V1Resources.SwapFirst(m.Limit, m.Swap, current);
            if (m.Limit is { } limit && m.CheckBeforeUpdate == true && limit > 0 && CgroupFiles.Number(mem, "memory.usage_in_bytes") > (ulong)limit)
                throw new PlanningException(field + ".memory.limit",
                    $"{limit} is below the memory the container uses now ({CgroupFiles.Number(mem, "memory.usage_in_bytes")})");
        }
        var writes = V1Resources.Map(r, swapFirst, field);
        foreach (var w in writes)
            if (DirOf(w.Controller) is null)
                throw new PlanningException(w.Field, $"not supported by this host: it has no {w.Controller} cgroup hierarchy (for {w.File})");
        ResourceWriter.Apply(writes, w => DirOf(w.Controller)!);
    }

    public void Freeze(bool frozen)
    {
        string dir = DirOf("freezer") ?? throw new RuntimeError("pause/resume: the host has no freezer cgroup hierarchy");
        string want = frozen ? "FROZEN" : "THAWED";
        // The kernel may report FREEZING while tasks are still running; ask again until it settles.
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            CgroupDirectory.Write(dir, "freezer.state", want);
            if (CgroupFiles.Read(dir, "freezer.state") == want)
                return;
            Thread.Sleep(attempt < 10 ? 1 : 10);
        }
        throw new RuntimeError($"freezer: {dir} did not become {want}");
    }

    public bool IsFrozen() => DirOf("freezer") is { } dir && CgroupFiles.Read(dir, "freezer.state") is "FROZEN" or "FREEZING";

    public long OomKills() =>
        DirOf("memory") is { } dir ? (long)CgroupFiles.KeyValues(dir, "memory.oom_control").GetValueOrDefault("oom_kill") : 0;

    public CgroupStats Stats()
    {
        var s = new CgroupStats();
        if (DirOf("cpuacct") is { } acct)
        {
            s.CpuUsageTotal = CgroupFiles.Number(acct, "cpuacct.usage");
            s.CpuUsageUser = CgroupFiles.Number(acct, "cpuacct.usage_user");
            s.CpuUsageKernel = CgroupFiles.Number(acct, "cpuacct.usage_sys");
        }
        if (DirOf("cpu") is { } cpu)
        {
            var st = CgroupFiles.KeyValues(cpu, "cpu.stat");
            s.ThrottlingPeriods = st.GetValueOrDefault("nr_periods");
            s.ThrottledPeriods = st.GetValueOrDefault("nr_throttled");
            s.ThrottledTime = st.GetValueOrDefault("throttled_time");
        }
        if (DirOf("memory") is { } mem)
        {
            s.MemoryUsage = CgroupFiles.Number(mem, "memory.usage_in_bytes");
            s.MemoryMaxUsage = CgroupFiles.Number(mem, "memory.max_usage_in_bytes");
            s.MemoryLimit = CgroupFiles.Number(mem, "memory.limit_in_bytes");
            s.MemoryFailcnt = CgroupFiles.Number(mem, "memory.failcnt");
            s.SwapUsage = CgroupFiles.Number(mem, "memory.memsw.usage_in_bytes");
            s.SwapLimit = CgroupFiles.Number(mem, "memory.memsw.limit_in_bytes");
            foreach (var (k, v) in CgroupFiles.KeyValues(mem, "memory.stat"))
                s.MemoryStat[k] = v;
        }
        if (DirOf("pids") is { } pids)
        {
            s.PidsCurrent = CgroupFiles.Number(pids, "pids.current");
            s.PidsLimit = CgroupFiles.Number(pids, "pids.max");
        }
        if (DirOf("blkio") is { } blkio)
        {
            ReadBlkio(blkio, "blkio.throttle.io_service_bytes_recursive", s.IoServiceBytes);
            ReadBlkio(blkio, "blkio.throttle.io_serviced_recursive", s.IoServiced);
        }
        if (DirOf("hugetlb") is { } huge)
            foreach (var f in Directory.EnumerateFiles(huge, "hugetlb.*.usage_in_bytes"))
            {
                string size = Path.GetFileName(f).Split('.')[1];
                s.Hugetlb[size] = (CgroupFiles.Number(huge, $"hugetlb.{size}.usage_in_bytes"),
                    CgroupFiles.Number(huge, $"hugetlb.{size}.max_usage_in_bytes"), CgroupFiles.Number(huge, $"hugetlb.{size}.failcnt"));
            }
        return s;
    }

    /// <summary>Lines "8:0 Read 4096"; the "Total" lines have no device.</summary>
    private static void ReadBlkio(string dir, string file, List<(ulong, ulong, string, ulong)> into)
    {
        foreach (var line in (CgroupFiles.Read(dir, file) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var p = line.Split(' ');
            var dev = p[0].Split(':');
            if (p.Length == 3 && dev.Length == 2 && ulong.TryParse(dev[0], out ulong ma) && ulong.TryParse(dev[1], out ulong mi)
                && ulong.TryParse(p[2], out ulong v))
                into.Add((ma, mi, p[1], v));
        }
    }
}
