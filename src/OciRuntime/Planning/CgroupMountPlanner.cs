using OciRuntime.Plan;

using static OciRuntime.Linux.MountFlags;

namespace OciRuntime.Planning;

/// <summary>
/// A mount of type "cgroup". On a cgroup v2 host that is one cgroup2 mount. On a v1 (or hybrid)
/// host it becomes what runc builds: a tmpfs holding one directory per host hierarchy, each a
/// fresh mount of that hierarchy inside the container's cgroup namespace, or without one a bind of
/// the container's own cgroup directory; the tmpfs gets the read-only flag last.
/// </summary>
internal static class CgroupMountPlanner
{
    public static void Plan(PlanRequest req, string dest, MountOptions opts, string field, List<Step> steps)
    {
        ulong flags = opts.Flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (req.Host.CgroupMode == CgroupMode.Unified)
        {
            if (UserNamespacePlanner.Any(req.Config))
            {
                // In a user namespace a cgroup2 mount fails: without a cgroup namespace of its own
                // the container's root may not mount it (EPERM), and with /sys bound from the host
                // (no network namespace) the target already is the host's cgroup2 mount, and the
                // kernel refuses the same superblock on the same mount point (EBUSY). A bind of the
                // container's own cgroup shows what a mount in its cgroup namespace would (runc
                // falls back to a bind as well).
                var h = req.Host.CgroupHierarchies.First(x => x.FsType == "cgroup2");
                string own = CgroupOf(req, h);
                var mo = MountOpts.TargetInRoot | MountOpts.Mkdir | (flags != 0 ? MountOpts.Remount : 0);
                steps.Add(new MountStep(h.MountPoint + (own == "/" ? "" : own), dest, "", "", MS_BIND | flags, mo, field));
                return;
            }
            steps.Add(new MountStep("cgroup", dest, "cgroup2", "", flags, MountOpts.TargetInRoot | MountOpts.Mkdir, field));
            return;
        }

        bool cgroupns = req.Config.Linux?.Namespaces?.Any(n => n.Type == "cgroup" && string.IsNullOrEmpty(n.Path)) ?? false;
        ulong tmpfsFlags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        steps.Add(new MountStep("tmpfs", dest, "tmpfs", "mode=755", tmpfsFlags, MountOpts.TargetInRoot | MountOpts.Mkdir, field));

        foreach (var h in req.Host.CgroupHierarchies)
        {
            string name = Path.GetFileName(h.MountPoint);
            if (h.MountPoint == "/sys/fs/cgroup" || name.Length == 0)
                continue;
            string target = ContainerPath.Join(dest, name);
            if (cgroupns)
            {
                steps.Add(new MountStep("cgroup", target, h.FsType, h.Options, flags,
                    MountOpts.TargetInRoot | MountOpts.Mkdir, field));
            }
            else
            {
                string cgroup = CgroupOf(req, h);
                string source = h.MountPoint + (cgroup == "/" ? "" : cgroup);
                var mo = MountOpts.TargetInRoot | MountOpts.Mkdir | (flags != 0 ? MountOpts.Remount : 0);
                steps.Add(new MountStep(source, target, "", "", MS_BIND | flags, mo, field));
            }
            // Co-mounted controllers ("cpu,cpuacct") are also reachable by each name, as on the host.
            if (name.Contains(','))
                foreach (var part in name.Split(','))
                    steps.Add(new SymlinkStep(name, ContainerPath.Join(dest, part), field));
        }

        if ((opts.Flags & MS_RDONLY) != 0)
            steps.Add(new RemountStep(dest, MS_RDONLY | tmpfsFlags, MountOpts.TargetInRoot, field));
    }

    /// <summary>The container's cgroup in a hierarchy; rootless without a delegated cgroup there,
    /// the runtime's own, where the container stays; with the systemd driver, its unit's cgroup
    /// (<see cref="PlanRequest.ContainerCgroup"/>).</summary>
    private static string CgroupOf(PlanRequest req, CgroupHierarchy h) =>
        req.CgroupsNotCreated?.Contains(h.MountPoint) == true
            ? h.OwnPath
            : req.ContainerCgroup ?? Planning.CgroupPaths.Resolve(req.Config.Linux?.CgroupsPath, req.ContainerId, h.OwnPath);
}
