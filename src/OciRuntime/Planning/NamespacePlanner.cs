using OciRuntime.Linux;
using OciRuntime.Plan;

namespace OciRuntime.Planning;

/// <summary>What the namespace steps decided, for the stages after them; SpawnNamespaces: the
/// namespaces the executor is cloned into (ExecutionPlan.SpawnNamespaces); CgroupJoin: the wait
/// for the cgroup placement and the cgroup namespace, left for the planner to put as late as the
/// root filesystem allows (empty when they are in the steps already).</summary>
internal sealed record NamespaceLayout(bool NewUts, bool NewMount, bool NewCgroup, uint SpawnNamespaces, IReadOnlyList<Step> CgroupJoin);

internal static class NamespacePlanner
{
    // Joined in this order: the user namespace first (it decides what we may do in the others),
    // the mount namespace last (after it, the host paths of the other namespace files may be gone).
    private static readonly string[] JoinOrder = ["user", "ipc", "uts", "network", "pid", "cgroup", "time", "mount"];

    /// <summary>No `mount` entry in linux.namespaces: the container's mounts are made in the
    /// runtime's own mount namespace, below the rootfs (decisions §45).</summary>
    public static bool SharesRuntimeMounts(Spec.Spec config) =>
        config.Linux?.Namespaces?.Any(n => n.Type == "mount") != true;

    /// <summary>What cannot be done without a mount namespace of the container's own is refused,
    /// naming the field, rather than done to the runtime's mounts.</summary>
    private static void CheckSharedMounts(Spec.Spec config)
    {
        var linux = config.Linux;
        var list = linux?.Namespaces ?? [];
        int user = list.FindIndex(n => n.Type == "user");
        if (user >= 0)
            throw new PlanningException($"linux.namespaces[{user}]",
                "a user namespace needs a mount namespace of the container's own (add a \"mount\" entry): the runtime's belongs to the runtime's user namespace");
        // runc refuses these too ("unable to restrict sys entries without a private MNT namespace").
        if (linux?.MaskedPaths is { Count: > 0 })
            throw new PlanningException("linux.maskedPaths",
                "masking paths needs a mount namespace of the container's own (add a \"mount\" entry to linux.namespaces)");
        if (linux?.ReadonlyPaths is { Count: > 0 })
            throw new PlanningException("linux.readonlyPaths",
                "read-only paths need a mount namespace of the container's own (add a \"mount\" entry to linux.namespaces)");
        // It is the propagation of the container's "/" in its own namespace; in the runtime's it
        // would be that of the runtime's "/" or of a mount whose events leave the rootfs.
        if (!string.IsNullOrEmpty(linux?.RootfsPropagation))
            throw new PlanningException("linux.rootfsPropagation",
                "needs a mount namespace of the container's own (add a \"mount\" entry to linux.namespaces): without one it would change the runtime's mounts");
    }

    public static NamespaceLayout Plan(Spec.Spec config, List<Step> steps)
    {
        var list = config.Linux?.Namespaces ?? [];
        uint create = 0;
        bool pidLater = false;
        int userIndex = -1;
        foreach (var type in JoinOrder)
        {
            int i = list.FindIndex(n => n.Type == type);
            if (i < 0)
                continue;
            var entry = list[i];
            uint flag = Namespaces.FlagOf(type);
            if (type == "user")
                userIndex = i;
            if (!string.IsNullOrEmpty(entry.Path))
                steps.Add(new SetnsStep(flag, entry.Path, $"linux.namespaces[{i}].path"));
            else
                create |= flag;
            if (type is "pid" or "time")
                pidLater = true; // both take effect only for children
        }

        bool newMount = (create & Namespaces.CLONE_NEWNS) != 0;
        // No mount namespace listed: the container's is the runtime's own (runtime-spec: inherit
        // it). The root is then entered with chroot, and only what that allows is planned
        // (SharesRuntimeMounts, RootfsPlanner; decisions §45).
        if (SharesRuntimeMounts(config))
            CheckSharedMounts(config);

        // A new user namespace comes before every other new one, so that they are owned by it (and
        // so that the container's root may do in them what it needs); joined namespaces stay
        // owned by their own user namespace. See UserNamespacePlanner.
        if (userIndex >= 0)
        {
            UserNamespacePlanner.Plan(config, userIndex, (create & Namespaces.CLONE_NEWUSER) != 0, steps);
            create &= ~Namespaces.CLONE_NEWUSER;
        }

        // A new pid namespace holds only children of whoever creates it, so the init is a child:
        // the executor itself when the host clones it into the namespace, or else a fork of the
        // executor after its unshare. The clone saves that fork (a millisecond per container in
        // a VM, where page-table copies are dear). It cannot serve when a user namespace must own
        // the pid namespace (the executor makes that one after the clone), nor with a new time
        // namespace, whose offsets must be written before any process is in it, nor when the
        // executor must reach a helper of its own through the host's /proc by pid, as for
        // id-mapped mounts with their own maps (in the new namespace it would know the helper by
        // the wrong pid). Decisions §23.
        bool helpersByPid = steps.Any(s => s is UsernsFromMapsStep);
        uint spawn = (create & Namespaces.CLONE_NEWPID) != 0 && userIndex < 0 && (create & Namespaces.CLONE_NEWTIME) == 0 && !helpersByPid
            ? Namespaces.CLONE_NEWPID
            : 0;
        create &= ~spawn;

        // The cgroup namespace is created last, in the init, so that its root is the cgroup the
        // init was placed in rather than the runtime's own.
        uint early = create & ~Namespaces.CLONE_NEWCGROUP;
        if (early != 0)
            steps.Add(new UnshareStep(early, "linux.namespaces"));
        if ((create & Namespaces.CLONE_NEWTIME) != 0 && TimeNamespacePlanner.Plan(config) is { } offsets)
            steps.Add(offsets);
        // In the container's cgroup before the fork and the cgroup namespace, so that the init
        // and every process it forks, and the namespace's root, start from there. The host makes
        // the cgroup and places the executor in it while the executor starts; at the SYNC the
        // executor waits until that is done (a round trip when it already is). Without a fork,
        // the planner puts the SYNC and the cgroup namespace later, before the first step that
        // needs them (Planner.CgroupJoinPoint): the mounts before it overlap the host's cgroup work.
        var join = new List<Step> { new SyncStep(SyncTag.PlaceInCgroup, "linux.cgroupsPath") };
        if (pidLater && spawn == 0)
            join.Add(new ForkStep("linux.namespaces"));
        if ((create & Namespaces.CLONE_NEWCGROUP) != 0)
            join.Add(new UnshareStep(Namespaces.CLONE_NEWCGROUP, "linux.namespaces"));
        bool defer = spawn != 0;
        if (!defer)
        {
            steps.AddRange(join);
            join = [];
        }
        if (userIndex >= 0)
            UserNamespacePlanner.BecomeRoot(userIndex, steps);

        return new NamespaceLayout((create & Namespaces.CLONE_NEWUTS) != 0, newMount,
            (create & Namespaces.CLONE_NEWCGROUP) != 0, spawn, join);
    }
}
