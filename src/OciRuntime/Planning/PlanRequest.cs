using OciRuntime.Spec;

namespace OciRuntime.Planning;

/// <summary>Everything the planner needs: the validated config, the runtime's decisions, and the
/// facts read from the host and the rootfs (Home: the user's home directory in the image's
/// /etc/passwd, for HOME when the config does not set it; RootfsParentMount: the mount point of the
/// mount holding the rootfs; SetgroupsDenied: the new user namespace's setgroups is "deny", as an
/// unprivileged caller must write it before a gid_map of its own gid; CgroupsNotCreated: mount points
/// of the hierarchies where a rootless container stays in the runtime's own cgroup; ExecFifoPath:
/// null when the init waits for `start` on the sync socket, as in `run`; Start: the plan's start as
/// Planner.StartOf planned it for the early executor, continued rather than planned again when it
/// was planned for this request).</summary>
internal sealed record PlanRequest(
    string ContainerId,
    Spec.Spec Config,
    string BundlePath,
    string RootfsPath,
    string? ExecFifoPath,
    bool NoPivot,
    int PreserveFds,
    HostFacts Host,
    string Home = "/",
    string? RootfsParentMount = null,
    bool Trace = false,
    bool SetgroupsDenied = false,
    IReadOnlyCollection<string>? CgroupsNotCreated = null,
    string? ContainerCgroup = null,
    InitStart? Start = null);
