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

    private IdMap? _uidMap, _gidMap;

    /// <summary>uidMappings of mounts[<paramref name="index"/>] as a checked map, built once (<see cref="IdMap.Cached"/>); null when there are none.</summary>
    internal IdMap? UidMapAt(int index) => IdMap.Cached(ref _uidMap, UidMappings, SpecPath.Item("mounts", index) + ".uidMappings");

    internal IdMap? GidMapAt(int index) => IdMap.Cached(ref _gidMap, GidMappings, SpecPath.Item("mounts", index) + ".gidMappings");

    /// <summary>SpecValidator's check of both maps: every error, and the maps kept when they are good.</summary>
    internal void CheckIdMaps(int index, List<SpecError> errors)
    {
        _uidMap = IdMap.Check(UidMappings, SpecPath.Item("mounts", index) + ".uidMappings", errors);
        _gidMap = IdMap.Check(GidMappings, SpecPath.Item("mounts", index) + ".gidMappings", errors);
    }
}

/// <summary>One entry of uidMappings/gidMappings as the JSON has it (each field may be missing); checked into an <see cref="IdRange"/> of an <see cref="IdMap"/>.</summary>
public sealed class LinuxIdMapping
{
    [JsonPropertyName("containerID")] public uint? ContainerId { get; set; }
    [JsonPropertyName("hostID")] public uint? HostId { get; set; }
    [JsonPropertyName("size")] public uint? Size { get; set; }
}
