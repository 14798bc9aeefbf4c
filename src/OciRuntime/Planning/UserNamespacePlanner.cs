using OciRuntime.Linux;
using OciRuntime.Plan;

namespace OciRuntime.Planning;

/// <summary>
/// linux.namespaces type "user" with linux.uidMappings/gidMappings. A new user namespace is
/// created on its own, before the other new namespaces, and the executor then waits while the host
/// writes its uid_map and gid_map (a process cannot map ids it does not own from inside, and the
/// host can name every range). Only then does the executor become the namespace's root: until the
/// maps exist its ids are unmapped, and files it created would fail with EOVERFLOW.
/// </summary>
internal static class UserNamespacePlanner
{
    /// <summary>The config asks for a new user namespace (one without a path).</summary>
    public static bool IsNew(Spec.Spec config) =>
        config.Linux?.Namespaces?.Any(n => n.Type == "user" && string.IsNullOrEmpty(n.Path)) ?? false;

    /// <summary>The config puts the container in a user namespace, new or joined.</summary>
    public static bool Any(Spec.Spec config) =>
        config.Linux?.Namespaces?.Any(n => n.Type == "user") ?? false;

    /// <param name="index">the entry of linux.namespaces</param>
    /// <param name="create">a new namespace rather than a joined one (the setns step is already in place)</param>
    public static void Plan(Spec.Spec config, int index, bool create, List<Step> steps)
    {
        var linux = config.Linux!;
        string field = $"linux.namespaces[{index}]";
        if (create)
        {
            if (linux.UidMappings is not { Count: > 0 })
                throw new PlanningException("linux.uidMappings", "required when creating a new user namespace");
            if (linux.GidMappings is not { Count: > 0 })
                throw new PlanningException("linux.gidMappings", "required when creating a new user namespace");
            if (linux.UidMap!.ToHost(0) is null)
                throw new PlanningException("linux.uidMappings", "must map the container's uid 0 (its root sets up the container)");
            if (linux.GidMap!.ToHost(0) is null)
                throw new PlanningException("linux.gidMappings", "must map the container's gid 0 (its root sets up the container)");
            steps.Add(new UnshareStep(Namespaces.CLONE_NEWUSER, field));
            steps.Add(new SyncStep(SyncTag.WriteIdMaps, "linux.uidMappings"));
        }
        else
        {
            // A joined namespace already has its maps, and they cannot be written twice.
            if (linux.UidMappings is { Count: > 0 })
                throw new PlanningException("linux.uidMappings", $"cannot be set when joining an existing user namespace ({field}.path)");
            if (linux.GidMappings is { Count: > 0 })
                throw new PlanningException("linux.gidMappings", $"cannot be set when joining an existing user namespace ({field}.path)");
        }
    }

    /// <summary>
    /// Root of the namespace for the rest of the setup (files and mounts owned by the container's
    /// root); process.user is applied at the end as usual, in container ids. Emitted after the
    /// other namespaces are made: changing ids makes the process non-dumpable, which gives its
    /// /proc/self files to the host's root, and the time namespace's offsets are still to be
    /// written to /proc/self/timens_offsets (the namespace's capabilities suffice for unshare).
    /// </summary>
    public static void BecomeRoot(int index, List<Step> steps) =>
        steps.Add(new SetUserStep(0, 0, false, [], $"linux.namespaces[{index}]"));
}
