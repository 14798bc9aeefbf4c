using OciRuntime.Plan;
using OciRuntime.Spec;
using static OciRuntime.Linux.MountFlags;

namespace OciRuntime.Planning;

/// <summary>
/// One id-mapped mount of config.json, resolved. Either the ranges of a user namespace to make
/// (Uid/Gid, each naming the field it came from) or the path of the container's joined one.
/// </summary>
internal sealed record IdmappedMount(int Index, string Source, bool CloneRecursive, bool Recursive,
    IdMap? Uid, IdMap? Gid, string? UsernsPath, string Origin)
{
    /// <summary>Mounts with this key can share one user namespace.</summary>
    public string UsernsKey => UsernsPath is { } p ? "path:" + p : Uid!.ProcText + "|" + Gid!.ProcText;
}

/// <summary>
/// mounts[].uidMappings/gidMappings and the "idmap"/"ridmap" options (runtime-spec v1.3.0), as runc
/// reads them: a bind mount only; both maps or neither; "idmap"/"ridmap" without maps uses the
/// container's user namespace (its linux.uidMappings/gidMappings, or the namespace it joins);
/// maps without either option mean "idmap"; "ridmap" id-maps the submounts of an rbind too. No
/// container user namespace is needed when the mount has its own maps.
///
/// MOUNT_ATTR_IDMAP needs CAP_SYS_ADMIN over the user namespace that owns the source's filesystem,
/// which the executor has only before it enters the container's user namespace. So the user
/// namespaces of the maps are made or opened first (PlanSources); each source is cloned and
/// id-mapped at its mount's turn (TreeStep: by the executor, or in a user namespace by the host)
/// and MountPlanner attaches the tree where the bind mount would have gone (decisions §53).
/// </summary>
internal static class IdmappedMountPlanner
{
    /// <summary>The id-mapped mounts of the config, in order (their tree slots are 0, 1, ...).</summary>
    public static IReadOnlyList<IdmappedMount> Resolve(Spec.Spec config, string bundlePath)
    {
        var mounts = config.Mounts ?? [];
        var list = new List<IdmappedMount>();
        for (int i = 0; i < mounts.Count; i++)
        {
            var m = mounts[i];
            string f = $"mounts[{i}]";
            var opts = MountOptions.Parse(m.Options, $"{f}.options");
            bool hasUid = m.UidMappings is { Count: > 0 }, hasGid = m.GidMappings is { Count: > 0 };
            if (!hasUid && !hasGid && opts.IdMap is null)
                continue;
            string asked = hasUid ? $"{f}.uidMappings" : hasGid ? $"{f}.gidMappings" : $"{f}.options[{opts.IdMap!.Index}]";
            if (!(opts.Bind || m.Type == "bind") || m.Type == "cgroup")
                throw new PlanningException(asked, "id-mapped mounts are bind mounts only (type \"bind\", or option \"bind\" or \"rbind\")");
            if (hasUid != hasGid)
                throw new PlanningException(hasUid ? $"{f}.gidMappings" : $"{f}.uidMappings",
                    $"required with {asked}: an id-mapped mount maps both uids and gids");
            if (string.IsNullOrEmpty(m.Source))
                throw new PlanningException($"{f}.source", "a bind mount needs a source");
            string source = Path.IsPathRooted(m.Source) ? m.Source : Path.GetFullPath(Path.Combine(bundlePath, m.Source));
            bool recursive = opts.IdMap?.Recursive ?? false;

            if (hasUid)
            {
                list.Add(new IdmappedMount(i, source, opts.Recursive, recursive, m.UidMapAt(i), m.GidMapAt(i), null, $"{f}.uidMappings"));
                continue;
            }
            // "idmap"/"ridmap" alone: mapped as the container's user namespace maps its ids.
            var nss = config.Linux?.Namespaces ?? [];
            int u = nss.FindIndex(n => n.Type == "user");
            if (u < 0)
                throw new PlanningException(asked,
                    $"\"{m.Options![opts.IdMap!.Index]}\" without {f}.uidMappings/gidMappings uses the container's user namespace mappings, but linux.namespaces has no user namespace");
            if (!string.IsNullOrEmpty(nss[u].Path))
            {
                list.Add(new IdmappedMount(i, source, opts.Recursive, recursive, null, null, nss[u].Path, asked));
                continue;
            }
            var linux = config.Linux!;
            if (linux.UidMappings is not { Count: > 0 })
                throw new PlanningException("linux.uidMappings", "required when creating a new user namespace");
            if (linux.GidMappings is not { Count: > 0 })
                throw new PlanningException("linux.gidMappings", "required when creating a new user namespace");
            list.Add(new IdmappedMount(i, source, opts.Recursive, recursive, linux.UidMap, linux.GidMap, null, asked));
        }
        if (list.Count > UsernsFromMapsStep.MaxSlots)
            throw new PlanningException("mounts", $"{list.Count} id-mapped mounts, at most {UsernsFromMapsStep.MaxSlots} are supported");
        return list;
    }

