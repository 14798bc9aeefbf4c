using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OciRuntime.Spec;

/// <summary>
/// Source-generated JSON metadata for the runtime-spec types: what the binary used before its JSON
/// was read and written by hand (Spec/Json), kept here as the reference the hand-written readers
/// and writers are compared with (and for typed views of the other platforms' raw sections).
/// <see cref="JsonSerializerContext.Options"/> of <c>Default</c> reads any JSON and writes it compact;
/// <see cref="Indented"/> writes tab-indented as <c>runc spec</c> does.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    // Go's encoding/json, and so runc, matches keys case-insensitively when no exact match exists.
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(Spec))]
[JsonSerializable(typeof(Process))]
[JsonSerializable(typeof(State))]
[JsonSerializable(typeof(ContainerProcessState))]
[JsonSerializable(typeof(Features))]
[JsonSerializable(typeof(Solaris))]
[JsonSerializable(typeof(Windows))]
[JsonSerializable(typeof(Vm))]
[JsonSerializable(typeof(Zos))]
[JsonSerializable(typeof(FreeBsd))]
public sealed partial class SpecJsonContext : JsonSerializerContext
{
    private static SpecJsonContext? s_indented;

    /// <summary>Writes with one tab per level, like Go's json.MarshalIndent(v, "", "\t").</summary>
    public static SpecJsonContext Indented => s_indented ??= new SpecJsonContext(new JsonSerializerOptions(Default.Options)
    {
        WriteIndented = true,
        IndentCharacter = '\t',
        IndentSize = 1,
        // Config files are not HTML: keep '+', '<', '\'' and non-ASCII text readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
