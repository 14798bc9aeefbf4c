using OciRuntime.Planning;

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
        var own = config.Mounts is { Count: > 0 } ? IdmappedMountPlanner.Resolve(config, bundle) : [];
        IReadOnlyList<IdRange>? ownUid = null, ownGid = null;
        foreach (var m in own)
        {
            if (m.Uid is null || m.UidField.StartsWith("linux.", StringComparison.Ordinal))
                continue;
            ownUid ??= IdMappings.ParseProcMap(File.ReadAllText("/proc/self/uid_map"));
            ownGid ??= IdMappings.ParseProcMap(File.ReadAllText("/proc/self/gid_map"));
            IdMappings.CheckWithin(m.Uid, ownUid, m.UidField);
            IdMappings.CheckWithin(m.Gid!, ownGid, m.GidField);
        }
    }
}
