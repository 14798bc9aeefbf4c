using OciRuntime.Planning;
using OciRuntime.Rootless;
using OciRuntime.Spec;

namespace OciRuntime.Lifecycle;

/// <summary>
/// Before anything is created: the host ids of each id-mapped mount's own maps must be ids the
/// runtime's user namespace maps, or the executor's write of the helper namespace's map would fail
/// with a bare EPERM after the container's cgroup exists. Maps taken from linux.uidMappings/
/// gidMappings are checked by <see cref="IdMapWriter.CheckWritable"/> already.
/// </summary>
internal static class IdmappedMountCheck
{
    public static void CheckWritable(Spec.Spec config, string bundle)
    {
        if (config.Mounts is not { Count: > 0 })
            return;
        CheckWithin(IdmappedMountPlanner.Resolve(config, bundle), IdMapWriter.OwnUidMap, IdMapWriter.OwnGidMap);
    }

    /// <summary>Pure part: the runtime's own maps are read only when a mount has maps of its own.</summary>
    internal static void CheckWithin(IReadOnlyList<IdmappedMount> mounts, Func<IdMap> ownUid, Func<IdMap> ownGid)
    {
        IdMap? uid = null, gid = null;
        foreach (var m in mounts)
        {
            if (m.Uid is null || m.Uid.Field.StartsWith("linux.", StringComparison.Ordinal))
                continue;
            m.Uid.CheckWithin(uid ??= ownUid());
            m.Gid!.CheckWithin(gid ??= ownGid());
        }
    }
}
