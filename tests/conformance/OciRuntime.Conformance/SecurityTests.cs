using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// Escapes through symlinks in the rootfs (mount destinations must resolve inside the rootfs),
/// maskedPaths and readonlyPaths.
/// </summary>
public sealed class SecurityTests : ConformanceTest
{
    public SecurityTests(ITestOutputHelper output) : base(output) { }

    private static void AssertUntouched(string hostDir)
    {
        Assert.True(Directory.Exists(hostDir), "host dir vanished: " + hostDir);
        Assert.Empty(Directory.EnumerateFileSystemEntries(hostDir));
        Assert.Empty(MountInfo.ReadSelf().Under(hostDir));
    }

    [Fact]
    public void Mount_through_an_absolute_symlink_to_a_host_dir_stays_in_the_rootfs()
    {
        string hostDir = Scope.NewDir("victim");
        var b = NewBundle().Probe("mount", hostDir + "/x"); // where /evil/x is, seen from inside
        File.CreateSymbolicLink(b.HostPath("/evil"), hostDir);
        b.AddMount("/evil/x", "tmpfs", "tmpfs", "size=1m");
        AssertMadeInside(b, hostDir, hostDir);
    }

    /// <summary>
    /// The symlink is resolved as if the rootfs were "/", to <paramref name="inRoot"/>. What is
    /// missing there is made inside the rootfs (as runc, decisions §51; before, the mount was
    /// refused): the mount lands in the rootfs, and the host dir stays untouched, also when it
    /// runs again with everything in place.
    /// </summary>
    private void AssertMadeInside(Bundle b, string hostDir, string inRoot)
    {
        Assert.False(Directory.Exists(b.HostPath(inRoot)));
        for (int run = 0; run < 2; run++)
        {
            var r = Rt.Run(b);
            AssertUntouched(hostDir);
            r.AssertOk("a mount through a symlink to a path missing in the rootfs");
            if (r.Probe.Has("fstype"))
                Assert.Equal("tmpfs", r.Probe.Get("fstype"));
            Assert.True(Directory.Exists(b.HostPath(inRoot + "/x")) || Directory.Exists(b.HostPath(inRoot + "/sub/target")),
                "mount point not created inside the rootfs at " + inRoot);
        }
    }

    [Fact]
    public void Mount_through_a_relative_dotdot_symlink_stays_in_the_rootfs()
    {
        string hostDir = Scope.NewDir("victim");
        var b = NewBundle().Probe("mount", hostDir + "/x"); // where /evil/x is, seen from inside
        // enough ".." to climb out of any rootfs, then down to the host dir
        string target = string.Concat(Enumerable.Repeat("../", 20)) + hostDir.TrimStart('/');
        File.CreateSymbolicLink(b.HostPath("/evil"), target);
        b.AddMount("/evil/x", "tmpfs", "tmpfs", "size=1m");
        AssertMadeInside(b, hostDir, hostDir);
    }

    [Fact]
    public void Mount_through_a_symlink_to_slash_stays_in_the_rootfs()
    {
        string name = "oci-conformance-escape-" + Guid.NewGuid().ToString("N")[..8];
        var b = NewBundle().Probe("stat", "/evil/" + name);
        File.CreateSymbolicLink(b.HostPath("/evil"), "/");
        b.AddMount("/evil/" + name, "tmpfs", "tmpfs", "size=1m");
        try
        {
            var r = Rt.Run(b);
            Assert.False(Directory.Exists("/" + name), "the runtime created /" + name + " on the host");
            // "/" resolved in the root is the rootfs itself: the mount point is made there
            r.AssertOk("a mount through a symlink to /");
            Assert.True(Directory.Exists(b.HostPath("/" + name)), "mount point not created inside the rootfs");
        }
        finally
        {
            if (Directory.Exists("/" + name) && MountInfo.ReadSelf().At("/" + name) == null)
                Directory.Delete("/" + name);
        }
    }

