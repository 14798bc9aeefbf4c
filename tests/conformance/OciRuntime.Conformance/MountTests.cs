using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>root (readonly, --no-pivot, rootfsPropagation) and the mounts of the default spec.</summary>
public sealed class RootfsTests : ConformanceTest
{
    public RootfsTests(ITestOutputHelper output) : base(output) { }

    [Fact]
    public void Readonly_root_refuses_writes_with_EROFS()
    {
        var b = NewBundle().Probe("write", "/newfile", "/tmp/newfile");
        var r = Rt.Run(b);
        Assert.Equal("EROFS", r.Probe.For("/newfile").Get("error"));
        Assert.Equal("EROFS", r.Probe.For("/tmp/newfile").Get("error"));
        Assert.False(File.Exists(b.HostPath("/newfile")));
    }

    [Fact]
    public void Writable_root_writes_reach_the_bundle_rootfs()
    {
        var b = NewBundle().Probe("write", "/newfile");
        b.Config["root"]!["readonly"] = false;
        Assert.Equal("ok", Rt.Run(b).AssertOk().Probe.Get("result"));
        Assert.Equal("probe\n", File.ReadAllText(b.HostPath("/newfile")));
    }

    [Fact]
    public void Root_mount_is_readonly_in_mountinfo()
    {
        var b = NewBundle().Probe("mount", "/");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Contains("ro", p.Get("options").Split(','));
    }

    [Fact]
    public void Root_path_can_be_absolute()
    {
        var b = NewBundle().Probe("cwd");
        b.Config["root"]!["path"] = b.Rootfs;
        Assert.Equal("/", Rt.Run(b).AssertOk().Probe.Get("cwd"));
    }

    [Fact]
    public void No_pivot_runs_the_container()
    {
        var b = NewBundle().Probe("mount", "/");
        var p = Rt.Run(b, null, "--no-pivot").AssertOk().Probe;
        Assert.Contains("ro", p.Get("options").Split(','));
        var b2 = NewBundle().Probe("stat", "/probe", "/bin/busybox");
        var p2 = Rt.Run(b2, null, "--no-pivot").AssertOk().Probe;
        Assert.Equal("file", p2.For("/bin/busybox").Get("type"));
    }

    [Fact]
    public void No_pivot_container_does_not_see_the_host_root()
    {
        var b = NewBundle().Probe("stat", Scope.Dir);
        var p = Rt.Run(b, null, "--no-pivot").Probe;
        Assert.Equal("ENOENT", p.Get("error"));
    }

    [Fact]
    public void Container_does_not_see_the_host_root()
    {
        var b = NewBundle().Probe("stat", Scope.Dir, "/etc/passwd");
        var p = Rt.Run(b).Probe;
        Assert.Equal("ENOENT", p.For(Scope.Dir).Get("error"));
        Assert.Equal("file", p.For("/etc/passwd").Get("type"));
    }

    [Theory]
    [InlineData("private")]
    [InlineData("rprivate")]
    public void RootfsPropagation_private_gives_a_private_root(string value)
    {
        var b = NewBundle().Probe("mount", "/");
        b.Linux["rootfsPropagation"] = value;
        Assert.Equal("private", Rt.Run(b).AssertOk().Probe.Get("propagation"));
    }

    [Theory]
    [InlineData("shared")]
    [InlineData("rshared")]
    [Trait(Traits.KnownFailure, "runc-1.1.5")]
    [Trait(Traits.Reason, "runc 1.1.5 makes the rootfs parent private before bind-mounting the rootfs, so a shared rootfsPropagation ends up private")]
    public void RootfsPropagation_shared_gives_a_shared_root(string value)
    {
        var b = NewBundle().Probe("mount", "/");
        b.Linux["rootfsPropagation"] = value;
        Assert.StartsWith("shared:", Rt.Run(b).AssertOk().Probe.Get("propagation"));
    }

    private string RootPropagationWithSharedHostSide(string value)
    {
        // slave of a private mount is just private: make the bundle dir a shared mount on the host first
        var b = NewBundle().Probe("mount", "/");
        Scope.HostMount(b.Dir, b.Dir, null, Native.MS_BIND);
        Native.Mount("none", b.Dir, null, Native.MS_SHARED);
        b.Linux["rootfsPropagation"] = value;
        return Rt.Run(b).AssertOk().Probe.Get("propagation");
    }

