using OciRuntime.Plan;
using OciRuntime.Planning;
using Xunit;
using static OciRuntime.Linux.MountFlags;
using static OciRuntime.Tests.Planning.PlannerFixture;

namespace OciRuntime.Tests.Planning;

public class MountPlannerTests
{
    private static ExecutionPlan WithMounts(string mounts, HostFacts? host = null, string extraNamespaces = "") =>
        PlanOf(Minimal.Replace("\"root\"", $"\"mounts\": [{mounts}], \"root\"")
            .Replace("""{ "type": "mount" }""", """{ "type": "mount" }""" + extraNamespaces), host: host);

    private static List<MountStep> ConfigMounts(ExecutionPlan p) =>
        p.StepsOf<MountStep>().Where(m => m.Origin.StartsWith("mounts[", StringComparison.Ordinal)).ToList();

    [Fact]
    public void Filesystem_mounts_split_options_into_flags_and_data()
    {
        var p = WithMounts("""{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] }""");
        Assert.Equal(new MountStep("tmpfs", "/dev", "tmpfs", "mode=755,size=65536k", MS_NOSUID | MS_STRICTATIME,
            MountOpts.TargetInRoot | MountOpts.Mkdir, "mounts[0]"), ConfigMounts(p).Single());
    }

    [Fact]
    public void A_read_only_tmpfs_or_dev_is_mounted_writable_and_made_read_only_after_pivot_root()
    {
        var p = WithMounts("""{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "nosuid"] }, """ +
                           """{ "destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["ro"] }, """ +
                           """{ "destination": "/s", "type": "sysfs", "source": "sysfs", "options": ["ro"] }""");
        var m = ConfigMounts(p);
        Assert.Equal(MS_NOSUID, m[0].Flags);
        Assert.Equal(0ul, m[1].Flags);
        Assert.Equal(MS_RDONLY, m[2].Flags); // other filesystems keep ro at once, as runc
        var late = p.StepsOf<RemountStep>().Where(r => r.Origin.StartsWith("mounts[", StringComparison.Ordinal)).ToList();
        Assert.Equal([new RemountStep("/dev", MS_RDONLY, MountOpts.TargetInRoot, "mounts[0].options"),
            new RemountStep("/t", MS_RDONLY, MountOpts.TargetInRoot, "mounts[1].options")], late);
        Assert.True(p.Steps.ToList().IndexOf(late[0]) > p.IndexOf<PivotRootStep>());
    }

    [Fact]
    public void A_destination_written_as_a_host_path_inside_the_rootfs_is_that_place_in_the_container()
    {
        var p = WithMounts("""{ "destination": "/b/rootfs/mnt/x", "type": "bind", "source": "/b/rootfs/mnt", "options": ["rbind"] }, """ +
                           """{ "destination": "/b/rootfsy/z", "type": "tmpfs", "source": "tmpfs" }, """ +
                           """{ "destination": "/b/./rootfs/../rootfs/w", "type": "tmpfs", "source": "tmpfs" }""");
        var m = ConfigMounts(p);
        Assert.Equal(("/b/rootfs/mnt", "/mnt/x"), (m[0].Source, m[0].Target));
        Assert.Equal("/b/rootfsy/z", m[1].Target); // a sibling of the rootfs is not inside it
        Assert.Equal("/w", m[2].Target);
    }

    [Theory]
    [InlineData("/b/rootfs", "/b/rootfs/a/b", "/a/b")]
    [InlineData("/b/rootfs/", "/b/rootfs", "/")]
    [InlineData("/b/rootfs", "/b/rootfs2/a", "/b/rootfs2/a")]
    [InlineData("/b/rootfs", "relative/a", "relative/a")]
    [InlineData("/", "/a", "/a")]
    public void StripRoot_is_lexical(string rootfs, string dest, string expected) =>
        Assert.Equal(expected, ContainerPath.StripRoot(dest, rootfs));

    [Fact]
    public void Later_options_override_earlier_ones()
    {
        var p = WithMounts("""{ "destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "rw", "nodev", "dev", "noexec"] }""");
        Assert.Equal(MS_NOEXEC, ConfigMounts(p).Single().Flags);
    }

