using OciRuntime.Planning;

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
    public static IdMapWay Choose(IReadOnlyList<IdRange> ranges, uint ownId, bool unprivileged) =>
        !unprivileged || IsSelfMapping(ranges, ownId) ? IdMapWay.Direct : IdMapWay.Tool;

    /// <summary>One line mapping exactly the caller's own id.</summary>
    public static bool IsSelfMapping(IReadOnlyList<IdRange> ranges, uint ownId) =>
        ranges is [{ Count: 1 } r] && r.Outside == ownId;

    /// <summary>setgroups must be "deny" before an unprivileged caller writes its own gid as the map.</summary>
    public static bool DeniesSetgroups(IReadOnlyList<IdRange> gidRanges, uint egid, bool unprivileged) =>
        unprivileged && IsSelfMapping(gidRanges, egid);

    /// <summary>
    /// What newuidmap/newgidmap accept from an unprivileged user: each range either the user's own
    /// id alone or inside its subordinate ranges. Throws naming the first range that is neither.
    /// </summary>
    public static void CheckToolAllows(IReadOnlyList<IdRange> ranges, uint ownId, IReadOnlyList<IdRange> subordinate,
        string field, string kind, string file)
    {
        for (int i = 0; i < ranges.Count; i++)
        {
            var r = ranges[i];
            if (r.Count == 1 && r.Outside == ownId)
                continue;
            if (!Covered(r.Outside, r.Count, subordinate))
                throw new PlanningException($"{field}[{i}]",
                    $"hostID {r.Outside}..{(ulong)r.Outside + r.Count - 1} cannot be mapped by an unprivileged caller ({kind} {ownId}): " +
                    $"it may map only its own {kind} {ownId} and the ranges {file} gives it ({SubordinateIds.Describe(subordinate)})");
        }
    }

    private static bool Covered(uint start, uint count, IReadOnlyList<IdRange> ranges)
    {
        // Adjacent ranges together may cover it: walk forward until nothing extends the covered part.
        ulong pos = start, end = (ulong)start + count;
        bool progressed = true;
        while (pos < end && progressed)
        {
            progressed = false;
            foreach (var o in ranges)
                if (pos >= o.Outside && pos < (ulong)o.Outside + o.Count)
                {
                    pos = (ulong)o.Outside + o.Count;
                    progressed = true;
                }
        }
        return pos >= end;
    }
}