    /// <summary>
    /// Before the user namespace is joined or created: one user namespace per distinct mapping
    /// (shared by the mounts that use it, closed after its last one). The sources are cloned later,
    /// at their mounts' turn (<see cref="TreeStep"/>).
    /// </summary>
    public static void PlanSources(Spec.Spec config, string bundlePath, List<Step> steps)
    {
        var mounts = Resolve(config, bundlePath);
        var keys = UsernsKeys(mounts);
        for (int slot = 0; slot < keys.Count; slot++)
        {
            var m = mounts.First(x => x.UsernsKey == keys[slot]);
            steps.Add(m.UsernsPath is { } path
                ? new UsernsFromPathStep((uint)slot, path, m.Origin)
                : new UsernsFromMapsStep((uint)slot, m.Uid!.ProcText, m.Gid!.ProcText, m.Origin));
        }
    }

    /// <summary>The distinct mappings in the order of their first use: a mapping's index here is
    /// the slot of its user namespace, for PlanSources and TreeStep alike.</summary>
    private static List<string> UsernsKeys(IReadOnlyList<IdmappedMount> mounts) =>
        mounts.Select(m => m.UsernsKey).Distinct().ToList();

    /// <summary>
    /// The clone of mounts[<paramref name="index"/>]'s source, id-mapped, for its turn among the
    /// mounts (right before it is attached), or null when the mount is not id-mapped. At its turn,
    /// in the container's mount namespace, a source inside the rootfs shows the mounts made before
    /// it (runc's goCreateMountSources does the same). In a user namespace the executor may not
    /// id-map (it needs CAP_SYS_ADMIN in the initial one): the host does it for it (ByHost).
    /// </summary>
    public static IdmapTreeStep? TreeStep(Spec.Spec config, string bundlePath, int index)
    {
        if (TreeSlot(config, index) is not { } t)
            return null;
        var mounts = Resolve(config, bundlePath);
        var m = mounts[(int)t];
        uint slot = (uint)UsernsKeys(mounts).IndexOf(m.UsernsKey);
        bool lastUse = !mounts.Skip((int)t + 1).Any(x => x.UsernsKey == m.UsernsKey);
        var opts = (m.CloneRecursive ? IdmapOpts.CloneRecursive : 0) | (m.Recursive ? IdmapOpts.Recursive : 0) |
                   (lastUse ? IdmapOpts.CloseUserns : 0) |
                   (UserNamespacePlanner.Any(config) ? IdmapOpts.ByHost : 0);
        ulong propagation = TreePropagation(config);
        return new IdmapTreeStep(t, slot, m.Source, propagation | (m.CloneRecursive && propagation != 0 ? MS_REC : 0),
            opts, $"mounts[{m.Index}]");
    }

    /// <summary>
    /// The tree may be cloned where the source is shared with the host (the runtime's mount
    /// namespace when the container has none of its own, a joined one): it gets the propagation a
    /// bind clone in a namespace of the container's own would have had (that namespace is made
    /// rootfsPropagation first, a slave by default), so mounts made below it in the container do
    /// not reach the host. "shared" keeps the clone in the source's peer group, as a clone of the
    /// container's shared copy would be.
    /// </summary>
    private static ulong TreePropagation(Spec.Spec config)
    {
        ulong root = MS_SLAVE;
        if (config.Linux?.RootfsPropagation is { Length: > 0 } rp)
            root = MountOptions.Parse([rp], "linux.rootfsPropagation").Propagation;
        return root & (MS_SLAVE | MS_PRIVATE);
    }

    /// <summary>The tree slot of mounts[index] when it is id-mapped (the count of id-mapped mounts before it).</summary>
    public static uint? TreeSlot(Spec.Spec config, int index)
    {
        var mounts = config.Mounts ?? [];
        if (index < 0 || !IsIdmapped(mounts[index]))
            return null;
        return (uint)mounts.Take(index).Count(IsIdmapped);
    }

    private static bool IsIdmapped(Spec.Mount m) =>
        m.UidMappings is { Count: > 0 } || m.GidMappings is { Count: > 0 } ||
        (m.Options?.Any(o => o is "idmap" or "ridmap") ?? false);
}
