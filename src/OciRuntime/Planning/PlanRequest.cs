using OciRuntime.Spec;

namespace OciRuntime.Planning;

/// <summary>Everything the planner needs: the validated config and the runtime's decisions.</summary>
internal sealed record PlanRequest(
    string ContainerId,
    Spec.Spec Config,
    string BundlePath,
    string RootfsPath,
    string ExecFifoPath,
    bool NoPivot,
    int PreserveFds,
    HostFacts Host);

/// <summary>A config that is valid by the schema but cannot be carried out; names the field.</summary>
internal sealed class PlanningException(string path, string message) : Exception($"{path}: {message}")
{
    public string Path { get; } = path;
}