    [Fact]
    public void RootfsPropagation_rslave_gives_a_slave_root_when_the_host_side_is_shared()
    {
        string prop = RootPropagationWithSharedHostSide("rslave");
        Assert.Contains("master:", prop);
        Assert.DoesNotContain("shared:", prop);
    }

    [Fact]
    [Trait(Traits.KnownFailure, "runc-1.1.5")]
    [Trait(Traits.Reason, "runc 1.1.5 applies a non-recursive rootfsPropagation to the host-side / only, so the container's / ends up private")]
    public void RootfsPropagation_slave_gives_a_slave_root_when_the_host_side_is_shared()
    {
        string prop = RootPropagationWithSharedHostSide("slave");
        Assert.Contains("master:", prop);
        Assert.DoesNotContain("shared:", prop);
    }
}

/// <summary>mounts[]: proc, sysfs, tmpfs, devpts, mqueue, cgroup, bind/rbind with options and propagation.</summary>
public sealed class MountTests : ConformanceTest
{
    public MountTests(ITestOutputHelper output) : base(output) { }

    private List<MountEntry> ContainerMounts(Bundle b)
    {
        b.Probe("mountinfo");
        return MountInfo.Parse(Rt.Run(b).AssertOk().Stdout);
    }

    [Fact]
    public void Default_spec_mounts_have_the_right_types()
    {
        var mounts = ContainerMounts(NewBundle());
        Assert.Equal("proc", mounts.At("/proc")?.FsType);
        Assert.Equal("tmpfs", mounts.At("/dev")?.FsType);
        Assert.Equal("devpts", mounts.At("/dev/pts")?.FsType);
        Assert.Equal("tmpfs", mounts.At("/dev/shm")?.FsType);
        Assert.Equal("mqueue", mounts.At("/dev/mqueue")?.FsType);
        Assert.Equal("sysfs", mounts.At("/sys")?.FsType);
    }

    [Fact]
    public void Sysfs_is_readonly()
    {
        var b = NewBundle().Probe("mount", "/sys");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("sysfs", p.Get("fstype"));
        var options = p.Get("options").Split(',');
        Assert.Contains("ro", options);
        Assert.Contains("nosuid", options);
        Assert.Contains("nodev", options);
        Assert.Contains("noexec", options);
    }

    [Fact]
    public void Sysfs_write_fails_with_EROFS()
    {
        var b = NewBundle().Probe("write", "/sys/kernel/uevent_helper");
        Assert.Equal("EROFS", Rt.Run(b).Probe.Get("error"));
    }

    [Fact]
    public void Tmpfs_options_are_applied()
    {
        var b = NewBundle();
        b.AddMount("/tmp/t1", "tmpfs", "tmpfs", "nosuid", "nodev", "noexec", "mode=1770", "size=2m", "uid=1000", "gid=1001");
        b.Probe("mount", "/tmp/t1");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("tmpfs", p.Get("fstype"));
        var opts = p.Get("options").Split(',');
        Assert.Contains("nosuid", opts);
        Assert.Contains("nodev", opts);
        Assert.Contains("noexec", opts);
        Assert.Contains("rw", opts);
        var super = p.Get("superoptions").Split(',');
        Assert.Contains("size=2048k", super);
        Assert.Contains("mode=1770", super);
        Assert.Contains("uid=1000", super);
        Assert.Contains("gid=1001", super);
    }

    [Fact]
    public void Tmpfs_mode_is_the_mode_of_the_mount_point()
    {
        var b = NewBundle();
        b.AddMount("/tmp/t2", "tmpfs", "tmpfs", "mode=0700");
        b.Probe("stat", "/tmp/t2");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("dir", p.Get("type"));
        Assert.Equal("0700", p.Get("mode"));
    }

