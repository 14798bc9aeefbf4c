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

    private const int O_WRONLY = 1, O_TRUNC = 0x200, O_PATH = 0x200000, O_CLOEXEC = 0x80000;
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
    public void Cve_2019_16884_a_procfs_write_redirected_by_a_bind_mount_over_proc_is_refused()
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
    public void Cve_2023_27561_proc_as_a_symlink_out_of_the_rootfs_is_refused()
    {
        // The image's /proc is a symlink out of the rootfs. Resolved in the root it names
        // <rootfs><victim>, which does not exist: proc (mounts[0]) is refused, nothing is mounted or
        // written anywhere else.
        string victim = Scope.NewDir("victim");
        var b = NewBundle().Probe("cat", "/proc/sys/kernel/shmmni");
        Directory.Delete(b.HostPath("/proc"));
        File.CreateSymbolicLink(b.HostPath("/proc"), string.Concat(Enumerable.Repeat("../", 20)) + victim.TrimStart('/'));
        b.Linux["sysctl"] = new JsonObject { ["kernel.shmmni"] = "1999" };
        Assert.Equal("/proc", (string?)b.Mounts[0]!["destination"]);
        string id = Rt.NewId();
        Rt.Run(b, id).AssertFailed("/proc as a symlink out of the rootfs").AssertStderrMentions("mounts[0]");
        Scope.AssertNothingLeft([id]);
        AssertEmptyAndUnmounted(victim);
    }

    [Fact]
    public void Cve_2023_27561_a_proc_symlink_swapped_during_start_never_redirects_a_procfs_write()
    {
        // runc's regression of CVE-2019-19921: the image's /proc is a symlink that a second container
        // sharing the volume (here: a thread on the host) keeps swapping between a real directory
        // (where proc gets mounted) and a directory of fake files, so that the runtime's writes to
        // /proc (here the sysctl kernel.shmmni) land in a regular file instead of procfs. Each start
        // either writes the real procfs or is refused naming linux.sysctl; the fake file never changes.
        // (maskedPaths/readonlyPaths are left out: they refuse any symlink on their way, so a start
        // would never reach the write.)
        const int runs = 30;
        var b = NewBundle().Probe("exit", "0");
        Directory.Delete(b.HostPath("/proc"));
        Directory.CreateDirectory(b.HostPath("/realproc"));
        string fake = b.HostPath("/fakeproc/sys/kernel/shmmni");
        Directory.CreateDirectory(Path.GetDirectoryName(fake)!);
        File.WriteAllText(fake, "fake\n");
        File.CreateSymbolicLink(b.HostPath("/proc"), "/realproc");
        File.CreateSymbolicLink(b.HostPath("/proc.swap"), "/fakeproc");
        b.Linux["sysctl"] = new JsonObject { ["kernel.shmmni"] = "1999" };
        b.Linux["maskedPaths"] = new JsonArray();
        b.Linux["readonlyPaths"] = new JsonArray();
        int written = 0, refused = 0;
        long swaps;
        using (var racer = new ExchangeRacer(b.HostPath("/proc"), b.HostPath("/proc.swap")))
        {
            for (int i = 0; i < runs; i++)
            {
                racer.WaitSwapping();
                string id = Rt.NewId();
                var r = Rt.Run(b, id);
                Assert.Equal("fake\n", File.ReadAllText(fake));
                if (r.Ok)
                    written++;
                else
                {
                    r.AssertFailed().AssertStderrMentions("linux.sysctl", "mounts[0]");
                    Scope.AssertNothingLeft([id]);
                    refused++;
                }
            }
            swaps = racer.Swaps;
        }
        Scope.Log($"racer: {swaps} exchanges over {runs} runs; {written} started, {refused} refused");
        Assert.True(swaps >= runs * 100, $"the racer made only {swaps} exchanges over {runs} runs");
        Assert.Equal("fake\n", File.ReadAllText(fake));
    }

    /// <summary>The mounts of this tag in the container's own mount table (probe mountinfo).</summary>
    private static List<MountEntry> MountsTagged(RuntimeResult r, string tag) =>
        MountInfo.Parse(r.Stdout).Where(m => m.Source == tag).ToList();

    [Fact]
    public void Cve_2021_30465_a_mount_target_swapped_for_a_symlink_never_mounts_outside_its_destination()
    {
        // The attack: a second container sharing a volume with this one (here: a thread on the host
        // working in the rootfs) keeps exchanging the mount destination /mnt/target with a symlink
        // while containers start. A runtime that checks the path and then mounts by its string has the
        // kernel follow the symlink from the host's root. The symlink names the rootfs's own /victim by
        // its host path, so an escaped mount lands on /victim, where the container's mount table shows
        // it after pivot_root; resolved inside the root, the same symlink names <rootfs><rootfs>/victim,
        // a decoy made to exist so every start can succeed.
        const int runs = 30;
        string tag = "cve30465-" + Guid.NewGuid().ToString("N")[..8];
        var b = NewBundle().Probe("mountinfo");
        string victimInRootfs = b.HostPath("/victim");
        Directory.CreateDirectory(victimInRootfs);
        Directory.CreateDirectory(b.HostPath(victimInRootfs));
        Directory.CreateDirectory(b.HostPath("/mnt/target"));
        File.CreateSymbolicLink(b.HostPath("/mnt/evil"), victimInRootfs);
        b.AddMount("/mnt/target", "tmpfs", tag, "size=1m");
        var allowed = new[] { "/mnt/target", "/mnt/evil", victimInRootfs };
        var escaped = new List<string>();
        long swaps;
        using (var racer = new ExchangeRacer(b.HostPath("/mnt/target"), b.HostPath("/mnt/evil")))
        {
            for (int i = 0; i < runs; i++)
            {
                racer.WaitSwapping();
                var r = Rt.Run(b).AssertOk($"run {i} under the racer");
                var mine = MountsTagged(r, tag);
                Assert.True(mine.Count == 1, $"run {i}: expected the tmpfs {tag} once in the container's mount table:\n{r.Stdout}");
                escaped.AddRange(mine.Where(m => !allowed.Contains(m.MountPoint)).Select(m => $"run {i}: {m.Line}"));
            }
            swaps = racer.Swaps;
        }
        Scope.Log($"racer: {swaps} exchanges over {runs} runs");
        Assert.True(swaps >= runs * 100, $"the racer made only {swaps} exchanges over {runs} runs");
        Assert.True(escaped.Count == 0, "the mount followed the swapped-in symlink:\n" + string.Join("\n", escaped));
    }

    [Fact]
    public void Cve_2024_45310_missing_mount_targets_are_never_created_on_the_host_despite_a_racing_symlink()
    {
        // The runtime has to create /mnt/a/b/c. A thread keeps exchanging /mnt/a (a directory) with
        // /mnt/swap (a symlink to a host dir): a runtime that creates the missing directories by path
        // string creates b (and c) in the host dir, and mounts there. Resolved inside the root, the
        // symlink names <rootfs><victim>, a decoy made to exist. Before each start the racer pauses and
        // what the previous start created is removed, so every start has to create b/c again. A start
        // that meets the symlink between two steps may fail (cleanly); the host dir stays empty always.
        const int runs = 30;
        string victim = Scope.NewDir("victim");
        string tag = "cve45310-" + Guid.NewGuid().ToString("N")[..8];
        var b = NewBundle().Probe("mountinfo");
        b.AddMount("/mnt/a/b/c", "tmpfs", tag, "size=1m");
        string decoy = b.HostPath(victim);
        Directory.CreateDirectory(decoy);
        Directory.CreateDirectory(b.HostPath("/mnt/a"));
        File.CreateSymbolicLink(b.HostPath("/mnt/swap"), victim);
        var allowed = new[] { "/mnt/a/b/c", "/mnt/swap/b/c", victim + "/b/c" };
        int started = 0;
        long swaps;
        using (var racer = new ExchangeRacer(b.HostPath("/mnt/a"), b.HostPath("/mnt/swap")))
        {
            for (int i = 0; i < runs; i++)
            {
                racer.Pause();
                foreach (string made in new[] { b.HostPath("/mnt/a/b"), Path.Combine(decoy, "b") })
                    if (Directory.Exists(made))
                        Directory.Delete(made, recursive: true);
                racer.Resume();
                racer.WaitSwapping();
                string id = Rt.NewId();
                var r = Rt.Run(b, id);
                AssertEmptyAndUnmounted(victim);
                if (r.Ok)
                {
                    started++;
                    var mine = MountsTagged(r, tag);
                    Assert.True(mine.Count == 1 && allowed.Contains(mine[0].MountPoint),
                        $"run {i}: expected the tmpfs {tag} once, at the mount target, in the container's mount table:\n{r.Stdout}");
                }
                else
                {
                    r.AssertFailed().AssertStderrMentions("mounts[");
                    Scope.AssertNothingLeft([id]);
                }
            }
            swaps = racer.Swaps;
        }
        Scope.Log($"racer: {swaps} exchanges over {runs} runs, {started} started");
        Assert.True(swaps >= runs * 100, $"the racer made only {swaps} exchanges over {runs} runs");
        AssertEmptyAndUnmounted(victim);
    }

    [Fact]
    public void Cve_2023_25809_root_cgroupfs_is_not_writable_from_the_container()
    {
        // As root with the default config (a cgroup namespace): the cgroup tmpfs and every hierarchy
        // in it are read-only (on a v2 host /sys/fs/cgroup is the one cgroup2 mount).
        string[] paths = RootlessDelegationTests.HostIsCgroupV2
            ? ["/sys/fs/cgroup/x"]
            : ["/sys/fs/cgroup/x", "/sys/fs/cgroup/pids/x", "/sys/fs/cgroup/unified/x"];
        var b = NewBundle().Probe(["write", .. paths]);
        var p = Rt.Run(b).Probe;
        foreach (string path in paths)
        {
            Assert.False(p.For(path).Has("result"), "the container wrote " + path);
            Assert.Equal("EROFS", p.For(path).Get("error"));
        }
    }

    [Fact]
    public void Cve_2023_25809_rootless_without_a_cgroup_namespace_cannot_write_its_delegated_cgroup()
    {
        // runc bound the user's delegated cgroup into a rootless container that has no cgroup
        // namespace read-write, so the container could change the limits of the user's own cgroups.
        // Here a uid with a delegated cgroup (v1 memory, or a v2 subtree in the VM group) runs a
        // container in it without a cgroup namespace. The container's root is that uid and owns its
        // cgroup's files: only the read-only bind keeps it from raising or lowering its own limit.
        var d = RootlessDelegationTests.Delegate(Scope, Rt);
        var namespaces = d.Config["linux"]!["namespaces"]!.AsArray();
        foreach (var n in namespaces.Where(n => (string?)n!["type"] == "cgroup").ToList())
            namespaces.Remove(n);
        bool v2 = RootlessDelegationTests.HostIsCgroupV2;
        string limit = v2 ? "/sys/fs/cgroup/memory.max" : "/sys/fs/cgroup/memory/memory.limit_in_bytes";
        string procs = v2 ? "/sys/fs/cgroup/cgroup.procs" : "/sys/fs/cgroup/memory/cgroup.procs";
        d.Config["process"]!["args"] = new JsonArray("/bin/sh", "-c",
            $"echo 67108864 > {limit}; echo limit=$(cat {limit}); /probe write {limit} {procs}; exit 0");
        d.Save();
        string id = Rt.NewId();
        Scope.OnCleanup("delete --force " + id, () => Rt.Invoke(RootlessDelegationTests.Delegation.AsUser, "delete", "--force", id));
        var r = Rt.Invoke(RootlessDelegationTests.Delegation.AsUser, "run", "--bundle", d.Bundle.Dir, id)
            .AssertOk("rootless run in a delegated cgroup without a cgroup namespace");
        var p = r.Probe;
        Assert.True(p.Has("limit"), r.ToString());
        Assert.NotEqual("67108864", p.Get("limit"));
        foreach (string path in new[] { limit, procs })
            Assert.Equal("EROFS", p.For(path).Get("error"));
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Cve_2024_21626_a_leaked_directory_fd_as_cwd_does_not_reach_the_host()
    {
        // The runtime is started with fd 9 open on a host directory; the config's cwd is
        // /proc/self/fd/9. The fd is closed as the plan's first step (CLOSE_FDS), so the path does
        // not exist by the time of the chdir: ENOENT, never a chdir to the host directory that
        // only the cwd check would then catch.
        string victim = Scope.NewDir("victim");
        var b = NewBundle().Probe("cwd");
        b.Process["cwd"] = "/proc/self/fd/9";
        string id = Rt.NewId();
        Rt.Run(new InvokeOptions { LeakFd = true, StdinFile = victim }, b, id)
            .AssertFailed("run with cwd /proc/self/fd/9 and a leaked fd 9").AssertStderrMentions("process.cwd")
            .AssertStderrMentions("No such file or directory");
        Scope.AssertNothingLeft([id]);
        AssertEmptyAndUnmounted(victim);

        var b2 = NewBundle().Probe("fds");
        var fds = Rt.Run(new InvokeOptions { LeakFd = true, StdinFile = victim }, b2).Probe;
        Assert.Equal("0,1,2", fds.Get("fds"));
    }

    [Fact]
    public void Cve_2024_21626_a_cwd_that_leads_out_of_the_root_is_refused()
    {
        // The second half of runc's fix: whatever leads the chdir out of the root (a leaked fd, a
        // magic link), the cwd is checked to be inside it. Without a pid namespace the container's
        // /proc shows the runtime's pid 1, whose cwd is outside the container's root.
        var b = NewBundle().Probe("cwd");
        b.RemoveNamespace("pid");
        b.Process["cwd"] = "/proc/1/cwd";
        string id = Rt.NewId();
        Rt.Run(b, id).AssertFailed("run with cwd /proc/1/cwd without a pid namespace")
            .AssertStderrMentions("process.cwd").AssertStderrMentions("outside root");
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Cve_2025_31133_masked_path_with_dev_null_swapped_for_a_symlink_is_refused()
    {
        // The attack: the container's /dev/null is a symlink to a procfs file
        // (/proc/sys/kernel/core_pattern); a runtime that binds "/dev/null" over each masked path
        // by name binds that file instead, a writable host sysctl where the config asked for a
        // mask. /dev is bound from the image's own directory (so no device node is made there and
        // the image's symlink reaches the masking step). The outcome shows in the container: a
        // masked /proc/timer_list must be the 1:3 device or nothing, never procfs' file.
        var b = NewBundle().Probe("stat", "/proc/timer_list");
        foreach (var m in b.Mounts.Where(m => ((string?)m!["destination"])!.StartsWith("/dev")).ToList())
            b.Mounts.Remove(m);
        string imageDev = b.HostPath("/image-dev");
        Directory.CreateDirectory(imageDev);
        File.CreateSymbolicLink(Path.Combine(imageDev, "null"), "/proc/sys/kernel/core_pattern");
        b.AddMount("/dev", "bind", imageDev, "rbind");
        var masked = b.Linux["maskedPaths"]!.AsArray();
        Assert.Contains(masked, p => (string?)p == "/proc/timer_list");
        string id = Rt.NewId();
        var r = Rt.Run(b, id);
        Scope.Log($"exit {r.ExitCode}: {r.Stdout} {r.Stderr}");
        Assert.DoesNotContain("type=file", r.Stdout);
        // refused, naming /dev/null: masking opens it following no symlink and checks it is 1:3
        r.AssertFailed("masking with /dev/null a symlink to a procfs file").AssertStderrMentions("/dev/null");
        Scope.AssertNothingLeft([id]);
    }

    /// <summary>A bundle whose /dev is the image's own (no /dev tmpfs; devpts, shm and mqueue kept),
    /// with a terminal; /etc/target is the file a redirected console bind would cover.</summary>
    private Bundle ImageDevWithTerminal(params string[] args)
    {
        var b = NewBundle().Args(args);
        b.Process["terminal"] = true;
        b.Mounts.Remove(b.Mounts.First(m => (string?)m!["destination"] == "/dev"));
        File.WriteAllText(b.HostPath("/etc/target"), "image\n");
        return b;
    }

    [Fact]
    public void Cve_2025_52565_a_dev_console_symlink_in_the_image_is_refused_with_a_terminal()
    {
        // The image's /dev/console is a symlink to /etc/target: the pty must not be bind-mounted
        // through it (runc bound the path it had checked, which the image or a race could redirect).
        var b = ImageDevWithTerminal("/probe", "mountinfo");
        File.CreateSymbolicLink(b.HostPath("/dev/console"), "/etc/target");
        using var recv = new TerminalTests.Receiver(Scope.Dir, "x\n");
        string id = Rt.NewId();
        var r = Rt.Run(b, id, "--console-socket", recv.Socket);
        string output = r.Ok ? recv.Output() : "";
        Assert.DoesNotContain(" /etc/target ", output);
        r.AssertFailed("a terminal with /dev/console a symlink in the image").AssertStderrMentions("console");
        Scope.AssertNothingLeft([id]);
        Assert.Equal("image\n", File.ReadAllText(b.HostPath("/etc/target")));
    }

    [Fact]
    public void Cve_2025_52565_a_dev_console_swapped_for_a_symlink_during_start_never_redirects_the_console_bind()
    {
        // A thread keeps exchanging the image's /dev/console (a regular file) with a symlink to
        // /etc/target while containers with a terminal start. The pty must be bound only onto the
        // file it was checked to be (whatever name that file has by then), never onto /etc/target:
        // the container's own mount table (printed through the pty) shows where it went. A start
        // that meets the symlink is refused.
        const int runs = 20;
        var b = ImageDevWithTerminal("/probe", "mountinfo");
        File.WriteAllText(b.HostPath("/dev/console"), "");
        File.CreateSymbolicLink(b.HostPath("/dev/console.swap"), "/etc/target");
        int bound = 0, refused = 0;
        var escaped = new List<string>();
        long swaps;
        using (var racer = new ExchangeRacer(b.HostPath("/dev/console"), b.HostPath("/dev/console.swap")))
        {
            for (int i = 0; i < runs; i++)
            {
                racer.WaitSwapping();
                using var recv = new TerminalTests.Receiver(Scope.Dir, "x\n");
                string id = Rt.NewId();
                var r = Rt.Run(b, id, "--console-socket", recv.Socket);
                if (r.Ok)
                {
                    string output = recv.Output();
                    Assert.Contains("output:", output);
                    var mounts = MountInfo.Parse(output.Split("output:")[1]);
                    var console = mounts.Where(m => m.FsType == "devpts" && m.Root != "/").ToList();
                    Assert.True(console.Count == 1, $"run {i}: expected the pty bound once:\n{output}");
                    if (console[0].MountPoint is not ("/dev/console" or "/dev/console.swap"))
                        escaped.Add($"run {i}: {console[0].Line}");
                    bound++;
                }
                else
                {
                    r.AssertFailed().AssertStderrMentions("console");
                    Scope.AssertNothingLeft([id]);
                    refused++;
                }
            }
            swaps = racer.Swaps;
        }
        Scope.Log($"racer: {swaps} exchanges over {runs} runs; {bound} bound, {refused} refused");
        Assert.True(swaps >= runs * 100, $"the racer made only {swaps} exchanges over {runs} runs");
        Assert.True(escaped.Count == 0, "the console bind followed the swapped-in symlink:\n" + string.Join("\n", escaped));
        Assert.Equal("image\n", File.ReadAllText(b.HostPath("/etc/target")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Cve_2026_41579_dev_as_a_symlink_in_the_image_stays_in_the_rootfs(bool absolute)
    {
        // The image's /dev is a symlink to a host directory, and the config mounts nothing on
        // /dev: the default device nodes are made through that path. Resolved on the host (as a
        // runtime that follows the image's symlinks from the host's root would), they land in
        // the host directory, where they show; resolved in the root, the symlink names
        // <rootfs><victim>.
        string victim = Scope.NewDir("victim");
        var b = NewBundle().Probe("stat", "/dev/null");
        foreach (var m in b.Mounts.Where(m => ((string?)m!["destination"])!.StartsWith("/dev")).ToList())
            b.Mounts.Remove(m);
        if (Directory.Exists(b.HostPath("/dev")))
            Directory.Delete(b.HostPath("/dev"), recursive: true);
        File.CreateSymbolicLink(b.HostPath("/dev"), absolute ? victim : string.Concat(Enumerable.Repeat("../", 20)) + victim.TrimStart('/'));
        string id = Rt.NewId();
        var r = Rt.Run(b, id);
        Scope.Log($"exit {r.ExitCode}: {r.Stdout} {r.Stderr}");
        AssertEmptyAndUnmounted(victim);
        // in the root the symlink names <rootfs><victim>: made there with the default device nodes
        // (as runc, decisions §51); then masking refuses a /dev/null reached through a symlink
        Assert.True(File.Exists(b.HostPath(victim + "/null")), "the device nodes are not at <rootfs><victim>");
        r.AssertFailed("/dev as a symlink out of the rootfs").AssertStderrMentions("linux.maskedPaths");
        Scope.AssertNothingLeft([id]);
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
    public void Cve_2021_43784_strings_and_lists_past_64_KiB_cross_the_plan_encoder_intact()
    {
        // runc's bug was in the encoder: a length written into a 16-bit field, so a value past 64 KiB
        // was cut and its tail read as more of the message. Here, through the real binary: one argument
        // and one environment value of about 100 KB of mixed one- to four-byte UTF-8, and argument and
        // environment lists of more than 64 KiB each, go through the C# plan encoder, the executor's
        // decoder and execve; the probe prints what it got, which must be exactly what was asked.
        var rnd = new Random(43784);
        string big = Fuzz.Text(rnd, 40_000);
        while (System.Text.Encoding.UTF8.GetByteCount(big) < 90_000)
            big += Fuzz.Text(rnd, 1000);
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(big), 65_536, 131_071); // execve takes up to 128 KiB a string
        var args = new List<string> { big };
        for (int i = 0; args.Count < 2 || Fuzz.Utf8Bytes(args.Skip(1)) < 70_000; i++)
            args.Add($"a{i}-" + Fuzz.Text(rnd, 20));
        var env = new List<string> { "BIG=" + big };
        for (int i = 0; Fuzz.Utf8Bytes(env.Skip(1)) < 70_000; i++)
            env.Add($"V{i}=" + Fuzz.Text(rnd, 20));
        Fuzz.AssertRoundTrip(Rt, NewBundle(), args, env, "CVE-2021-43784");
    }

    [Fact]
    public void The_plan_decoder_survives_its_fuzz_loop()
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
