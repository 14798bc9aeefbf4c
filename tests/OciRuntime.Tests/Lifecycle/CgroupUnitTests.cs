using OciRuntime.Cgroups;
using OciRuntime.Planning;
using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Lifecycle;

public class CgroupUnitTests
{
    [Theory]
    [InlineData(null, "ct", "/user.slice", "/user.slice/ct")]
    [InlineData("", "ct", "/", "/ct")]
    [InlineData("/abs/path", "ct", "/user.slice", "/abs/path")]
    [InlineData("rel/path", "ct", "/user.slice", "/user.slice/rel/path")]
    [InlineData("/a/../../b", "ct", "/", "/b")]
    public void Cgroup_paths_resolve_like_runc(string? cgroupsPath, string id, string own, string expected) =>
        Assert.Equal(expected, CgroupPaths.Resolve(cgroupsPath, id, own));

    [Fact]
    public void Device_rules_keep_their_order_and_end_with_the_defaults()
    {
        var rules = DeviceRules.From([
            new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
            new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 10, Minor = 200, Access = "rw" },
            new LinuxDeviceCgroup { Allow = true, Type = "b", Major = 8, Access = "r" },
        ]);
        Assert.Equal("a", rules[0].Line);
        Assert.False(rules[0].Allow);
        Assert.Equal("c 10:200 rw", rules[1].Line);
        Assert.Equal("b 8:* r", rules[2].Line);
        Assert.Contains(rules.Skip(3), r => r.Allow && r.Line == "c 1:3 rwm");
        Assert.Contains(rules.Skip(3), r => r.Allow && r.Line == "c 136:* rwm");
        Assert.Empty(DeviceRules.From(null));
    }

    [Theory]
    [InlineData("x", "rwm", "linux.resources.devices[0].type")]
    [InlineData("c", "rwx", "linux.resources.devices[0].access")]
    [InlineData("c", "rr", "linux.resources.devices[0].access")]
    public void Bad_device_rules_name_the_field(string type, string access, string path)
    {
        var e = Assert.Throws<PlanningException>(() =>
            DeviceRules.From([new LinuxDeviceCgroup { Allow = true, Type = type, Access = access }]));
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void Cgroup_v2_gets_one_directory_and_a_device_program()
    {
        var host = new HostFacts(CgroupMode.Unified, [new CgroupHierarchy("/sys/fs/cgroup", "cgroup2", "", "/")], 0);
        var m = CgroupManagers.ForNew(host, null, "ct", new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] });
        Assert.IsType<OciRuntime.Cgroups.V2.CgroupV2Manager>(m);
        Assert.Equal("/sys/fs/cgroup/ct", Assert.Single(m.Directories).Value);
    }
}
