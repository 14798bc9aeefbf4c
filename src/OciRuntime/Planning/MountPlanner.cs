using OciRuntime.Plan;
using static OciRuntime.Linux.MountFlags;

namespace OciRuntime.Planning;

/// <summary>One entry of config.json "mounts" → mount steps.</summary>
internal static class MountPlanner
{
    /// <param name="propagation">receives the mount's steps that run after pivot_root: its
    /// propagation, and the read-only remount of a tmpfs or /dev</param>
    public static void Plan(PlanRequest req, Spec.Mount m, string field, List<Step> steps, List<Step> propagation,
        List<string> warnings)
    {
        if (string.IsNullOrEmpty(m.Destination))
            throw new PlanningException($"{field}.destination", "must not be empty");
        // A destination under the rootfs's host path names that place in the container (runc).
        string dest = ContainerPath.Confined(ContainerPath.StripRoot(m.Destination, req.RootfsPath), $"{field}.destination");
        if (dest == "/")
            throw new PlanningException($"{field}.destination", "cannot mount over the container's root");

        var opts = MountOptions.Parse(m.Options, $"{field}.options");
        string type = m.Type ?? "";
        CheckProcDestination(dest, type, opts.Bind || type == "bind", field);

        if (type == "cgroup")
        {
            CgroupMountPlanner.Plan(req, dest, opts, field, steps);
        }
        else if (opts.Bind || type == "bind")
        {
            if (string.IsNullOrEmpty(m.Source))
                throw new PlanningException($"{field}.source", "a bind mount needs a source");
            // A relative bind source is relative to the bundle (runtime-spec).
            string source = Path.IsPathRooted(m.Source) ? m.Source : Path.GetFullPath(Path.Combine(req.BundlePath, m.Source));
            // The options, when they set or clear any flag, give the bind exactly their flags, as
            // "mount --bind -o" (runc); flags a user namespace locked on the source are kept unless
            // the options clear them (then EPERM). Without such options the source's flags stay.
            ulong remount = opts.BindRemounts ? opts.ExactRemountFlags : 0;
            ulong flags = MS_BIND | (opts.Recursive ? MS_REC : 0) | remount;
            var mo = MountOpts.TargetInRoot | MountOpts.MkLikeSource |
                     (opts.BindRemounts ? MountOpts.Remount | MountOpts.ExactFlags : 0);
            // An id-mapped source is cloned and id-mapped now, at its turn (IdmappedMountPlanner).
            if (IdmappedMountPlanner.TreeStep(req.Config, req.BundlePath, req.Config.Mounts!.IndexOf(m)) is { } tree)
            {
                steps.Add(tree);
                steps.Add(new AttachTreeStep(tree.Tree, dest, remount, mo, field));
            }
            else
            {
                // In a user namespace the source may lie where only the runtime's uid may pass:
                // it is opened before the executor becomes the namespace's root (BindSources).
                if (UserNamespacePlanner.Any(req.Config))
                    mo |= MountOpts.SourceOpened;
                steps.Add(new MountStep(source, dest, "", "", flags, mo, field));
            }
        }
        else if (type == "sysfs" && SysfsNeedsBind(req.Config))
        {
            // sysfs may only be mounted by a user namespace that owns the network namespace; with
            // the host's network, the host's /sys is bound instead (as runc), with the mount's flags.
            ulong flags = MS_BIND | MS_REC | (opts.Flags & ~(MS_BIND | MS_REC | MS_REMOUNT));
            steps.Add(new MountStep("/sys", dest, "", "", flags,
                MountOpts.TargetInRoot | MountOpts.Mkdir | MountOpts.Remount | MountOpts.OrdinaryDir, field));
        }
        else
        {
            if (type.Length == 0)
                throw new PlanningException($"{field}.type", "required for a mount that is not a bind mount");
            // tmpcopyup (runc's extension, which Podman adds to its tmpfs mounts): the new tmpfs
            // starts with what the image's directory held.
            var mo = MountOpts.TargetInRoot | MountOpts.Mkdir | (opts.Copyup && type == "tmpfs" ? MountOpts.Copyup : 0);
            // A tmpfs without "mode=" keeps the mode of the directory it covers, as runc and crun
            // (a directory the runtime makes gets tmpfs' default, 1777).
            if (type == "tmpfs" && !opts.Data.Split(',').Any(d => d.StartsWith("mode=", StringComparison.Ordinal)))
                mo |= MountOpts.InheritMode;
            // proc and sysfs only on a real directory (runc): a symlink would put them elsewhere
            // than the masked and read-only paths below them expect.
            if (type is "proc" or "sysfs")
                mo |= MountOpts.OrdinaryDir;
            // A read-only tmpfs or /dev is mounted writable and made read-only after pivot_root
            // (runc's finalizeRootfs): the device nodes, mount points and copied-up files that go
            // below it first need a writable directory.
            ulong flags = opts.Flags;
            if ((flags & MS_RDONLY) != 0 && (type == "tmpfs" || dest == "/dev"))
            {
                flags &= ~MS_RDONLY;
                propagation.Add(new RemountStep(dest, MS_RDONLY, MountOpts.TargetInRoot, $"{field}.options"));
            }
            steps.Add(new MountStep(m.Source ?? type, dest, type, opts.Data, flags, mo, field));
        }
        if (opts.Copyup && (type != "tmpfs" || opts.Bind))
            warnings.Add($"{field}.options[{opts.CopyupIndex}]: \"tmpcopyup\" applies only to tmpfs mounts; ignored for this one");

        // The recursive options ("rro", "rnosuid", ...) reach every mount below this one too.
        if ((opts.AttrSet | opts.AttrClr) != 0)
            steps.Add(new MountSetattrStep(dest, opts.AttrSet, opts.AttrClr, MountOpts.TargetInRoot, $"{field}.options"));

        // The propagation right after the mount, while its target is surely this mount (as runc),
        // and again after the root's own propagation (which must not undo a "shared"), unless a
        // later mount has covered the path by then.
        if (opts.Propagation != 0)
        {
            steps.Add(new PropagateStep(dest, opts.Propagation, MountOpts.TargetInRoot, $"{field}.options"));
            propagation.Add(new PropagateStep(dest, opts.Propagation, MountOpts.TargetInRoot | MountOpts.IgnoreMissing, $"{field}.options"));
        }
    }

