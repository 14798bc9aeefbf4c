using OciRuntime.Linux;
using OciRuntime.Plan;
using OciRuntime.Planning;
using Xunit;
using IdMap = OciRuntime.Spec.IdMap;
using static OciRuntime.Linux.MountFlags;
using static OciRuntime.Tests.Planning.PlannerFixture;

namespace OciRuntime.Tests.Planning;

public class UserNamespacePlannerTests
{
    private const string Maps = """
        "uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],
        "gidMappings": [ { "containerID": 0, "hostID": 200000, "size": 1000 }, { "containerID": 1000, "hostID": 300000, "size": 10 } ],
        """;

    private static string WithUserNs(string maps = Maps, string namespaces = """{ "type": "pid" }, { "type": "mount" }, { "type": "user" }""") =>
        Minimal.Replace("""
            "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] }
            """, $$"""
            "linux": { {{maps}} "namespaces": [ {{namespaces}} ] }
            """);

    private static PlanningException Refused(string json) => Assert.Throws<PlanningException>(() => PlanOf(json));

    [Fact]
    public void Bind_sources_are_opened_in_the_mount_namespace_before_the_executor_becomes_its_root()
    {
        string json = WithUserNs().Replace("\"root\"", """
            "mounts": [
                { "destination": "/a", "type": "bind", "source": "/srv/a", "options": ["rbind"] },
                { "destination": "/t", "type": "tmpfs", "source": "tmpfs" },
                { "destination": "/b", "source": "rel", "options": ["bind", "ro"] }
            ], "root"
            """);
        var plan = PlanOf(json);
        var open = plan.StepsOf<OpenSourcesStep>().Single();
        Assert.Equal(["/srv/a", "/b/rel"], open.Paths);
        int at = plan.Steps.ToList().IndexOf(open);
        Assert.IsType<SetUserStep>(plan.Steps[at + 1]); // right before SET_USER 0/0
        Assert.True(at > plan.Steps.ToList().FindIndex(s => s is UnshareStep u && (u.Flags & Namespaces.CLONE_NEWNS) != 0));
        var binds = plan.StepsOf<MountStep>().Where(m => m.Origin is "mounts[0]" or "mounts[2]").ToList();
        Assert.All(binds, m => Assert.True(m.Opts.HasFlag(MountOpts.SourceOpened)));

        // without a user namespace nothing is opened early
        var plain = PlanOf(Minimal.Replace("\"root\"", """
            "mounts": [ { "destination": "/a", "type": "bind", "source": "/srv/a", "options": ["rbind"] } ], "root"
            """));
        Assert.Empty(plain.StepsOf<OpenSourcesStep>());
        Assert.False(plain.StepsOf<MountStep>().Single(m => m.Origin == "mounts[0]").Opts.HasFlag(MountOpts.SourceOpened));
    }

    [Fact]
    public void New_user_namespace_is_unshared_alone_first_then_the_maps_then_root_then_the_rest()
    {
        var plan = PlanOf(WithUserNs());
        var s = plan.Steps.Skip(1).ToList();
        Assert.Equal(new CloseFdsStep(3, "--preserve-fds"), plan.Steps[0]);
        Assert.Equal(new OpenFifoStep("/run/oci/x/exec.fifo", "exec fifo"), s[0]);
        Assert.Equal(new UnshareStep(Namespaces.CLONE_NEWUSER, "linux.namespaces[2]"), s[1]);
        Assert.Equal(new SyncStep(SyncTag.WriteIdMaps, "linux.uidMappings"), s[2]);
        Assert.Equal(new UnshareStep(Namespaces.CLONE_NEWPID | Namespaces.CLONE_NEWNS, "linux.namespaces"), s[3]);
        Assert.Equal(new SyncStep(SyncTag.PlaceInCgroup, "linux.cgroupsPath"), s[4]);
        Assert.IsType<ForkStep>(s[5]);
        // Root of the namespace only after the other namespaces (see UserNamespacePlanner.BecomeRoot).
        Assert.Equal(new SetUserStep(0, 0, false, [], "linux.namespaces[2]"), s[6]);
        Assert.IsType<PropagateStep>(s[7]);
        Assert.Single(plan.StepsOf<OpenFifoStep>());
    }

    [Fact]
    public void Joined_user_namespace_is_joined_before_the_others_and_takes_no_maps()
    {
        var plan = PlanOf(WithUserNs("", """{ "type": "pid" }, { "type": "mount" }, { "type": "ipc", "path": "/proc/9/ns/ipc" }, { "type": "user", "path": "/proc/9/ns/user" }"""));
        var joins = plan.StepsOf<SetnsStep>();
        Assert.Equal(new[] { Namespaces.CLONE_NEWUSER, Namespaces.CLONE_NEWIPC }, joins.Select(j => j.NsType));
        Assert.DoesNotContain(plan.StepsOf<SyncStep>(), x => x.Tag == SyncTag.WriteIdMaps);
        Assert.True(plan.IndexOf<OpenFifoStep>() < plan.IndexOf<SetnsStep>());
        Assert.Equal(new SetUserStep(0, 0, false, [], "linux.namespaces[3]"), plan.StepsOf<SetUserStep>()[0]);
        Assert.Empty(plan.StepsOf<MknodStep>()); // not allowed in a joined user namespace either

        var e = Refused(WithUserNs(Maps, """{ "type": "mount" }, { "type": "user", "path": "/proc/9/ns/user" }"""));
        Assert.Equal("linux.uidMappings", e.Path);
        Assert.Contains("joining", e.Message);
    }

