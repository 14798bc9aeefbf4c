namespace OciRuntime.Planning;

/// <summary>How cgroups are mounted on the host.</summary>
internal enum CgroupMode
{
    /// <summary>cgroup v1 hierarchies (possibly with a cgroup2 "unified" mount beside them).</summary>
    Legacy,
    /// <summary>cgroup v2 only, at /sys/fs/cgroup.</summary>
    Unified,
}

/// <summary>One cgroup hierarchy mounted on the host (v1 controller set, or cgroup2).</summary>
/// <param name="MountPoint">where the host mounts it, e.g. /sys/fs/cgroup/cpu</param>
/// <param name="FsType">"cgroup" or "cgroup2"</param>
/// <param name="Options">v1: the hierarchy's controllers or name= option, e.g. "cpu,cpuacct"; v2: ""</param>
/// <param name="OwnPath">the runtime's own cgroup in that hierarchy, e.g. /user.slice</param>
internal sealed record CgroupHierarchy(string MountPoint, string FsType, string Options, string OwnPath);

/// <summary>
/// Facts about the host the plan depends on. Gathered by Lifecycle.HostFactsReader on the real
/// host and built by hand in unit tests, which keeps the planner free of I/O.
/// </summary>
/// <param name="RuntimeBoundingSet">the capability bounding set the runtime itself runs with</param>
/// <param name="AppArmor">AppArmor is enabled in the kernel</param>
/// <param name="Selinux">SELinux is enabled in the kernel (selinuxfs mounted)</param>
internal sealed record HostFacts(CgroupMode CgroupMode, IReadOnlyList<CgroupHierarchy> CgroupHierarchies,
    ulong RuntimeBoundingSet, bool AppArmor = false, bool Selinux = false)
{
    public const ulong AllCapabilities = (1UL << 41) - 1;
}
