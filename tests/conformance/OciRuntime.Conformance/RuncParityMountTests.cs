using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// Behaviours runc's own integration tests check (its mounts.bats and cpu_affinity.bats, issue 21):
/// mount order when a bind's source or destination is a host path inside the rootfs, mount
/// targets through a symlink that points to nothing yet, a read-only /dev with mounts under it,
/// and a container that does not inherit the caller's CPU affinity.
/// </summary>
public sealed class RuncParityMountTests : ConformanceTest
{
    public RuncParityMountTests(ITestOutputHelper output) : base(output) { }

    private static string StatId(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat", ["-L", "-c", "%d:%i", "--", path]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string s = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return s;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    // runc's two "container idmap source" cases: the source is cloned and id-mapped at its turn,
    // in the container's mount namespace (by the executor, or with a user namespace by the host
    // joining it), so it shows the mounts made before it (decisions §53).
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Binds_from_and_onto_host_paths_inside_the_rootfs_see_the_earlier_mounts_in_order(bool userns, bool idmap)
    {
        // runc's test_mount_order (plain, user namespace, and both with the container-sourced binds
        // id-mapped: its "container idmap source" cases): a tree of binds under /mnt (two of them through symlinked sources), then
        // binds whose source AND destination are written as host paths inside the rootfs: the
        // destination is that place in the container, the source is looked up when its turn
        // comes, so it shows the mounts made before it. With a user namespace the sources'
        // directory is closed to others (as runc's test makes it), so the mapped root cannot
        // reach them by path; with idmap the three container-sourced binds are id-mapped.
        // /final's owner (src/a is root's) shows whether the mount on it is id-mapped: on-disk 0 is
        // HostBase through it, which the container's user namespace maps back to 0.
        var b = NewBundle().Args("sh", "-c", "/bin/cat /final/x/y/z/z/x/y/z/x/file && /probe stat /final");
        if (userns)
            UserNamespaceTests.MapContainerRootTo(b, UserNamespaceTests.HostBase);
        string src = Scope.NewDir("bind-src");
        foreach (var sub in new[] { "a/x", "b/y", "c/z" })
        {
            Directory.CreateDirectory(Path.Combine(src, sub));
            File.WriteAllText(Path.Combine(src, sub, "file"), sub + "\n");
            string top = sub[..1];
            File.CreateSymbolicLink(Path.Combine(src, "sym-" + top), top);
        }
        Directory.CreateDirectory(b.HostPath("/mnt"));
        Directory.CreateDirectory(b.HostPath("/final"));
        string root = b.Rootfs;
        b.AddMount("/mnt", "bind", Path.Combine(src, "a"), "bind", "rprivate");
        b.AddMount("/mnt/x", "bind", Path.Combine(src, "sym-b"), "bind", "rprivate");
        b.AddMount("/mnt/x/y", "bind", Path.Combine(src, "c"), "bind", "rprivate");
        b.AddMount("/mnt/x/y/z", "bind", Path.Combine(src, "sym-a"), "bind", "rprivate");
        File.SetUnixFileMode(src, (UnixFileMode)Convert.ToInt32("750", 8)); // runc's chmod o-rwx
        foreach (var (target, source) in new[] { ("/mnt/x/y/z/x", "/mnt/x"), ("/mnt/x/y/z", "/mnt/x/y"), ("/final", "/mnt") })
        {
            b.AddMount(root + target, "bind", root + source, "rbind", "rprivate");
            if (idmap)
            {
                var m = b.Mounts[^1]!.AsObject();
                m["uidMappings"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
                    { ["containerID"] = 0, ["hostID"] = UserNamespaceTests.HostBase, ["size"] = 65536 });
                m["gidMappings"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
                    { ["containerID"] = 0, ["hostID"] = UserNamespaceTests.HostBase, ["size"] = 65536 });
            }
        }
        var r = Rt.Run(b).AssertOk();
        Assert.Equal("a/x", r.Stdout.Split('\n')[0].Trim());
        uint expected = (userns, idmap) switch
        {
            (false, false) => 0,
            (false, true) => UserNamespaceTests.HostBase,
            (true, false) => 65534, // host root, unmapped in the container's namespace
            (true, true) => 0,
        };
        Assert.Equal(expected.ToString(), r.Probe.Get("uid"));
        // Nothing was made below the rootfs under the host path's name.
        Assert.False(Directory.Exists(Path.Combine(root, root.TrimStart('/'))));
    }

    [Fact]
    public void A_bind_target_through_a_dangling_symlink_component_is_made_inside_the_rootfs()
    {
        // runc's "bind mount through a dangling symlink component": /etc/hosts -> /jump/baz/hosts,
        // /jump -> /tmp/foo/bar, and /tmp/foo missing: the file lands at /tmp/foo/bar/baz/hosts.
        var b = NewBundle().Args("/bin/stat", "-c", "%d:%i", "/tmp/foo/bar/baz/hosts");
        Directory.CreateDirectory(b.HostPath("/etc"));
        Directory.CreateDirectory(b.HostPath("/tmp"));
        File.Delete(b.HostPath("/etc/hosts"));
        File.CreateSymbolicLink(b.HostPath("/jump"), "/tmp/foo/bar");
        File.CreateSymbolicLink(b.HostPath("/etc/hosts"), "/jump/baz/hosts");
        string source = Path.Combine(Scope.NewDir("src"), "hosts");
        File.WriteAllText(source, "127.0.0.1 here\n");
        b.AddMount("/etc/hosts", "bind", source, "bind");
        Assert.Equal(StatId(source), Rt.Run(b).AssertOk().Stdout.Trim());
        Assert.True(File.Exists(b.HostPath("/tmp/foo/bar/baz/hosts")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_bind_target_that_is_a_dangling_symlink_gets_its_target_made(bool directory)
    {
        // runc's "bind mount through a trailing dangling symlink", for a file and a directory.
        var b = NewBundle().Args("/bin/stat", "-c", "%d:%i", "/tmp/hosts");
        Directory.CreateDirectory(b.HostPath("/etc"));
        Directory.CreateDirectory(b.HostPath("/tmp"));
        File.Delete(b.HostPath("/etc/hosts"));
        File.CreateSymbolicLink(b.HostPath("/etc/hosts"), "/tmp/hosts");
        string source = Scope.NewDir("src");
        if (!directory)
        {
            source = Path.Combine(source, "hosts");
            File.WriteAllText(source, "x\n");
        }
        b.AddMount("/etc/hosts", "bind", source, "bind");
        Assert.Equal(StatId(source), Rt.Run(b).AssertOk().Stdout.Trim());
        Assert.Equal(directory, Directory.Exists(b.HostPath("/tmp/hosts")));
        Assert.Equal(!directory, File.Exists(b.HostPath("/tmp/hosts")));
    }

    [Fact]
    public void A_dangling_symlink_to_an_absolute_host_path_never_makes_anything_outside_the_rootfs()
    {
        // The symlink names a host directory that exists (the test's own): what is made for the
        // mount is made below the rootfs under that name, and the host's directory stays empty.
        string outside = Scope.NewDir("outside");
        var b = NewBundle().Args("/bin/stat", "-c", "%d:%i", outside + "/made/target");
        Directory.CreateDirectory(b.HostPath("/etc"));
        File.CreateSymbolicLink(b.HostPath("/etc/escape"), outside + "/made/target");
        File.CreateSymbolicLink(b.HostPath("/escape-dir"), outside + "/dir/sub");
        string source = Path.Combine(Scope.NewDir("src"), "file");
        File.WriteAllText(source, "x\n");
        b.AddMount("/etc/escape", "bind", source, "bind");
        b.AddMount("/escape-dir", "tmpfs", "tmpfs");
        var r = Rt.Run(b);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.Equal(StatId(source), r.AssertOk().Stdout.Trim());
        Assert.True(File.Exists(b.HostPath(outside + "/made/target")));
        Assert.True(Directory.Exists(b.HostPath(outside + "/dir/sub")));
    }

    [Fact]
    public void A_symlink_loop_on_the_way_to_a_mount_target_fails_naming_the_mount()
    {
        var b = NewBundle().Args("/bin/true");
        File.CreateSymbolicLink(b.HostPath("/loop-a"), "/loop-b/x");
        File.CreateSymbolicLink(b.HostPath("/loop-b"), "/loop-a/y");
        b.AddMount("/loop-a", "tmpfs", "tmpfs");
        Rt.Run(b).AssertFailed("a mount through a symlink loop").AssertStderrMentions("mounts[");
    }

    [Fact]
    public void A_read_only_dev_still_gets_its_devices_and_the_mounts_below_it()
    {
        // runc's "ro /dev mount": /dev and a tmpfs "ro" are mounted writable and made read-only
        // after pivot_root, so the device nodes, /dev/pts, /dev/shm and a new mount point
        // (/dev/extra) can be made below them first.
        var b = NewBundle().Args("/bin/sh", "-c",
            "grep -E '^tmpfs /(dev|real/conf/stack) ' /proc/mounts | cut -d' ' -f2,4 | cut -d, -f1; " +
            "test -c /dev/null && test -d /dev/pts && test -d /dev/extra/sub && echo nodes; " +
            "touch /dev/x 2>/dev/null || echo dev-ro; touch /conf/stack/y 2>/dev/null || echo stack-ro; " +
            "ls /conf/stack");
        foreach (var m in b.Mounts)
            if ((string?)m!["destination"] == "/dev")
                m["options"]!.AsArray().Add("ro");
        b.AddMount("/dev/extra/sub", "tmpfs", "tmpfs", "nodev");
        // a tmpfs "ro" with tmpcopyup, through an absolute symlink (runc's issue 2683)
        Directory.CreateDirectory(b.HostPath("/real/conf/stack"));
        File.WriteAllText(b.HostPath("/real/conf/stack/kept"), "k");
        File.CreateSymbolicLink(b.HostPath("/conf"), "/real/conf");
        b.AddMount("/conf/stack", "tmpfs", "tmpfs", "ro", "nodev", "nosuid", "tmpcopyup");
        var lines = Rt.Run(b).AssertOk().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["/dev ro", "/real/conf/stack ro", "nodes", "dev-ro", "stack-ro", "kept"], lines);
    }

    private static string AllowedCpus(string status) =>
        status.Split('\n').First(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)).Split(':')[1].Trim();

    [SkippableFact]
    public void The_container_does_not_inherit_the_callers_cpu_affinity_nor_does_exec()
    {
        // runc's cpu_affinity.bats "CPU affinity should reset" and "exec [default CPU affinity
        // should reset]": the runtime run under `taskset -c FIRST`, the container's processes get
        // every CPU the caller's cgroup allows (what this test process has).
        string mine = AllowedCpus(File.ReadAllText("/proc/self/status"));
        Skip.If(!mine.Contains('-') && !mine.Contains(','), $"one CPU allowed here ({mine}): nothing to reset");
        string first = mine.Split(',', '-')[0];
        string wrapper = Path.Combine(Scope.Dir, "taskset-runtime.sh");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec taskset -c {first} '{Rt.Binary}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)Convert.ToInt32("755", 8));
        Rt.Binary = wrapper;

        var b = NewBundle().Args("/bin/grep", "Cpus_allowed_list:", "/proc/self/status");
        Assert.Equal(mine, AllowedCpus(Rt.Run(b).AssertOk().Stdout));

        var d = Scope.NewBundle("detached").Args("/bin/sleep", "60");
        string id = Rt.NewId();
        Rt.CreateAndStart(d, id);
        Assert.Equal(mine, AllowedCpus(Rt.Invoke("exec", id, "/bin/grep", "Cpus_allowed_list:", "/proc/self/status")
            .AssertOk("exec").Stdout));
        Rt.Invoke("delete", "-f", id).AssertOk("delete -f");
    }
}
