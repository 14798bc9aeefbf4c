using System.Text.Json.Serialization;

namespace OciRuntime.Spec;

/// <summary>config.json "linux".</summary>
public sealed class Linux
{
    [JsonPropertyName("uidMappings")] public List<LinuxIdMapping>? UidMappings { get; set; }
    [JsonPropertyName("gidMappings")] public List<LinuxIdMapping>? GidMappings { get; set; }
    [JsonPropertyName("sysctl")] public Dictionary<string, string>? Sysctl { get; set; }
    [JsonPropertyName("resources")] public LinuxResources? Resources { get; set; }
    [JsonPropertyName("cgroupsPath")] public string? CgroupsPath { get; set; }
    [JsonPropertyName("namespaces")] public List<LinuxNamespace>? Namespaces { get; set; }
    [JsonPropertyName("devices")] public List<LinuxDevice>? Devices { get; set; }
    [JsonPropertyName("seccomp")] public LinuxSeccomp? Seccomp { get; set; }
    [JsonPropertyName("rootfsPropagation")] public string? RootfsPropagation { get; set; }
    [JsonPropertyName("maskedPaths")] public List<string>? MaskedPaths { get; set; }
    [JsonPropertyName("readonlyPaths")] public List<string>? ReadonlyPaths { get; set; }
    [JsonPropertyName("mountLabel")] public string? MountLabel { get; set; }
    [JsonPropertyName("intelRdt")] public LinuxIntelRdt? IntelRdt { get; set; }
    [JsonPropertyName("personality")] public LinuxPersonality? Personality { get; set; }
    /// <summary>Keyed by clock: "monotonic" or "boottime".</summary>
    [JsonPropertyName("timeOffsets")] public Dictionary<string, LinuxTimeOffset>? TimeOffsets { get; set; }
    /// <summary>Keyed by the interface name on the host.</summary>
    [JsonPropertyName("netDevices")] public Dictionary<string, LinuxNetDevice>? NetDevices { get; set; }
    [JsonPropertyName("memoryPolicy")] public LinuxMemoryPolicy? MemoryPolicy { get; set; }

    private IdMap? _uidMap, _gidMap;

    /// <summary>linux.uidMappings as a checked map, built once (<see cref="IdMap.Cached"/>); null when there are none.</summary>
    internal IdMap? UidMap => IdMap.Cached(ref _uidMap, UidMappings, "linux.uidMappings");

    internal IdMap? GidMap => IdMap.Cached(ref _gidMap, GidMappings, "linux.gidMappings");

    /// <summary>SpecValidator's check of both maps: every error, and the maps kept when they are good.</summary>
    internal void CheckIdMaps(List<SpecError> errors)
    {
        _uidMap = IdMap.Check(UidMappings, "linux.uidMappings", errors);
        _gidMap = IdMap.Check(GidMappings, "linux.gidMappings", errors);
    }
}

public sealed class LinuxNamespace
{
    /// <summary>One of <see cref="NamespaceTypes"/>.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    /// <summary>A namespace file to join; absent to create a new namespace.</summary>
    [JsonPropertyName("path")] public string? Path { get; set; }
}

/// <summary>A device node to create in the container.</summary>
public sealed class LinuxDevice
{
    [JsonPropertyName("path")] public string? Path { get; set; }
    /// <summary>"c", "b", "u" (unbuffered char) or "p" (fifo).</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("major")] public long? Major { get; set; }
    [JsonPropertyName("minor")] public long? Minor { get; set; }
    [JsonPropertyName("fileMode")] public uint? FileMode { get; set; }
    [JsonPropertyName("uid")] public uint? Uid { get; set; }
    [JsonPropertyName("gid")] public uint? Gid { get; set; }
}

public sealed class LinuxTimeOffset
{
    [JsonPropertyName("secs")] public long? Secs { get; set; }
    [JsonPropertyName("nanosecs")] public uint? Nanosecs { get; set; }
}

/// <summary>personality(2): domain "LINUX" or "LINUX32".</summary>
public sealed class LinuxPersonality
{
    [JsonPropertyName("domain")] public string? Domain { get; set; }
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
}

/// <summary>Intel RDT (resctrl) class of service and monitoring.</summary>
public sealed class LinuxIntelRdt
{
    [JsonPropertyName("closID")] public string? ClosId { get; set; }
    /// <summary>Lines written as they are to the resctrl schemata file (v1.3.0).</summary>
    [JsonPropertyName("schemata")] public List<string>? Schemata { get; set; }
    [JsonPropertyName("l3CacheSchema")] public string? L3CacheSchema { get; set; }
    [JsonPropertyName("memBwSchema")] public string? MemBwSchema { get; set; }
    /// <summary>Replaces enableCMT/enableMBM of v1.1.0–v1.2.1 (v1.3.0).</summary>
    [JsonPropertyName("enableMonitoring")] public bool? EnableMonitoring { get; set; }
}

/// <summary>set_mempolicy(2) for the container process (v1.3.0).</summary>
public sealed class LinuxMemoryPolicy
{
    /// <summary>MPOL_DEFAULT, MPOL_BIND, MPOL_INTERLEAVE, MPOL_WEIGHTED_INTERLEAVE, MPOL_PREFERRED, MPOL_PREFERRED_MANY or MPOL_LOCAL.</summary>
    [JsonPropertyName("mode")] public string? Mode { get; set; }
    /// <summary>A node list such as "0-3,7".</summary>
    [JsonPropertyName("nodes")] public string? Nodes { get; set; }
    /// <summary>MPOL_F_NUMA_BALANCING, MPOL_F_RELATIVE_NODES, MPOL_F_STATIC_NODES.</summary>
    [JsonPropertyName("flags")] public List<string>? Flags { get; set; }
}

/// <summary>A host network device moved into the container's network namespace (v1.3.0).</summary>
public sealed class LinuxNetDevice
{
    /// <summary>The name inside the container; absent keeps the host name.</summary>
    [JsonPropertyName("name")] public string? Name { get; set; }
}