    /// <summary>The files below /proc a mount may cover (runc's list: what lxcfs emulates).</summary>
    public static readonly string[] ProcMountAllowList =
    [
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps", "/proc/uptime",
        "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
    ];

    /// <summary>
    /// A mount inside /proc could put another file (a host's procfs file from a shared volume, say
    /// /proc/sys/kernel/core_pattern) where the runtime or the container's tools expect a /proc
    /// file: refused, but for the few files lxcfs emulates (as runc). /proc itself takes a proc
    /// filesystem or a bind (whose source ContainerCreator checks to be procfs, as runc).
    /// </summary>
    internal static void CheckProcDestination(string dest, string type, bool bind, string field)
    {
        if (dest == "/proc")
        {
            if (type == "proc" || bind)
                return;
            throw new PlanningException($"{field}.destination", $"only a proc filesystem may be mounted on /proc, not \"{type}\"");
        }
        if (!dest.StartsWith("/proc/", StringComparison.Ordinal) || ProcMountAllowList.Contains(dest))
            return;
        throw new PlanningException($"{field}.destination",
            $"\"{dest}\" is inside /proc, where only {string.Join(", ", ProcMountAllowList)} may be mounted over " +
            "(a mount there could redirect what is written to /proc: linux.sysctl, the process's labels)");
    }

    /// <summary>
    /// The host paths of the bind sources that OPEN_SOURCES opens early (MountOpts.SourceOpened),
    /// in the order of their mounts.
    /// </summary>
    public static List<string> BindSources(PlanRequest req)
    {
        var list = new List<string>();
        var mounts = req.Config.Mounts ?? [];
        for (int i = 0; i < mounts.Count; i++)
        {
            var m = mounts[i];
            if (m.Type == "cgroup" || string.IsNullOrEmpty(m.Source) || IdmappedMountPlanner.TreeSlot(req.Config, i) is not null)
                continue;
            var opts = MountOptions.Parse(m.Options, $"mounts[{i}].options");
            if (!(opts.Bind || m.Type == "bind"))
                continue;
            list.Add(Path.IsPathRooted(m.Source) ? m.Source : Path.GetFullPath(Path.Combine(req.BundlePath, m.Source)));
        }
        return list;
    }

    private static bool SysfsNeedsBind(Spec.Spec config) =>
        UserNamespacePlanner.Any(config) &&
        !(config.Linux?.Namespaces?.Any(n => n.Type == "network" && string.IsNullOrEmpty(n.Path)) ?? false);
}