    [Fact]
    public void Bind_mounts_bind_then_remount_with_the_flags_and_resolve_relative_sources_in_the_bundle()
    {
        var p = WithMounts("""{ "destination": "/data", "type": "bind", "source": "data", "options": ["rbind", "ro", "nosuid", "rprivate"] }""");
        Assert.Equal(new MountStep("/b/data", "/data", "", "", MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID,
            MountOpts.TargetInRoot | MountOpts.MkLikeSource | MountOpts.Remount | MountOpts.ExactFlags, "mounts[0]"), ConfigMounts(p).Single());
        var props = p.StepsOf<PropagateStep>().Where(s => s.Origin == "mounts[0].options").ToList();
        // right after the mount (its target is surely that mount then), and again after pivot_root
        // unless a later mount has covered the path
        Assert.Equal([new PropagateStep("/data", MS_PRIVATE | MS_REC, MountOpts.TargetInRoot, "mounts[0].options"),
            new PropagateStep("/data", MS_PRIVATE | MS_REC, MountOpts.TargetInRoot | MountOpts.IgnoreMissing, "mounts[0].options")], props);
        Assert.Equal(p.Steps.ToList().IndexOf(ConfigMounts(p).Single()) + 1, p.Steps.ToList().IndexOf(props[0]));
        var prop = props[1];
        // after pivot_root and after the root's own propagation, which must not override it
        Assert.True(p.Steps.ToList().IndexOf(prop) > p.Steps.ToList().FindLastIndex(s => s is PropagateStep { Origin: "linux.rootfsPropagation" }));
        Assert.True(p.Steps.ToList().IndexOf(prop) > p.IndexOf<PivotRootStep>());
    }

    [Fact]
    public void Bind_flags_are_remounted_exactly_with_the_cleared_ones_in_the_high_half_and_only_when_an_option_asks()
    {
        // runc: any option that sets or clears a flag remounts the bind with exactly its flags;
        // the cleared ones (the executor's EPERM fallback needs them) ride in bits 32-63.
        var p = WithMounts("""{ "destination": "/a", "type": "bind", "source": "/a", "options": ["bind", "rw", "nosuid", "dev", "nodev", "exec"] }""");
        var m = ConfigMounts(p).Single();
        Assert.Equal(MS_BIND | MS_NOSUID | MS_NODEV | ((MS_RDONLY | MS_NOEXEC) << 32), m.Flags);
        Assert.Equal(MountOpts.Remount | MountOpts.ExactFlags, m.Opts & (MountOpts.Remount | MountOpts.ExactFlags));

        // only a clearing option: still a remount, with no flag asked
        var rw = ConfigMounts(WithMounts("""{ "destination": "/a", "type": "bind", "source": "/a", "options": ["rbind", "rw"] }""")).Single();
        Assert.Equal(MS_BIND | MS_REC | (MS_RDONLY << 32), rw.Flags);
        Assert.True(rw.Opts.HasFlag(MountOpts.ExactFlags));

        // no flag option at all: the source's flags stay, no remount
        var plain = ConfigMounts(WithMounts("""{ "destination": "/a", "type": "bind", "source": "/a", "options": ["rbind", "rprivate"] }""")).Single();
        Assert.Equal(MS_BIND | MS_REC, plain.Flags);
        Assert.False(plain.Opts.HasFlag(MountOpts.Remount));
        Assert.False(plain.Opts.HasFlag(MountOpts.ExactFlags));
    }

    [Fact]
    public void Recursive_options_become_one_recursive_mount_setattr_after_the_mount()
    {
        var p = WithMounts("""{ "destination": "/data", "type": "bind", "source": "/data", "options": ["rbind", "rro", "rnosuid", "rnodev", "rdev", "rnoexec", "rexec", "rnosymfollow", "rnodiratime"] }""");
        var s = p.StepsOf<MountSetattrStep>().Single();
        Assert.Equal(new MountSetattrStep("/data", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_NODIRATIME,
            MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, MountOpts.TargetInRoot, "mounts[0].options"), s);
        int at = p.Steps.ToList().IndexOf(s);
        Assert.True(at > p.Steps.ToList().IndexOf(ConfigMounts(p).Single()) && at < p.IndexOf<PivotRootStep>());
        // the plain flags of the bind are not touched by them
        Assert.Equal(MS_BIND | MS_REC, ConfigMounts(p).Single().Flags);
    }

    [Theory]
    [InlineData("rnoatime", 0x10ul)]
    [InlineData("rstrictatime", 0x20ul)]
    [InlineData("rrelatime", 0ul)]
    [InlineData("ratime", 0ul)]          // back to the kernel's default, relatime
    [InlineData("rnorelatime", 0ul)]
    [InlineData("rnostrictatime", 0ul)]
    public void Recursive_atime_options_set_the_whole_atime_field(string option, ulong value)
    {
        var p = WithMounts($$"""{ "destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["rnoatime", "{{option}}"] }""");
        var s = p.StepsOf<MountSetattrStep>().Single();
        Assert.Equal((value, MOUNT_ATTR_ATIME), (s.AttrSet, s.AttrClr));
    }

