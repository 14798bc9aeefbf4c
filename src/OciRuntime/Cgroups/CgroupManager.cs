using OciRuntime.Planning;

using OciRuntime.Linux;

namespace OciRuntime.Cgroups;

/// <summary>
/// The container's cgroup across the host's hierarchies: every cgroup v1 hierarchy (and the
/// hybrid "unified" cgroup2 beside them), or the single cgroup v2 tree. It creates the
/// directories, places the init before it runs user code, applies the device rules (v1), lists
/// pids and removes what it created.
/// </summary>
internal sealed class CgroupManager
{
    private readonly Dictionary<string, string> _dirs;
    private readonly List<DeviceRule> _deviceRules;
    private readonly bool _unified;
    private readonly List<string> _created = [];

    private CgroupManager(Dictionary<string, string> dirs, List<DeviceRule> deviceRules, bool unified)
    {
        _dirs = dirs;
        _deviceRules = deviceRules;
        _unified = unified;
    }

    public IReadOnlyDictionary<string, string> Directories => _dirs;

    /// <summary>For a new container: its directory in every hierarchy of the host.</summary>
    public static CgroupManager ForNew(HostFacts host, string? cgroupsPath, string id, List<DeviceRule> deviceRules)
    {
        var dirs = new Dictionary<string, string>();
        foreach (var h in host.CgroupHierarchies)
            dirs[h.MountPoint] = h.MountPoint + CgroupPaths.Resolve(cgroupsPath, id, h.OwnPath);
        bool unified = host.CgroupMode == CgroupMode.Unified;
        if (unified && deviceRules.Count > 0)
            throw new PlanningException("linux.resources.devices",
                "device rules on cgroup v2 need an eBPF device program, which is not supported yet by ociruntime");
        return new CgroupManager(dirs, deviceRules, unified);
    }

    /// <summary>For an existing container, from the directories saved in its state.</summary>
    public static CgroupManager ForExisting(IReadOnlyDictionary<string, string>? dirs) =>
        new(new Dictionary<string, string>(dirs ?? new Dictionary<string, string>()), [], false);

    public void Create()
    {
        try
        {
            foreach (var (mountPoint, dir) in _dirs)
            {
                var made = CgroupDirectory.CreateAll(dir);
                _created.AddRange(made);
                if (Path.GetFileName(mountPoint) == "cpuset" && !_unified)
                    foreach (var d in made)
                        InheritCpuset(d);
                if (Path.GetFileName(mountPoint) == "devices" && _deviceRules.Count > 0)
                    ApplyDeviceRules(dir);
            }
        }
        catch
        {
            RemoveCreated();
            throw;
        }
    }

    /// <summary>A new v1 cpuset has no cpus and no mems, and no task can join it until it has.</summary>
    private static void InheritCpuset(string dir)
    {
        string parent = Path.GetDirectoryName(dir)!;
        foreach (var f in new[] { "cpuset.cpus", "cpuset.mems" })
        {
            if (CgroupDirectory.Read(dir, f).Trim().Length == 0)
                CgroupDirectory.Write(dir, f, CgroupDirectory.Read(parent, f).Trim());
        }
    }

    /// <summary>Deny everything, then each rule in order (the defaults come last).</summary>
    private void ApplyDeviceRules(string dir)
    {
        CgroupDirectory.Write(dir, "devices.deny", "a");
        foreach (var r in _deviceRules)
            CgroupDirectory.Write(dir, r.Allow ? "devices.allow" : "devices.deny", r.Line);
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

    private void RemoveCreated()
    {
        for (int i = _created.Count - 1; i >= 0; i--)
        {
            try
            {
                CgroupDirectory.Remove(_created[i]);
            }
            catch (SyscallException)
            {
            }
        }
    }
}
