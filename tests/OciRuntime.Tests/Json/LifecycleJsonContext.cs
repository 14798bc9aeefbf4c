using System.Text.Json.Serialization;

namespace OciRuntime.Lifecycle;

/// <summary>
/// The serializer's view of state.json and the state output, as the binary used it before they
/// were written by hand: the reference the hand writers are compared with.
/// </summary>
[JsonSerializable(typeof(ContainerRecord))]
[JsonSerializable(typeof(RuncStateShape))]
[JsonSerializable(typeof(List<RuncStateShape>))]
internal sealed partial class LifecycleJsonContext : JsonSerializerContext;

/// <summary>
/// runc's form of the state (`state`, `list`, hooks' stdin) as the binary declared it before
/// Spec.State became the one state type (it was Lifecycle.StateOutput): members in this order,
/// all written, annotations only when set. The reference Spec/Json/StateWriter is compared with.
/// </summary>
internal sealed class RuncStateShape
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; set; } = BuildInfo.SpecVersion;
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    [JsonPropertyName("created")] public string Created { get; set; } = "";
    [JsonPropertyName("owner")] public string Owner { get; set; } = "";
    [JsonPropertyName("annotations")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Annotations { get; set; }

    public static RuncStateShape From(Spec.State s) => new()
    {
        OciVersion = s.OciVersion!, Id = s.Id!, Pid = s.Pid ?? 0, Status = s.Status!, Bundle = s.Bundle!,
        Rootfs = s.Rootfs!, Created = s.Created!, Owner = s.Owner!, Annotations = s.Annotations,
    };
}