    [Fact]
    public void Rrw_after_rro_clears_it_and_symfollow_clears_nosymfollow()
    {
        var p = WithMounts("""{ "destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["rro", "rrw", "nosymfollow", "symfollow"] }""");
        Assert.Equal((0ul, MOUNT_ATTR_RDONLY), (p.StepsOf<MountSetattrStep>().Single().AttrSet, p.StepsOf<MountSetattrStep>().Single().AttrClr));
        Assert.Equal(0ul, ConfigMounts(p).Single().Flags);
        Assert.Equal(MS_NOSYMFOLLOW, ConfigMounts(WithMounts("""{ "destination": "/x", "type": "tmpfs", "options": ["nosymfollow"] }""")).Single().Flags);
    }

    [Fact]
    public void A_tmpfs_without_mode_keeps_the_mode_of_the_directory_it_covers()
    {
        // runc and crun: "mode=<the existing directory's>" unless the options give one.
        var p = WithMounts(""" { "destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["nodev", "size=1m"] } """);
        Assert.Equal(MountOpts.TargetInRoot | MountOpts.Mkdir | MountOpts.InheritMode, ConfigMounts(p).Single().Opts);
        var q = WithMounts(""" { "destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["mode=1500"] } """);
        Assert.Equal(MountOpts.TargetInRoot | MountOpts.Mkdir, ConfigMounts(q).Single().Opts);
        var r = WithMounts(""" { "destination": "/x", "type": "mqueue", "source": "mqueue" } """);
        Assert.Equal(MountOpts.TargetInRoot | MountOpts.Mkdir, ConfigMounts(r).Single().Opts);
    }

    [Theory]
    [InlineData("proc", "/proc")]
    [InlineData("sysfs", "/sys")]
    public void Proc_and_sysfs_need_an_ordinary_directory(string type, string dest)
    {
        var p = WithMounts($$""" { "destination": "{{dest}}", "type": "{{type}}", "source": "{{type}}" } """);
        Assert.Equal(MountOpts.TargetInRoot | MountOpts.Mkdir | MountOpts.OrdinaryDir, ConfigMounts(p).Single().Opts);
    }

    [Fact]
    public void Tmpcopyup_copies_into_tmpfs_mounts_and_is_a_warning_elsewhere()
    {
        var p = WithMounts("""{ "destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "mode=755"] }""");
        var m = ConfigMounts(p).Single();
        Assert.Equal(MountOpts.TargetInRoot | MountOpts.Mkdir | MountOpts.Copyup, m.Opts);
        Assert.Equal("mode=755", m.Data);
        Assert.Empty(p.Warnings);
        var b = WithMounts("""{ "destination": "/y", "type": "bind", "source": "/y", "options": ["rbind", "tmpcopyup"] }""");
        Assert.DoesNotContain(MountOpts.Copyup, ConfigMounts(b).Select(s => s.Opts & MountOpts.Copyup));
        Assert.StartsWith("mounts[0].options[1]:", Assert.Single(b.Warnings));
    }

    [Fact]
    public void A_plain_bind_needs_no_remount()
    {
        var p = WithMounts("""{ "destination": "/etc/hosts", "source": "/etc/hosts", "options": ["bind"] }""");
        Assert.Equal(MountOpts.TargetInRoot | MountOpts.MkLikeSource, ConfigMounts(p).Single().Opts);
    }

    [Fact]
    public void Destinations_are_cleaned_lexically()
    {
        var p = WithMounts("""{ "destination": "/a/../b/./c//", "type": "tmpfs", "source": "tmpfs" }""");
        Assert.Equal("/b/c", ConfigMounts(p).Single().Target);
        Assert.Equal("/x", ConfigMounts(WithMounts("""{ "destination": "x", "type": "tmpfs" }""")).Single().Target);
    }

