using OciRuntime.Cgroups.V2;
using OciRuntime.Planning;
using OciRuntime.Spec;

namespace OciRuntime.Cgroups.Systemd;

/// <summary>
/// The systemd cgroup driver (--systemd-cgroup, cgroup v2 only): the container's init is placed
/// in a transient unit ("prefix-name.scope", Delegate=yes) that systemd is asked for over D-Bus,
/// with the resources as unit properties; what the properties leave out (and everything again, as
/// runc's fs2.Set does) is written to the unit's cgroup files by the cgroupfs v2 writer.
/// pause/resume, ps, events and exec use the unit's cgroup files as the cgroupfs driver does;
/// update sets the properties, then the files; delete stops the unit and resets it if it failed.
/// D-Bus is only reached for create, update and delete: `state`, `list`, `ps` never connect.
/// </summary>
internal sealed class SystemdCgroupManager : ICgroupManager
{
    private readonly string _unit;
    private readonly bool _userInstance;
    private readonly string _mountPoint;
    private readonly string _dir;
    private readonly CgroupV2Manager _files;
    private readonly List<UnitProperty> _newUnit;
    private SystemdBus? _bus;
    private bool _started;

    /// <summary>The unit, saved in the container's state so that later commands find it.</summary>
    public string Unit => _unit;

    public bool UserInstance => _userInstance;

    /// <summary>The unit's cgroup relative to the cgroup2 root ("/system.slice/x-y.scope").</summary>
    public string CgroupPath => _dir[_mountPoint.Length..];

    private SystemdCgroupManager(string unit, bool userInstance, string mountPoint, string dir, CgroupV2Manager files,
        List<UnitProperty> newUnit, SystemdBus? bus)
    {
        _unit = unit;
        _userInstance = userInstance;
        _mountPoint = mountPoint;
        _dir = dir;
        _files = files;
        _newUnit = newUnit;
        _bus = bus;
    }

    /// <summary>
    /// For a new container: the path parsed, the host checked (cgroup v2, systemd running), the
    /// properties and files mapped; everything that can be refused is refused here, before anything
    /// exists. The system instance is not contacted yet (its unit's cgroup is known from the path);
    /// the user's instance is, for the cgroup it runs in.
    /// </summary>
    public static SystemdCgroupManager ForNew(HostFacts host, Spec.Spec config, string id, bool userInstance)
    {
        var resources = config.Linux?.Resources;
        var path = SystemdCgroupPath.Parse(config.Linux?.CgroupsPath, id, userInstance);
        if (host.CgroupMode != CgroupMode.Unified)
            throw new RuntimeError($"--systemd-cgroup: the systemd cgroup driver needs a cgroup v2 host " +
                "(this host mounts cgroup v1 hierarchies, maybe with a cgroup2 beside them: v1 or hybrid); " +
                $"unit {path.Unit} not created (run without --systemd-cgroup for the cgroupfs driver)");
        if (!Directory.Exists("/run/systemd/system"))
            throw new RuntimeError($"--systemd-cgroup: this host does not run systemd (/run/systemd/system is missing); unit {path.Unit} not created");
        ResourceValidator.Validate(resources);
        var annotations = SystemdAnnotations.Parse(config.Annotations);
        var warnings = new List<string>();
        var h = host.CgroupHierarchies.First(x => x.FsType == "cgroup2");
        SystemdBus? bus = null;
        string managerCgroup = "";
        if (userInstance)
        {
            bus = SystemdBus.Shared(userInstance: true);
            managerCgroup = bus.ManagerControlGroup;
            string managerDir = h.MountPoint + managerCgroup;
            if (Linux.LibC.access(managerDir + "/cgroup.subtree_control", Linux.LibC.W_OK) != 0)
            {
                throw new RuntimeError($"--systemd-cgroup: the user's systemd instance runs in {managerDir}, which is not delegated to this user " +
                    "(cgroup.subtree_control not writable); enable delegation (systemd's user@.service Delegate=yes) or run without --systemd-cgroup");
            }
        }
        string dir = h.MountPoint + path.CgroupPath(managerCgroup);
        // The mapping asks the systemd version only for fields that depend on it; 252 (Debian 12)
        // is assumed until the bus answers (the real version is asked when the unit starts).
        var files = resources is null ? [] : V2Resources.Map(resources, warnings: warnings);
        var deviceRules = DeviceRules.From(resources?.Devices);
        var manager = new SystemdCgroupManager(path.Unit, userInstance, h.MountPoint, dir,
            new CgroupV2Manager(h.MountPoint, dir, files, deviceRules.Count > 0 ? new DeviceProgram(deviceRules) : null),
            [.. SystemdProperties.ForNewUnit(path, 0), .. annotations], bus);
        manager._resources = resources;
        manager._annotations = config.Annotations;
        manager._fileWrites = files;
        foreach (var w in warnings)
            Diagnostics.Log.Warn(w);
        return manager;
    }

    private LinuxResources? _resources;
    private List<CgroupWrite> _fileWrites = [];

