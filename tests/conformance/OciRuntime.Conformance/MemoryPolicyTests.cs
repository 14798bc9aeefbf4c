using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// linux.memoryPolicy (runtime-spec v1.3.0): the container's process runs with the NUMA policy
/// asked for, read back inside with get_mempolicy(2) (`probe mempolicy`); nodes the host does not
/// have, and combinations the kernel refuses, fail `create` naming the field and leave nothing.
/// </summary>
public sealed class MemoryPolicyTests : ConformanceTest
{
    public MemoryPolicyTests(ITestOutputHelper output) : base(output) { }

    private static bool HostHasNuma => File.Exists("/sys/devices/system/node/online");

    /// <summary>A node this host does not have: one past the highest possible.</summary>
    private static int MissingNode()
    {
        string possible = File.ReadAllText("/sys/devices/system/node/possible").Trim();
        int highest = possible.Split(',').Select(r => int.Parse(r.Split('-')[^1])).Max();
        return highest + 1;
    }

    private Bundle WithPolicy(string mode, string? nodes, params string[] flags)
    {
        var b = NewBundle().Probe("mempolicy");
        var mp = new JsonObject { ["mode"] = mode };
        if (nodes != null)
            mp["nodes"] = nodes;
        if (flags.Length > 0)
            mp["flags"] = new JsonArray(flags.Select(f => (JsonNode)f).ToArray());
        b.Linux["memoryPolicy"] = mp;
        return b;
    }

    [Theory]
    [InlineData("MPOL_BIND", "0", new string[0], 2, "0")]
    [InlineData("MPOL_PREFERRED", "0", new string[0], 1, "0")]
    [InlineData("MPOL_INTERLEAVE", "0", new[] { "MPOL_F_STATIC_NODES" }, 3, "0")]
    [InlineData("MPOL_BIND", "0", new[] { "MPOL_F_NUMA_BALANCING" }, 2, "0")]
    [InlineData("MPOL_LOCAL", null, new string[0], 4, "")]
    public void The_process_runs_with_the_policy(string mode, string? nodes, string[] flags, int expectedMode, string expectedNodes)
    {
        if (!HostHasNuma)
        {
            Scope.Log("SKIP: this kernel has no NUMA support (/sys/devices/system/node missing)");
            return;
        }
        var p = Rt.Run(WithPolicy(mode, nodes, flags)).AssertOk().Probe;
        Assert.Equal(expectedMode.ToString(), p.Get("modebase"));
        Assert.Equal(expectedNodes, p.Get("nodes"));
        if (flags.Contains("MPOL_F_STATIC_NODES"))
            Assert.Equal("0x8000", p.Get("modeflags"));
    }

    [Fact]
    public void Without_a_policy_the_process_has_the_default()
    {
        var p = Rt.Run(NewBundle().Probe("mempolicy")).AssertOk().Probe;
        Assert.Equal("0", p.Get("modebase"));
    }

    [Fact]
    public void A_node_the_host_does_not_have_fails_naming_the_field_and_leaves_nothing()
    {
        if (!HostHasNuma)
        {
            Scope.Log("SKIP: this kernel has no NUMA support (/sys/devices/system/node missing)");
            return;
        }
        string id = Rt.NewId();
        Rt.Create(WithPolicy("MPOL_BIND", MissingNode().ToString()), id).AssertFailed("create with a missing NUMA node")
            .AssertStderrMentions("linux.memoryPolicy");
        Scope.AssertNothingLeft([id]);
    }

    [Theory]
    [InlineData("MPOL_DEFAULT", "0", "linux.memoryPolicy.nodes")]
    [InlineData("MPOL_BIND", "", "linux.memoryPolicy.nodes")]
    [InlineData("MPOL_SOMETIMES", "0", "linux.memoryPolicy.mode")]
    public void Bad_policies_fail_naming_the_field_and_leave_nothing(string mode, string nodes, string field)
    {
        string id = Rt.NewId();
        Rt.Create(WithPolicy(mode, nodes), id).AssertFailed("create with a bad memory policy").AssertStderrMentions(field);
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Features_lists_the_modes_and_flags()
    {
        var doc = JsonNode.Parse(Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, "features").AssertOk().Stdout)!;
        var modes = doc["linux"]!["memoryPolicy"]!["modes"]!.AsArray().Select(m => (string)m!).ToList();
        var flags = doc["linux"]!["memoryPolicy"]!["flags"]!.AsArray().Select(m => (string)m!).ToList();
        if (HostHasNuma)
        {
            Assert.Contains("MPOL_BIND", modes);
            Assert.Contains("MPOL_WEIGHTED_INTERLEAVE", modes);
            Assert.Contains("MPOL_F_STATIC_NODES", flags);
        }
        else
        {
            Assert.Empty(modes);
        }
    }
}
