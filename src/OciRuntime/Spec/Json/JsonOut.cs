using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OciRuntime.Spec.Json;

/// <summary>Writes one value with the writer it is given.</summary>
internal delegate void JsonItemWriter<in T>(Utf8JsonWriter w, T value);

/// <summary>
/// What the hand-written writers in this folder share: the two output styles and "absent means
/// not written". They replace the JsonSerializer, whose source-generated metadata for the whole
/// model made NativeAOT's start-up rehydration of type data the top CPU item of every command
/// (specs/performance.md).
/// </summary>
/// <remarks>
/// A null member is left out, as the serializer's WhenWritingNull did; a null inside a list or map
/// is written as JSON null, as the serializer did.
/// </remarks>
internal static class JsonOut
{
    /// <summary>Compact, with the default (HTML-safe) escaping: what the serializer's defaults wrote.</summary>
    public static readonly JsonWriterOptions Compact = default;

    /// <summary>
    /// One tab per level, like Go's json.MarshalIndent(v, "", "\t") in `runc spec`. Config files
    /// are not HTML: '+', '&lt;', '\'' and non-ASCII text stay readable.
    /// </summary>
    public static readonly JsonWriterOptions Indented = new()
    {
        Indented = true,
        IndentCharacter = '\t',
        IndentSize = 1,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The UTF-8 bytes of <paramref name="value"/> written by <paramref name="write"/>.</summary>
    public static byte[] Bytes<T>(T value, JsonWriterOptions options, JsonItemWriter<T> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, options))
            write(w, value);
        return buffer.WrittenSpan.ToArray();
    }

    public static string Text<T>(T value, JsonWriterOptions options, JsonItemWriter<T> write) =>
        System.Text.Encoding.UTF8.GetString(Bytes(value, options, write));

    public static void Opt(this Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
            w.WriteString(name, value);
    }

    public static void Opt(this Utf8JsonWriter w, string name, bool? value)
    {
        if (value is bool v)
            w.WriteBoolean(name, v);
    }

    public static void Opt(this Utf8JsonWriter w, string name, int? value)
    {
        if (value is int v)
            w.WriteNumber(name, v);
    }

    public static void Opt(this Utf8JsonWriter w, string name, uint? value)
    {
        if (value is uint v)
            w.WriteNumber(name, v);
    }

    public static void Opt(this Utf8JsonWriter w, string name, long? value)
    {
        if (value is long v)
            w.WriteNumber(name, v);
    }

    public static void Opt(this Utf8JsonWriter w, string name, ulong? value)
    {
        if (value is ulong v)
            w.WriteNumber(name, v);
    }

    public static void Opt(this Utf8JsonWriter w, string name, ushort? value)
    {
        if (value is ushort v)
            w.WriteNumber(name, (uint)v);
    }

    /// <summary>A raw section (another platform's) written back as it was read.</summary>
    public static void Opt(this Utf8JsonWriter w, string name, JsonElement? value)
    {
        if (value is JsonElement v)
        {
            w.WritePropertyName(name);
            v.WriteTo(w);
        }
    }

    /// <summary>An object member: <paramref name="write"/> writes the whole value (start to end).</summary>
    public static void Opt<T>(this Utf8JsonWriter w, string name, T? value, JsonItemWriter<T> write) where T : class
    {
        if (value is null)
            return;
        w.WritePropertyName(name);
        write(w, value);
    }

    public static void Opt(this Utf8JsonWriter w, string name, List<string>? list)
    {
        if (list is null)
            return;
        w.WriteStartArray(name);
        foreach (string? s in list)
            w.WriteStringValue(s);
        w.WriteEndArray();
    }

    public static void Opt(this Utf8JsonWriter w, string name, List<uint>? list)
    {
        if (list is null)
            return;
        w.WriteStartArray(name);
        foreach (uint n in list)
            w.WriteNumberValue(n);
        w.WriteEndArray();
    }

    public static void Opt<T>(this Utf8JsonWriter w, string name, List<T>? list, JsonItemWriter<T> item) where T : class
    {
        if (list is null)
            return;
        w.WriteStartArray(name);
        foreach (T? value in list)
        {
            if (value is null)
                w.WriteNullValue();
            else
                item(w, value);
        }
        w.WriteEndArray();
    }

    public static void Opt(this Utf8JsonWriter w, string name, Dictionary<string, string>? map)
    {
        if (map is null)
            return;
        w.WriteStartObject(name);
        foreach (var (k, v) in map)
            w.WriteString(k, v);
        w.WriteEndObject();
    }

    public static void Opt<T>(this Utf8JsonWriter w, string name, Dictionary<string, T>? map, JsonItemWriter<T> item) where T : class
    {
        if (map is null)
            return;
        w.WriteStartObject(name);
        foreach (var (k, v) in map)
        {
            w.WritePropertyName(k);
            if (v is null)
                w.WriteNullValue();
            else
                item(w, v);
        }
        w.WriteEndObject();
    }
}