    /// <summary>For an existing container, from its state.</summary>
    public static SystemdCgroupManager ForExisting(string unit, bool userInstance, string mountPoint, string dir) =>
        new(unit, userInstance, mountPoint, dir, new CgroupV2Manager(mountPoint, dir, [], null), [], null) { _started = true };

    public IReadOnlyDictionary<string, string> Directories => _files.Directories;

    private SystemdBus Bus => _bus ??= SystemdBus.Shared(_userInstance);

    /// <summary>Connects (while the executor starts); the unit itself needs the pid (<see cref="AddProcess"/>).</summary>
    public void Create() => _ = Bus;

    public void AddProcess(int pid)
    {
        if (_started)
        {
            CgroupDirectory.Write(_dir, "cgroup.procs", pid.ToString());
            return;
        }
        var warnings = new List<string>();
        var props = new List<UnitProperty>();
        foreach (var p in _newUnit)
            props.Add(p.Name == "PIDs" ? p with { Value = new UnitValue("au", new[] { (uint)pid }) } : p);
        if (_resources is not null)
        {
            // Annotations come last in runc; resources here go before them so that an annotation
            // can override a mapped value.
            int at = props.FindIndex(p => p.Name == "DefaultDependencies") + 1;
            props.InsertRange(at, SystemdProperties.ForResources(_resources, Bus.Version, "linux.resources", warnings));
            // The quota may have been rounded up to what systemd keeps: cpu.max gets the same.
            if (_resources.Cpu is { Quota: not null } && _fileWrites.FindIndex(w => w.File == "cpu.max") is int i and >= 0)
                _fileWrites[i] = V2Resources.Map(new LinuxResources { Cpu = new LinuxCpu { Quota = _resources.Cpu.Quota, Period = _resources.Cpu.Period } })
                    .First(w => w.File == "cpu.max");
        }
        foreach (var w in warnings)
            Diagnostics.Log.Warn(w);
        try
        {
            Start(props);
        }
        catch (SystemdError e) when (e.Name == "org.freedesktop.systemd1.UnitExists")
        {
            // A failed unit of that name is left from before: reset it and try once more (runc);
            // a live one is refused with systemd's message.
            Bus.ResetFailedUnit(_unit);
            try
            {
                Start(props);
            }
            catch (SystemdError again) when (again.Name == "org.freedesktop.systemd1.UnitExists")
            {
                throw new RuntimeError($"--systemd-cgroup: unit {_unit} exists already (another container, or one not deleted): {again.Message}");
            }
        }
        _started = true;
        if (!Directory.Exists(_dir))
            throw new RuntimeError($"--systemd-cgroup: systemd started unit {_unit} but its cgroup {_dir} does not exist " +
                "(is the runtime in systemd's cgroup and pid namespace?)");
        DelegatedControllers.Enable(_mountPoint, _dir, _fileWrites, _unit);
        _files.ApplyToExisting();
    }

    /// <summary>StartTransientUnit; a property systemd cannot take is named by systemd only by its
    /// error ("Unexpected message contents"): the annotations sent as given are listed with it.</summary>
    private void Start(List<UnitProperty> props)
    {
        try
        {
            Bus.StartTransientUnit(_unit, props);
        }
        catch (SystemdError e) when (SystemdAnnotations.IsPropertyRefusal(e.Name) && SystemdAnnotations.Sent(_annotations) is { Length: > 0 } sent)
        {
            throw new RuntimeError(e.Message + sent);
        }
    }

    private Dictionary<string, string>? _annotations;

    public IReadOnlyList<int> Pids() => _files.Pids();

    /// <summary>Stops the unit (systemd kills what is left and removes its cgroup), resets it if it
    /// failed, and removes sub-cgroups systemd left (systemd 239 does not remove them).</summary>
    public void Destroy()
    {
        // A create that did not get its unit started owns nothing: a unit of that name is another
        // container's (UnitExists), and a failed start was reset already.
        if (!_started)
            return;
        Bus.StopUnit(_unit);
        Bus.ResetFailedUnit(_unit);
        if (Directory.Exists(_dir))
        {
            foreach (var sub in Directory.EnumerateDirectories(_dir, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
                CgroupDirectory.Remove(sub);
            CgroupDirectory.Remove(_dir);
        }
    }

    public void Update(LinuxResources r)
    {
        const string field = "resources";
        // Checked before systemd is told: a lower MemoryMax would OOM-kill the container first.
        CgroupV2Manager.PrepareUpdate(_dir, r, field);
        var warnings = new List<string>();
        var props = SystemdProperties.ForResources(r, Bus.Version, field, warnings);
        foreach (var w in warnings)
            Diagnostics.Log.Warn(w);
        Bus.SetUnitProperties(_unit, props);
        DelegatedControllers.Enable(_mountPoint, _dir, V2Resources.Map(r, field), _unit);
        _files.Update(r);
    }

    public void Freeze(bool frozen) => _files.Freeze(frozen);

    public bool IsFrozen() => _files.IsFrozen();

    public CgroupStats Stats() => _files.Stats();

    public long OomKills() => _files.OomKills();
}
