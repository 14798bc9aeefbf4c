using System.Text.Json;
using System.Text.Json.Serialization;

namespace OciRuntime.Spec;

/// <summary>config.json "freebsd" (jails, v1.3.0), modelled minimally and never acted on; <see cref="Spec.FreeBsd"/> holds it as raw JSON.</summary>
public sealed class FreeBsd
{
    [JsonPropertyName("devices")] public List<FreeBsdDevice>? Devices { get; set; }
    [JsonPropertyName("jail")] public FreeBsdJail? Jail { get; set; }
}

public sealed class FreeBsdDevice
{
    [JsonPropertyName("path")] public string? Path { get; set; }
    // The schema and the Go types disagree on string or number; keep whatever the file has.
    [JsonPropertyName("mode")] public JsonElement? Mode { get; set; }
}

public sealed class FreeBsdJail
{
    [JsonPropertyName("parent")] public string? Parent { get; set; }
    [JsonPropertyName("host")] public string? Host { get; set; }
    [JsonPropertyName("ip4")] public string? Ip4 { get; set; }
    [JsonPropertyName("ip6")] public string? Ip6 { get; set; }
    [JsonPropertyName("vnet")] public string? Vnet { get; set; }
    [JsonPropertyName("sysvmsg")] public string? Sysvmsg { get; set; }
    [JsonPropertyName("sysvsem")] public string? Sysvsem { get; set; }
    [JsonPropertyName("sysvshm")] public string? Sysvshm { get; set; }
    [JsonPropertyName("enforceStatfs")] public byte? EnforceStatfs { get; set; }
    [JsonPropertyName("allow")] public FreeBsdJailAllow? Allow { get; set; }
}

public sealed class FreeBsdJailAllow
{
    [JsonPropertyName("setHostname")] public bool? SetHostname { get; set; }
    [JsonPropertyName("rawSockets")] public bool? RawSockets { get; set; }
    [JsonPropertyName("chflags")] public bool? Chflags { get; set; }
    [JsonPropertyName("mount")] public List<string>? Mount { get; set; }
    [JsonPropertyName("quotas")] public bool? Quotas { get; set; }
    [JsonPropertyName("socketAf")] public bool? SocketAf { get; set; }
    [JsonPropertyName("reservedPorts")] public bool? ReservedPorts { get; set; }
    [JsonPropertyName("suser")] public bool? Suser { get; set; }
}
