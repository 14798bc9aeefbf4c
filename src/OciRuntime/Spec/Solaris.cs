using System.Text.Json.Serialization;

namespace OciRuntime.Spec;

/// <summary>config.json "solaris", never acted on; <see cref="Spec.Solaris"/> holds it as raw JSON.</summary>
public sealed class Solaris
{
    [JsonPropertyName("milestone")] public string? Milestone { get; set; }
    [JsonPropertyName("limitpriv")] public string? LimitPriv { get; set; }
    [JsonPropertyName("maxShmMemory")] public string? MaxShmMemory { get; set; }
    [JsonPropertyName("anet")] public List<SolarisAnet>? Anet { get; set; }
    [JsonPropertyName("cappedCPU")] public SolarisCappedCpu? CappedCpu { get; set; }
    [JsonPropertyName("cappedMemory")] public SolarisCappedMemory? CappedMemory { get; set; }
}

public sealed class SolarisCappedCpu
{
    [JsonPropertyName("ncpus")] public string? Ncpus { get; set; }
}

public sealed class SolarisCappedMemory
{
    [JsonPropertyName("physical")] public string? Physical { get; set; }
    [JsonPropertyName("swap")] public string? Swap { get; set; }
}

public sealed class SolarisAnet
{
    [JsonPropertyName("linkname")] public string? Linkname { get; set; }
    [JsonPropertyName("lowerLink")] public string? LowerLink { get; set; }
    [JsonPropertyName("allowedAddress")] public string? AllowedAddress { get; set; }
    [JsonPropertyName("configureAllowedAddress")] public string? ConfigureAllowedAddress { get; set; }
    [JsonPropertyName("defrouter")] public string? Defrouter { get; set; }
    [JsonPropertyName("linkProtection")] public string? LinkProtection { get; set; }
    [JsonPropertyName("macAddress")] public string? MacAddress { get; set; }
}
