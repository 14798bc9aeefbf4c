using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FluentAssertions;
using OciRuntime.Cgroups;
using OciRuntime.Cli;
using OciRuntime.Lifecycle;
using OciRuntime.Spec;
using OciRuntime.Spec.Json;
using OciRuntime.Tests.Spec;
using Xunit;

namespace OciRuntime.Tests.Json;

using Spec = OciRuntime.Spec.Spec;

/// <summary>
/// The binary writes all its JSON by hand (Spec/Json/*Writer.cs) and reads
/// `update --resources` with the hand readers; the source-generated contexts it used before live
/// here as the reference: the same objects must give the same bytes.
/// </summary>
public class HandWriterEquivalenceTests
{
    // Keys in other cases, explicit nulls, escapes, a null inside lists and maps, raw platform sections.
    private const string OddConfig = """
        {
          "ociVersion": "1.3.0",
          "process": { "args": ["b", "c\u00e9\n\u0001<&>'+"], "user": { "uid": 6, "gid": null, "additionalGids": [] },
                       "rlimits": [ { "type": "RLIMIT_CORE", "hard": 0, "soft": 0 } ], "env": null },
          "hostname": "h\u2028",
          "mounts": [ { "destination": "/x", "options": [], "uidMappings": [] }, {} ],
          "annotations": { "a": "2", "": "empty key", "Ключ": "значение", "<k>": "\"v\"" },
          "linux": { "sysctl": {}, "resources": { "pids": { "limit": null }, "unified": { "memory.high": "max" } },
                     "timeOffsets": { "monotonic": { "secs": -1, "nanosecs": 0 } } },
          "solaris": null,
          "windows": { "anything": [1, 2.5e10, "x\u00e9", null, { }] },
          "vm": [],
          "zos": 1.5,
          "freebsd": "string"
        }
        """;

