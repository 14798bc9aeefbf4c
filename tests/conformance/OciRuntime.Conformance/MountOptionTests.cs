using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// The mount options runc accepts and managers send beyond mount(2)'s flags (issue 16): the
/// recursive ones of runtime-spec v1.3.0 ("rro", "rnosuid", ..., mount_setattr with AT_RECURSIVE),
/// "symfollow"/"nosymfollow", and "tmpcopyup" (Podman puts it on its tmpfs mounts).
/// </summary>
public sealed class MountOptionTests : ConformanceTest
{
    public MountOptionTests(ITestOutputHelper output) : base(output) { }

    /// <summary>A host directory with a tmpfs mounted at sub/ (flags as given), holding a file and a symlink to it.</summary>
    private string SourceWithSubmount(ulong subFlags = 0)
    {
        string src = Scope.NewDir("src");
        string sub = Path.Combine(src, "sub");
        Directory.CreateDirectory(sub);
        Scope.HostMount("tmpfs", sub, "tmpfs", 0, "size=1m,mode=755");
        File.WriteAllText(Path.Combine(sub, "file"), "x");
        File.CreateSymbolicLink(Path.Combine(sub, "link"), "file");
        if (subFlags != 0)
            Native.Mount("", sub, null, Native.MS_BIND | 32 /* MS_REMOUNT */ | subFlags);
        return src;
    }

