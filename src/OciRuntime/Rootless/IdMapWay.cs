using OciRuntime.Spec;

namespace OciRuntime.Rootless;

/// <summary>How one of linux.uidMappings/gidMappings gets into the new user namespace.</summary>
internal enum IdMapWay
{
    /// <summary>The runtime writes /proc/PID/uid_map (gid_map) itself.</summary>
    Direct,
    /// <summary>newuidmap/newgidmap (setuid root, package uidmap) write it after checking /etc/subuid (subgid).</summary>
    Tool,
}

/// <summary>
/// The kernel lets a writer without CAP_SETUID (CAP_SETGID) over the parent namespace map only its
/// own effective id, one id, and for gid_map only after setgroups is set to "deny" (so that nobody
/// can drop a group that denies access by leaving it). Anything more needs the setuid helpers.
/// </summary>
internal static class IdMapWays
{
    /// <param name="ownId">the caller's effective uid (gid): one line mapping exactly it may be written directly</param>
    public static IdMapWay Choose(IdMap map, uint ownId, bool unprivileged) =>
        !unprivileged || map.IsOnly(ownId) ? IdMapWay.Direct : IdMapWay.Tool;

    /// <summary>setgroups must be "deny" before an unprivileged caller writes its own gid as the map.</summary>
    public static bool DeniesSetgroups(IdMap gidMap, uint egid, bool unprivileged) =>
        unprivileged && gidMap.IsOnly(egid);

    /// <summary>
    /// What newuidmap/newgidmap accept from an unprivileged user: each range either the user's own
    /// id alone or inside its subordinate ranges. Throws naming the first range that is neither.
    /// </summary>
    public static void CheckToolAllows(IdMap map, uint ownId, IReadOnlyList<IdRange> subordinate, string kind, string file)
    {
        for (int i = 0; i < map.Ranges.Count; i++)
        {
            var r = map.Ranges[i];
            if (r.Size == 1 && r.HostId == ownId)
                continue;
            if (!IdMap.Covers(subordinate, r.HostId, r.HostEnd))
                throw new PlanningException($"{map.Field}[{i}]",
                    $"hostID {r.HostId}..{r.HostEnd - 1} cannot be mapped by an unprivileged caller ({kind} {ownId}): " +
                    $"it may map only its own {kind} {ownId} and the ranges {file} gives it ({SubordinateIds.Describe(subordinate)})");
        }
    }
}
