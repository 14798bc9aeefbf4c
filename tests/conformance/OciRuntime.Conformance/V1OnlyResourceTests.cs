using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// cgroup-v1-only fields whose value asks for nothing (issue 16): runc ignores them on a v2 host
/// and managers send them, so ociruntime runs the container there too, with a warning in the log
/// for the explicit "-1" values; on a v1 host they change nothing either.
/// </summary>
public sealed class V1OnlyResourceTests : ConformanceTest
{
    public V1OnlyResourceTests(ITestOutputHelper output) : base(output) { }

    private static bool HostIsCgroupV2 => File.Exists("/sys/fs/cgroup/cgroup.controllers");

    [Fact]
    public void V1_only_fields_that_ask_for_nothing_do_not_stop_the_container()
    {
        var b = NewBundle().Args("/bin/sh", "-c",
            "cat /sys/fs/cgroup/memory/memory.swappiness 2>/dev/null || cat /sys/fs/cgroup/memory.max");
        var linux = b.Linux;
        linux["resources"] ??= new JsonObject();
        linux["resources"]!["memory"] = new JsonObject
        {
            ["limit"] = 64 << 20,
            ["kernel"] = -1,
            ["kernelTCP"] = -1,
            ["swappiness"] = ulong.MaxValue, // -1 as the spec's uint64
            ["disableOOMKiller"] = false,
        };
        linux["resources"]!["cpu"] = new JsonObject { ["realtimePeriod"] = 0, ["realtimeRuntime"] = 0 };
        string output = Rt.Run(b).AssertOk().Stdout.Trim();
        var warnings = File.Exists(Rt.LogFile)
            ? File.ReadLines(Rt.LogFile).Where(l => l.Contains("\"level\":\"warning\"")).ToList()
            : [];
        if (HostIsCgroupV2)
        {
            Assert.Equal((64 << 20).ToString(), output);
            Assert.Contains(warnings, l => l.Contains("linux.resources.memory.kernel:"));
            Assert.Contains(warnings, l => l.Contains("linux.resources.memory.kernelTCP:"));
            Assert.Contains(warnings, l => l.Contains("linux.resources.memory.swappiness:"));
        }
        else
        {
            // v1: swappiness -1 leaves the kernel's value, which a new memory cgroup inherits
            // from its parent; nothing to warn about.
            string parent = File.ReadAllText("/sys/fs/cgroup/memory/memory.swappiness").Trim();
            Assert.Equal(parent, output);
            Assert.DoesNotContain(warnings, l => l.Contains("swappiness"));
        }
    }
}
