using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Spec;

using Spec = OciRuntime.Spec.Spec;

/// <summary>
/// ConfigLoader reads by hand (Spec/Json); System.Text.Json with SpecJsonContext is the reference:
/// for every config of the corpus both must produce objects that serialize to the same JSON.
/// </summary>
public class HandReaderEquivalenceTests
{
    private static List<string> CorpusNames() =>
    [
        .. Directory.GetFiles(Path.GetDirectoryName(TestData.PathOf("x"))!, "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal),
        "DefaultSpec rootful", "DefaultSpec rootless", "conformance bundle",
    ];

    public static TheoryData<string> Corpus() => new(CorpusNames());

    private static byte[] Load(string name) => name switch
    {
        "DefaultSpec rootful" => TestData.Utf8(DefaultSpec.ToJson(DefaultSpec.Create(rootless: false))),
        "DefaultSpec rootless" => TestData.Utf8(DefaultSpec.ToJson(DefaultSpec.Create(rootless: true))),
        "conformance bundle" => TestData.Utf8(OciRuntime.Conformance.DefaultSpec.Json),
        _ => TestData.Bytes(name),
    };

    [Fact]
    public void CorpusHasEveryDataFile()
    {
        var names = CorpusNames();
        Assert.Contains("maximal-config.json", names);
        Assert.Contains("full-config.json", names);
        Assert.True(names.Count >= 7);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void ConfigReadsTheSameAsTheSerializer(string name)
    {
        byte[] json = Load(name);
        var reference = JsonSerializer.Deserialize(json, SpecJsonContext.Default.Spec)!;
        var hand = ConfigLoader.Parse(json);
        Assert.Equal(JsonSerializer.Serialize(reference, SpecJsonContext.Default.Spec), JsonSerializer.Serialize(hand, SpecJsonContext.Default.Spec));
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void ProcessReadsTheSameAsTheSerializer(string name)
    {
        var process = JsonNode.Parse(Load(name))!["process"];
        if (process is null)
            return;
        byte[] json = TestData.Utf8(process.ToJsonString());
        var reference = JsonSerializer.Deserialize(json, SpecJsonContext.Default.Process)!;
        var hand = ConfigLoader.ParseProcess(json);
        Assert.Equal(JsonSerializer.Serialize(reference, SpecJsonContext.Default.Process), JsonSerializer.Serialize(hand, SpecJsonContext.Default.Process));
    }

    [Fact]
    public void OddlyWrittenConfigReadsTheSameAsTheSerializer()
    {
        // Keys in other cases, repeated keys (the last wins), unknown members of every kind,
        // explicit nulls, escapes in keys and values, raw platform sections (one of them null).
        const string json = """
            {
              "OCIVERSION": "1.0.0", "ociVersion": "1.3.0",
              "process": { "Args": ["a"], "args": ["b", "c\u00e9\n"], "USER": { "UID": 5, "uid": 6, "gid": null },
                           "rlimits": [ { "TYPE": "RLIMIT_CORE", "Hard": 1, "soft": 0, "extra": [ { "deep": [null] } ] } ],
                           "unknown": { "args": 5 }, "env": null },
              "\u0068ostname": "escaped-key",
              "hostname": "h",
              "mounts": [ { "destination": "/x", "options": [], "uidMappings": [] }, {} ],
              "annotations": { "a": "1", "a": "2", "": "empty key", "Ключ": "значение" },
              "linux": { "sysctl": {}, "resources": { "pids": { "limit": null }, "unified": { "memory.high": "max" } },
                         "timeOffsets": { "monotonic": { "secs": -1, "nanosecs": 0 } } },
              "solaris": null,
              "windows": { "anything": [1, 2.5e10, "x", null, { }] },
              "vm": [],
              "zos": 1.5,
              "freebsd": "string"
            }
            """;
        byte[] bytes = TestData.Utf8(json);
        var reference = JsonSerializer.Deserialize(bytes, SpecJsonContext.Default.Spec)!;
        var hand = ConfigLoader.Parse(bytes);
        Assert.Equal(JsonSerializer.Serialize(reference, SpecJsonContext.Default.Spec), JsonSerializer.Serialize(hand, SpecJsonContext.Default.Spec));
        Assert.Equal(["b", "c\u00e9\n"], hand.Process!.Args!);
        Assert.Equal(6u, hand.Process.User!.Uid);
        Assert.Equal("h", hand.Hostname);
        Assert.Equal("2", hand.Annotations!["a"]);
        Assert.Null(hand.Solaris);
        Assert.Equal(JsonValueKind.Array, hand.Vm!.Value.ValueKind);
    }

    /// <summary>
    /// The maximal config must set every member of the model, so a member added to the model
    /// but not to the hand reader (or to the config) fails here rather than being silently dropped.
    /// </summary>
    [Fact]
    public void MaximalConfigSetsEveryMemberOfTheModel()
    {
        var spec = JsonSerializer.Deserialize(TestData.Bytes("maximal-config.json"), SpecJsonContext.Default.Spec)!;
        var unset = new SortedSet<string>(StringComparer.Ordinal);
        var set = new HashSet<string>(StringComparer.Ordinal);
        Walk(spec, set, unset);
        unset.ExceptWith(set);
        Assert.Empty(unset);
        Assert.True(set.Count > 150, $"only {set.Count} members found");
    }

    private static void Walk(object o, HashSet<string> set, SortedSet<string> unset)
    {
        if (o is IDictionary dict)
        {
            foreach (var v in dict.Values)
                if (v is not null)
                    Walk(v, set, unset);
            return;
        }
        if (o is IList list)
        {
            foreach (var v in list)
                if (v is not null)
                    Walk(v, set, unset);
            return;
        }
        var type = o.GetType();
        if (type.Namespace != typeof(Spec).Namespace)
            return;
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetCustomAttribute<JsonPropertyNameAttribute>() is not { } attr)
                continue;
            string member = $"{type.Name}.{attr.Name}";
            object? value = p.GetValue(o);
            if (value is null || (value is IEnumerable e and not string && !e.Cast<object>().Any()))
            {
                unset.Add(member);
                continue;
            }
            set.Add(member);
            if (value is not string && !value.GetType().IsValueType)
                Walk(value, set, unset);
        }
    }
}
