using System.Text.Json;

namespace OciRuntime.Spec.Json;

/// <summary>
/// "invalid JSON at line L, column C: reason" for a document that is not JSON at all. Looked for
/// over the whole document before any error about a field, so a file with both reports the
/// syntax error (as the serializer did: it never got to the fields of a broken document).
/// </summary>
internal static class JsonSyntaxError
{
    /// <summary>The first syntax error in <paramref name="json"/>, or null when it is well-formed.</summary>
    public static ConfigException? Find(ReadOnlySpan<byte> json, string sourceName)
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
