using System.Text.Json.Serialization;

namespace OciRuntime.Spec;

public sealed class Mount
{
    [JsonPropertyName("destination")] public string? Destination { get; set; }
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("source")] public string? Source { get; set; }
    [JsonPropertyName("options")] public List<string>? Options { get; set; }
    [JsonPropertyName("uidMappings")] public List<LinuxIdMapping>? UidMappings { get; set; }
    [JsonPropertyName("gidMappings")] public List<LinuxIdMapping>? GidMappings { get; set; }
}

/// <summary>One line of a uid_map/gid_map: container id, host id, count.</summary>
public sealed class LinuxIdMapping
{
    [JsonPropertyName("containerID")] public uint? ContainerId { get; set; }
    [JsonPropertyName("hostID")] public uint? HostId { get; set; }
    [JsonPropertyName("size")] public uint? Size { get; set; }
}
