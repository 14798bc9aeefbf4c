using OciRuntime.Cgroups.V1;
using OciRuntime.Cgroups.V2;
using OciRuntime.Linux;
using OciRuntime.Planning;
using OciRuntime.Spec;

namespace OciRuntime.Cgroups;

/// <summary>Picks the driver for the host's cgroup mode and checks the resources before anything exists.</summary>
internal static class CgroupManagers
{
    /// <summary>
    /// For a new container: its directory in every hierarchy, its resources validated and mapped.
    /// Everything that can be refused without touching the host is refused here.
    /// </summary>
    public static ICgroupManager ForNew(HostFacts host, string? cgroupsPath, string id, LinuxResources? resources)
    {
        ResourceValidator.Validate(resources);
        var deviceRules = DeviceRules.From(resources?.Devices);
        for (int i = 0; i < (resources?.Devices?.Count ?? 0); i++)
            if (resources!.Devices![i].Access is { } a && a.Any(c => c is not ('r' or 'w' or 'm')))
                Diagnostics.Log.Warn($"linux.resources.devices[{i}].access: only r, w and m mean something; \"{a}\" is read as \"{DeviceRules.Access(a)}\" (as runc)");
        if (host.CgroupMode == CgroupMode.Unified)
        {
            var h = host.CgroupHierarchies.First(x => x.FsType == "cgroup2");
            string dir = h.MountPoint + CgroupPaths.Resolve(cgroupsPath, id, h.OwnPath);
            var warnings = new List<string>();
            var writes = resources is null ? [] : V2Resources.Map(resources, warnings: warnings);
            foreach (var w in warnings)
                Diagnostics.Log.Warn(w);
            var manager = new CgroupV2Manager(h.MountPoint, dir, writes, deviceRules.Count > 0 ? new DeviceProgram(deviceRules) : null);
            return manager;
        }
        if (resources?.Unified is { Count: > 0 })
            throw new PlanningException("linux.resources.unified", "invalid configuration (runc's words): cgroup v2 files need a cgroup v2 host, and this one runs cgroup v1");
        var dirs = new Dictionary<string, string>();
        foreach (var h in host.CgroupHierarchies)
            dirs[h.MountPoint] = h.MountPoint + CgroupPaths.Resolve(cgroupsPath, id, h.OwnPath);
        return new CgroupV1Manager(dirs, deviceRules, resources is null ? [] : V1Resources.Map(resources));
    }

    /// <summary>For an existing container, from the directories saved in its state (and the
    /// systemd unit, when the systemd driver made its cgroup).</summary>
    public static ICgroupManager ForExisting(IReadOnlyDictionary<string, string>? dirs, string? systemdUnit = null, bool systemdUser = false)
    {
        var d = new Dictionary<string, string>(dirs ?? new Dictionary<string, string>());
        if (systemdUnit is not null && d.Count == 1)
            return Systemd.SystemdCgroupManager.ForExisting(systemdUnit, systemdUser, d.Keys.First(), d.Values.First());
        if (d.Count == 1 && CgroupModeProbe.IsUnified(d.Keys.First()))
            return new CgroupV2Manager(d.Keys.First(), d.Values.First(), [], null);
        return new CgroupV1Manager(d, [], []);
    }
}
