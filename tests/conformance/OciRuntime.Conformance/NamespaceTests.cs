using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>linux.namespaces: new ones of each type, none (shares the host's), joining by path; hostname/domainname.</summary>
public sealed class NamespaceTests : ConformanceTest
{
    public NamespaceTests(ITestOutputHelper output) : base(output) { }

    private static string HostNs(string type) => HostState.ReadNsLink(Environment.ProcessId, type)!;

    [Theory]
    [InlineData("pid", "pid")]
    [InlineData("network", "net")]
    [InlineData("ipc", "ipc")]
    [InlineData("uts", "uts")]
    [InlineData("mount", "mnt")]
    [InlineData("cgroup", "cgroup")]
    public void Each_configured_namespace_is_new(string type, string link)
    {
        var b = NewBundle().Probe("ns");
        Assert.Contains(b.Namespaces, n => (string?)n!["type"] == type);
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.NotEqual(HostNs(link), p.Get("ns." + link));
    }

    [Fact]
    public void Namespaces_not_configured_are_shared_with_the_runtime()
    {
        var b = NewBundle().Probe("ns");
        b.RemoveNamespace("network").RemoveNamespace("ipc").RemoveNamespace("cgroup");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal(HostNs("net"), p.Get("ns.net"));
        Assert.Equal(HostNs("ipc"), p.Get("ns.ipc"));
        Assert.Equal(HostNs("cgroup"), p.Get("ns.cgroup"));
        Assert.Equal(HostNs("user"), p.Get("ns.user"));
        Assert.NotEqual(HostNs("mnt"), p.Get("ns.mnt"));
    }

    [Fact]
    public void Pid_namespace_makes_the_process_pid_1()
    {
        var b = NewBundle().Probe("pid");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("1", p.Get("pid"));
        Assert.Equal("0", p.Get("ppid"));
    }

    [Fact]
    public void Uts_namespace_sets_hostname()
    {
        var b = NewBundle().Probe("hostname");
        b.Config["hostname"] = "conformance-host";
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("conformance-host", p.Get("hostname"));
        Assert.NotEqual("conformance-host", Environment.MachineName);
    }

    [Fact]
    [Trait(Traits.KnownFailure, "runc-1.1.5")]
    [Trait(Traits.Reason, "domainname (runtime-spec 1.1) is supported from runc 1.2 on; 1.1.5 ignores it")]
    public void Uts_namespace_sets_domainname()
    {
        var b = NewBundle().Probe("hostname");
        b.Config["hostname"] = "conformance-host";
        b.Config["domainname"] = "example.org";
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("conformance-host", p.Get("hostname"));
        Assert.Equal("example.org", p.Get("domainname"));
    }

    [Fact]
    public void Default_hostname_of_the_spec_is_applied()
    {
        var b = NewBundle().Probe("hostname");
        Assert.Equal("runc", Rt.Run(b).AssertOk().Probe.Get("hostname"));
    }

    [Fact]
    public void Network_namespace_has_only_loopback()
    {
        var b = NewBundle().Probe("ls", "/sys/class/net");
        Assert.Equal("lo", Rt.Run(b).AssertOk().Probe.Get("entries"));
    }

    [Fact]
    public void Cgroup_namespace_makes_the_container_cgroup_its_root()
    {
        var b = NewBundle().Probe("cat", "/proc/self/cgroup");
        var r = Rt.Run(b).AssertOk();
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.EndsWith(":/", l));
    }

    [Fact]
    public void Joining_the_network_and_ipc_namespaces_of_another_container_by_path()
    {
        var a = NewBundle().Probe("sleep", "30");
        string idA = Rt.NewId();
        Rt.Run(a, idA, "--detach").AssertOk();
        int pidA = Rt.Pid(idA);
        string netA = HostState.ReadNsLink(pidA, "net")!;
        string ipcA = HostState.ReadNsLink(pidA, "ipc")!;
        Assert.NotEqual(HostNs("net"), netA);

        var b = NewBundle().Probe("ns");
        b.Namespace("network", $"/proc/{pidA}/ns/net").Namespace("ipc", $"/proc/{pidA}/ns/ipc");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal(netA, p.Get("ns.net"));
        Assert.Equal(ipcA, p.Get("ns.ipc"));
        Assert.NotEqual(HostState.ReadNsLink(pidA, "uts"), p.Get("ns.uts"));
        Assert.NotEqual(HostState.ReadNsLink(pidA, "mnt"), p.Get("ns.mnt"));

        Rt.Delete(idA, force: true).AssertOk();
        Scope.AssertNothingLeft([idA]);
    }

    [Fact]
    public void Joining_the_uts_namespace_of_another_container_sees_its_hostname()
    {
        var a = NewBundle().Probe("sleep", "30");
        a.Config["hostname"] = "container-a";
        string idA = Rt.NewId();
        Rt.Run(a, idA, "--detach").AssertOk();
        int pidA = Rt.Pid(idA);

        var b = NewBundle().Probe("hostname");
        b.Config.Remove("hostname");
        b.Namespace("uts", $"/proc/{pidA}/ns/uts");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("container-a", p.Get("hostname"));
        Rt.Delete(idA, force: true).AssertOk();
    }

    [Fact]
    public void Joining_a_namespace_path_of_the_wrong_type_fails()
    {
        var a = NewBundle().Probe("sleep", "30");
        string idA = Rt.NewId();
        Rt.Run(a, idA, "--detach").AssertOk();
        int pidA = Rt.Pid(idA);

        var b = NewBundle().Probe("ns");
        b.Namespace("network", $"/proc/{pidA}/ns/ipc");
        string idB = Rt.NewId();
        Rt.Run(b, idB).AssertFailed("joining an ipc namespace as network");
        Rt.Delete(idA, force: true).AssertOk();
        Scope.AssertNothingLeft([idA, idB]);
    }
}