    private static void Run(string cmd, params string[] args)
    {
        using var p = Process.Start(cmd, args)!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void Rro_makes_every_submount_readonly_where_ro_reaches_only_the_top()
    {
        string src = SourceWithSubmount();
        var b = NewBundle().Probe("write", "/a/x", "/a/sub/x", "/b/x", "/b/sub/x");
        b.AddMount("/a", "bind", src, "rbind", "ro");
        b.AddMount("/b", "bind", src, "rbind", "rro");
        var p = Rt.Run(b).Probe /* exits 1: some probes fail */;
        Assert.Equal("EROFS", p.For("/a/x").Get("error"));
        Assert.Equal("ok", p.For("/a/sub/x").Get("result")); // "ro" is not recursive
        Assert.Equal("EROFS", p.For("/b/x").Get("error"));
        Assert.Equal("EROFS", p.For("/b/sub/x").Get("error"));
        Assert.False(File.Exists(Path.Combine(src, "x")));
    }

    [Fact]
    public void Rrw_makes_a_readonly_submount_writable()
    {
        string src = SourceWithSubmount(Native.MS_RDONLY);
        var b = NewBundle().Probe("write", "/a/sub/x", "/b/sub/y");
        b.AddMount("/a", "bind", src, "rbind");
        b.AddMount("/b", "bind", src, "rbind", "rrw");
        var p = Rt.Run(b).Probe /* exits 1: some probes fail */;
        Assert.Equal("EROFS", p.For("/a/sub/x").Get("error"));
        Assert.Equal("ok", p.For("/b/sub/y").Get("result"));
        Assert.True(File.Exists(Path.Combine(src, "sub", "y")));
    }

    [Fact]
    public void Recursive_nosuid_nodev_noexec_noatime_nodiratime_reach_the_submount()
    {
        string src = SourceWithSubmount();
        var b = NewBundle().Probe("mount", "/b/sub");
        b.AddMount("/b", "bind", src, "rbind", "rnosuid", "rnodev", "rnoexec", "rnoatime", "rnodiratime");
        var opts = Rt.Run(b).AssertOk().Probe.Get("options").Split(',');
        Assert.Contains("nosuid", opts);
        Assert.Contains("nodev", opts);
        Assert.Contains("noexec", opts);
        Assert.Contains("noatime", opts);
        Assert.Contains("nodiratime", opts);
    }

    [Fact]
    public void Recursive_clearing_options_undo_flags_of_the_submount()
    {
        string src = SourceWithSubmount(2 /* MS_NOSUID */ | 4 /* MS_NODEV */ | 8 /* MS_NOEXEC */ | 1024 /* MS_NOATIME */);
        var b = NewBundle().Probe("mount", "/b/sub");
        b.AddMount("/b", "bind", src, "rbind", "rsuid", "rdev", "rexec", "ratime");
        var opts = Rt.Run(b).AssertOk().Probe.Get("options").Split(',');
        Assert.DoesNotContain("nosuid", opts);
        Assert.DoesNotContain("nodev", opts);
        Assert.DoesNotContain("noexec", opts);
        Assert.DoesNotContain("noatime", opts);
        Assert.Contains("relatime", opts); // "ratime" gives the kernel's default back
    }

    [Fact]
    public void Rnosymfollow_and_nosymfollow_stop_symlinks()
    {
        string src = SourceWithSubmount();
        var b = NewBundle();
        b.AddMount("/a", "bind", src, "rbind");
        b.AddMount("/b", "bind", src, "rbind", "rnosymfollow");
        b.AddMount("/c", "bind", Path.Combine(src, "sub"), "bind", "nosymfollow");
        b.AddMount("/d", "bind", src, "rbind", "rnosymfollow", "rsymfollow");
        // /c is sub itself, so its link is /c/link
        b.Probe("read", "/a/sub/link", "/b/sub/link", "/c/link", "/d/sub/link");
        var p = Rt.Run(b).Probe /* exits 1: some probes fail */;
        Assert.Equal("1", p.For("/a/sub/link").Get("bytes"));
        Assert.Equal("ELOOP", p.For("/b/sub/link").Get("error"));
        Assert.Equal("ELOOP", p.For("/c/link").Get("error"));
        Assert.Equal("1", p.For("/d/sub/link").Get("bytes"));
    }

    [Fact]
    public void Tmpcopyup_fills_the_new_tmpfs_with_the_directory_content()
    {
        var b = NewBundle();
        string dir = b.HostPath("/opt/data");
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.WriteAllText(Path.Combine(dir, "a"), "hello");
        File.SetUnixFileMode(Path.Combine(dir, "a"), (UnixFileMode)Convert.ToInt32("640", 8));
        Run("chown", "1000:1001", Path.Combine(dir, "a"));
        File.SetUnixFileMode(Path.Combine(dir, "sub"), (UnixFileMode)Convert.ToInt32("711", 8));
        File.WriteAllText(Path.Combine(dir, "sub", "b"), "world!");
        // an absolute symlink to a host-only path: copied as a link, never followed
        File.CreateSymbolicLink(Path.Combine(dir, "l"), "/etc/hostname-of-nowhere");
        Run("mkfifo", Path.Combine(dir, "fifo"));
        b.AddMount("/opt/data", "tmpfs", "tmpfs", "tmpcopyup", "mode=755", "size=1m");
        b.Args("sh", "-c", "/probe stat /opt/data/a /opt/data/sub /opt/data/fifo; /probe read /opt/data/sub/b; " +
                           "/probe readlink /opt/data/l; /probe mount /opt/data; /probe write /opt/data/new");
        var p = Rt.Run(b).AssertOk().Probe;
        var a = p.For("/opt/data/a");
        Assert.Equal(("file", "0640", "1000", "1001", "5"), (a.Get("type"), a.Get("mode"), a.Get("uid"), a.Get("gid"), a.Get("size")));
        var sub = p.For("/opt/data/sub");
        Assert.Equal(("dir", "0711"), (sub.Get("type"), sub.Get("mode")));
        Assert.Equal("fifo", p.For("/opt/data/fifo").Get("type"));
        Assert.Equal("6", p.For("/opt/data/sub/b").Get("bytes"));
        Assert.Equal("/etc/hostname-of-nowhere", p.Get("target"));
        Assert.Equal("tmpfs", p.Get("fstype"));
        Assert.Equal("ok", p.For("/opt/data/new").Get("result"));
        // the image's directory is untouched: the write went to the tmpfs
        Assert.False(File.Exists(Path.Combine(dir, "new")));
        Assert.Equal("hello", File.ReadAllText(Path.Combine(dir, "a")));
    }

    [Fact]
    public void Without_tmpcopyup_the_tmpfs_starts_empty()
    {
        var b = NewBundle().Probe("ls", "/opt/data");
        Directory.CreateDirectory(b.HostPath("/opt/data"));
        File.WriteAllText(b.HostPath("/opt/data/a"), "hello");
        b.AddMount("/opt/data", "tmpfs", "tmpfs", "size=1m");
        Assert.Equal("0", Rt.Run(b).AssertOk().Probe.Get("count"));
    }

    [Fact]
    public void Tmpcopyup_on_a_bind_mount_is_a_warning()
    {
        string src = Scope.NewDir("src");
        var b = NewBundle().Probe("id");
        b.AddMount("/mnt/x", "bind", src, "rbind", "tmpcopyup");
        Rt.Run(b).AssertOk();
        Assert.Contains(File.ReadLines(Rt.LogFile), l => l.Contains("\"level\":\"warning\"") && l.Contains("tmpcopyup"));
    }

    [Fact]
    public void Features_lists_the_recursive_options_and_tmpcopyup()
    {
        var r = Rt.Invoke("features").AssertOk();
        var doc = System.Text.Json.Nodes.JsonNode.Parse(r.Stdout)!;
        var opts = doc["mountOptions"]!.AsArray().Select(o => (string)o!).ToHashSet();
        foreach (string o in new[] { "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnoatime", "ratime",
                     "rrelatime", "rnorelatime", "rstrictatime", "rnostrictatime", "rnodiratime", "rdiratime",
                     "rnosymfollow", "rsymfollow", "symfollow", "nosymfollow", "tmpcopyup" })
            Assert.Contains(o, opts);
    }
}