    [Fact]
    public void Tmpfs_without_mode_keeps_an_existing_directorys_mode_and_a_new_one_gets_1777()
    {
        // runc (its mounts.bats "tmpfs mount mode= inherit" / "mode=1777 default") and crun: an
        // image's directory lends its mode to the tmpfs over it; mode= wins and leaves the
        // directory alone; a directory the runtime makes gets tmpfs' default.
        var b = NewBundle().Args("/bin/sh", "-c", "stat -c '%n %a' /inherit /explicit /made/a/b");
        foreach (var d in new[] { "inherit", "explicit" })
        {
            Directory.CreateDirectory(b.HostPath("/" + d));
            File.SetUnixFileMode(b.HostPath("/" + d), (UnixFileMode)Convert.ToInt32("710", 8));
        }
        b.AddMount("/inherit", "tmpfs", "tmpfs", "rw", "nodev", "nosuid");
        b.AddMount("/explicit", "tmpfs", "tmpfs", "nodev", "mode=1500");
        b.AddMount("/made/a/b", "tmpfs", "tmpfs", "nodev");
        var lines = Rt.Run(b).AssertOk().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["/inherit 710", "/explicit 1500", "/made/a/b 1777"], lines);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute,
            File.GetUnixFileMode(b.HostPath("/explicit")));
        Assert.Equal("755", Convert.ToString((int)File.GetUnixFileMode(b.HostPath("/made/a")), 8));
    }

    [Fact]
    public void Tmpfs_ro_option_makes_it_readonly()
    {
        var b = NewBundle();
        b.AddMount("/tmp/t3", "tmpfs", "tmpfs", "ro");
        b.Probe("write", "/tmp/t3/x");
        Assert.Equal("EROFS", Rt.Run(b).Probe.Get("error"));
    }

    [Fact]
    public void Devpts_is_a_new_instance_with_the_configured_options()
    {
        var b = NewBundle().Probe("mount", "/dev/pts");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("devpts", p.Get("fstype"));
        var super = p.Get("superoptions").Split(',');
        Assert.Contains("mode=620", super);
        Assert.Contains("ptmxmode=666", super);
        Assert.Contains("gid=5", super);
        var opts = p.Get("options").Split(',');
        Assert.Contains("nosuid", opts);
        Assert.Contains("noexec", opts);
        // a new instance: not the host's devpts superblock
        var host = MountInfo.ReadSelf().FirstOrDefault(m => m.FsType == "devpts");
        Assert.True(host != null, "the sandbox shows the host's devpts (/dev/pts)");
        Assert.NotEqual(host.MajorMinor, p.Get("line").Split(' ')[2]);
    }

    [Fact]
    public void Mqueue_is_mounted()
    {
        var b = NewBundle().Probe("mount", "/dev/mqueue");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("mqueue", p.Get("fstype"));
        var opts = p.Get("options").Split(',');
        Assert.Contains("nosuid", opts);
        Assert.Contains("nodev", opts);
        Assert.Contains("noexec", opts);
    }

    [Fact]
    public void Proc_is_mounted_for_the_container_pid_namespace()
    {
        var b = NewBundle().Probe("ls", "/proc");
        var entries = Rt.Run(b).AssertOk().Probe.Get("entries").Split(',');
        var pids = entries.Where(e => e.All(char.IsDigit)).ToList();
        Assert.Equal(new[] { "1" }, pids);
    }

    [Fact]
    public void Cgroup_mount_shows_the_v1_hierarchies_readonly()
    {
        var mounts = ContainerMounts(NewBundle());
        var hostV1 = HostState.CgroupHierarchies().Where(m => m.FsType == "cgroup")
            .Select(m => Path.GetFileName(m.MountPoint)).ToHashSet();
        Assert.NotEmpty(hostV1);
        var inside = mounts.Where(m => m.MountPoint.StartsWith("/sys/fs/cgroup/", StringComparison.Ordinal) && m.FsType == "cgroup").ToList();
        var names = inside.Select(m => Path.GetFileName(m.MountPoint)).ToHashSet();
        Assert.Superset(hostV1, names);
        Assert.All(inside, m => Assert.True(m.ReadOnly, "cgroup mount not read-only: " + m.Line));
    }

    [Fact]
    [Trait(Traits.KnownFailure, "runc-1.1.5")]
    [Trait(Traits.Reason, "runc 1.1 leaves the tmpfs at /sys/fs/cgroup writable on cgroup v1; only the hierarchies are read-only")]
    public void Cgroup_mount_ro_makes_sys_fs_cgroup_itself_readonly()
    {
        var mounts = ContainerMounts(NewBundle());
        var top = mounts.At("/sys/fs/cgroup");
        Assert.NotNull(top);
        Assert.True(top!.ReadOnly, "/sys/fs/cgroup not read-only: " + top.Line);
        var b = NewBundle().Probe("write", "/sys/fs/cgroup/newfile");
        Assert.Equal("EROFS", Rt.Run(b).Probe.Get("error"));
    }

    [Fact]
    public void Cgroup_hierarchy_write_fails()
    {
        var b = NewBundle().Probe("write", "/sys/fs/cgroup/pids/tasks", "/sys/fs/cgroup/memory/newfile");
        var p = Rt.Run(b).Probe;
        Assert.Equal("EROFS", p.For("/sys/fs/cgroup/pids/tasks").Get("error"));
        Assert.Equal("EROFS", p.For("/sys/fs/cgroup/memory/newfile").Get("error"));
    }

    private string HostDirWithFile()
    {
        string dir = Scope.NewDir("hostdir");
        File.WriteAllText(Path.Combine(dir, "hello.txt"), "hello\n");
        return dir;
    }

    [Fact]
    public void Bind_mount_shows_host_files_and_writes_through()
    {
        string dir = HostDirWithFile();
        var b = NewBundle().Probe("read", "/mnt/data/hello.txt");
        b.AddMount("/mnt/data", "bind", dir, "bind");
        Assert.Equal("6", Rt.Run(b).AssertOk().Probe.Get("bytes"));

        var b2 = NewBundle().Probe("write", "/mnt/data/written");
        b2.AddMount("/mnt/data", "bind", dir, "rbind", "rw");
        Rt.Run(b2).AssertOk();
        Assert.Equal("probe\n", File.ReadAllText(Path.Combine(dir, "written")));
    }

    [Fact]
    public void Bind_mount_with_type_none_and_bind_option()
    {
        string dir = HostDirWithFile();
        var b = NewBundle().Probe("read", "/mnt/data/hello.txt");
        b.AddMount("/mnt/data", "none", dir, "bind");
        Assert.Equal("6", Rt.Run(b).AssertOk().Probe.Get("bytes"));
    }

    [Fact]
    public void Bind_mount_ro_refuses_writes()
    {
        string dir = HostDirWithFile();
        var b = NewBundle().Probe("write", "/mnt/ro/x");
        b.AddMount("/mnt/ro", "bind", dir, "rbind", "ro");
        Assert.Equal("EROFS", Rt.Run(b).Probe.Get("error"));
        Assert.False(File.Exists(Path.Combine(dir, "x")));

        var b2 = NewBundle().Probe("mount", "/mnt/ro");
        b2.AddMount("/mnt/ro", "bind", dir, "rbind", "ro");
        Assert.Contains("ro", Rt.Run(b2).AssertOk().Probe.Get("options").Split(','));
    }

    [Fact]
    public void Bind_mount_nosuid_nodev_noexec_show_in_mountinfo()
    {
        string dir = HostDirWithFile();
        var b = NewBundle().Probe("mount", "/mnt/opts");
        b.AddMount("/mnt/opts", "bind", dir, "rbind", "nosuid", "nodev", "noexec");
        var opts = Rt.Run(b).AssertOk().Probe.Get("options").Split(',');
        Assert.Contains("nosuid", opts);
        Assert.Contains("nodev", opts);
        Assert.Contains("noexec", opts);
        Assert.Contains("rw", opts);
    }

    [Fact]
    public void Bind_mount_noexec_refuses_execution_with_EACCES()
    {
        string dir = Scope.NewDir("execdir");
        File.Copy(TestEnv.BusyboxPath, Path.Combine(dir, "busybox"));
        var b = NewBundle().Probe("exec", "/mnt/x/busybox", "true");
        b.AddMount("/mnt/x", "bind", dir, "rbind", "noexec");
        Assert.Equal("EACCES", Rt.Run(b).Probe.Get("error"));

        // the same binary runs from a mount without noexec
        var b2 = NewBundle().Probe("exec", "/mnt/x/busybox", "true");
        b2.AddMount("/mnt/x", "bind", dir, "rbind");
        Rt.Run(b2).AssertOk();
    }

    [Fact]
    public void Rbind_includes_submounts_and_bind_does_not()
    {
        string dir = HostDirWithFile();
        string sub = Path.Combine(dir, "sub");
        Directory.CreateDirectory(sub);
        Scope.HostMount("tmpfs", sub, "tmpfs", 0, "size=1m");
        File.WriteAllText(Path.Combine(sub, "in-submount"), "x");

        var b = NewBundle().Probe("ls", "/mnt/r/sub");
        b.AddMount("/mnt/r", "bind", dir, "rbind");
        Assert.Equal("in-submount", Rt.Run(b).AssertOk().Probe.Get("entries"));

        var b2 = NewBundle().Probe("ls", "/mnt/r/sub");
        b2.AddMount("/mnt/r", "bind", dir, "bind");
        Assert.Equal("0", Rt.Run(b2).AssertOk().Probe.Get("count"));
    }

    [Fact]
    public void Rbind_ro_makes_the_top_mount_readonly_and_keeps_submounts()
    {
        // Both runc and the kernel apply "ro" with a bind remount of the top mount only; what is
        // asserted here is that the top mount is read-only and the submount is visible.
        string dir = HostDirWithFile();
        string sub = Path.Combine(dir, "sub");
        Directory.CreateDirectory(sub);
        Scope.HostMount("tmpfs", sub, "tmpfs", 0, "size=1m");
        var b = NewBundle().Probe("mount", "/mnt/r", "/mnt/r/sub");
        b.AddMount("/mnt/r", "bind", dir, "rbind", "ro");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Contains("ro", p.For("/mnt/r").Get("options").Split(','));
        Assert.Equal("tmpfs", p.For("/mnt/r/sub").Get("fstype"));
    }

    [Fact]
    public void Bind_mount_propagation_rprivate()
    {
        string dir = HostDirWithFile();
        var b = NewBundle().Probe("mount", "/mnt/p");
        b.AddMount("/mnt/p", "bind", dir, "rbind", "rprivate");
        Assert.Equal("private", Rt.Run(b).AssertOk().Probe.Get("propagation"));
    }

    [Theory]
    [InlineData("shared")]
    [InlineData("rshared")]
    public void Bind_mount_propagation_shared(string option)
    {
        string dir = HostDirWithFile();
        var b = NewBundle().Probe("mount", "/mnt/p");
        b.AddMount("/mnt/p", "bind", dir, "rbind", option);
        Assert.StartsWith("shared:", Rt.Run(b).AssertOk().Probe.Get("propagation"));
    }

    [Theory]
    [InlineData("slave")]
    [InlineData("rslave")]
    public void Bind_mount_propagation_slave_of_a_shared_host_mount(string option)
    {
        string dir = HostDirWithFile();
        Scope.HostMount(dir, dir, null, Native.MS_BIND);
        Native.Mount("none", dir, null, Native.MS_SHARED);
        var b = NewBundle().Probe("mount", "/mnt/p");
        b.AddMount("/mnt/p", "bind", dir, "rbind", option);
        string prop = Rt.Run(b).AssertOk().Probe.Get("propagation");
        Assert.Contains("master:", prop);
        Assert.DoesNotContain("shared:", prop);
    }

    [Fact]
    public void Bind_mount_of_a_single_file()
    {
        string dir = Scope.NewDir("files");
        string file = Path.Combine(dir, "config.txt");
        File.WriteAllText(file, "file contents\n");
        var b = NewBundle().Probe("stat", "/etc/mounted.txt");
        b.AddMount("/etc/mounted.txt", "bind", file, "bind", "ro");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("file", p.Get("type"));
        Assert.Equal("14", p.Get("size"));

        var b2 = NewBundle().Probe("cat", "/etc/mounted.txt");
        b2.AddMount("/etc/mounted.txt", "bind", file, "bind", "ro");
        Assert.Equal("file contents\n", Rt.Run(b2).AssertOk().Stdout);
    }

    [Fact]
    public void Missing_mount_destination_is_created_inside_the_rootfs()
    {
        string dir = HostDirWithFile();
        var b = NewBundle().Probe("stat", "/new/deep/dir/hello.txt");
        b.AddMount("/new/deep/dir", "bind", dir, "rbind");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("file", p.Get("type"));
        Assert.True(Directory.Exists(b.HostPath("/new/deep/dir")), "destination not created in the rootfs");
    }

    [Fact]
    public void Missing_tmpfs_destination_is_created()
    {
        var b = NewBundle().Probe("mount", "/var/lib/newtmp");
        b.AddMount("/var/lib/newtmp", "tmpfs", "tmpfs");
        Assert.Equal("tmpfs", Rt.Run(b).AssertOk().Probe.Get("fstype"));
    }

    [Fact]
    public void Mounts_are_applied_in_order()
    {
        // a later mount on top of an earlier one hides it
        var b = NewBundle().Probe("mount", "/mnt/stack");
        b.AddMount("/mnt/stack", "tmpfs", "tmpfs", "size=1m");
        b.AddMount("/mnt/stack", "tmpfs", "tmpfs", "size=2m");
        Assert.Contains("size=2048k", Rt.Run(b).AssertOk().Probe.Get("superoptions").Split(','));
    }

    [Fact]
    public void Relative_bind_source_is_relative_to_the_bundle()
    {
        var b = NewBundle().Probe("read", "/mnt/rel/hello.txt");
        Directory.CreateDirectory(Path.Combine(b.Dir, "reldir"));
        File.WriteAllText(Path.Combine(b.Dir, "reldir", "hello.txt"), "hello\n");
        b.AddMount("/mnt/rel", "bind", "reldir", "rbind");
        Assert.Equal("6", Rt.Run(b).AssertOk().Probe.Get("bytes"));
    }
}

