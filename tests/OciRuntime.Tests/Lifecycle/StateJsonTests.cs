using System.Text;
using System.Text.Json;
using FluentAssertions;
using OciRuntime.Lifecycle;
using OciRuntime.Spec;
using OciRuntime.Spec.Json;
using Xunit;

namespace OciRuntime.Tests.Lifecycle;

/// <summary>
/// state.json and the `state` output are written and read by hand (ContainerRecordJson,
/// Spec/Json/StateWriter); LifecycleJsonContext, what wrote them before, is the reference: same bytes,
/// and each reads what the other wrote.
/// </summary>
public class StateJsonTests
{
    public static TheoryData<string> Records() => new(["minimal", "full"]);

    private static ContainerRecord Record(string kind) => kind switch
    {
        "minimal" => new ContainerRecord { Id = "c", Created = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc) },
        _ => new ContainerRecord
        {
            Id = "c1+x",
            Pid = int.MaxValue,
            InitStartTime = ulong.MaxValue,
            Bundle = "/b/ünïcode <&'\"\\>",
            Rootfs = "/b/rootfs\n\t",
            Created = new DateTime(2026, 11, 23, 6, 50, 52, 123, DateTimeKind.Utc).AddTicks(4567),
            Annotations = new() { ["z"] = "1", ["a.b/c"] = "\u00e9\u2713", [""] = "" },
            CgroupDirectories = new() { ["/sys/fs/cgroup/memory"] = "/sys/fs/cgroup/memory/c1", ["/sys/fs/cgroup/unified"] = "/x" },
            Hooks = new Hooks
            {
                Prestart = [new Hook { Path = "/p", Args = ["p", "1"], Env = ["A=1"], Timeout = 5 }],
                CreateRuntime = [],
                Poststop = [new Hook { Path = "/q" }, new Hook { Path = "/r", Timeout = -1 }],
            },
        },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void RecordIsWrittenByteForByteAsTheSerializerDid(string kind)
    {
        var r = Record(kind);
        byte[] reference = JsonSerializer.SerializeToUtf8Bytes(r, LifecycleJsonContext.Default.ContainerRecord);
        Assert.Equal(Encoding.UTF8.GetString(reference), Encoding.UTF8.GetString(ContainerRecordJson.Serialize(r)));
    }

    [Theory]
    [MemberData(nameof(Records))]
    public void RecordReadsTheSameAsTheSerializer(string kind)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(Record(kind), LifecycleJsonContext.Default.ContainerRecord);
        var hand = ContainerRecordJson.Parse(json, "state.json");
        var reference = JsonSerializer.Deserialize(json, LifecycleJsonContext.Default.ContainerRecord)!;
        JsonSerializer.Serialize(hand, LifecycleJsonContext.Default.ContainerRecord).Should().Be(
            JsonSerializer.Serialize(reference, LifecycleJsonContext.Default.ContainerRecord), "state.json must read as the serializer read it");
        Assert.Equal(Record(kind).Created, hand.Created);
        Assert.Equal(DateTimeKind.Utc, hand.Created.Kind);
    }

    [Fact]
    public void RecordWithoutOptionalMembersAndWithUnknownOnesReads()
    {
        // A record written by another version: members missing, others added, hooks compact.
        var r = ContainerRecordJson.Parse(TestData(
            """{"id":"c","pid":7,"created":"2026-01-02T03:04:05Z","future":{"x":[1]},"hooks":{"poststop":[{"path":"/x"}]}}"""), "state.json");
        Assert.Equal("c", r.Id);
        Assert.Equal(7, r.Pid);
        Assert.Equal("", r.Bundle);
        Assert.Null(r.Annotations);
        Assert.Equal("/x", r.Hooks!.Poststop![0].Path);
    }

    [Fact]
    public void RecordKeysAreMatchedExactly()
    {
        // As LifecycleJsonContext (default options): "PID" is an unknown member.
        var r = ContainerRecordJson.Parse(TestData("""{"id":"c","PID":7,"created":"2026-01-02T03:04:05Z"}"""), "state.json");
        Assert.Equal(0, r.Pid);
    }

    [Fact]
    public void CorruptRecordNamesTheFileAndField()
    {
        var e = Assert.Throws<ConfigException>(() => ContainerRecordJson.Parse(TestData("""{"id":"c","pid":"7"}"""), "/run/x/state.json"));
        Assert.Equal("/run/x/state.json: pid: expected an integer from -2147483648 to 2147483647, got the string \"7\"", e.Message);
        e = Assert.Throws<ConfigException>(() => ContainerRecordJson.Parse(TestData("""{"id":"c","created":null}"""), "state.json"));
        Assert.Equal("state.json: created: expected a date and time (ISO 8601), got null", e.Message);
        e = Assert.Throws<ConfigException>(() => ContainerRecordJson.Parse(TestData("""{"id":"c","""), "state.json"));
        Assert.StartsWith("state.json: invalid JSON at line 1", e.Message);
        e = Assert.Throws<ConfigException>(() => ContainerRecordJson.Parse([], "state.json"));
        Assert.StartsWith("state.json: invalid JSON at line 1", e.Message);
    }

    [Fact]
    public void SaveAndLoadThroughTheStore()
    {
        string root = Directory.CreateTempSubdirectory("ociruntime-state-").FullName;
        try
        {
            var store = new StateStore(root);
            var r = Record("full");
            r.Id = "c1";
            store.CreateDir(r.Id);
            store.Save(r);
            byte[] onDisk = File.ReadAllBytes(Path.Combine(root, "c1", "state.json"));
            Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(r, LifecycleJsonContext.Default.ContainerRecord), onDisk);
            var loaded = store.Load("c1");
            Assert.Equal(r.Bundle, loaded.Bundle);
            Assert.Equal(r.InitStartTime, loaded.InitStartTime);
            Assert.Equal(r.CgroupDirectories, loaded.CgroupDirectories);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    public static TheoryData<bool> WithAnnotations() => new([false, true]);

    [Theory]
    [MemberData(nameof(WithAnnotations))]
    public void StateOutputIsWrittenByteForByteAsTheSerializerDid(bool annotations)
    {
        var s = State.Runc("c1", 42, "running", "/b/é<+>", "/b/rootfs", "2026-11-23T06:50:52.1234567Z",
            annotations ? new() { ["k"] = "v", ["k2"] = "\"q\"" } : null);
        var indented = new JsonSerializerOptions(LifecycleJsonContext.Default.Options) { WriteIndented = true };
        string referenceIndented = JsonSerializer.Serialize(RuncStateShape.From(s), new LifecycleJsonContext(indented).RuncStateShape);
        Encoding.UTF8.GetString(StateWriter.Serialize(s, indented: true)).Should().Be(referenceIndented, "`state` prints it so");
        Encoding.UTF8.GetString(StateWriter.Serialize(s, indented: false)).Should().Be(
            JsonSerializer.Serialize(RuncStateShape.From(s), LifecycleJsonContext.Default.RuncStateShape), "hooks read it so");
    }

    private static byte[] TestData(string json) => Encoding.UTF8.GetBytes(json);
}
