using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Spec;

public class DefaultSpecTests
{
    [Fact]
    public void MatchesRuncSpecOutput()
    {
        string expected = File.ReadAllText(TestData.PathOf("default-spec.json"));
        Assert.Equal(expected, DefaultSpec.ToJson(DefaultSpec.Create(rootless: false)));
    }

    [Fact]
    public void RootlessMatchesRuncSpecRootlessOutput()
    {
        string expected = File.ReadAllText(TestData.PathOf("default-spec-rootless.json"));
        Assert.Equal(expected, DefaultSpec.ToJson(DefaultSpec.Create(rootless: true, hostUid: 1000, hostGid: 1001)));
    }

    [Fact]
    public void RootlessMapsTheCallersIds()
    {
        var spec = DefaultSpec.Create(rootless: true);
        string status = File.ReadAllText("/proc/self/status");
        string uidLine = status.Split('\n').First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        uint euid = uint.Parse(uidLine.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[2]);
        Assert.Equal(euid, spec.Linux!.UidMappings![0].HostId);
        Assert.Null(spec.Linux.Resources);
        Assert.DoesNotContain(spec.Linux.Namespaces!, n => n.Type == "network");
        Assert.Contains(spec.Linux.Namespaces!, n => n.Type == "user");
    }

    [Fact]
    public void BothVariantsAreValid()
    {
        Assert.Empty(SpecValidator.Validate(DefaultSpec.Create(rootless: false), requireProcess: true));
        Assert.Empty(SpecValidator.Validate(DefaultSpec.Create(rootless: true, 1000, 1000), requireProcess: true));
    }

    [Fact]
    public void NoAmbientCapabilitiesLikeRunc12()
    {
        var caps = DefaultSpec.Create(rootless: false).Process!.Capabilities!;
        Assert.Null(caps.Ambient);
        Assert.Null(caps.Inheritable);
        Assert.Equal(["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"], caps.Bounding!);
    }

    [Fact]
    public void EachCallReturnsAFreshSpec()
    {
        var a = DefaultSpec.Create(rootless: false);
        a.Process!.Args!.Add("x");
        Assert.Equal(["sh"], DefaultSpec.Create(rootless: false).Process!.Args!);
    }
}
