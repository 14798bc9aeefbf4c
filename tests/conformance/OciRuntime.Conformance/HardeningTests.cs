using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// Attacks on the runtime itself that its hardening must stop (issue 17): each test reproduces the
/// attack for real and looks where it would land.
/// </summary>
public sealed class HardeningTests : ConformanceTest
{
    public HardeningTests(ITestOutputHelper output) : base(output) { }

    /// <summary>A host directory holding a binary the rootfs does not have, and the options that
    /// start the runtime with that directory leaked as fd 9 (not close-on-exec).</summary>
    private (string Dir, InvokeOptions Leak) LeakedHostDirectory()
    {
        string dir = Scope.NewDir("host-bin");
        File.Copy(TestEnv.BusyboxPath, Path.Combine(dir, "busybox"));
        return (dir, new InvokeOptions { LeakFd = true, StdinFile = dir });
    }

    /// <summary>busybox run as ".../busybox echo ESCAPED" runs the echo applet: the marker shows only
    /// if the host's copy was executed.</summary>
    private static readonly string[] ThroughFd9 = ["/proc/self/fd/9/busybox", "echo", "ESCAPED"];

    [Fact]
    public void Cve_2024_21626_run_cannot_exec_a_host_binary_through_a_leaked_directory_fd()
    {
        var (_, leak) = LeakedHostDirectory();
        var b = NewBundle().Args(ThroughFd9);
        var r = Rt.Run(leak, b);
        Assert.DoesNotContain("ESCAPED", r.Stdout);
        r.AssertFailed().AssertStderrMentions("process.args");
    }

    [Fact]
    public void Cve_2024_21626_create_closes_leaked_fds_before_its_init_waits()
    {
        var (dir, leak) = LeakedHostDirectory();
        // The program is looked up at create, once the leaked fds are gone: not found.
        var bad = NewBundle().Args(ThroughFd9);
        Rt.Create(leak, bad, Rt.NewId()).AssertFailed().AssertStderrMentions("process.args");

        // A waiting init holds nothing of the host directory: a process of the container (an
        // `exec`, which may open /proc/1/fd/N of the same user) finds no way to it.
        var b = NewBundle().Probe("fds");
        string id = Rt.NewId();
        var created = Rt.Create(leak, b, id).AssertOk();
        int pid = Rt.Pid(id);
        var targets = Directory.GetFiles($"/proc/{pid}/fd").Select(f => new FileInfo(f).LinkTarget).ToList();
        Scope.Log("waiting init's fds: " + string.Join(", ", targets));
        Assert.NotEmpty(targets);
        Assert.DoesNotContain(dir, targets);
        Rt.StartContainer(id).AssertOk();
        Rt.WaitForStatus(id, "stopped");
        Assert.Equal("0,1,2", new ProbeOutput(created.ReadStdoutNow()).Get("fds"));
    }

    [Fact]
    public void Cve_2024_21626_exec_cannot_exec_a_host_binary_through_a_leaked_directory_fd()
    {
        var (_, leak) = LeakedHostDirectory();
        var b = NewBundle().Probe("sleep", "60");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        var r = Rt.Invoke(leak, ["exec", id, .. ThroughFd9]);
        Assert.DoesNotContain("ESCAPED", r.Stdout);
        r.AssertFailed().AssertStderrMentions("process.args");
        // The container's own busybox still runs that way: the test's vector is sound.
        Assert.Contains("ESCAPED", Rt.Invoke(leak, "exec", id, "/bin/busybox", "echo", "ESCAPED").AssertOk().Stdout);
    }

