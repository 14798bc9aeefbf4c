using System.Text.Json;
using System.Text.Json.Serialization;

namespace OciRuntime.Spec;

/// <summary>config.json "windows", never acted on; <see cref="Spec.Windows"/> holds it as raw JSON.</summary>
public sealed class Windows
{
    [JsonPropertyName("layerFolders")] public List<string>? LayerFolders { get; set; }
    [JsonPropertyName("devices")] public List<WindowsDevice>? Devices { get; set; }
    [JsonPropertyName("resources")] public WindowsResources? Resources { get; set; }
    /// <summary>An arbitrary JSON object (a gMSA credential spec).</summary>
    [JsonPropertyName("credentialSpec")] public JsonElement? CredentialSpec { get; set; }
    [JsonPropertyName("servicing")] public bool? Servicing { get; set; }
    [JsonPropertyName("ignoreFlushesDuringBoot")] public bool? IgnoreFlushesDuringBoot { get; set; }
    [JsonPropertyName("hyperv")] public WindowsHyperV? HyperV { get; set; }
    [JsonPropertyName("network")] public WindowsNetwork? Network { get; set; }
}

public sealed class WindowsDevice
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("idType")] public string? IdType { get; set; }
}

public sealed class WindowsResources
{
    [JsonPropertyName("memory")] public WindowsMemoryResources? Memory { get; set; }
    [JsonPropertyName("cpu")] public WindowsCpuResources? Cpu { get; set; }
    [JsonPropertyName("storage")] public WindowsStorageResources? Storage { get; set; }
}

public sealed class WindowsMemoryResources
{
    [JsonPropertyName("limit")] public ulong? Limit { get; set; }
}

public sealed class WindowsCpuResources
{
    [JsonPropertyName("count")] public ulong? Count { get; set; }
    [JsonPropertyName("shares")] public ushort? Shares { get; set; }
    [JsonPropertyName("maximum")] public ushort? Maximum { get; set; }
}

public sealed class WindowsStorageResources
{
    [JsonPropertyName("iops")] public ulong? Iops { get; set; }
    [JsonPropertyName("bps")] public ulong? Bps { get; set; }
    [JsonPropertyName("sandboxSize")] public ulong? SandboxSize { get; set; }
}

public sealed class WindowsNetwork
{
    [JsonPropertyName("endpointList")] public List<string>? EndpointList { get; set; }
    [JsonPropertyName("allowUnqualifiedDNSQuery")] public bool? AllowUnqualifiedDnsQuery { get; set; }
    [JsonPropertyName("DNSSearchList")] public List<string>? DnsSearchList { get; set; }
    [JsonPropertyName("networkSharedContainerName")] public string? NetworkSharedContainerName { get; set; }
    [JsonPropertyName("networkNamespace")] public string? NetworkNamespace { get; set; }
}

public sealed class WindowsHyperV
{
    [JsonPropertyName("utilityVMPath")] public string? UtilityVmPath { get; set; }
}
