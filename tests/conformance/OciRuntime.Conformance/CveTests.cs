using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// The published escapes of runc, crun and youki, one named regression test each: each builds the
/// malicious bundle (or runs the racing helper) and proves the host untouched.
/// </summary>
public sealed class CveTests : ConformanceTest
{
    public CveTests(ITestOutputHelper output) : base(output) { }

    [DllImport("libc", SetLastError = true)] private static extern int open(string path, int flags, int mode);
    [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
    [DllImport("libc", SetLastError = true)] private static extern int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    private const int O_WRONLY = 1, O_TRUNC = 0x200, O_PATH = 0x200000, O_CLOEXEC = 0x80000, AT_FDCWD = -100;
    private const uint RENAME_EXCHANGE = 2;
    private const int EROFS = 30;

    private static void AssertEmptyAndUnmounted(string hostDir)
    {
        Assert.True(Directory.Exists(hostDir), "host dir vanished: " + hostDir);
        Assert.Empty(Directory.EnumerateFileSystemEntries(hostDir));
        Assert.Empty(MountInfo.ReadSelf().Under(hostDir));
    }

    [Fact]
    public void Cve_2019_5736_the_runtime_binary_cannot_be_reopened_for_writing_through_proc_exe()
    {
        // The attack: while the executor still runs the runtime binary (here: waiting for `start`),
        // take an O_PATH handle on /proc/<pid>/exe; after the exec, reopen it for writing and
        // replace the host's runtime. The test stands in for a process sharing the pid namespace
        // and works on a copy of the runtime, so a regression cannot damage the binary under test.
        string copy = Path.Combine(Scope.NewDir("bin"), "ociruntime");
        File.Copy(Rt.Binary, copy);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        byte[] original = File.ReadAllBytes(copy);
        Rt.Binary = copy;

        var b = NewBundle().Probe("exit", "0");
        string id = Rt.NewId();
        Rt.Create(b, id).AssertOk();
        int pid = Rt.Pid(id);
        int handle = open($"/proc/{pid}/exe", O_PATH | O_CLOEXEC, 0);
        Assert.True(handle >= 0, $"open /proc/{pid}/exe: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            Rt.StartContainer(id).AssertOk();
            Rt.WaitForStatus(id, "stopped");
            // O_TRUNC asks for mount write access first: EROFS is the read-only mount, whatever else runs the binary.
            int w = open($"/proc/self/fd/{handle}", O_WRONLY | O_TRUNC | O_CLOEXEC, 0);
            int errno = Marshal.GetLastPInvokeError();
            if (w >= 0)
                close(w);
            Assert.True(w < 0, "the runtime binary was reopened for writing through the executor's /proc/<pid>/exe");
            Assert.Equal(EROFS, errno);
        }
        finally
        {
            close(handle);
            Rt.Delete(id, force: true);
        }
        Assert.Equal(original, File.ReadAllBytes(copy));
    }

    [Fact]
    public void Cve_2019_16884_and_2023_27561_proc_writes_redirected_by_a_bind_mount_over_proc_are_refused()
    {
        // A mount over /proc/sys/kernel (a host dir with a fake shmmni): the sysctl write must not land in it.
        string fake = Scope.NewDir("fakeproc");
        File.WriteAllText(Path.Combine(fake, "shmmni"), "host-owned\n");
        var b = NewBundle().Probe("cat", "/proc/sys/kernel/shmmni");
        b.Linux["sysctl"] = new JsonObject { ["kernel.shmmni"] = "999" };
        b.AddMount("/proc/sys/kernel", "bind", fake, "rbind");
        string id = Rt.NewId();
        var r = Rt.Run(b, id);
        Assert.Equal("host-owned\n", File.ReadAllText(Path.Combine(fake, "shmmni")));
        Assert.Single(Directory.EnumerateFileSystemEntries(fake));
        Assert.False(r.Ok, "the sysctl write went through a non-procfs file");
        r.AssertStderrMentions("linux.sysctl");
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Cve_2019_19921_and_2025_52881_proc_as_a_symlink_in_the_image_stays_in_the_rootfs()
    {
        // The image's /proc is a symlink out of the rootfs: proc must be mounted inside the rootfs
        // and the procfs writes (sysctl) must reach a real procfs, never the host dir.
        string victim = Scope.NewDir("victim");
        var b = NewBundle().Probe("cat", "/proc/sys/kernel/shmmni");
        Directory.Delete(b.HostPath("/proc"));
        File.CreateSymbolicLink(b.HostPath("/proc"), string.Concat(Enumerable.Repeat("../", 20)) + victim.TrimStart('/'));
        b.Linux["sysctl"] = new JsonObject { ["kernel.shmmni"] = "1999" };
        var r = Rt.Run(b);
        AssertEmptyAndUnmounted(victim);
        if (r.Ok)
            Assert.Equal("1999\n", r.Stdout);
    }

    [Fact]
    public void Cve_2021_30465_symlink_exchange_in_a_mount_target_never_reaches_the_host()
    {
        // A racing helper swaps the mount destination between a directory and a symlink to a host
        // dir (renameat2 RENAME_EXCHANGE) while containers start.
        string victim = Scope.NewDir("victim");
        var b = NewBundle().Probe("exit", "0");
        Directory.CreateDirectory(b.HostPath("/mnt/target"));
        File.CreateSymbolicLink(b.HostPath("/mnt/evil"), victim);
        b.AddMount("/mnt/target", "tmpfs", "tmpfs", "size=1m");
        using var stop = new CancellationTokenSource();
        string a = b.HostPath("/mnt/target"), e = b.HostPath("/mnt/evil");
        long swaps = 0;
        var racer = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
                if (renameat2(AT_FDCWD, a, AT_FDCWD, e, RENAME_EXCHANGE) == 0)
                    swaps++;
        });
        racer.Start();
        try
        {
            for (int i = 0; i < 15; i++)
            {
                Rt.Run(b);
                AssertEmptyAndUnmounted(victim);
            }
        }
        finally
        {
            stop.Cancel();
            racer.Join();
        }
        Assert.True(swaps > 0, "the racing helper never swapped");
        AssertEmptyAndUnmounted(victim);
    }

