using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// linux.sysctl, process.oomScoreAdj, linux.personality, process.ioPriority, process.scheduler and
/// the LSM labels, checked from inside the container (x86_64 syscall numbers: ioprio_get 252,
/// sched_getscheduler 145).
/// </summary>
public sealed class ProcessSecurityTests : ConformanceTest
{
    public ProcessSecurityTests(ITestOutputHelper output) : base(output) { }

    private void AddNamespace(Bundle b, string type)
    {
        if (!b.Namespaces.Any(n => (string?)n!["type"] == type))
            b.Namespaces.Add(new JsonObject { ["type"] = type });
    }

    [Fact]
    public void Sysctl_values_are_visible_in_the_container()
    {
        var b = NewBundle().Probe("cat", "/proc/sys/kernel/shmmni", "/proc/sys/net/ipv4/ip_forward");
        AddNamespace(b, "ipc");
        AddNamespace(b, "network");
        b.Linux["sysctl"] = new JsonObject { ["kernel.shmmni"] = "1234", ["net.ipv4.ip_forward"] = "1" };
        string host = File.ReadAllText("/proc/sys/kernel/shmmni").Trim();
        var r = Rt.Run(b).AssertOk();
        Assert.Equal("1234\n1\n", r.Stdout);
        Assert.Equal(host, File.ReadAllText("/proc/sys/kernel/shmmni").Trim());
    }

    [Fact]
    public void A_sysctl_that_is_not_namespaced_is_refused_and_leaves_nothing()
    {
        string before = File.ReadAllText("/proc/sys/vm/swappiness");
        var b = NewBundle().Probe("exit", "0");
        b.Linux["sysctl"] = new JsonObject { ["vm.swappiness"] = "7" };
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed("create with vm.swappiness").AssertStderrMentions("linux.sysctl");
        Scope.AssertNothingLeft([id]);
        Assert.Equal(before, File.ReadAllText("/proc/sys/vm/swappiness"));
    }

    [Fact]
    public void A_net_sysctl_without_a_network_namespace_is_refused()
    {
        var b = NewBundle().Probe("exit", "0");
        b.Namespaces.Remove(b.Namespaces.First(n => (string?)n!["type"] == "network"));
        b.Linux["sysctl"] = new JsonObject { ["net.ipv4.ip_forward"] = "1" };
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed("create with a net sysctl in the host's netns").AssertStderrMentions("linux.sysctl");
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Oom_score_adj_is_set()
    {
        var b = NewBundle().Probe("cat", "/proc/self/oom_score_adj");
        b.Process["oomScoreAdj"] = 500;
        Assert.Equal("500\n", Rt.Run(b).AssertOk().Stdout);
    }

    [Fact]
    public void A_negative_oom_score_adj_needs_cap_sys_resource()
    {
        // Root here lacks CAP_SYS_RESOURCE, so lowering below the runtime's own minimum fails with a
        // clear error and leaves nothing; where the runtime has it, the value must be applied.
        var b = NewBundle().Probe("cat", "/proc/self/oom_score_adj");
        b.Process["oomScoreAdj"] = -500;
        string id = Rt.NewId();
        var r = Rt.Run(b, id);
        if (TestEnv.HasCapability(TestEnv.CAP_SYS_RESOURCE))
            Assert.Equal("-500\n", r.AssertOk().Stdout);
        else
        {
            r.AssertFailed().AssertStderrMentions("process.oomScoreAdj");
            r.AssertStderrMentions("CAP_SYS_RESOURCE");
        }
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Personality_linux32_shows_in_uname()
    {
        var b = NewBundle().Probe("uname");
        b.Linux["personality"] = new JsonObject { ["domain"] = "LINUX32" };
        Assert.Equal("i686", Rt.Run(b).AssertOk().Probe.Get("machine"));

        var b2 = NewBundle().Probe("uname");
        b2.Linux["personality"] = new JsonObject { ["domain"] = "LINUX" };
        Assert.Equal("x86_64", Rt.Run(b2).AssertOk().Probe.Get("machine"));
    }

    [Fact]
    public void Io_priority_is_set()
    {
        // ioprio_get(IOPRIO_WHO_PROCESS, 0) = class << 13 | level
        var b = NewBundle().Probe("syscall", "252", "1", "0");
        b.Process["ioPriority"] = new JsonObject { ["class"] = "IOPRIO_CLASS_BE", ["priority"] = 6 };
        Assert.Equal(((2 << 13) | 6).ToString(), Rt.Run(b).AssertOk().Probe.Get("result"));
    }

    [Fact]
    public void Scheduler_policy_is_set()
    {
        var b = NewBundle().Probe("syscall", "145", "0");
        b.Process["scheduler"] = new JsonObject { ["policy"] = "SCHED_BATCH", ["nice"] = 5 };
        Assert.Equal("3", Rt.Run(b).AssertOk().Probe.Get("result")); // SCHED_BATCH

        var b2 = NewBundle().Probe("syscall", "145", "0");
        b2.Process["scheduler"] = new JsonObject { ["policy"] = "SCHED_IDLE" };
        Assert.Equal("5", Rt.Run(b2).AssertOk().Probe.Get("result"));
    }

    [SkippableTheory]
    [InlineData("apparmorProfile", "docker-default")]
    [InlineData("selinuxLabel", "system_u:system_r:container_t:s0")]
    public void A_label_is_refused_when_its_lsm_is_absent(string field, string label)
    {
        bool present = field == "apparmorProfile"
            ? File.Exists("/sys/module/apparmor/parameters/enabled") && File.ReadAllText("/sys/module/apparmor/parameters/enabled").Trim() == "Y"
            : File.Exists("/sys/fs/selinux/enforce");
        Skip.If(present, $"the LSM for process.{field} runs on this host: this test is about hosts without it (labels on one are applied)");
        var b = NewBundle().Probe("exit", "0");
        b.Process[field] = label;
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed("create with " + field).AssertStderrMentions("process." + field);
        Scope.AssertNothingLeft([id]);
    }
}