    [Theory]
    [InlineData("""{ "destination": "/", "type": "tmpfs" }""", "mounts[0].destination")]
    [InlineData("""{ "destination": "/a/../../etc", "type": "tmpfs" }""", "mounts[0].destination")]
    [InlineData("""{ "destination": "../x", "type": "tmpfs" }""", "mounts[0].destination")]
    [InlineData("""{ "destination": "/x", "options": ["bind"] }""", "mounts[0].source")]
    [InlineData("""{ "destination": "/x", "source": "x" }""", "mounts[0].type")]
    [InlineData("""{ "destination": "/x", "type": "tmpfs", "options": ["nosuid", "idmap"] }""", "mounts[0].options[1]")]
    public void Bad_mounts_name_the_field(string mount, string path)
    {
        var e = Assert.Throws<PlanningException>(() => WithMounts(mount));
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void Cgroup_on_a_v2_host_is_one_cgroup2_mount()
    {
        var host = new HostFacts(CgroupMode.Unified, [new CgroupHierarchy("/sys/fs/cgroup", "cgroup2", "", "/")], HostFacts.AllCapabilities);
        var p = WithMounts("""{ "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "ro"] }""", host);
        Assert.Equal(new MountStep("cgroup", "/sys/fs/cgroup", "cgroup2", "", MS_NOSUID | MS_RDONLY,
            MountOpts.TargetInRoot | MountOpts.Mkdir, "mounts[0]"), ConfigMounts(p).Single());
    }

    [Fact]
    public void Cgroup_on_a_v1_host_with_a_cgroup_namespace_mounts_each_hierarchy_in_a_tmpfs()
    {
        var p = WithMounts("""{ "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "nodev", "noexec", "ro"] }""",
            extraNamespaces: """, { "type": "cgroup" }""");
        var m = ConfigMounts(p);
        Assert.Equal(new MountStep("tmpfs", "/sys/fs/cgroup", "tmpfs", "mode=755", MS_NOSUID | MS_NODEV | MS_NOEXEC,
            MountOpts.TargetInRoot | MountOpts.Mkdir, "mounts[0]"), m[0]);
        Assert.Equal(new[] { "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified" },
            m.Skip(1).Select(s => s.Target));
        Assert.Equal(new[] { "cpu", "memory", "name=systemd", "" }, m.Skip(1).Select(s => s.Data));
        Assert.Equal("cgroup2", m[^1].FsType);
        Assert.All(m.Skip(1), s => Assert.Equal(MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, s.Flags));
        // The tmpfs itself becomes read-only once its directories exist.
        Assert.Equal(new RemountStep("/sys/fs/cgroup", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, MountOpts.TargetInRoot, "mounts[0]"),
            p.StepsOf<RemountStep>().Single());
    }

    [Fact]
    public void Cgroup_on_a_v1_host_without_a_cgroup_namespace_binds_our_own_cgroup_directories()
    {
        var p = WithMounts("""{ "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["ro"] }""");
        var binds = ConfigMounts(p).Skip(1).ToList();
        // The container's own cgroup: below the runtime's, named after the container id.
        Assert.Equal("/sys/fs/cgroup/cpu/user.slice/ct1", binds[0].Source);
        Assert.Equal("/sys/fs/cgroup/systemd/user.slice/session-1.scope/ct1", binds[2].Source);
        Assert.Equal("/sys/fs/cgroup/unified/ct1", binds[3].Source);
        Assert.All(binds, b => Assert.Equal(MS_BIND | MS_RDONLY, b.Flags));
        Assert.All(binds, b => Assert.True(b.Opts.HasFlag(MountOpts.Remount)));
    }

    [Fact]
    public void Comounted_controllers_get_a_symlink_per_name()
    {
        var host = new HostFacts(CgroupMode.Legacy, [new CgroupHierarchy("/sys/fs/cgroup/cpu,cpuacct", "cgroup", "cpu,cpuacct", "/")], HostFacts.AllCapabilities);
        var p = WithMounts("""{ "destination": "/sys/fs/cgroup", "type": "cgroup" }""", host);
        var links = p.StepsOf<SymlinkStep>().Where(s => s.Origin == "mounts[0]").ToList();
        Assert.Equal(new[] { "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpuacct" }, links.Select(l => l.Path));
        Assert.All(links, l => Assert.Equal("cpu,cpuacct", l.LinkContent));
    }

    [Fact]
    public void Devices_are_created_unless_dev_is_bind_mounted()
    {
        Assert.Equal(6, PlanOf(Minimal).StepsOf<MknodStep>().Count);
        var p = WithMounts("""{ "destination": "/dev", "type": "bind", "source": "/dev", "options": ["rbind"] }""");
        Assert.Empty(p.StepsOf<MknodStep>());
    }

    [Fact]
    public void Configured_devices_replace_defaults_of_the_same_path()
    {
        string json = Minimal.Replace("\"namespaces\"",
            """ "devices": [ { "path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 432, "uid": 7, "gid": 8 }, { "path": "/dev/sda", "type": "b", "major": 8, "minor": 0 } ], "namespaces" """);
        var nodes = PlanOf(json).StepsOf<MknodStep>();
        Assert.Equal(7, nodes.Count);
        Assert.Equal(new MknodStep("/dev/null", 0x2000 | 432, 1, 3, 7, 8, "linux.devices[0]"), nodes.Single(n => n.Path == "/dev/null"));
        Assert.Equal(new MknodStep("/dev/sda", 0x6000 | 0x1B6, 8, 0, 0, 0, "linux.devices[1]"), nodes.Single(n => n.Path == "/dev/sda"));
    }
}