/// <summary>/dev: the default devices, its symlinks, and linux.devices.</summary>
public sealed class DeviceTests : ConformanceTest
{
    public DeviceTests(ITestOutputHelper output) : base(output) { }

    [Fact]
    public void Default_devices_are_char_devices_with_mode_0666()
    {
        string[] devs = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty" };
        string[] rdev = { "1:3", "1:5", "1:7", "1:8", "1:9", "5:0" };
        var b = NewBundle().Probe(["stat", .. devs]);
        var p = Rt.Run(b).AssertOk().Probe;
        for (int i = 0; i < devs.Length; i++)
        {
            var d = p.For(devs[i]);
            Assert.Equal("char", d.Get("type"));
            Assert.Equal(rdev[i], d.Get("rdev"));
            Assert.Equal("0666", d.Get("mode"));
        }
    }

    [Fact]
    public void Dev_null_is_usable()
    {
        var b = NewBundle().Probe("write", "/dev/null");
        Assert.Equal("ok", Rt.Run(b).AssertOk().Probe.Get("result"));
        var b2 = NewBundle().Probe("read", "/dev/null");
        Assert.Equal("0", Rt.Run(b2).AssertOk().Probe.Get("bytes"));
    }

    [Fact]
    public void Dev_symlinks_are_created()
    {
        var b = NewBundle().Probe("readlink", "/dev/ptmx", "/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("pts/ptmx", p.For("/dev/ptmx").Get("target"));
        Assert.Equal("/proc/self/fd", p.For("/dev/fd").Get("target"));
        Assert.Equal("/proc/self/fd/0", p.For("/dev/stdin").Get("target"));
        Assert.Equal("/proc/self/fd/1", p.For("/dev/stdout").Get("target"));
        Assert.Equal("/proc/self/fd/2", p.For("/dev/stderr").Get("target"));
    }

    [Fact]
    public void Dev_pts_ptmx_is_the_new_instance_multiplexer()
    {
        var b = NewBundle().Probe("stat", "/dev/pts/ptmx");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("char", p.Get("type"));
        Assert.Equal("5:2", p.Get("rdev"));
        Assert.Equal("0666", p.Get("mode"));
    }

    [Fact]
    public void Dev_shm_is_a_tmpfs_with_mode_1777()
    {
        var b = NewBundle().Probe("stat", "/dev/shm");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("dir", p.Get("type"));
        Assert.Equal("1777", p.Get("mode"));
    }

    [Fact]
    public void Linux_devices_creates_the_node_with_mode_uid_gid()
    {
        var b = NewBundle().Probe("stat", "/dev/mynull", "/dev/sub/myzero");
        b.Linux["devices"] = new JsonArray(
            new JsonObject
            {
                ["path"] = "/dev/mynull", ["type"] = "c", ["major"] = 1, ["minor"] = 3,
                ["fileMode"] = Convert.ToInt32("640", 8), ["uid"] = 1000, ["gid"] = 1001,
            },
            new JsonObject
            {
                ["path"] = "/dev/sub/myzero", ["type"] = "c", ["major"] = 1, ["minor"] = 5,
                ["fileMode"] = Convert.ToInt32("600", 8), ["uid"] = 0, ["gid"] = 0,
            });
        var p = Rt.Run(b).AssertOk().Probe;
        var d = p.For("/dev/mynull");
        Assert.Equal("char", d.Get("type"));
        Assert.Equal("1:3", d.Get("rdev"));
        Assert.Equal("0640", d.Get("mode"));
        Assert.Equal("1000", d.Get("uid"));
        Assert.Equal("1001", d.Get("gid"));
        var z = p.For("/dev/sub/myzero");
        Assert.Equal("1:5", z.Get("rdev"));
        Assert.Equal("0600", z.Get("mode"));
    }

    [Fact]
    public void Linux_devices_fifo_node()
    {
        var b = NewBundle().Probe("stat", "/dev/myfifo");
        b.Linux["devices"] = new JsonArray(new JsonObject
        {
            ["path"] = "/dev/myfifo", ["type"] = "p", ["fileMode"] = Convert.ToInt32("620", 8),
        });
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("fifo", p.Get("type"));
        Assert.Equal("0620", p.Get("mode"));
    }

    [Fact]
    public void Device_cgroup_denies_access_to_devices_not_allowed()
    {
        // The default spec denies all devices in the cgroup; the default devices stay usable, a
        // created node of another device is not.
        var b = NewBundle().Probe("read", "/dev/zero", "/dev/mymem");
        b.Linux["devices"] = new JsonArray(new JsonObject
        {
            ["path"] = "/dev/mymem", ["type"] = "c", ["major"] = 1, ["minor"] = 1, ["fileMode"] = Convert.ToInt32("600", 8),
        });
        var p = Rt.Run(b).Probe;
        Assert.False(p.For("/dev/zero").Has("error"), p.Text);
        Assert.Equal("EPERM", p.For("/dev/mymem").Get("error"));
    }

    [Fact]
    public void Device_rule_access_is_read_as_runc_reads_it()
    {
        // runc's update.bats sends access "rwa": runc reads the r, w and m in it, and so do we
        // (with a warning), rather than refusing the config.
        // 10:200 (tun) opens without a capability (or fails in its driver), so only the device
        // cgroup can answer EPERM for it.
        var b = NewBundle().Probe("read", "/dev/kmsg", "/dev/tunx");
        b.Linux["devices"] = new JsonArray(
            new JsonObject { ["path"] = "/dev/kmsg", ["type"] = "c", ["major"] = 1, ["minor"] = 11 },
            new JsonObject { ["path"] = "/dev/tunx", ["type"] = "c", ["major"] = 10, ["minor"] = 200 });
        b.Linux["resources"] = new JsonObject
        {
            ["devices"] = new JsonArray(
                new JsonObject { ["allow"] = false, ["access"] = "rwm" },
                new JsonObject { ["allow"] = true, ["type"] = "c", ["major"] = 10, ["minor"] = 200, ["access"] = "rwa" },
                new JsonObject { ["allow"] = false, ["type"] = "c", ["major"] = 1, ["minor"] = 11, ["access"] = "rwa" }),
        };
        var r = Rt.Run(b);
        var p = r.Probe;
        Assert.Equal("EPERM", p.For("/dev/kmsg").Get("error"));
        Assert.NotEqual("EPERM", p.For("/dev/tunx").Has("error") ? p.For("/dev/tunx").Get("error") : "none"); // r and w of "rwa"
        Assert.Contains("linux.resources.devices[1].access", File.ReadAllText(Rt.LogFile)); // the warning
    }
}
