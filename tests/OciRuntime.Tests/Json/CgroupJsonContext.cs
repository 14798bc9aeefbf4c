using System.Text.Json.Serialization;
using OciRuntime.Spec;

namespace OciRuntime.Cgroups;

/// <summary>
/// What `update --resources` read LinuxResources with before ConfigLoader.ParseResources (the
/// reference for it; it also skipped comments, which Go's encoding/json and so runc refuse).
/// </summary>
[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(LinuxResources))]
internal sealed partial class CgroupJsonContext : JsonSerializerContext;
