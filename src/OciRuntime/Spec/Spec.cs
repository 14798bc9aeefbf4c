using System.Text.Json;
using System.Text.Json.Serialization;

namespace OciRuntime.Spec;

/// <summary>
/// The root of a bundle's config.json (runtime-spec v1.3.0). Properties are declared in the order
/// of the Go types in specs-go, so serialized output lists keys in the order runc writes them.
/// </summary>
/// <remarks>
/// The sections for other platforms are kept as raw JSON: they round-trip untouched, and the hand
/// reader and writer (Spec/Json) need no code for them. The typed models (Windows, Solaris, Vm, Zos,
/// FreeBsd) are for a typed view; the tests' SpecJsonContext deserializes one.
/// </remarks>
public sealed class Spec
{
    [JsonPropertyName("ociVersion")] public string? OciVersion { get; set; }
    [JsonPropertyName("process")] public Process? Process { get; set; }
    [JsonPropertyName("root")] public Root? Root { get; set; }
    [JsonPropertyName("hostname")] public string? Hostname { get; set; }
    [JsonPropertyName("domainname")] public string? Domainname { get; set; }
    [JsonPropertyName("mounts")] public List<Mount>? Mounts { get; set; }
    [JsonPropertyName("hooks")] public Hooks? Hooks { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonPropertyName("linux")] public Linux? Linux { get; set; }
    [JsonPropertyName("solaris")] public JsonElement? Solaris { get; set; }
    [JsonPropertyName("windows")] public JsonElement? Windows { get; set; }
    [JsonPropertyName("vm")] public JsonElement? Vm { get; set; }
    [JsonPropertyName("zos")] public JsonElement? Zos { get; set; }
    [JsonPropertyName("freebsd")] public JsonElement? FreeBsd { get; set; }
}

/// <summary>The container's root filesystem.</summary>
public sealed class Root
{
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonPropertyName("readonly")] public bool? Readonly { get; set; }
}
