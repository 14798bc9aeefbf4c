using System.Text.Json.Serialization;

namespace OciRuntime.Spec;

/// <summary>The runtime-spec state of a container: what `state` reports and what hooks read on stdin.</summary>
public sealed class State
{
    [JsonPropertyName("ociVersion")] public string? OciVersion { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }
    /// <summary>creating, created, running, paused or stopped (Lifecycle/ContainerStateMachine.cs).</summary>
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("pid")] public int? Pid { get; set; }
    [JsonPropertyName("bundle")] public string? Bundle { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>
/// What the runtime sends to linux.seccomp.listenerPath together with the seccomp notify fd
/// (SCM_RIGHTS); <see cref="Fds"/> names the passed fds in order.
/// </summary>
public sealed class ContainerProcessState
{
    /// <summary>The name of the seccomp notify fd in <see cref="Fds"/>.</summary>
    public const string SeccompFdName = "seccompFd";

    [JsonPropertyName("ociVersion")] public string? OciVersion { get; set; }
    [JsonPropertyName("fds")] public List<string>? Fds { get; set; }
    [JsonPropertyName("pid")] public int? Pid { get; set; }
    [JsonPropertyName("metadata")] public string? Metadata { get; set; }
    [JsonPropertyName("state")] public State? State { get; set; }
}