    /// <summary>
    /// CVE-2025-52881 (and CVE-2019-19921's class): a procfs file bound over a sysctl's path must not
    /// receive the sysctl's value. The stand-in for the host's core_pattern is the oom_score_adj of
    /// a process this test owns (a global procfs file like core_pattern, whose change is harmless);
    /// the bind reaches /proc through a symlink of the image, so no check of the destination's
    /// string can see it: only writing through a procfs the runtime mounted itself stops it.
    /// </summary>
    [Fact]
    public void Cve_2025_52881_a_procfs_file_bound_over_a_sysctl_does_not_receive_its_value()
    {
        using var victim = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            string adj = $"/proc/{victim.Id}/oom_score_adj";
            int before = int.Parse(File.ReadAllText(adj).Trim());
            Assert.True(before < 123, $"the victim's oom_score_adj is {before}: the test needs it below 123");
            var b = NewBundle().Args("/bin/true");
            File.CreateSymbolicLink(b.HostPath("/evil"), "/proc/sys/net/ipv4");
            b.AddMount("/evil/ip_default_ttl", "bind", adj, "bind");
            b.Linux["sysctl"] = new JsonObject { ["net.ipv4.ip_default_ttl"] = "123" };
            var r = Rt.Run(b);
            Assert.Equal(before, int.Parse(File.ReadAllText(adj).Trim()));
            r.AssertOk();
        }
        finally
        {
            victim.Kill();
            victim.WaitForExit();
        }
    }

    [Theory]
    [InlineData("/proc/sys/net/ipv4/ip_forward")]
    [InlineData("/proc/sys/kernel/core_pattern")]
    [InlineData("/proc/self/attr")]
    public void A_mount_inside_proc_outside_the_allow_list_is_refused_naming_it(string destination)
    {
        var b = NewBundle().Args("/bin/true");
        b.AddMount(destination, "bind", "/dev/null", "bind");
        int index = b.Mounts.Count - 1;
        Rt.Run(b).AssertFailed().AssertStderrMentions($"mounts[{index}].destination");
    }

    [Fact]
    public void A_bind_onto_proc_must_come_from_a_procfs()
    {
        var fake = NewBundle().Args("/bin/true");
        int i = fake.Mounts.Count;
        fake.AddMount("/proc", "bind", Scope.NewDir("fake-proc"), "rbind");
        Rt.Run(fake).AssertFailed().AssertStderrMentions($"mounts[{i}].source");

        var real = NewBundle().Args("/bin/cat", "/proc/sys/kernel/ostype");
        real.AddMount("/proc", "bind", "/proc", "rbind");
        Assert.Equal("Linux\n", Rt.Run(real).AssertOk().Stdout);
    }

    [Fact]
    public void A_mount_over_an_lxcfs_file_in_proc_is_allowed()
    {
        string fake = Path.Combine(Scope.NewDir("lxcfs"), "uptime");
        File.WriteAllText(fake, "12345.67 0.00\n");
        var b = NewBundle().Args("/bin/cat", "/proc/uptime");
        b.AddMount("/proc/uptime", "bind", fake, "bind");
        Assert.Equal("12345.67 0.00\n", Rt.Run(b).AssertOk().Stdout);
    }

    /// <summary>What a process shows of its privileges and place: the status lines the issue names,
    /// its cgroup and its namespaces.</summary>
    private const string ShowPrivileges =
        "grep -E '^(Uid|Gid|CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status; cat /proc/self/cgroup; " +
        "for n in pid mnt net ipc uts cgroup user; do readlink /proc/self/ns/$n; done";

    /// <summary>
    /// A startContainer hook is a program of the image: it must run with the container process's
    /// credentials, capabilities, no_new_privs, seccomp filter (without noNewPrivileges; with it the
    /// filter is loaded at the exec, as runc), cgroup and namespaces, never with the runtime's.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StartContainer_hooks_run_with_the_container_process_privileges(bool noNewPrivileges)
    {
        var b = NewBundle().Args("/bin/sh", "-c", "echo PROCESS; " + ShowPrivileges);
        b.Process["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 1000 };
        b.Process["noNewPrivileges"] = noNewPrivileges;
        b.Linux["seccomp"] = new JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ALLOW",
            ["syscalls"] = new JsonArray(new JsonObject
            {
                ["names"] = new JsonArray("kexec_load"), ["action"] = "SCMP_ACT_ERRNO",
            }),
        };
        b.Config["hooks"] = new JsonObject
        {
            ["startContainer"] = new JsonArray(new JsonObject
            {
                ["path"] = "/bin/sh", ["args"] = new JsonArray("sh", "-c", "{ " + ShowPrivileges + "; } > /tmp/hook.out"),
            }),
        };
        // Where the hook writes, whoever runs it: the rootfs' /tmp, writable by the container's user.
        b.Config["root"]!["readonly"] = false;
        Directory.CreateDirectory(b.HostPath("/tmp"));
        File.SetUnixFileMode(b.HostPath("/tmp"), (UnixFileMode)0x3ff); // 1777 (C# has no octal literals)
        string id = Rt.NewId();
        // create + start: the hook runs after `start` released the init through the fifo.
        var created = Rt.Create(b, id).AssertOk();
        Rt.StartContainer(id).AssertOk();
        Rt.WaitForStatus(id, "stopped");
        string output = created.ReadStdoutNow();
        Scope.Log(output);
        var hook = File.ReadAllText(b.HostPath("/tmp/hook.out")).Split('\n').ToList();
        Scope.Log("hook:\n" + string.Join('\n', hook));
        var parts = output.Split("PROCESS\n");
        Assert.Equal(2, parts.Length);
        var process = parts[1].Split('\n').ToList();
        Assert.Contains("CapEff:\t0000000000000000", process); // uid 1000 without ambient caps
        Assert.Contains("Uid:\t1000\t1000\t1000\t1000", hook);
        Assert.Contains($"NoNewPrivs:\t{(noNewPrivileges ? 1 : 0)}", hook);
        Assert.Contains("Seccomp:\t2", process);
        // With noNewPrivileges the filter waits for the exec (as runc): the hook runs before it.
        Assert.Contains($"Seccomp:\t{(noNewPrivileges ? 0 : 2)}", hook);
        Assert.Equal(process.Where(l => !l.StartsWith("Seccomp:")), hook.Where(l => !l.StartsWith("Seccomp:")));
        Rt.Delete(id).AssertOk();
    }

    [Fact]
    public void A_failing_startContainer_hook_run_by_the_init_fails_run_naming_it()
    {
        var b = NewBundle().Args("/bin/echo", "PROGRAM");
        b.Config["hooks"] = new JsonObject
        {
            ["startContainer"] = new JsonArray(new JsonObject
            {
                ["path"] = "/bin/sh", ["args"] = new JsonArray("sh", "-c", "exit 3"),
            }),
        };
        var r = Rt.Run(b).AssertFailed().AssertStderrMentions("hooks.startContainer[0]: exited with status 3");
        Assert.DoesNotContain("PROGRAM", r.Stdout);
    }

    private string Tool(params string[] args)
    {
        var psi = new ProcessStartInfo(args[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args.Skip(1))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd(), err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Scope.Log($"$ {string.Join(' ', args)}\nexit {p.ExitCode}\n{output}{err}");
        Assert.True(p.ExitCode == 0, $"{args[0]} failed: {err}");
        return output.Trim();
    }

    /// <summary>
    /// The runtime reads the image's /etc/passwd (for HOME) as the host's root: an image must not
    /// make it read a device instead. Here /etc/passwd is a block device node of a loop device
    /// whose content is a passwd line: read, it would set HOME.
    /// </summary>
    [Fact]
    public void The_images_etc_passwd_is_read_only_when_it_is_a_regular_file()
    {
        string backing = Path.Combine(Scope.Dir, "disk.img");
        var bytes = new byte[4096];
        System.Text.Encoding.ASCII.GetBytes("root:x:0:0:root:/FROM-A-DEVICE:/bin/sh\n").CopyTo(bytes, 0);
        File.WriteAllBytes(backing, bytes);
        string loop = Tool("losetup", "-f", "--show", backing);
        try
        {
            string[] dev = File.ReadAllText($"/sys/class/block/{Path.GetFileName(loop)}/dev").Trim().Split(':');
            var b = NewBundle().Probe("env");
            Assert.DoesNotContain(b.Process["env"]!.AsArray(), e => ((string?)e)!.StartsWith("HOME="));
            Directory.CreateDirectory(b.HostPath("/etc"));
            File.Delete(b.HostPath("/etc/passwd"));
            Tool("mknod", b.HostPath("/etc/passwd"), "b", dev[0], dev[1]);
            // The vector is sound: the node reads as that passwd from here.
            Assert.StartsWith("root:x:0:0:root:/FROM-A-DEVICE:", File.ReadAllText(b.HostPath("/etc/passwd")));
            var r = Rt.Run(b).AssertOk();
            Assert.Equal("/", r.Probe.Get("HOME"));
        }
        finally
        {
            Tool("losetup", "-d", loop);
        }
    }

    /// <summary>
    /// Issue 17 item 4: after mknodat, the device's mode is set. Set by name (fchmodat follows
    /// symlinks), a symlink swapped in for the new node between the two calls sends the chmod to
    /// its target, resolved from the host's root (the devices are made before pivot_root). The
    /// image's /dev (no /dev tmpfs) gets 64 devices of mode 0666; a thread chases their creation
    /// in the plan's order: it spins on exchanging race{k} with race{k}.swap, a symlink to a host
    /// file of mode 0600, which succeeds the moment race{k} exists, then moves on to k+1. The
    /// host file must keep its mode; the exchanges that hit a freshly made node are counted, and
    /// a start that meets a swapped node is refused naming its linux.devices entry.
    /// </summary>
    [Fact]
    public void A_device_node_swapped_for_a_symlink_after_mknod_never_passes_its_mode_to_the_target()
    {
        const int runs = 20, nodes = 64;
        string victim = Path.Combine(Scope.NewDir("victim"), "secret");
        File.WriteAllText(victim, "host\n");
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        File.SetUnixFileMode(victim, Private);
        var b = NewBundle().Probe("exit", "0");
        foreach (var m in b.Mounts.Where(m => ((string?)m!["destination"])!.StartsWith("/dev")).ToList())
            b.Mounts.Remove(m);
        Directory.CreateDirectory(b.HostPath("/dev"));
        var devices = new JsonArray();
        for (int k = 0; k < nodes; k++)
            devices.Add(new JsonObject
            {
                ["path"] = $"/dev/race{k}", ["type"] = "c", ["major"] = 1, ["minor"] = 3, ["fileMode"] = 438, ["uid"] = 0, ["gid"] = 0,
            });
        b.Linux["devices"] = devices;
        string Node(int k) => b.HostPath($"/dev/race{k}");
        long swapped = 0;
        int runsHit = 0, refused = 0;
        var changed = new List<string>();
        for (int i = 0; i < runs; i++)
        {
            for (int k = 0; k < nodes; k++)
            {
                File.Delete(Node(k));
                File.Delete(Node(k) + ".swap");
                File.CreateSymbolicLink(Node(k) + ".swap", victim);
            }
            var stop = false;
            long hits = 0;
            var chaser = new Thread(() =>
            {
                for (int k = 0; k < nodes && !Volatile.Read(ref stop); k++)
                    while (!Volatile.Read(ref stop))
                        if (ExchangeRacer.ExchangeOnce(Node(k), Node(k) + ".swap"))
                        {
                            hits++;
                            break;
                        }
            }) { IsBackground = true, Name = "mknod-chaser" };
            chaser.Start();
            string id = Rt.NewId();
            var r = Rt.Run(b, id);
            Volatile.Write(ref stop, true);
            chaser.Join();
            swapped += hits;
            if (hits > 0)
                runsHit++;
            if (!r.Ok)
            {
                r.AssertStderrMentions("linux.devices[");
                refused++;
            }
            Scope.AssertNothingLeft([id]);
            if (File.GetUnixFileMode(victim) != Private)
                changed.Add($"run {i}: the host file's mode became {File.GetUnixFileMode(victim)} ({r.ExitCode}: {r.Stderr.Trim()})");
        }
        Scope.Log($"chaser: {swapped} new nodes swapped for the symlink over {runs} runs ({runsHit} runs hit); {refused} starts refused");
        Assert.True(runsHit >= runs / 2, $"the chaser swapped a new node in only {runsHit} of {runs} runs: the race was not exercised");
        Assert.True(changed.Count == 0, "the device's mode reached the symlink's target on the host:\n" + string.Join("\n", changed));
    }
}
