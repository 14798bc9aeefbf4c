using OciRuntime.Cgroups.V1;
using OciRuntime.Planning;
using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Cgroups;

/// <summary>`update` on v1 against a fake hierarchy: plain files standing in for the kernel's.</summary>
public sealed class CgroupV1UpdateTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory().FullName;
    private readonly string _mem;
    private readonly CgroupV1Manager _manager;

    public CgroupV1UpdateTests()
    {
        _mem = Path.Combine(_root, "memory", "ct");
        Directory.CreateDirectory(_mem);
        File.WriteAllText(Path.Combine(_mem, "memory.limit_in_bytes"), "1000\n");
        File.WriteAllText(Path.Combine(_mem, "memory.memsw.limit_in_bytes"), "2000\n");
        File.WriteAllText(Path.Combine(_mem, "memory.usage_in_bytes"), "800\n");
        _manager = new CgroupV1Manager(new Dictionary<string, string> { [Path.Combine(_root, "memory")] = _mem }, [], []);
    }

    public void Dispose() => Directory.Delete(_root, true);

    private string Read(string f) => File.ReadAllText(Path.Combine(_mem, f)).Trim();

    [Fact]
    public void Update_writes_limit_and_swap()
    {
        _manager.Update(new LinuxResources { Memory = new LinuxMemory { Limit = 4000, Swap = 8000 } });
        Assert.Equal("4000", Read("memory.limit_in_bytes"));
        Assert.Equal("8000", Read("memory.memsw.limit_in_bytes"));
    }

    /// <summary>runc's update.bats "--memory -1": the memory+swap limit goes too, or the kernel
    /// refuses a memory limit above it.</summary>
    [Fact]
    public void Memory_minus_one_without_swap_lifts_swap_too()
    {
        _manager.Update(new LinuxResources { Memory = new LinuxMemory { Limit = -1 } });
        Assert.Equal("-1", Read("memory.limit_in_bytes"));
        Assert.Equal("-1", Read("memory.memsw.limit_in_bytes"));
    }

    [Fact]
    public void Check_before_update_refuses_a_limit_below_usage()
    {
        var e = Assert.Throws<PlanningException>(() =>
            _manager.Update(new LinuxResources { Memory = new LinuxMemory { Limit = 500, CheckBeforeUpdate = true } }));
        Assert.Equal("resources.memory.limit", e.Path);
        Assert.Equal("1000", Read("memory.limit_in_bytes"));
        _manager.Update(new LinuxResources { Memory = new LinuxMemory { Limit = 500 } });
        Assert.Equal("500", Read("memory.limit_in_bytes"));
    }

    [Fact]
    public void A_controller_without_hierarchy_is_named()
    {
        var e = Assert.Throws<PlanningException>(() => _manager.Update(new LinuxResources { Pids = new LinuxPids { Limit = 3 } }));
        Assert.Equal("resources.pids.limit", e.Path);
        Assert.Contains("no pids cgroup hierarchy", e.Message);
    }

    /// <summary>Device rules are not changed by update (as in runc; containerd's CRI plugin sends the
    /// container's own with every update): the limits are written, the devices files are not.</summary>
    [Fact]
    public void Device_rules_in_an_update_are_not_written()
    {
        string devices = Path.Combine(_root, "devices", "ct");
        Directory.CreateDirectory(devices);
        var manager = new CgroupV1Manager(new Dictionary<string, string>
        {
            [Path.Combine(_root, "memory")] = _mem,
            [Path.Combine(_root, "devices")] = devices,
        }, [], []);
        manager.Update(new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = true, Access = "rwm" }], Memory = new LinuxMemory { Limit = 3000 } });
        Assert.Equal("3000", Read("memory.limit_in_bytes"));
        Assert.Empty(Directory.GetFiles(devices));
    }
}
