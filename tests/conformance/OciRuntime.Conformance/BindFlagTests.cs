using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// The flags a bind mount ends with, as runc gives them (its mounts_sshfs.bats, with a tmpfs as
/// the source): without options that set or clear a flag the bind keeps its source's flags; with
/// any, it gets exactly what they ask ("mount --bind -o"), but in a user namespace the flags the
/// kernel locked on the source (ro, nosuid, nodev, noexec, atime) are kept, and clearing one of
/// them explicitly fails with EPERM. Decisions §48.
/// </summary>
public sealed class BindFlagTests : ConformanceTest
{
    public BindFlagTests(ITestOutputHelper output) : base(output) { }

    private const ulong MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32, MS_NOSYMFOLLOW = 256,
        MS_NOATIME = 1024, MS_NODIRATIME = 2048;

    /// <summary>A tmpfs whose superblock has no flag, with the per-mount flags given (as runc's test
    /// sets them: a bind remount), holding a file.</summary>
    private string Source(ulong mountFlags)
    {
        string dir = Scope.NewDir("src");
        Scope.HostMount("tmpfs", dir, "tmpfs", 0, "size=1m,mode=755");
        File.WriteAllText(Path.Combine(dir, "file"), "x");
        if (mountFlags != 0)
            Native.Mount("", dir, null, Native.MS_BIND | MS_REMOUNT | mountFlags);
        return dir;
    }

    private string[] OptionsSeen(ulong sourceFlags, bool userns, params string[] options)
    {
        var b = NewBundle().Probe("mount", "/mnt");
        if (userns)
            UserNamespaceTests.MapContainerRootTo(b, UserNamespaceTests.HostBase);
        b.AddMount("/mnt", "bind", Source(sourceFlags), options);
        return Rt.Run(b).AssertOk().Probe.Get("options").Split(',');
    }

    [Fact]
    public void Bind_without_flag_options_keeps_every_flag_of_its_source()
    {
        var opts = OptionsSeen(Native.MS_RDONLY | MS_NOEXEC | MS_NOSYMFOLLOW | MS_NODIRATIME, false, "bind");
        Assert.Contains("ro", opts);
        Assert.Contains("noexec", opts);
        Assert.Contains("nosymfollow", opts);
        Assert.Contains("nodiratime", opts);
    }

    [Fact]
    public void Bind_ro_of_a_nosuid_nodev_noexec_source_is_ro_only_without_a_user_namespace()
    {
        var opts = OptionsSeen(MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME, false, "bind", "ro");
        Assert.Contains("ro", opts);
        Assert.DoesNotContain("nosuid", opts);
        Assert.DoesNotContain("nodev", opts);
        Assert.DoesNotContain("noexec", opts);
        Assert.Contains("noatime", opts); // no atime option: the atime setting is kept (as mount(8))
    }

    [Fact]
    public void Bind_with_clearing_options_clears_the_sources_flags_without_a_user_namespace()
    {
        var rw = OptionsSeen(Native.MS_RDONLY, false, "bind", "rw");
        Assert.Contains("rw", rw);
        Assert.DoesNotContain("ro", rw);

        var cleared = OptionsSeen(MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME, false, "bind", "dev", "suid", "exec");
        Assert.DoesNotContain("nosuid", cleared);
        Assert.DoesNotContain("nodev", cleared);
        Assert.DoesNotContain("noexec", cleared);
        Assert.Contains("noatime", cleared);
    }

    [Fact]
    public void Bind_ro_of_a_nosuid_nodev_noexec_source_keeps_them_in_a_user_namespace()
    {
        var opts = OptionsSeen(MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME, true, "bind", "ro");
        Assert.Contains("ro", opts);
        Assert.Contains("nosuid", opts);
        Assert.Contains("nodev", opts);
        Assert.Contains("noexec", opts);
        Assert.Contains("noatime", opts);
    }

    [Fact]
    public void In_a_user_namespace_locked_flags_stay_and_the_others_follow_the_options()
    {
        // "dev" clears a flag the source does not have: its locked ro, noexec, nodiratime stay,
        // nosymfollow (which the kernel never locks) goes.
        var dev = OptionsSeen(Native.MS_RDONLY | MS_NOEXEC | MS_NOSYMFOLLOW | MS_NODIRATIME, true, "bind", "dev");
        Assert.Contains("ro", dev);
        Assert.Contains("noexec", dev);
        Assert.Contains("nodiratime", dev);
        Assert.DoesNotContain("nosymfollow", dev);

        var implied = OptionsSeen(Native.MS_RDONLY, true, "bind", "nosuid", "nodev");
        Assert.Contains("ro", implied);
        Assert.Contains("nosuid", implied);
        Assert.Contains("nodev", implied);
    }

    [Fact]
    public void In_a_user_namespace_clearing_a_locked_flag_fails_with_EPERM()
    {
        foreach (var (flags, options) in new[]
                 {
                     (Native.MS_RDONLY, new[] { "bind", "rw" }),
                     (MS_NOSUID | MS_NODEV, new[] { "bind", "suid" }),
                     (MS_NODIRATIME, new[] { "bind", "strictatime" }),
                 })
        {
            var b = NewBundle().Probe("mount", "/mnt");
            UserNamespaceTests.MapContainerRootTo(b, UserNamespaceTests.HostBase);
            b.AddMount("/mnt", "bind", Source(flags), options);
            Rt.Run(b).AssertFailed().AssertStderrMentions("mounts[", "operation not permitted", "EPERM");
        }
    }

    /// <summary>
    /// runc's userns.bats "userns with 2 inaccessible mounts": bind sources below a 0700 directory
    /// of the host's root, which the container's mapped root may not search, still mount (runc
    /// opens them before the user namespace; here they are opened while the executor is still
    /// the runtime's uid, decisions §48).
    /// </summary>
    [Fact]
    public void In_a_user_namespace_bind_sources_only_the_hosts_root_can_reach_still_mount()
    {
        string secret = Scope.NewDir("secret");
        foreach (string d in new[] { "one", "two" })
        {
            Directory.CreateDirectory(Path.Combine(secret, d));
            File.WriteAllText(Path.Combine(secret, d, "file"), d);
        }
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var b = NewBundle().Probe("read", "/mnt/file", "/home/file");
        UserNamespaceTests.MapContainerRootTo(b, UserNamespaceTests.HostBase);
        b.AddMount("/mnt", "bind", Path.Combine(secret, "one"), "bind");
        b.AddMount("/home", "bind", Path.Combine(secret, "two"), "rbind", "ro");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("3", p.For("/mnt/file").Get("bytes"));
        Assert.Equal("3", p.For("/home/file").Get("bytes"));
    }
}