    [Fact]
    public void Cve_2024_45310_missing_mount_targets_are_created_inside_the_rootfs_despite_a_racing_symlink()
    {
        // The runtime has to create /mnt/a/b/c; a helper keeps replacing /mnt/a with a symlink to a
        // host dir, so a path-string mkdir would create directories on the host.
        string victim = Scope.NewDir("victim");
        var b = NewBundle().Probe("exit", "0");
        b.AddMount("/mnt/a/b/c", "tmpfs", "tmpfs", "size=1m");
        string link = b.HostPath("/mnt/a"), tmpLink = b.HostPath("/mnt/a.link");
        Directory.CreateDirectory(b.HostPath("/mnt"));
        using var stop = new CancellationTokenSource();
        var racer = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (Directory.Exists(link) && !File.Exists(link) && new DirectoryInfo(link).LinkTarget == null)
                        Directory.Delete(link, recursive: false);
                    File.CreateSymbolicLink(tmpLink, victim);
                    File.Move(tmpLink, link, overwrite: true);
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        });
        racer.Start();
        try
        {
            for (int i = 0; i < 15; i++)
            {
                Rt.Run(b);
                AssertEmptyAndUnmounted(victim);
            }
        }
        finally
        {
            stop.Cancel();
            racer.Join();
        }
        AssertEmptyAndUnmounted(victim);
    }

    [Fact]
    public void Cve_2023_25809_cgroupfs_is_not_writable_from_the_container()
    {
        var b = NewBundle().Probe("write", "/sys/fs/cgroup/x", "/sys/fs/cgroup/pids/x", "/sys/fs/cgroup/unified/x");
        var p = Rt.Run(b).Probe;
        foreach (string path in new[] { "/sys/fs/cgroup/x", "/sys/fs/cgroup/pids/x", "/sys/fs/cgroup/unified/x" })
        {
            Assert.False(p.For(path).Has("result"), "the container wrote " + path);
            Assert.Equal("EROFS", p.For(path).Get("error"));
        }
    }

    [Fact]
    public void Cve_2024_21626_a_leaked_directory_fd_as_cwd_does_not_reach_the_host()
    {
        // The runtime is started with fd 9 open on a host directory; the config's cwd is
        // /proc/self/fd/9. The container must not start there, and must not see fd 9.
        string victim = Scope.NewDir("victim");
        var b = NewBundle().Probe("cwd");
        b.Process["cwd"] = "/proc/self/fd/9";
        string id = Rt.NewId();
        var r = Rt.Run(new InvokeOptions { LeakFd = true, StdinFile = victim }, b, id);
        if (r.Ok)
        {
            string cwd = r.Probe.Get("cwd");
            Assert.StartsWith("/", cwd); // not "(unreachable)/..."
            Assert.NotEqual(victim, cwd);
        }
        else
            r.AssertStderrMentions("process.cwd");
        AssertEmptyAndUnmounted(victim);

        var b2 = NewBundle().Probe("fds");
        var fds = Rt.Run(new InvokeOptions { LeakFd = true, StdinFile = victim }, b2).Probe;
        Assert.Equal("0,1,2", fds.Get("fds"));
    }

    [Fact]
    public void Cve_2025_31133_masked_path_with_dev_null_swapped_for_a_symlink_is_refused()
    {
        // No /dev tmpfs: the image's own /dev/null is a symlink to a host file; masking must not
        // bind that file (or anything but the real 1:3 device) over the masked path.
        string victim = Scope.NewDir("victim");
        string hostFile = Path.Combine(victim, "core_pattern");
        File.WriteAllText(hostFile, "host\n");
        var b = NewBundle().Probe("stat", "/proc/timer_list");
        var dev = b.Mounts.First(m => (string?)m!["destination"] == "/dev");
        b.Mounts.Remove(dev);
        foreach (var m in b.Mounts.Where(m => ((string?)m!["destination"])!.StartsWith("/dev/")).ToList())
            b.Mounts.Remove(m);
        Directory.CreateDirectory(b.HostPath("/dev"));
        File.CreateSymbolicLink(b.HostPath("/dev/null"), hostFile);
        var r = Rt.Run(b);
        Assert.Equal("host\n", File.ReadAllText(hostFile));
        Assert.Empty(MountInfo.ReadSelf().Under(victim));
        if (r.Ok)
        {
            Assert.Equal("char", r.Probe.Get("type"));
            Assert.Equal("1:3", r.Probe.Get("rdev"));
        }
        else
            r.AssertStderrMentions("linux.maskedPaths", "linux.devices", "/dev/null");
    }

    [Fact]
    public void Cve_2025_52565_dev_console_symlink_in_the_image_is_not_followed()
    {
        // The terminal (which bind-mounts the pty over /dev/console) is another issue's work; what
        // holds already: a /dev/console symlink in the image to a host file is neither followed nor
        // written, with or without /dev from the image.
        string victim = Scope.NewDir("victim");
        string hostFile = Path.Combine(victim, "target");
        File.WriteAllText(hostFile, "host\n");
        var b = NewBundle().Probe("readlink", "/dev/console");
        Directory.CreateDirectory(b.HostPath("/dev"));
        File.CreateSymbolicLink(b.HostPath("/dev/console"), hostFile);
        Rt.Run(b);
        Assert.Equal("host\n", File.ReadAllText(hostFile));
        Assert.Empty(MountInfo.ReadSelf().Under(victim));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Cve_2026_41579_dev_as_a_symlink_in_the_image_stays_in_the_rootfs(bool absolute)
    {
        string victim = Scope.NewDir("victim");
        var b = NewBundle().Probe("stat", "/dev/null");
        if (Directory.Exists(b.HostPath("/dev")))
            Directory.Delete(b.HostPath("/dev"), recursive: true);
        File.CreateSymbolicLink(b.HostPath("/dev"), absolute ? victim : string.Concat(Enumerable.Repeat("../", 20)) + victim.TrimStart('/'));
        var r = Rt.Run(b);
        AssertEmptyAndUnmounted(victim);
        if (r.Ok)
            Assert.Equal("1:3", r.Probe.Get("rdev"));
    }

    [Fact]
    public void Masked_path_through_a_symlink_is_refused_and_leaves_nothing()
    {
        var b = NewBundle().Probe("exit", "0");
        File.WriteAllText(b.HostPath("/etc/secret"), "s\n");
        File.CreateSymbolicLink(b.HostPath("/etc/link"), "/etc/secret");
        b.Linux["maskedPaths"]!.AsArray().Add("/etc/link");
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed("create with a masked path through a symlink").AssertStderrMentions("linux.maskedPaths");
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Cve_2021_43784_the_plan_decoder_survives_the_fuzz_loop()
    {
        // The executor's plan decoder under ASan/UBSan, fed truncated, overflowing and random plans.
        string native = Path.Combine(TestEnv.RepoRoot, "src/OciRuntime.Native");
        string outDir = Scope.NewDir("native");
        var make = Process.Start(new ProcessStartInfo("make", ["-s", "-C", native, "OUT=" + outDir, outDir + "/tests/decode_test"])
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string makeErr = make.StandardError.ReadToEnd();
        make.WaitForExit();
        Assert.True(make.ExitCode == 0, "building decode_test failed: " + makeErr);
        var run = Process.Start(new ProcessStartInfo(outDir + "/tests/decode_test") { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string output = run.StandardOutput.ReadToEnd() + run.StandardError.ReadToEnd();
        run.WaitForExit();
        Assert.True(run.ExitCode == 0, output);
        Assert.Matches(@"[1-9]\d* passed, 0 failed", output);
    }
}
