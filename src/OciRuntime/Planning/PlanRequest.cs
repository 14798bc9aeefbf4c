using OciRuntime.Spec;

namespace OciRuntime.Planning;

/// <summary>Everything the planner needs: the validated config, the runtime's decisions, and the
/// facts read from the host and the rootfs (Home: the user's home directory in the image's
/// /etc/passwd, for HOME when the config does not set it; RootfsParentMount: the mount point of the
/// mount holding the rootfs).</summary>
internal sealed record PlanRequest(
    string ContainerId,
    Spec.Spec Config,
    string BundlePath,
    string RootfsPath,
    string ExecFifoPath,
    bool NoPivot,
    int PreserveFds,
    HostFacts Host,
    string Home = "/",
    string? RootfsParentMount = null,
    bool Trace = false);

/// <summary>A config that is valid by the schema but cannot be carried out; names the field.</summary>
internal sealed class PlanningException(string path, string message) : Exception($"{path}: {message}")
{
    public string Path { get; } = path;
}