    [Fact]
    public void In_a_new_user_namespace_devices_are_bound_from_the_host_instead_of_mknod()
    {
        var plan = PlanOf(WithUserNs());
        Assert.Empty(plan.StepsOf<MknodStep>());
        var binds = plan.StepsOf<MountStep>().Where(m => m.Origin == "default devices").ToList();
        Assert.Equal(6, binds.Count);
        Assert.Contains(new MountStep("/dev/null", "/dev/null", "", "", MS_BIND, MountOpts.TargetInRoot | MountOpts.Mkfile, "default devices"), binds);

        var withDevice = PlanOf(WithUserNs().Replace("\"namespaces\"", """ "devices": [ { "path": "/dev/fuse", "type": "c", "major": 10, "minor": 229 } ], "namespaces" """));
        Assert.Contains(new MountStep("/dev/fuse", "/dev/fuse", "", "", MS_BIND, MountOpts.TargetInRoot | MountOpts.Mkfile, "linux.devices[0]"),
            withDevice.StepsOf<MountStep>());
    }

    [Fact]
    public void Sysfs_without_a_new_network_namespace_becomes_a_bind_of_the_hosts_sys()
    {
        string json = WithUserNs().Replace("\"linux\"", """ "mounts": [ { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "ro"] } ], "linux" """);
        var bind = PlanOf(json).StepsOf<MountStep>().Single(m => m.Origin == "mounts[0]");
        Assert.Equal(new MountStep("/sys", "/sys", "", "", MS_BIND | MS_REC | MS_NOSUID | MS_RDONLY,
            MountOpts.TargetInRoot | MountOpts.Mkdir | MountOpts.Remount | MountOpts.OrdinaryDir, "mounts[0]"), bind);

        var withNet = PlanOf(json.Replace("""{ "type": "user" }""", """{ "type": "user" }, { "type": "network" }"""));
        Assert.Equal("sysfs", withNet.StepsOf<MountStep>().Single(m => m.Origin == "mounts[0]").FsType);
    }

    [Fact]
    public void Without_a_user_namespace_devices_are_still_created()
    {
        Assert.Equal(6, PlanOf(Minimal).StepsOf<MknodStep>().Count);
    }

    [Theory]
    [InlineData("""{ "containerID": 0, "hostID": 1000, "size": 10 }, { "containerID": 5, "hostID": 5000, "size": 10 }""", "linux.uidMappings[1]", "containerID range overlaps linux.uidMappings[0]")]
    [InlineData("""{ "containerID": 0, "hostID": 1000, "size": 10 }, { "containerID": 100, "hostID": 1009, "size": 1 }""", "linux.uidMappings[1]", "hostID range overlaps linux.uidMappings[0]")]
    [InlineData("""{ "containerID": 4294967290, "hostID": 1000, "size": 10 }""", "linux.uidMappings[0]", "beyond the largest id")]
    [InlineData("""{ "containerID": 0, "hostID": 4294967295, "size": 1 }""", "linux.uidMappings[0]", "beyond the largest id")]
    [InlineData("""{ "containerID": 1, "hostID": 1000, "size": 10 }""", "linux.uidMappings", "must map the container's uid 0")]
    public void Bad_uid_mappings_are_refused_naming_the_entry(string ranges, string field, string message)
    {
        var e = Refused(WithUserNs(Maps.Replace("""{ "containerID": 0, "hostID": 100000, "size": 65536 }""", ranges)));
        Assert.Equal(field, e.Path);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Too_many_ranges_are_refused()
    {
        string many = string.Join(", ", Enumerable.Range(0, 341).Select(i => $$"""{ "containerID": {{i}}, "hostID": {{1000 + i}}, "size": 1 }"""));
        var e = Refused(WithUserNs(Maps.Replace("""{ "containerID": 0, "hostID": 100000, "size": 65536 }""", many)));
        Assert.Equal("linux.uidMappings", e.Path);
        Assert.Contains("at most 340", e.Message);
    }

    [Fact]
    public void Mappings_outside_the_runtimes_own_user_namespace_are_refused()
    {
        var own = IdMap.ParseProcMap("         0     100000      65536\n     65536     300000      10\n", "/proc/self/uid_map");
        var ok = IdMap.From([new() { ContainerId = 0, HostId = 60000, Size = 5546 }], "linux.uidMappings"); // 60000..65545 spans both
        ok.CheckWithin(own);
        var bad = IdMap.From([new() { ContainerId = 0, HostId = 0, Size = 1 }, new() { ContainerId = 1, HostId = 65000, Size = 1000 }], "linux.gidMappings");
        var e = Assert.Throws<PlanningException>(() => bad.CheckWithin(own));
        Assert.Equal("linux.gidMappings[1]", e.Path);
        Assert.Contains("not mapped in the runtime's own user namespace", e.Message);
    }

    [Fact]
    public void Maps_are_written_in_the_kernels_format()
    {
        var r = IdMap.From([new() { ContainerId = 0, HostId = 100000, Size = 1000 }, new() { ContainerId = 1000, HostId = 5, Size = 1 }], "f");
        Assert.Equal("0 100000 1000\n1000 5 1\n", r.ProcText);
        Assert.Equal(100999u, r.ToHost(999));
        Assert.Null(r.ToHost(1001));
    }
}
