using OciRuntime.Cgroups;
using OciRuntime.Cgroups.Systemd;
using OciRuntime.Planning;
using Xunit;

namespace OciRuntime.Tests.Cgroups;

/// <summary>
/// Controllers systemd does not manage (hugetlb in systemd 252) are enabled by the driver from the
/// root down to the unit's parent (the guest's F6: hugetlb.2MB.max missing in the scope). Checked
/// on a fake tree of plain files: which levels are written, what, and the error when one refuses.
/// </summary>
public sealed class SystemdControllerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("h19f-cg").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Levels_run_from_the_root_to_the_units_parent()
    {
        Assert.Equal(["/sys/fs/cgroup", "/sys/fs/cgroup/system.slice"],
            DelegatedControllers.Levels("/sys/fs/cgroup", "/sys/fs/cgroup/system.slice/x-y.scope"));
        Assert.Equal(["/sys/fs/cgroup", "/sys/fs/cgroup/a.slice", "/sys/fs/cgroup/a.slice/a-b.slice"],
            DelegatedControllers.Levels("/sys/fs/cgroup", "/sys/fs/cgroup/a.slice/a-b.slice/c.scope"));
    }

    [Fact]
    public void Each_needed_controller_once_with_its_first_field()
    {
        var needed = DelegatedControllers.Needed(
        [
            new("hugetlb", "hugetlb.2MB.max", "4194304", "linux.resources.hugepageLimits[0]"),
            new("hugetlb", "hugetlb.1GB.max", "0", "linux.resources.hugepageLimits[1]"),
            new("", "cgroup.freeze", "0", "x"),
            new("pids", "pids.max", "10", "linux.resources.pids.limit"),
        ]);
        Assert.Equal([("hugetlb", "linux.resources.hugepageLimits[0]"), ("pids", "linux.resources.pids.limit")], needed);
    }

    private string Level(string rel, string controllers, string subtree)
    {
        string d = Path.Combine(_root, rel);
        Directory.CreateDirectory(d);
        File.WriteAllText(Path.Combine(d, "cgroup.controllers"), controllers);
        File.WriteAllText(Path.Combine(d, "cgroup.subtree_control"), subtree);
        return d;
    }

    private static readonly CgroupWrite Huge = new("hugetlb", "hugetlb.2MB.max", "4194304", "linux.resources.hugepageLimits[0]");

    [Fact]
    public void A_controller_systemd_left_out_is_enabled_at_every_level_that_lacks_it()
    {
        Level("", "cpu memory pids hugetlb", "cpu memory pids");
        Level("system.slice", "cpu memory pids", "memory pids");
        string scope = Level("system.slice/x-y.scope", "memory pids", "");
        DelegatedControllers.Enable(_root, scope, [Huge, new("pids", "pids.max", "5", "f")], "x-y.scope");
        // A plain file takes the write at its start: "+hugetlb" is what the kernel would get.
        Assert.StartsWith("+hugetlb", File.ReadAllText(Path.Combine(_root, "cgroup.subtree_control")));
        Assert.StartsWith("+hugetlb", File.ReadAllText(Path.Combine(_root, "system.slice/cgroup.subtree_control")));
        Assert.Equal("", File.ReadAllText(Path.Combine(scope, "cgroup.subtree_control"))); // the unit itself: not touched
    }

    [Fact]
    public void Levels_that_enable_it_already_are_not_written()
    {
        Level("", "hugetlb", "hugetlb");
        Level("system.slice", "hugetlb", "hugetlb");
        string scope = Level("system.slice/x-y.scope", "hugetlb", "");
        DelegatedControllers.Enable(_root, scope, [Huge], "x-y.scope");
        Assert.Equal("hugetlb", File.ReadAllText(Path.Combine(_root, "cgroup.subtree_control")));
        Assert.Equal("hugetlb", File.ReadAllText(Path.Combine(_root, "system.slice/cgroup.subtree_control")));
    }

    [Fact]
    public void A_controller_the_host_lacks_is_left_to_the_file_write()
    {
        Level("", "cpu memory", "cpu memory");
        Level("system.slice", "cpu memory", "cpu");
        string scope = Level("system.slice/x-y.scope", "cpu", "");
        DelegatedControllers.Enable(_root, scope, [Huge], "x-y.scope");
        Assert.Equal("cpu", File.ReadAllText(Path.Combine(_root, "system.slice/cgroup.subtree_control")));
    }

    [Fact]
    public void A_level_that_refuses_is_named_with_the_field_and_controller()
    {
        Level("", "hugetlb", "hugetlb");
        string slice = Path.Combine(_root, "system.slice");
        Directory.CreateDirectory(Path.Combine(slice, "cgroup.subtree_control")); // open(O_WRONLY) fails: EISDIR
        File.WriteAllText(Path.Combine(slice, "cgroup.controllers"), "hugetlb");
        string scope = Level("system.slice/x-y.scope", "", "");
        var e = Assert.Throws<PlanningException>(() => DelegatedControllers.Enable(_root, scope, [Huge], "x-y.scope"));
        Assert.Equal("linux.resources.hugepageLimits[0]", e.Path);
        Assert.Contains($"the hugetlb controller could not be enabled in {slice}/cgroup.subtree_control", e.Message);
        Assert.Contains("unit x-y.scope", e.Message);
        Assert.DoesNotContain("not supported by this host", e.Message);
    }
}