    private static List<string> CorpusNames() =>
    [
        .. Directory.GetFiles(Path.GetDirectoryName(TestData.PathOf("x"))!, "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal),
        "DefaultSpec rootful", "DefaultSpec rootless", "conformance bundle", "odd config", "empty config",
    ];

    public static TheoryData<string> Corpus() => new(CorpusNames());

    private static byte[] Load(string name) => name switch
    {
        "DefaultSpec rootful" => SerializerIndented(DefaultSpec.Create(rootless: false)),
        "DefaultSpec rootless" => SerializerIndented(DefaultSpec.Create(rootless: true, 1000, 1001)),
        "conformance bundle" => TestData.Utf8(OciRuntime.Conformance.DefaultSpec.Json),
        "odd config" => TestData.Utf8(OddConfig),
        "empty config" => TestData.Utf8("{}"),
        _ => TestData.Bytes(name),
    };

    private static byte[] SerializerIndented(Spec s) => JsonSerializer.SerializeToUtf8Bytes(s, SpecJsonContext.Indented.Spec);

    [Fact]
    public void CorpusHasTheMaximalConfig() =>
        Assert.Contains("maximal-config.json", CorpusNames());

    [Theory]
    [MemberData(nameof(Corpus))]
    public void SpecIsWrittenAsTheSerializerDid_IndentedAndCompact(string name)
    {
        var spec = JsonSerializer.Deserialize(Load(name), SpecJsonContext.Default.Spec)!;
        Assert.Equal(JsonSerializer.Serialize(spec, SpecJsonContext.Indented.Spec), JsonOut.Text(spec, JsonOut.Indented, SpecWriter.WriteSpec));
        Assert.Equal(JsonSerializer.Serialize(spec, SpecJsonContext.Default.Spec), JsonOut.Text(spec, JsonOut.Compact, SpecWriter.WriteSpec));
    }

    [Theory]
    [InlineData(false, 0u, 0u)]
    [InlineData(true, 1000u, 1001u)]
    [InlineData(true, 0u, 0u)]
    [InlineData(true, 4294967294u, 7u)]
    public void DefaultSpecIsWrittenAsTheSerializerDid(bool rootless, uint uid, uint gid)
    {
        var spec = DefaultSpec.Create(rootless, uid, gid);
        Assert.Equal(JsonSerializer.Serialize(spec, SpecJsonContext.Indented.Spec), DefaultSpec.ToJson(spec));
    }

    [Fact]
    public void DefaultSpecForTheCallerIsWrittenAsTheSerializerDid()
    {
        foreach (bool rootless in new[] { false, true })
        {
            var spec = DefaultSpec.Create(rootless);
            Assert.Equal(JsonSerializer.Serialize(spec, SpecJsonContext.Indented.Spec), DefaultSpec.ToJson(spec));
        }
    }

    public static TheoryData<string> FeaturesInputs() => new(["this host", "every member", "empty"]);

    private static Features FeaturesFor(string kind) => kind switch
    {
        "this host" => FeaturesCommand.Build(),
        "empty" => new Features(),
        _ => JsonSerializer.Deserialize("""
            { "ociVersionMin": "1.0.0", "ociVersionMax": "1.3.0", "hooks": ["prestart", "poststop"], "mountOptions": ["ro", "rro"],
              "linux": { "namespaces": ["pid"], "capabilities": ["CAP_KILL"],
                         "cgroup": { "v1": true, "v2": false, "systemd": true, "systemdUser": false, "rdma": true },
                         "seccomp": { "enabled": false, "actions": ["SCMP_ACT_LOG"], "operators": ["SCMP_CMP_EQ"], "archs": ["SCMP_ARCH_X86_64"],
                                      "knownFlags": ["SECCOMP_FILTER_FLAG_LOG"], "supportedFlags": [] },
                         "apparmor": { "enabled": true }, "selinux": { "enabled": false },
                         "intelRdt": { "enabled": true, "schemata": true, "monitoring": false },
                         "memoryPolicy": { "modes": ["MPOL_BIND"], "flags": ["MPOL_F_STATIC_NODES"] },
                         "mountExtensions": { "idmap": { "enabled": true } }, "netDevices": { "enabled": true } },
              "annotations": { "org.example/v": "1.2+<x>", "é": "\u0007" },
              "potentiallyUnsafeConfigAnnotations": ["com.example.", "x"] }
            """, SpecJsonContext.Default.Features)!,
    };

    [Theory]
    [MemberData(nameof(FeaturesInputs))]
    public void FeaturesAreWrittenAsTheSerializerDid(string kind)
    {
        var f = FeaturesFor(kind);
        Assert.Equal(JsonSerializer.Serialize(f, SpecJsonContext.Indented.Features), JsonOut.Text(f, JsonOut.Indented, FeaturesWriter.WriteFeatures));
    }

    [Fact]
    public void TheEveryMemberFeaturesInputSetsEveryMember()
    {
        // Written compactly with nulls kept, a member the input leaves unset would show as null.
        var options = new JsonSerializerOptions(SpecJsonContext.Default.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };
        string all = JsonSerializer.Serialize(FeaturesFor("every member"), new SpecJsonContext(options).Features);
        Assert.DoesNotContain("null", all);
    }

    private static OciRuntime.Spec.State State(int n) => OciRuntime.Spec.State.Runc(
        $"c{n}<&>'\"\u00e9",
        n == 0 ? 0 : int.MaxValue - n,
        n % 2 == 0 ? "running" : "stopped",
        $"/bundles/{n}\n",
        $"/bundles/{n}/rootfs",
        "2026-11-23T06:50:52.123456789Z",
        n % 3 == 1 ? new() { ["a"] = "1", ["k+é"] = "v<\u2028>" } : n % 3 == 2 ? [] : null,
        owner: "root");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void ListIsWrittenAsTheSerializerDid(int count)
    {
        var states = Enumerable.Range(0, count).Select(State).ToList();
        Encoding.UTF8.GetString(StateWriter.SerializeList(states)).Should().Be(
            JsonSerializer.Serialize(states.Select(RuncStateShape.From).ToList(), LifecycleJsonContext.Default.ListRuncStateShape),
            "list --format json must stay byte for byte what the serializer wrote");
    }

    public static TheoryData<string> ListenerStates() => new(["plain", "annotations and metadata", "escapes", "empty"]);

    private static ContainerProcessState ListenerState(string kind) => kind switch
    {
        "plain" => SeccompListener.StateFor("c1", 42, "/b", null, null),
        "annotations and metadata" => SeccompListener.StateFor("c2", int.MaxValue, "/bundles/c2", "key=value",
            new Dictionary<string, string> { ["a"] = "1", [""] = "", ["org.opencontainers.x"] = "y" }),
        "escapes" => SeccompListener.StateFor("c<&>'\"", 1, "/b/\u00e9\n\t\u0001", "m\u2028+", new Dictionary<string, string> { ["é"] = "<>" }),
        _ => new ContainerProcessState { State = new OciRuntime.Spec.State() },
    };

    [Theory]
    [MemberData(nameof(ListenerStates))]
    public void SeccompListenerStateIsWrittenAsTheSerializerDid(string kind)
    {
        var s = ListenerState(kind);
        Encoding.UTF8.GetString(StateWriter.SerializeContainerProcessState(s)).Should().Be(
            Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(s, SpecJsonContext.Default.ContainerProcessState)),
            "the seccomp listener's message must stay byte for byte what the serializer wrote");
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void UpdateResourcesReadTheSameAsTheSerializer(string name)
    {
        var resources = JsonNode.Parse(Load(name))!["linux"]?["resources"];
        if (resources is null)
            return;
        byte[] json = TestData.Utf8(resources.ToJsonString());
        var reference = JsonSerializer.Deserialize(json, CgroupJsonContext.Default.LinuxResources)!;
        var hand = ConfigLoader.ParseResources(json, "--resources r.json");
        Assert.Equal(JsonSerializer.Serialize(reference, SpecJsonContext.Default.LinuxResources),
            JsonOut.Text(hand, JsonOut.Compact, ResourcesWriter.WriteLinuxResources));
    }

    [Fact]
    public void UpdateResources_NullIsNoChange_AndAWrongValueNamesItsField()
    {
        var none = ConfigLoader.ParseResources("null"u8, "--resources (stdin)");
        Assert.Equal("{}", JsonOut.Text(none, JsonOut.Compact, ResourcesWriter.WriteLinuxResources));
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ParseResources("""{ "pids": { "limit": "7" } }"""u8, "--resources (stdin)"));
        Assert.StartsWith("--resources (stdin): ", e.Message);
        Assert.Contains("pids.limit", e.Message);
        Assert.Throws<ConfigException>(() => ConfigLoader.ParseResources("""{ "pids": """u8, "--resources r.json"));
    }

    [Fact]
    public void TheBinaryHasNoSerializerContext()
    {
        Assert.DoesNotContain(typeof(ConfigLoader).Assembly.GetTypes(), t => typeof(JsonSerializerContext).IsAssignableFrom(t));
    }
}
