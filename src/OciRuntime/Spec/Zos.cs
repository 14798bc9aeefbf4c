using System.Text.Json.Serialization;

namespace OciRuntime.Spec;

/// <summary>config.json "zos" (z/OS), modelled minimally and never acted on; <see cref="Spec.Zos"/> holds it as raw JSON.</summary>
public sealed class Zos
{
    [JsonPropertyName("namespaces")] public List<ZosNamespace>? Namespaces { get; set; }
    [JsonPropertyName("devices")] public List<ZosDevice>? Devices { get; set; }
}

public sealed class ZosNamespace
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("path")] public string? Path { get; set; }
}

public sealed class ZosDevice
{
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("major")] public long? Major { get; set; }
    [JsonPropertyName("minor")] public long? Minor { get; set; }
    [JsonPropertyName("fileMode")] public uint? FileMode { get; set; }
    [JsonPropertyName("uid")] public uint? Uid { get; set; }
    [JsonPropertyName("gid")] public uint? Gid { get; set; }
}
