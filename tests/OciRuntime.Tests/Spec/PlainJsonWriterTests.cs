using System.Buffers;
using System.Text;
using System.Text.Json;
using OciRuntime.Spec.Json;
using Xunit;

namespace OciRuntime.Tests.Spec;

/// <summary>PlainJsonWriter against the oracle it replaces: Utf8JsonWriter with default options.</summary>
public class PlainJsonWriterTests
{
    private static (string plain, string reference) Both(bool indented, Action<PlainJsonWriter> plain, Action<Utf8JsonWriter> reference)
    {
        var p = new PlainJsonWriter(8, indented); // small: the buffer must grow
        plain(p);
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
            reference(w);
        return (Encoding.UTF8.GetString(p.ToArray()), Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Random_strings_are_escaped_as_the_default_encoder_escapes_them(bool indented)
    {
        var rng = new Random(4242);
        char[] interesting = ['"', '\\', '/', '&', '\'', '+', '<', '>', '`', '\n', '\r', '\t', '\b', '\f', '\0', '\x1f', '\x7f',
            '\u0080', '\u00e9', '\u2028', '\u2713', '\uFFFD', '\uFEFF', '\uD83D', '\uDE00', 'a', 'Z', ' ', '~', '%'];
        for (int round = 0; round < 500; round++)
        {
            var sb = new StringBuilder();
            int len = rng.Next(0, 24);
            for (int i = 0; i < len; i++)
                sb.Append(rng.Next(3) switch
                {
                    0 => interesting[rng.Next(interesting.Length)],
                    1 => (char)rng.Next(0x20, 0x7f),
                    _ => (char)rng.Next(0, 0x10000),
                });
            string s = sb.ToString();
            string key = s.Length > 3 ? s[..3] : s;
            var (plain, reference) = Both(indented,
                w => { w.WriteStartObject(); w.WriteString(key, s); w.WritePropertyName("l"); w.WriteStartArray(); w.WriteStringValue(s); w.WriteEndArray(); w.WriteEndObject(); },
                w => { w.WriteStartObject(); w.WriteString(key, s); w.WritePropertyName("l"); w.WriteStartArray(); w.WriteStringValue(s); w.WriteEndArray(); w.WriteEndObject(); });
            Assert.True(reference == plain, $"round {round}: {JsonSerializer.Serialize(s)}\n{reference}\n{plain}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Nesting_empty_containers_nulls_and_numbers_are_laid_out_as_the_serializer_lays_them(bool indented)
    {
        var (plain, reference) = Both(indented, w =>
        {
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteNumber("n", long.MinValue);
            w.WriteNumber("u", ulong.MaxValue);
            w.WriteNull("z");
            w.WritePropertyName("e");
            w.WriteStartObject();
            w.WriteEndObject();
            w.WritePropertyName("a");
            w.WriteStartArray();
            w.WriteEndArray();
            w.WritePropertyName("b");
            w.WriteStartArray();
            w.WriteNullValue();
            w.WriteStringValue(null);
            w.WriteStartObject();
            w.WriteString("k", "v");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("s", (string?)null);
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteEndObject();
            w.WriteEndArray();
        }, w =>
        {
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteNumber("n", long.MinValue);
            w.WriteNumber("u", ulong.MaxValue);
            w.WriteNull("z");
            w.WritePropertyName("e");
            w.WriteStartObject();
            w.WriteEndObject();
            w.WritePropertyName("a");
            w.WriteStartArray();
            w.WriteEndArray();
            w.WritePropertyName("b");
            w.WriteStartArray();
            w.WriteNullValue();
            w.WriteStringValue((string?)null);
            w.WriteStartObject();
            w.WriteString("k", "v");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("s", (string?)null);
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteEndObject();
            w.WriteEndArray();
        });
        Assert.Equal(reference, plain);
    }

    public static TheoryData<DateTime> Times() => new(
    [
        new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
        new DateTime(2026, 1, 2, 3, 4, 5, 100, DateTimeKind.Utc),
        new DateTime(2026, 11, 23, 6, 50, 52, 123, DateTimeKind.Utc).AddTicks(4567),
        new DateTime(2026, 11, 23, 6, 50, 52, DateTimeKind.Utc).AddTicks(1),
        new DateTime(2026, 11, 23, 6, 50, 52, 5, DateTimeKind.Unspecified),
        new DateTime(2026, 11, 23, 6, 50, 52, DateTimeKind.Local).AddTicks(10),
        DateTime.MinValue,
        DateTime.MaxValue,
    ]);

    [Theory]
    [MemberData(nameof(Times))]
    public void Dates_are_written_as_the_serializer_writes_them(DateTime t)
    {
        var (plain, reference) = Both(false,
            w => { w.WriteStartObject(); w.WriteString("t", t); w.WriteEndObject(); },
            w => { w.WriteStartObject(); w.WriteString("t", t); w.WriteEndObject(); });
        Assert.Equal(reference, plain);
    }
}
