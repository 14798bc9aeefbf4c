using System.Text.Json.Nodes;

namespace OciRuntime.Testing;

/// <summary>
/// The mutations of the JSON fuzzers (config reader, exec's process.json, update --resources): a
/// value of every JSON kind put in any place, keys in another case, removed and unknown members, and
/// broken syntax. Compiled into the unit tests and the conformance tests alike.
/// </summary>
public static class JsonMutator
{
    public static readonly string[] Values =
    [
        "null", "\"str\"", "5", "-1", "1.5", "70000", "1e3", "true", "false", "[]", "{}", "[null]", "{\"k\":null}",
        "18446744073709551616", "-9223372036854775808", "4294967296", "65536", "0", "-0", "1.0", "\"\\u00e9+<\"", "[[]]",
        "[\"a\",\"b\"]", "{\"k\":\"v\"}", "[{}]",
    ];

    /// <summary>Every object and array of the document, the root included.</summary>
    public static List<JsonNode> Containers(JsonNode root)
    {
        var list = new List<JsonNode>();
        Collect(root, list);
        return list;
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

    /// <summary>One change to an object (a member replaced, re-cased, removed, or an unknown one
    /// added) or an array (an item replaced), with a value from <see cref="Values"/>.</summary>
    public static void Mutate(JsonNode target, Random rnd)
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

    /// <summary>Parses <paramref name="json"/>, applies 1-2 mutations anywhere in it and, one time in
    /// eight, damages the bytes.</summary>
    public static byte[] MutatedDocument(string json, Random rnd)
    {
        var root = JsonNode.Parse(json)!;
        var containers = Containers(root);
        for (int m = 1 + rnd.Next(2); m > 0; m--)
            Mutate(containers[rnd.Next(containers.Count)], rnd);
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(root.ToJsonString());
        return rnd.Next(8) == 0 ? Damage(bytes, rnd) : bytes;
    }

    /// <summary>Cuts the document short, inserts a syntax character, or removes a byte.</summary>
    public static byte[] Damage(byte[] bytes, Random rnd)
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
