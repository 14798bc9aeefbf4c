using OciRuntime.Plan;
using static OciRuntime.Linux.MountFlags;

namespace OciRuntime.Planning;

/// <summary>The root filesystem: propagation, the rootfs bind, every mount, devices, pivot_root,
/// then masked and read-only paths and the read-only root.</summary>
internal static class RootfsPlanner
{
    private const string NullDevice = "/dev/null";

    public static void Plan(PlanRequest req, List<Step> steps, List<string> warnings)
    {
        var config = req.Config;
        var linux = config.Linux;
        // Without a mount namespace of its own, the container's mounts are made in the runtime's,
        // all below the rootfs: the runtime's "/" and the rootfs' parent mount are left as they
        // are, the root is entered with chroot, and `delete` detaches the rootfs bind with
        // everything on it (HostMounts; decisions §45).
        bool shared = NamespacePlanner.SharesRuntimeMounts(config);

        // A new mount namespace starts as a copy whose mounts may be shared with the host's: make
        // it a slave (or what rootfsPropagation asks) first, so nothing mounted below leaks out.
        ulong rootPropagation = MS_SLAVE | MS_REC;
        if (linux?.RootfsPropagation is { Length: > 0 } rp)
            rootPropagation = MountOptions.Parse([rp], "linux.rootfsPropagation").Propagation;
        // An unbindable tree cannot be bound (the rootfs's own bind below would fail with EINVAL):
        // private until the container's root exists, which gets "unbindable" after pivot_root.
        ulong firstPropagation = (rootPropagation & MS_UNBINDABLE) != 0
            ? (rootPropagation & ~MS_UNBINDABLE) | MS_PRIVATE
            : rootPropagation;
        if (!shared)
            steps.Add(new PropagateStep("/", firstPropagation, MountOpts.None, "linux.rootfsPropagation"));

        // pivot_root refuses a new root that is shared or sits on a shared mount. A slave still
        // follows the host, so this changes nothing else (runc makes it private, which would
        // keep "slave" from ever giving a container root that follows the host).
        if (req.RootfsParentMount is { } parent && !shared)
            steps.Add(new PropagateStep(parent, MS_SLAVE, MountOpts.None, "root.path"));

        // The rootfs becomes a mount of its own (pivot_root needs one), then the anchor that every
        // later path is resolved against.
        steps.Add(new MountStep(req.RootfsPath, req.RootfsPath, "", "", MS_BIND | MS_REC, MountOpts.None, "root.path"));
        steps.Add(new OpenRootStep(req.RootfsPath, "root.path"));
        // The rootfs bind (ours) becomes a slave at once: nothing mounted on it from here on
        // propagates to the runtime's mounts it was cloned from.
        if (shared)
            steps.Add(new PropagateStep("/", MS_SLAVE | MS_REC, MountOpts.TargetInRoot, "root.path"));

        // The writes to /proc (sysctls, labels) go through a procfs of the runtime's own, made
        // now, in the container's pid namespace and before any mount of the config: none of them
        // can be mounted over the files written (CVE-2019-19921, CVE-2025-52881).
        if (SysctlPlanner.Any(config) || ProcessAttributesPlanner.NeedsProcfs(config.Process))
            steps.Add(new OpenProcfsStep(ProcfsHow.New, SysctlPlanner.Any(config) ? "linux.sysctl" : "process"));

        var mounts = config.Mounts ?? [];
        var propagation = new List<Step>();
        for (int i = 0; i < mounts.Count; i++)
            MountPlanner.Plan(req, mounts[i], $"mounts[{i}]", steps, propagation, warnings);

        if (!DevBindMounted(mounts, req.RootfsPath))
            DevicePlanner.Plan(config, steps, bindFromHost: UserNamespacePlanner.Any(config));

        Planner.TraceMark(req, steps, SyncTag.TraceRootfs);

        // Opened while the host's paths are still reachable; the init waits on it after pivot_root.
        if (!UserNamespacePlanner.Any(config) && req.ExecFifoPath is { } fifo)
            steps.Add(new OpenFifoStep(fifo, "exec fifo"));

        // In the runtime's mount namespace neither pivot_root nor a move onto "/" (--no-pivot) may
        // be used: both would change the runtime's own root.
        if (shared)
            steps.Add(new ChrootStep("", "linux.namespaces"));
        else if (req.NoPivot)
            steps.Add(new MoveRootStep("--no-pivot"));
        else
            steps.Add(new PivotRootStep("root.path"));

        // Now the container's own root gets the propagation asked for, and after it each mount
        // its own (a recursive root setting must not undo a mount's "shared").
        if (!shared)
            steps.Add(new PropagateStep("/", rootPropagation, MountOpts.TargetInRoot, "linux.rootfsPropagation"));
        steps.AddRange(propagation);

        // Through the container's own /proc, before /proc/sys becomes read-only below (as runc).
        SysctlPlanner.Plan(config, steps);

        var readonlyPaths = linux?.ReadonlyPaths ?? [];
        for (int i = 0; i < readonlyPaths.Count; i++)
        {
            string p = ContainerPath.Confined(readonlyPaths[i], $"linux.readonlyPaths[{i}]");
            steps.Add(new MountStep(p, p, "", "", MS_BIND | MS_REC | MS_RDONLY,
                MountOpts.SourceInRoot | MountOpts.TargetInRoot | MountOpts.Remount | MountOpts.IgnoreMissing,
                $"linux.readonlyPaths[{i}]"));
        }

        var masked = linux?.MaskedPaths ?? [];
        for (int i = 0; i < masked.Count; i++)
            steps.Add(new MaskStep(ContainerPath.Confined(masked[i], $"linux.maskedPaths[{i}]"), NullDevice, $"linux.maskedPaths[{i}]"));

        if (config.Root?.Readonly == true)
            steps.Add(new RemountStep("/", MS_RDONLY, MountOpts.TargetInRoot, "root.readonly"));
        Planner.TraceMark(req, steps, SyncTag.TracePivot);
    }

    /// <summary>With /dev bound from the host, its nodes are the host's: create none (as runc).</summary>
    private static bool DevBindMounted(List<Spec.Mount> mounts, string rootfs) =>
        mounts.Any(m => ContainerPath.Clean(ContainerPath.StripRoot(m.Destination ?? "", rootfs)) == "/dev" &&
                        (m.Type == "bind" || (m.Options?.Any(o => o is "bind" or "rbind") ?? false)));
}
