using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>`features` is runtime-spec JSON and tells the truth: what it lists, a container can use.</summary>
[Trait(Traits.Runtime, Traits.OciRuntimeOnly)]
public sealed class FeaturesTests : ConformanceTest
{
    public FeaturesTests(ITestOutputHelper output) : base(output) { }

    [Fact]
    public void Features_document_is_json_and_its_namespaces_and_seccomp_actions_work()
    {
        var r = Rt.Invoke("features").AssertOk();
        var f = JsonNode.Parse(r.Stdout)!.AsObject();
        Assert.Equal("1.3.0", (string?)f["ociVersionMax"]);
        var linux = f["linux"]!.AsObject();
        var namespaces = linux["namespaces"]!.AsArray().Select(n => (string)n!).ToList();
        Assert.Contains("pid", namespaces);

        // Every listed namespace at once, and a filter using every listed action on some syscall.
        var b = NewBundle().Probe("exit", "0");
        foreach (string ns in namespaces)
            if (!b.Namespaces.Any(n => (string?)n!["type"] == ns))
                b.Namespaces.Add(new JsonObject { ["type"] = ns });
        if (namespaces.Contains("user"))
            UserNamespaceTests.MapContainerRootTo(b, UserNamespaceTests.HostBase);
        var actions = linux["seccomp"]!["actions"]!.AsArray().Select(a => (string)a!).Where(a => a is not "SCMP_ACT_ALLOW" and not "SCMP_ACT_NOTIFY").ToList();
        string[] unused = ["acct", "swapon", "swapoff", "reboot", "kexec_load", "init_module", "delete_module"];
        var rules = new JsonArray(actions.Select((a, i) => (JsonNode)new JsonObject { ["names"] = new JsonArray(unused[i]), ["action"] = a }).ToArray());
        b.Linux["seccomp"] = new JsonObject { ["defaultAction"] = "SCMP_ACT_ALLOW", ["syscalls"] = rules };
        Rt.Run(b).AssertOk();
    }
}
