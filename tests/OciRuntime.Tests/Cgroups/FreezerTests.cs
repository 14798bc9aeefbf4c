using OciRuntime.Cgroups.V2;
using Xunit;

namespace OciRuntime.Tests.Cgroups;

/// <summary>cgroup v2 freeze/thaw of a container's cgroup (CgroupV2Manager.Freeze, which the
/// systemd driver uses too), on directories standing in for the cgroup.</summary>
public sealed class FreezerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ocifreeze-" + Guid.NewGuid().ToString("N"));

    public FreezerTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>`delete --force` of a paused container under the systemd driver: the init is
    /// SIGKILLed, systemd sees the scope empty and removes its cgroup, and the thaw that follows
    /// the kill finds no cgroup.freeze. That thaw is done (nothing is left to run), not an error
    /// that fails `delete` (the race seen once in tests/systemd's conformance phase).</summary>
    [Fact]
    public void A_thaw_of_a_cgroup_that_is_gone_is_done()
    {
        var m = new CgroupV2Manager(_root, Path.Combine(_root, "ocitest-gone.scope"), [], null);
        m.Freeze(false);
    }

    /// <summary>A freeze of a cgroup that is not there stays an error naming the file.</summary>
    [Fact]
    public void A_freeze_of_a_cgroup_that_is_gone_is_an_error_naming_the_file()
    {
        string dir = Path.Combine(_root, "ocitest-gone.scope");
        var e = Assert.Throws<RuntimeError>(() => new CgroupV2Manager(_root, dir, [], null).Freeze(true));
        Assert.Contains(dir + "/cgroup.freeze", e.Message);
        Assert.Contains("No such file or directory", e.Message);
    }

    /// <summary>The ordinary thaw: "0" written, then cgroup.events' "frozen 0" awaited.</summary>
    [Fact]
    public void A_thaw_writes_cgroup_freeze_and_reads_the_frozen_state()
    {
        string dir = Path.Combine(_root, "ocitest-here.scope");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "cgroup.freeze"), "1");
        File.WriteAllText(Path.Combine(dir, "cgroup.events"), "populated 1\nfrozen 0\n");
        var m = new CgroupV2Manager(_root, dir, [], null);
        m.Freeze(false);
        Assert.Equal("0", File.ReadAllText(Path.Combine(dir, "cgroup.freeze")).Trim());
        Assert.False(m.IsFrozen());
    }
}
