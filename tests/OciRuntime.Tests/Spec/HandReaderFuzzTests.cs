using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Spec;

using Spec = OciRuntime.Spec.Spec;

/// <summary>
/// Mutated configs (values of every JSON kind in every place, keys in other cases, removed and
/// unknown members, broken syntax): where the JsonSerializer reads a document, the hand reader reads
/// the same objects (or refuses a null item, which the serializer let through); where the serializer
/// fails, the hand reader fails with a ConfigException.
/// </summary>
public class HandReaderFuzzTests
{
    private static readonly string[] Values =
    [
        "null", "\"str\"", "5", "-1", "1.5", "70000", "1e3", "true", "false", "[]", "{}", "[null]", "{\"k\":null}",
        "18446744073709551616", "-9223372036854775808", "4294967296", "65536", "0", "-0", "1.0", "\"\\u00e9+<\"", "[[]]",
        "[\"a\",\"b\"]", "{\"k\":\"v\"}", "[{}]",
    ];

    [Fact]
    public void MutatedConfigsReadLikeTheSerializer()
    {
        var corpus = new[] { "full-config.json", "maximal-config.json", "default-spec.json", "default-spec-rootless.json" }
            .Select(TestData.Bytes).ToArray();
        var rnd = new Random(20261123);
        int accepted = 0, refused = 0;
        for (int iter = 0; iter < 2000; iter++)
        {
            var root = JsonNode.Parse(corpus[rnd.Next(corpus.Length)])!;
            var containers = new List<JsonNode>();
            Collect(root, containers);
            for (int m = 1 + rnd.Next(2); m > 0; m--)
                Mutate(containers[rnd.Next(containers.Count)], rnd);
            byte[] bytes = Encoding.UTF8.GetBytes(root.ToJsonString());
            if (rnd.Next(8) == 0)
                bytes = Damage(bytes, rnd);

            Spec? reference = null;
            try
            {
                reference = JsonSerializer.Deserialize(bytes, SpecJsonContext.Default.Spec);
            }
            catch (JsonException)
            {
            }

            string input = Encoding.UTF8.GetString(bytes);
            if (reference is null)
            {
                Assert.Throws<ConfigException>(() => ConfigLoader.Parse(bytes));
                refused++;
                continue;
            }
            try
            {
                var hand = ConfigLoader.Parse(bytes);
                Assert.True(
                    JsonSerializer.Serialize(reference, SpecJsonContext.Default.Spec) == JsonSerializer.Serialize(hand, SpecJsonContext.Default.Spec),
                    "different objects for " + input);
                accepted++;
            }
            catch (ConfigException e)
            {
                Assert.True(e.Message.EndsWith(", got null", StringComparison.Ordinal), $"{e.Message} for {input}");
                refused++;
            }
        }
        Assert.True(accepted > 300 && refused > 300, $"accepted {accepted}, refused {refused}");
    }

    private static void Collect(JsonNode? n, List<JsonNode> into)
    {
        if (n is JsonObject o)
        {
            into.Add(o);
            foreach (var kv in o)
                Collect(kv.Value, into);
        }
        else if (n is JsonArray a)
        {
            into.Add(a);
            foreach (var item in a)
                Collect(item, into);
        }
    }

    private static void Mutate(JsonNode target, Random rnd)
    {
        var value = JsonNode.Parse(Values[rnd.Next(Values.Length)]);
        if (target is JsonObject o && o.Count > 0)
        {
            string key = o.ElementAt(rnd.Next(o.Count)).Key;
            switch (rnd.Next(4))
            {
                case 0:
                    o[key] = value;
                    break;
                case 1:
                    var moved = o[key]?.DeepClone();
                    o.Remove(key);
                    o[rnd.Next(2) == 0 ? key.ToUpperInvariant() : key.ToLowerInvariant()] = moved;
                    break;
                case 2:
                    o.Remove(key);
                    break;
                default:
                    o["unknown" + rnd.Next(9)] = value;
                    break;
            }
        }
        else if (target is JsonArray a && a.Count > 0)
        {
            a[rnd.Next(a.Count)] = value;
        }
    }

    private static byte[] Damage(byte[] bytes, Random rnd)
    {
        int at = rnd.Next(bytes.Length);
        var list = bytes.ToList();
        switch (rnd.Next(3))
        {
            case 0:
                return bytes[..at];
            case 1:
                list.Insert(at, (byte)",}]{[:\"x1 "[rnd.Next(10)]);
                return [.. list];
            default:
                list.RemoveAt(at);
                return [.. list];
        }
    }
}
