using System.Text.Json.Serialization;
using OciRuntime.Spec;

namespace OciRuntime.Cgroups;

/// <summary>`update --resources`: the runtime-spec LinuxResources object, as Docker sends it.</summary>
[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(LinuxResources))]
internal sealed partial class CgroupJsonContext : JsonSerializerContext;
