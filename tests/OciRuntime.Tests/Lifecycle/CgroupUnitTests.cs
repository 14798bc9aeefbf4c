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

    [Fact]
    public void Bad_device_type_names_the_field()
    {
        var e = Assert.Throws<PlanningException>(() =>
            DeviceRules.From([new LinuxDeviceCgroup { Allow = true, Type = "x", Access = "rwm" }]));
        Assert.Equal("linux.resources.devices[0].type", e.Path);
    }

    [Theory]
    [InlineData("rwa", "rw")] // runc's own update.bats sends it; runc reads the set of r, w, m
    [InlineData("mrr", "rm")]
    [InlineData("rwx", "rw")]
    [InlineData("", "rwm")]
    public void Device_access_is_read_as_runc_reads_it(string access, string read)
    {
        var rules = DeviceRules.From([new LinuxDeviceCgroup { Allow = false, Type = "c", Major = 1, Minor = 11, Access = access }]);
        Assert.Equal("c 1:11 " + read, rules[0].Line);
        // Nothing of r, w, m: a rule about no access, left out.
        Assert.DoesNotContain(DeviceRules.From([new LinuxDeviceCgroup { Allow = false, Type = "c", Major = 1, Minor = 11, Access = "a" }]),
            r => r.Line.StartsWith("c 1:11", StringComparison.Ordinal));
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
