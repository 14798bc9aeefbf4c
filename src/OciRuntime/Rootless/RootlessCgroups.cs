using OciRuntime.Cgroups;
using OciRuntime.Cgroups.V1;
using OciRuntime.Cgroups.V2;
using OciRuntime.Linux;
using OciRuntime.Planning;
using OciRuntime.Spec;

namespace OciRuntime.Rootless;

/// <summary>
/// Cgroups with --rootless (true, or auto for anyone but the host's root): the container gets its
/// own cgroup in each hierarchy where the caller may create it (a delegated subtree: the parent
/// directory writable by the caller), and stays in the caller's cgroup in the others, with no
/// error, as runc ignores EACCES/EPERM/EROFS there. What is not silently dropped: a limit of
/// linux.resources whose controller is in a hierarchy the caller may not write is refused naming
/// the field (runc: "rootless needs no limits + no cgrouppath when no permission is granted for
/// cgroups"). Device rules are left out in rootless mode (runc ignores their errors there) unless
/// the host's root itself asked for it: writing devices.deny or attaching a device program needs
/// the host's CAP_SYS_ADMIN, and an unprivileged container can reach only the device nodes its
/// user could open anyway.
/// </summary>
internal static class RootlessCgroups
{
    /// <summary>The host facts reduced to the hierarchies where the container's cgroup may be created.</summary>
    public static HostFacts Usable(HostFacts host, string? cgroupsPath, string id, Func<string, bool> mayCreate) =>
        host with
        {
            CgroupHierarchies = host.CgroupHierarchies
                .Where(h => mayCreate(h.MountPoint + CgroupPaths.Resolve(cgroupsPath, id, h.OwnPath))).ToList(),
        };

    /// <summary>Refuses a limit that needs a hierarchy the caller may not create the container's cgroup in.</summary>
    public static void CheckLimits(HostFacts host, HostFacts usable, string? cgroupsPath, string id, LinuxResources? resources)
    {
        if (resources is null)
            return;
        bool unified = host.CgroupMode == CgroupMode.Unified;
        var writes = unified ? V2Resources.Map(resources) : V1Resources.Map(resources);
        foreach (var w in writes)
        {
            if (Holds(usable, w.Controller, unified))
                continue;
            var h = host.CgroupHierarchies.FirstOrDefault(x => HoldsController(x, w.Controller, unified));
            string where = h is null ? $"no {w.Controller} hierarchy" :
                $"the caller may not create {h.MountPoint + CgroupPaths.Resolve(cgroupsPath, id, h.OwnPath)}";
            throw new PlanningException(w.Field,
                $"cannot be applied in a rootless container without a delegated cgroup ({where}): delegate it to the user or leave the limit out");
        }
    }

    /// <summary>The manager for the usable hierarchies; none usable: a manager of no directory.</summary>
    /// <param name="keepDeviceRules">the host's root asked for --rootless true: it can apply them</param>
    public static ICgroupManager ForNew(HostFacts usable, string? cgroupsPath, string id, LinuxResources? resources,
        bool keepDeviceRules = false)
    {
        if (resources is not null && !keepDeviceRules)
            resources = WithoutDevices(resources);
        if (usable.CgroupHierarchies.Count == 0)
        {
            ResourceValidator.Validate(resources);
            return new CgroupV1Manager(new Dictionary<string, string>(), [], []);
        }
        return CgroupManagers.ForNew(usable, cgroupsPath, id, resources);
    }

    /// <summary>
    /// Whether the caller may create (and then write) the directory: it exists with a writable
    /// cgroup.procs, or its nearest existing ancestor is writable and searchable.
    /// </summary>
    public static bool MayCreate(string dir)
    {
        if (Directory.Exists(dir))
            return LibC.access(Path.Combine(dir, "cgroup.procs"), LibC.W_OK) == 0;
        string? d = Path.GetDirectoryName(dir);
        while (d is not null && !Directory.Exists(d))
            d = Path.GetDirectoryName(d);
        return d is not null && LibC.access(d, LibC.W_OK | LibC.X_OK) == 0;
    }

    /// <summary>Device rules need CAP_SYS_ADMIN in the initial user namespace: only the host's root keeps them.</summary>
    public static bool KeepsDeviceRules(RootlessMode mode) => !mode.Unprivileged && !mode.InUserNamespace;

    private static LinuxResources WithoutDevices(LinuxResources r) => new()
    {
        Memory = r.Memory, Cpu = r.Cpu, Pids = r.Pids, BlockIO = r.BlockIO, HugepageLimits = r.HugepageLimits,
        Network = r.Network, Rdma = r.Rdma, Unified = r.Unified,
    };

    private static bool Holds(HostFacts usable, string controller, bool unified) =>
        usable.CgroupHierarchies.Any(h => HoldsController(h, controller, unified));

    private static bool HoldsController(CgroupHierarchy h, string controller, bool unified) =>
        unified ? h.FsType == "cgroup2" : Path.GetFileName(h.MountPoint).Split(',').Contains(controller);
}
