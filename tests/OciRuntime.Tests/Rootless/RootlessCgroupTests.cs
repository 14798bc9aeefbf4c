using OciRuntime.Plan;
using OciRuntime.Planning;
using OciRuntime.Rootless;
using OciRuntime.Spec;
using Xunit;
using static OciRuntime.Linux.MountFlags;
using static OciRuntime.Tests.Planning.PlannerFixture;

namespace OciRuntime.Tests.Rootless;

public class RootlessCgroupTests
{
    private static readonly HostFacts V2Host = new(CgroupMode.Unified,
        [new CgroupHierarchy("/sys/fs/cgroup", "cgroup2", "", "/user.slice/user-1000.slice/session-1.scope")], HostFacts.AllCapabilities);

    [Fact]
    public void Only_hierarchies_where_the_caller_may_create_the_cgroup_are_used()
    {
        var asked = new List<string>();
        var usable = RootlessCgroups.Usable(HybridHost, null, "c1", dir =>
        {
            asked.Add(dir);
            return dir.StartsWith("/sys/fs/cgroup/memory", StringComparison.Ordinal);
        });
        Assert.Equal(["/sys/fs/cgroup/memory"], usable.CgroupHierarchies.Select(h => h.MountPoint));
        // asked about the container's own directory below the runtime's cgroup in each hierarchy
        Assert.Contains("/sys/fs/cgroup/cpu/user.slice/c1", asked);
        Assert.Contains("/sys/fs/cgroup/unified/c1", asked);
        Assert.Equal(HybridHost.CgroupMode, usable.CgroupMode);
    }

