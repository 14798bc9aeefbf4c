using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// linux.netDevices (runtime-spec v1.3.0): a host interface is moved into the container's network
/// namespace under its new name. The "host" here is a network namespace the test makes for the
/// runtime (unshare --net) with a veth pair in it (this kernel has no dummy driver), so the
/// machine's own network is never touched; once the container is gone its namespace is too, and
/// the kernel deletes the veth pair (a virtual device) rather than return it, as with runc.
/// </summary>
public sealed class NetDeviceTests : ConformanceTest
{
    public NetDeviceTests(ITestOutputHelper output) : base(output) { }

    /// <summary>Runs the runtime in a new network namespace holding the veth pair ocitest0/ocipeer0;
    /// the interfaces left there afterwards go to after.txt.</summary>
    private string Wrapper()
    {
        string script = Path.Combine(Scope.Dir, "in-netns.sh");
        string after = Path.Combine(Scope.Dir, "after.txt");
        File.WriteAllText(script,
            "#!/bin/sh\n" +
            "exec unshare --net /bin/sh -c 'ip link add ocitest0 type veth peer name ocipeer0 || exit 99; \"$@\"; rc=$?; " +
            // the kernel tears a network namespace down asynchronously: give it up to 10 s
            "i=0; while ip link show ocipeer0 >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; " +
            $"ip -o link show > {after}; exit $rc' sh {Rt.Binary} \"$@\"\n");
        File.SetUnixFileMode(script, (UnixFileMode)Convert.ToInt32("755", 8));
        return script;
    }

    [Fact]
    public void A_host_interface_moves_into_the_container_with_its_new_name_and_is_gone_after()
    {
        var b = NewBundle().Probe("ls", "/sys/class/net");
        b.Linux["netDevices"] = new JsonObject { ["ocitest0"] = new JsonObject { ["name"] = "ctr-eth7" } };
        Rt.Binary = Wrapper();
        var entries = Rt.Run(b).AssertOk().Probe.Get("entries").Split(',');
        Assert.Contains("ctr-eth7", entries);
        Assert.DoesNotContain("ocitest0", entries);
        string after = File.ReadAllText(Path.Combine(Scope.Dir, "after.txt"));
        Assert.Contains(": lo:", after); // the runtime's namespace is still listed
        Assert.DoesNotContain("ocitest0", after);
        Assert.DoesNotContain("ctr-eth7", after);
        Assert.DoesNotContain("ocipeer0", after); // the pair went with the container's namespace
    }

    [Fact]
    public void Without_a_name_the_interface_keeps_its_own()
    {
        var b = NewBundle().Probe("ls", "/sys/class/net");
        b.Linux["netDevices"] = new JsonObject { ["ocitest0"] = new JsonObject() };
        Rt.Binary = Wrapper();
        Assert.Contains("ocitest0", Rt.Run(b).AssertOk().Probe.Get("entries").Split(','));
    }

    [Fact]
    public void A_missing_interface_fails_naming_it_and_leaves_nothing()
    {
        var b = NewBundle().Probe("id");
        b.Linux["netDevices"] = new JsonObject { ["nosuchif9"] = new JsonObject { ["name"] = "eth0" } };
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed("create with a missing interface").AssertStderrMentions("linux.netDevices[\"nosuchif9\"]");
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Features_says_net_devices_are_supported()
    {
        var doc = JsonNode.Parse(Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, "features").AssertOk().Stdout)!;
        Assert.True((bool)doc["linux"]!["netDevices"]!["enabled"]!);
    }
}
