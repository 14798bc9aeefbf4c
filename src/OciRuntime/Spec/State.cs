using System.Text.Json.Serialization;

namespace OciRuntime.Spec;

/// <summary>
/// The state of a container, the one type for both of its forms (Spec/Json/StateWriter.cs writes
/// both): the runtime-spec state inside the seccomp listener's message
/// (<see cref="ContainerProcessState"/>), and runc's form, which `state`, `list` and hooks get:
/// the same members plus runc's rootfs, created and owner (<see cref="Runc"/>).
/// </summary>
public sealed class State
{
    [JsonPropertyName("ociVersion")] public string? OciVersion { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }
    /// <summary>creating, created, running, paused or stopped (Lifecycle/ContainerStateMachine.cs).</summary>
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("pid")] public int? Pid { get; set; }
    [JsonPropertyName("bundle")] public string? Bundle { get; set; }
    /// <summary>runc's; null outside runc's form.</summary>
    [JsonPropertyName("rootfs")] public string? Rootfs { get; set; }
    /// <summary>runc's: the creation time, ISO 8601 with seven fraction digits; null outside runc's form.</summary>
    [JsonPropertyName("created")] public string? Created { get; set; }
    /// <summary>runc's: the user owning the state directory; null outside runc's form.</summary>
    [JsonPropertyName("owner")] public string? Owner { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }

    /// <summary>Whether this is runc's form (what `state`, `list` and hooks get): every member but
    /// annotations written, pid before status, as runc prints them.</summary>
    [JsonIgnore] public bool IsRuncForm => Rootfs is not null;

    /// <summary>runc's form: what `state` and `list` print and hooks read on stdin.</summary>
    public static State Runc(string id, int pid, string status, string bundle, string rootfs, string created,
        Dictionary<string, string>? annotations, string owner = "") => new()
        {
            OciVersion = BuildInfo.SpecVersion,
            Id = id,
            Pid = pid,
            Status = status,
            Bundle = bundle,
            Rootfs = rootfs,
            Created = created,
            Owner = owner,
            Annotations = annotations,
        };
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