    [Fact]
    public void Without_any_writable_hierarchy_and_without_limits_cgroups_are_skipped_without_error()
    {
        var none = RootlessCgroups.Usable(HybridHost, null, "c1", _ => false);
        Assert.Empty(none.CgroupHierarchies);
        RootlessCgroups.CheckLimits(HybridHost, none, null, "c1", null);
        RootlessCgroups.CheckLimits(HybridHost, none, null, "c1", new LinuxResources());
        // device rules alone are no limit that needs a cgroup here: rootless leaves them out
        RootlessCgroups.CheckLimits(HybridHost, none, null, "c1", new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] });
        var manager = RootlessCgroups.ForNew(none, null, "c1", new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] });
        Assert.Empty(manager.Directories);
    }

    [Fact]
    public void A_limit_without_a_writable_hierarchy_is_refused_naming_the_field()
    {
        var none = RootlessCgroups.Usable(HybridHost, null, "c1", _ => false);
        var e = Assert.Throws<PlanningException>(() => RootlessCgroups.CheckLimits(HybridHost, none, null, "c1",
            new LinuxResources { Memory = new LinuxMemory { Limit = 1 << 26 } }));
        Assert.Equal("linux.resources.memory.limit", e.Path);
        Assert.Contains("rootless", e.Message);
        Assert.Contains("/sys/fs/cgroup/memory/user.slice/c1", e.Message);

        var v2none = RootlessCgroups.Usable(V2Host, null, "c1", _ => false);
        e = Assert.Throws<PlanningException>(() => RootlessCgroups.CheckLimits(V2Host, v2none, null, "c1",
            new LinuxResources { Pids = new LinuxPids { Limit = 10 } }));
        Assert.Equal("linux.resources.pids.limit", e.Path);
    }

    [Fact]
    public void A_limit_in_a_delegated_hierarchy_is_kept()
    {
        var memoryOnly = RootlessCgroups.Usable(HybridHost, null, "c1", d => d.StartsWith("/sys/fs/cgroup/memory", StringComparison.Ordinal));
        RootlessCgroups.CheckLimits(HybridHost, memoryOnly, null, "c1", new LinuxResources { Memory = new LinuxMemory { Limit = 1 << 26 } });
        var manager = RootlessCgroups.ForNew(memoryOnly, null, "c1", new LinuxResources { Memory = new LinuxMemory { Limit = 1 << 26 } });
        Assert.Equal(["/sys/fs/cgroup/memory"], manager.Directories.Keys);

        var v2 = RootlessCgroups.Usable(V2Host, null, "c1", _ => true);
        RootlessCgroups.CheckLimits(V2Host, v2, null, "c1", new LinuxResources { Pids = new LinuxPids { Limit = 10 } });
    }

    [Fact]
    public void Without_a_cgroup_namespace_a_skipped_hierarchy_binds_the_runtimes_own_cgroup()
    {
        string json = Minimal.Replace("\"root\"", "\"mounts\": [{ \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\" }], \"root\"");
        var plan = Planner.PlanInit(new PlanRequest("ct1", Parse(json), "/b", "/b/rootfs", "/f", false, 0, HybridHost,
            CgroupsNotCreated: ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/unified"]));
        var binds = plan.StepsOf<MountStep>().Where(m => m.Origin == "mounts[0]" && m.FsType == "").Select(m => m.Source).ToList();
        Assert.Equal(["/sys/fs/cgroup/cpu/user.slice", "/sys/fs/cgroup/memory/user.slice/ct1",
            "/sys/fs/cgroup/systemd/user.slice/session-1.scope/ct1", "/sys/fs/cgroup/unified"], binds);
    }

    [Fact]
    public void On_cgroup_v2_in_a_user_namespace_the_cgroup_mount_is_a_bind_of_the_containers_cgroup()
    {
        const string mounts = """
            "mounts": [{ "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "ro"] }], "root"
            """;
        const string userNs = """
            { "type": "mount" }, { "type": "user" }, { "type": "cgroup" } ],
              "uidMappings": [ { "containerID": 0, "hostID": 1000, "size": 1 } ],
              "gidMappings": [ { "containerID": 0, "hostID": 1000, "size": 1 } ]
            """;
        string json = Minimal.Replace("\"root\"", mounts.Trim()).Replace("""{ "type": "mount" } ]""", userNs);
        MountStep Mount(IReadOnlyCollection<string>? notCreated) =>
            Planner.PlanInit(new PlanRequest("ct1", Parse(json), "/b", "/b/rootfs", "/f", false, 0, V2Host, CgroupsNotCreated: notCreated))
                .StepsOf<MountStep>().Single(m => m.Origin == "mounts[0]");

        var created = Mount(null);
        Assert.Equal("/sys/fs/cgroup/user.slice/user-1000.slice/session-1.scope/ct1", created.Source);
        Assert.Equal("", created.FsType);
        Assert.Equal(MS_BIND | MS_NOSUID | MS_RDONLY, created.Flags);
        Assert.Equal(MountOpts.TargetInRoot | MountOpts.Mkdir | MountOpts.Remount, created.Opts);
        // not delegated: the container stays in the runtime's cgroup, which is what it sees
        Assert.Equal("/sys/fs/cgroup/user.slice/user-1000.slice/session-1.scope", Mount(["/sys/fs/cgroup"]).Source);
        // without a user namespace: a cgroup2 mount in the container's cgroup namespace
        var plain = Planner.PlanInit(new PlanRequest("ct1", Parse(Minimal.Replace("\"root\"", mounts.Trim())), "/b", "/b/rootfs", "/f", false, 0, V2Host))
            .StepsOf<MountStep>().Single(m => m.Origin == "mounts[0]");
        Assert.Equal("cgroup2", plain.FsType);
    }

    [Fact]
    public void Device_rules_are_kept_only_when_the_hosts_root_asks_for_rootless_cgroups()
    {
        Assert.True(RootlessCgroups.KeepsDeviceRules(new RootlessMode(0, 0, false, true)));
        Assert.False(RootlessCgroups.KeepsDeviceRules(new RootlessMode(1000, 1000, false, true)));
        Assert.False(RootlessCgroups.KeepsDeviceRules(new RootlessMode(0, 0, true, true)));
    }
}
