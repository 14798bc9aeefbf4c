using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OciRuntime.Spec;

/// <summary>
/// Turns System.Text.Json failures into messages about the config: which field, what it must be,
/// what it was. The expected type comes from the source-generated metadata along the failing path,
/// the actual value from the document itself, so no exception text is parsed.
/// </summary>
internal static class JsonErrors
{
    public static ConfigException Describe(ReadOnlySpan<byte> json, JsonException error, string sourceName, JsonTypeInfo root)
    {
        if (FindSyntaxError(json, sourceName) is { } syntax)
            return syntax;

        var segments = SpecPath.ParseJsonPath(error.Path);
        if (segments is not null)
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var expected = ResolveType(root, segments);
            var actual = Navigate(doc.RootElement, segments);
            string path = SpecPath.Format(segments);
            string prefix = path.Length == 0 ? sourceName : $"{sourceName}: {path}";

            if (expected is not null && actual is { } value)
            {
                if (expected.Kind == JsonTypeInfoKind.Object && value.ValueKind == JsonValueKind.Object &&
                    MissingRequired(expected, value) is { Count: > 0 } missing)
                {
                    string names = string.Join(", ", missing.Select(n => $"\"{n}\""));
                    return new ConfigException(
                        $"{prefix}: missing required field{(missing.Count > 1 ? "s" : "")} {names}", path, error);
                }
                string what = path.Length == 0 ? "a JSON object" : DescribeExpected(expected);
                return new ConfigException($"{prefix}: expected {what}, got {DescribeActual(value)}", path, error);
            }
            return new ConfigException($"{prefix}: {Clean(error.Message)}", path, error);
        }
        return new ConfigException($"{sourceName}: {Clean(error.Message)}", null, error);
    }

    /// <summary>Throws for a null array item or map value anywhere the model has a typed collection.</summary>
    public static void RejectNullItems(ReadOnlySpan<byte> json, string sourceName, JsonTypeInfo root)
    {
        var reader = new Utf8JsonReader(json);
        var frames = new List<Frame>();
        var path = new List<PathSegment>(); // one segment per open frame except the document root
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    frames[^1].Property = reader.GetString();
                    continue;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    frames.RemoveAt(frames.Count - 1);
                    if (path.Count > 0 && path.Count >= frames.Count)
                        path.RemoveAt(path.Count - 1);
                    continue;
            }

            PathSegment? segment = null;
            if (frames.Count > 0)
            {
                var top = frames[^1];
                segment = top.IsArray ? PathSegment.Item(top.Count++) : PathSegment.Property(top.Property ?? "");
            }

            if (reader.TokenType == JsonTokenType.Null && segment is { } s &&
                ResolveType(root, path) is { } parent &&
                parent.Kind is JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary &&
                parent.ElementType is { } elementType && !AcceptsNull(elementType))
            {
                string at = SpecPath.Format([.. path, s]);
                string what = DescribeExpected(parent.Options.GetTypeInfo(elementType));
                throw new ConfigException($"{sourceName}: {at}: expected {what}, got null", at);
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                frames.Add(new Frame { IsArray = reader.TokenType == JsonTokenType.StartArray });
                if (segment is { } opened)
                    path.Add(opened);
            }
        }
    }

    private sealed class Frame
    {
        public bool IsArray;
        public int Count;
        public string? Property;
    }

    private static ConfigException? FindSyntaxError(ReadOnlySpan<byte> json, string sourceName)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
            }
            return null;
        }
        catch (JsonException e)
        {
            string reason = Clean(e.Message);
            if (reason.StartsWith("Expected depth to be zero", StringComparison.Ordinal) ||
                reason.Contains("reached end of data", StringComparison.Ordinal))
                reason = "the file ends before every object and array is closed";
            return new ConfigException(
                $"{sourceName}: invalid JSON at line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}: {reason}", null, e);
        }
    }

    /// <summary>The metadata of the value at <paramref name="segments"/>, or null where the model has no such field.</summary>
    private static JsonTypeInfo? ResolveType(JsonTypeInfo root, IReadOnlyList<PathSegment> segments)
    {
        var info = root;
        foreach (var s in segments)
        {
            if (IsAnyJson(info.Type))
                return info;
            Type? next = info.Kind switch
            {
                JsonTypeInfoKind.Object when !s.IsIndex => FindProperty(info, s.Name!)?.PropertyType,
                JsonTypeInfoKind.Enumerable when s.IsIndex => info.ElementType,
                JsonTypeInfoKind.Dictionary when !s.IsIndex => info.ElementType,
                _ => null,
            };
            if (next is null)
                return null;
            info = info.Options.GetTypeInfo(next);
        }
        return info;
    }

    private static JsonPropertyInfo? FindProperty(JsonTypeInfo info, string name) =>
        info.Properties.FirstOrDefault(p => p.Name == name) ??
        info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    private static List<string> MissingRequired(JsonTypeInfo info, JsonElement obj)
    {
        var missing = new List<string>();
        foreach (var p in info.Properties)
        {
            if (!p.IsRequired)
                continue;
            bool present = obj.EnumerateObject().Any(m => string.Equals(m.Name, p.Name, StringComparison.OrdinalIgnoreCase));
            if (!present)
                missing.Add(p.Name);
        }
        return missing;
    }

    private static JsonElement? Navigate(JsonElement root, IReadOnlyList<PathSegment> segments)
    {
        var e = root;
        foreach (var s in segments)
        {
            if (s.IsIndex)
            {
                if (e.ValueKind != JsonValueKind.Array || s.Index >= e.GetArrayLength())
                    return null;
                e = e[s.Index];
            }
            else
            {
                if (e.ValueKind != JsonValueKind.Object)
                    return null;
                if (!e.TryGetProperty(s.Name!, out var child))
                {
                    var match = e.EnumerateObject().LastOrDefault(m => string.Equals(m.Name, s.Name, StringComparison.OrdinalIgnoreCase));
                    if (match.Name is null)
                        return null;
                    child = match.Value;
                }
                e = child;
            }
        }
        return e;
    }

    private static bool IsAnyJson(Type t) => (Nullable.GetUnderlyingType(t) ?? t) == typeof(JsonElement);

    private static bool AcceptsNull(Type t) => IsAnyJson(t) || Nullable.GetUnderlyingType(t) is not null;

    private static string DescribeExpected(JsonTypeInfo info)
    {
        var t = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (t == typeof(string)) return "a string";
        if (t == typeof(bool)) return "true or false";
        if (t == typeof(byte)) return "an integer from 0 to 255";
        if (t == typeof(ushort)) return "an integer from 0 to 65535";
        if (t == typeof(uint)) return "an integer from 0 to 4294967295";
        if (t == typeof(ulong)) return "an integer from 0 to 18446744073709551615";
        if (t == typeof(int)) return "an integer from -2147483648 to 2147483647";
        if (t == typeof(long)) return "an integer from -9223372036854775808 to 9223372036854775807";
        return info.Kind switch
        {
            JsonTypeInfoKind.Enumerable => "an array",
            JsonTypeInfoKind.Dictionary => "an object",
            JsonTypeInfoKind.Object => "an object",
            _ => "a different value",
        };
    }

    private static string DescribeActual(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => "the string " + Truncate(e.GetRawText()),
        JsonValueKind.Number => Truncate(e.GetRawText()),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "an unknown value",
    };

    private static string Truncate(string s) => s.Length <= 60 ? s : s[..57] + "...";

    /// <summary>Drops System.Text.Json's position suffixes; the message gives position its own way.</summary>
    private static string Clean(string message)
    {
        foreach (string marker in new[] { " LineNumber:", " Path:" })
        {
            int i = message.IndexOf(marker, StringComparison.Ordinal);
            if (i >= 0)
                message = message[..i];
        }
        return message.Trim();
    }
}
