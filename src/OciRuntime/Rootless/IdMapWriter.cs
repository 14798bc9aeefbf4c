using OciRuntime.Planning;

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
        var linux = config.Linux!;
        IdMappings.CheckWithin(IdMappings.Validate(linux.UidMappings!, "linux.uidMappings"),
            IdMappings.ParseProcMap(File.ReadAllText("/proc/self/uid_map")), "linux.uidMappings");
        IdMappings.CheckWithin(IdMappings.Validate(linux.GidMappings!, "linux.gidMappings"),
            IdMappings.ParseProcMap(File.ReadAllText("/proc/self/gid_map")), "linux.gidMappings");
    }

    public static void Write(int pid, Spec.Spec config)
    {
        var linux = config.Linux!;
        WriteOne(pid, "uid_map", IdMappings.Validate(linux.UidMappings!, "linux.uidMappings"), "linux.uidMappings");
        WriteOne(pid, "gid_map", IdMappings.Validate(linux.GidMappings!, "linux.gidMappings"), "linux.gidMappings");
    }

    internal static void WriteOne(int pid, string file, IReadOnlyList<IdRange> ranges, string field)
    {
        // One write(2) of the whole map: the kernel accepts a map only once, and only whole.
        Linux.ProcFile.Write($"/proc/{pid}/{file}", IdMappings.Format(ranges), field);
    }
}