    [Fact]
    public void Bind_mount_destination_through_a_symlinked_parent_stays_in_the_rootfs()
    {
        string hostDir = Scope.NewDir("victim");
        string src = Scope.NewDir("src");
        File.WriteAllText(Path.Combine(src, "payload"), "x");
        var b = NewBundle().Probe("ls", "/evil/sub/target");
        File.CreateSymbolicLink(b.HostPath("/evil"), hostDir);
        b.AddMount("/evil/sub/target", "bind", src, "rbind");
        AssertMadeInside(b, hostDir, hostDir);
        Assert.Equal("payload", Rt.Run(b).AssertOk().Probe.Get("entries"));
    }

    [Fact]
    public void Cwd_through_a_symlink_out_of_the_rootfs_stays_in_the_rootfs()
    {
        string hostDir = Scope.NewDir("victim");
        var b = NewBundle().Probe("cwd");
        File.CreateSymbolicLink(b.HostPath("/evil"), string.Concat(Enumerable.Repeat("../", 20)) + hostDir.TrimStart('/'));
        b.Process["cwd"] = "/evil/work";
        string id = Rt.NewId();
        // resolved in the root, /evil/work names <rootfs><hostDir>/work, which does not exist
        Rt.Run(b, id).AssertFailed("cwd through a symlink out of the rootfs").AssertStderrMentions("process.cwd");
        Scope.AssertNothingLeft([id]);
        AssertUntouched(hostDir);
    }

    [Fact]
    public void Masked_file_reads_as_empty()
    {
        // /proc/kcore does not exist on every kernel; /proc/timer_list and /proc/keys are masked by the default spec too
        string[] files = File.Exists("/proc/kcore")
            ? new[] { "/proc/kcore", "/proc/timer_list", "/proc/keys" }
            : new[] { "/proc/timer_list", "/proc/keys" };
        var b = NewBundle().Probe(["read", .. files]);
        var p = Rt.Run(b).AssertOk().Probe;
        foreach (string f in files)
            Assert.Equal("0", p.For(f).Get("bytes"));
    }

    [Fact]
    public void Masked_file_is_not_writable()
    {
        var b = NewBundle().Probe("write", "/proc/timer_list");
        var p = Rt.Run(b).AssertOk().Probe;
        // /dev/null bound over it swallows the write (the real file would refuse it)
        Assert.Equal("ok", p.Get("result"));
        var b2 = NewBundle().Probe("stat", "/proc/timer_list");
        var s = Rt.Run(b2).AssertOk().Probe;
        Assert.Equal("char", s.Get("type"));
        Assert.Equal("1:3", s.Get("rdev"));
    }

    [Fact]
    public void Masked_dir_is_an_empty_readonly_tmpfs()
    {
        var b = NewBundle().Probe("ls", "/proc/acpi", "/sys/firmware");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("0", p.For("/proc/acpi").Get("count"));
        Assert.Equal("0", p.For("/sys/firmware").Get("count"));

        var b2 = NewBundle().Probe("mount", "/proc/acpi");
        var m = Rt.Run(b2).AssertOk().Probe;
        Assert.Equal("tmpfs", m.Get("fstype"));
        Assert.Contains("ro", m.Get("options").Split(','));

        var b3 = NewBundle().Probe("write", "/proc/acpi/x");
        Assert.Equal("EROFS", Rt.Run(b3).Probe.Get("error"));
    }

    [Fact]
    public void Masked_directories_share_one_tmpfs_and_duplicates_are_fine()
    {
        // As runc (its mask.bats "directories share tmpfs"): one read-only tmpfs for all of them,
        // whatever the number of masked directories (and a path listed twice is masked once more).
        var b = NewBundle().Args("/bin/sh", "-c", "stat -c %d /d1 /d2 /d3 /proc/acpi | sort -u | wc -l; touch /d2/x");
        foreach (var d in new[] { "d1", "d2", "d3" })
            Directory.CreateDirectory(b.HostPath("/" + d));
        var masked = b.Linux["maskedPaths"]!.AsArray();
        foreach (var d in new[] { "/d1", "/d2", "/d3", "/d2" })
            masked.Add(d);
        var r = Rt.Run(b);
        Assert.Equal("1", r.Stdout.Trim());
        Assert.Contains("Read-only file system", r.Stderr);
    }

