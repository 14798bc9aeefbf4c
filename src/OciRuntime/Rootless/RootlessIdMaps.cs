using OciRuntime.Lifecycle;
using OciRuntime.Linux;
using OciRuntime.Planning;
using OciRuntime.Spec;

namespace OciRuntime.Rootless;

/// <summary>
/// The host's part of a new user namespace when the runtime is not the host's root: its own id
/// alone is written directly (gid_map after setgroups "deny"), anything more through
/// newuidmap/newgidmap. <see cref="Check"/> runs before anything is created, so a mapping the caller
/// may not write is an error naming the entry, with nothing left behind.
/// </summary>
internal static class RootlessIdMaps
{
    private const string SubUid = "/etc/subuid", SubGid = "/etc/subgid";

    /// <summary>The new user namespace's setgroups will be "deny" (the planner then leaves setgroups(2) out).</summary>
    public static bool DeniesSetgroups(Spec.Spec config, RootlessMode? mode) =>
        mode is { Unprivileged: true } && UserNamespacePlanner.IsNew(config) && config.Linux?.GidMap is { } g &&
        IdMapWays.DeniesSetgroups(g, mode.Egid, true);

    public static void Check(Spec.Spec config, RootlessMode mode)
    {
        // Without a user namespace every other namespace and mount needs the host's privileges:
        // say so up front rather than fail at the first unshare (runc: "rootless container
        // requires user namespaces").
        if (!UserNamespacePlanner.Any(config))
            throw new PlanningException("linux.namespaces",
                $"an unprivileged caller (uid {mode.Euid}) needs a user namespace: add {{\"type\": \"user\"}} with " +
                "linux.uidMappings/gidMappings (`ociruntime spec --rootless` writes such a config)");
        if (!UserNamespacePlanner.IsNew(config))
            return;
        var linux = config.Linux!;
        string? name = PasswdFile.NameOf(ReadOrEmpty("/etc/passwd"), mode.Euid);
        CheckOne(linux.UidMap!, mode.Euid, mode.Euid, "uid", SubUid, "newuidmap", name);
        CheckOne(linux.GidMap!, mode.Egid, mode.Euid, "gid", SubGid, "newgidmap", name);
    }

    /// <param name="owner">the caller's uid: /etc/subgid lines are owned by users too (name or uid)</param>
    private static void CheckOne(IdMap map, uint ownId, uint owner, string kind, string file, string tool, string? name)
    {
        if (IdMapWays.Choose(map, ownId, unprivileged: true) == IdMapWay.Direct)
            return;
        IdMapWays.CheckToolAllows(map, ownId, SubordinateIds.For(ReadOrEmpty(file), name, owner), kind, file);
        if (MappingTool.Find(tool) is null)
            throw new PlanningException(map.Field, $"mapping more than the caller's own {kind} needs {tool} (package uidmap), which is not installed");
    }

    public static void Write(int pid, Spec.Spec config, RootlessMode mode)
    {
        var uid = config.Linux!.UidMap!;
        var gid = config.Linux.GidMap!;
        if (IdMapWays.Choose(uid, mode.Euid, unprivileged: true) == IdMapWay.Direct)
            IdMapWriter.WriteOne(pid, "uid_map", uid);
        else
            MappingTool.Run("newuidmap", pid, uid);
        if (IdMapWays.Choose(gid, mode.Egid, unprivileged: true) == IdMapWay.Direct)
        {
            WriteSetgroupsDeny(pid);
            IdMapWriter.WriteOne(pid, "gid_map", gid);
        }
        else
            MappingTool.Run("newgidmap", pid, gid);
    }

    private static void WriteSetgroupsDeny(int pid)
    {
        Linux.ProcFile.Write($"/proc/{pid}/setgroups", "deny", "linux.gidMappings");
    }

    private static string ReadOrEmpty(string path) => SysFile.TryRead(path, out _) ?? "";
}
