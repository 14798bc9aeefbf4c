using OciRuntime.Planning;
using OciRuntime.Spec;

namespace OciRuntime.Rootless;

/// <summary>
/// The host's part of a new user namespace: writes linux.uidMappings/gidMappings to the waiting
/// executor's /proc/PID/uid_map and gid_map. setgroups is left "allow": the runtime runs as the
/// host's root, which may map any id, and the kernel asks for "deny" only from unprivileged writers.
/// </summary>
internal static class IdMapWriter
{
    /// <summary>Before anything is created: every host id must be one the runtime may hand out.</summary>
    public static void CheckWritable(Spec.Spec config)
    {
        if (!UserNamespacePlanner.IsNew(config))
            return;
        config.Linux!.UidMap!.CheckWithin(OwnUidMap());
        config.Linux.GidMap!.CheckWithin(OwnGidMap());
    }

    /// <summary>The runtime's own maps: the ids it may hand to a user namespace it makes.</summary>
    public static IdMap OwnUidMap() => IdMap.ParseProcMap(File.ReadAllText("/proc/self/uid_map"), "/proc/self/uid_map");

    public static IdMap OwnGidMap() => IdMap.ParseProcMap(File.ReadAllText("/proc/self/gid_map"), "/proc/self/gid_map");

    public static void Write(int pid, Spec.Spec config)
    {
        WriteOne(pid, "uid_map", config.Linux!.UidMap!);
        WriteOne(pid, "gid_map", config.Linux.GidMap!);
    }

    internal static void WriteOne(int pid, string file, IdMap map)
    {
        // One write(2) of the whole map: the kernel accepts a map only once, and only whole.
        Linux.ProcFile.Write($"/proc/{pid}/{file}", map.ProcText, map.Field);
    }
}