    [Theory]
    [InlineData("/proc")]
    [InlineData("/sys")]
    public void Proc_or_sys_that_is_a_symlink_in_the_image_is_refused(string dir)
    {
        // runc: "must be mounted on ordinary directory"; a proc or sysfs mounted through the
        // image's symlink would land where the masked and read-only paths do not look.
        var b = NewBundle().Args("/bin/true");
        Directory.Delete(b.HostPath(dir));
        Directory.CreateDirectory(b.HostPath("/elsewhere"));
        File.CreateSymbolicLink(b.HostPath(dir), "/elsewhere");
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed().AssertStderrMentions("ordinary directory");
        Rt.State(id).AssertFailed();
        Assert.Empty(Directory.GetFileSystemEntries(b.HostPath("/elsewhere")));
    }

    [Fact]
    public void Masked_path_that_does_not_exist_is_ignored()
    {
        var b = NewBundle().Probe("exit", "0");
        b.Linux["maskedPaths"]!.AsArray().Add("/proc/does-not-exist-" + Guid.NewGuid().ToString("N")[..6]);
        Rt.Run(b).AssertOk();
    }

    [Fact]
    public void Custom_masked_path_in_the_rootfs()
    {
        var b = NewBundle().Probe("read", "/etc/secret");
        File.WriteAllText(b.HostPath("/etc/secret"), "top secret\n");
        b.Linux["maskedPaths"]!.AsArray().Add("/etc/secret");
        Assert.Equal("0", Rt.Run(b).AssertOk().Probe.Get("bytes"));
    }

    [Fact]
    public void Readonly_path_proc_sys_refuses_writes()
    {
        var b = NewBundle().Probe("write", "/proc/sys/kernel/domainname");
        b.Config["root"]!["readonly"] = false;
        Assert.Equal("EROFS", Rt.Run(b).Probe.Get("error"));

        var b2 = NewBundle().Probe("mount", "/proc/sys");
        Assert.Contains("ro", Rt.Run(b2).AssertOk().Probe.Get("options").Split(','));
    }

    [Fact]
    public void Readonly_paths_of_the_default_spec_are_readonly_mounts()
    {
        var b = NewBundle().Probe("mount", "/proc/bus", "/proc/fs", "/proc/irq");
        var p = Rt.Run(b).AssertOk().Probe;
        foreach (string path in new[] { "/proc/bus", "/proc/fs", "/proc/irq" })
            Assert.Contains("ro", p.For(path).Get("options").Split(','));
    }

    [Fact]
    public void Custom_readonly_path_in_a_writable_rootfs()
    {
        var b = NewBundle().Probe("write", "/var/ro/x", "/var/rw");
        b.Config["root"]!["readonly"] = false;
        Directory.CreateDirectory(b.HostPath("/var/ro"));
        b.Linux["readonlyPaths"]!.AsArray().Add("/var/ro");
        var p = Rt.Run(b).Probe;
        Assert.Equal("EROFS", p.For("/var/ro/x").Get("error"));
        Assert.Equal("ok", p.For("/var/rw").Get("result"));
    }

    [Fact]
    public void Proc_sysrq_and_kernel_files_are_not_writable_by_default()
    {
        var b = NewBundle().Probe("write", "/proc/sys/vm/drop_caches");
        var p = Rt.Run(b).Probe;
        Assert.Equal("EROFS", p.Get("error"));
    }

    [Fact]
    public void Container_cannot_remount_with_the_default_capabilities()
    {
        var b = NewBundle().Args("/bin/mount", "-o", "remount,rw", "/");
        var r = Rt.Run(b);
        Assert.NotEqual(0, r.ExitCode);
    }

    [Fact]
    public void Container_process_cannot_see_the_runtime_binary_writable_through_proc_self_exe()
    {
        // CVE-2019-5736: /proc/self/exe of the container process is the container's program, not the runtime
        var b = NewBundle().Probe("readlink", "/proc/self/exe");
        Assert.Equal("/probe", Rt.Run(b).AssertOk().Probe.Get("target"));
    }
}
