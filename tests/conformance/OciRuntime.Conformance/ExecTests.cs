using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>`exec`: a new process joins a running container's namespaces, root, cgroup and
/// identity; its exit status is exec's; wrong states and bad input fail cleanly.</summary>
public sealed class ExecTests : ConformanceTest
{
    public ExecTests(ITestOutputHelper output) : base(output) { }

    /// <summary>A started container whose init sleeps; returns its id and init pid.</summary>
    private (string Id, int Pid, Bundle Bundle) Running(Action<Bundle>? change = null)
    {
        var b = NewBundle().Probe("sleep", "60");
        b.Config["hostname"] = "exec-host";
        change?.Invoke(b);
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        return (id, Rt.Pid(id), b);
    }

    private RuntimeResult Exec(params string[] args) => Rt.Invoke(["exec", .. args]);

    [Fact]
    public void Exec_joins_every_namespace_of_the_init()
    {
        var (id, pid, _) = Running();
        var p = Exec(id, "/probe", "ns").AssertOk().Probe;
        foreach (var ns in new[] { "mnt", "pid", "net", "ipc", "uts", "cgroup", "user" })
            Assert.Equal(HostState.ReadNsLink(pid, ns), p.Get("ns." + ns));
        Assert.NotEqual(HostState.ReadNsLink(Environment.ProcessId, "mnt"), p.Get("ns.mnt"));
    }

    [Fact]
    public void Exec_sees_the_containers_hostname_and_its_init_as_pid_1()
    {
        var (id, _, _) = Running();
        Assert.Equal("exec-host", Exec(id, "/probe", "hostname").AssertOk().Probe.Get("hostname"));
        var pids = Exec(id, "/probe", "pid").AssertOk().Probe;
        Assert.NotEqual("1", pids.Get("pid"));
        Assert.Equal("0", pids.Get("ppid")); // its parent (the runtime) is outside the namespace
        var cmdline = Exec(id, "/probe", "cat", "/proc/1/cmdline").AssertOk().Stdout;
        Assert.Contains("/probe", cmdline);
        Assert.Contains("sleep", cmdline);
    }

    [Fact]
    public void Exec_sees_the_containers_root_and_mounts()
    {
        var (id, _, b) = Running(b => b.AddMount("/mnt/scratch", "tmpfs", "tmpfs", "size=1m"));
        File.WriteAllText(b.HostPath("/etc/marker"), "in the rootfs");
        Assert.Contains("in the rootfs", Exec(id, "/bin/cat", "/etc/marker").AssertOk().Stdout);
        var mount = Exec(id, "/probe", "mount", "/mnt/scratch").AssertOk().Probe;
        Assert.Equal("tmpfs", mount.Get("fstype"));
    }

    [Fact]
    public void Exec_runs_as_the_given_user_in_the_given_cwd_with_added_env()
    {
        var (id, _, _) = Running();
        var p = Exec("--user", "1000:1000", "--additional-gids", "5", id, "/probe", "id").AssertOk().Probe;
        Assert.Equal("1000", p.Get("uid"));
        Assert.Equal("1000", p.Get("gid"));
        Assert.Equal("5", p.Get("groups"));
        Assert.Equal("/tmp", Exec("--cwd", "/tmp", id, "/probe", "cwd").AssertOk().Probe.Get("cwd"));
        var env = Exec("-e", "FOO=bar", "--env", "BAZ=1", id, "/probe", "env").AssertOk().Probe;
        Assert.Equal("bar", env.Get("FOO"));
        Assert.Equal("1", env.Get("BAZ"));
        Assert.Equal("/root", env.Get("HOME"));
    }

    [Fact]
    public void Exec_without_flags_runs_as_the_containers_process_and_args_after_double_dash()
    {
        var (id, _, _) = Running(b => b.Process["user"] = new System.Text.Json.Nodes.JsonObject { ["uid"] = 1000, ["gid"] = 1000 });
        var p = Exec(id, "--", "/probe", "id").AssertOk().Probe;
        Assert.Equal("1000", p.Get("uid"));
    }

    [Fact]
    public void Exec_gets_no_inheritable_capabilities_from_cap_flags()
    {
        var (id, _, _) = Running();
        var caps = Exec("--cap", "CAP_SYS_ADMIN", id, "/probe", "caps").AssertOk().Probe;
        Assert.Equal("0000000000000000", caps.Get("CapInh"));
        Assert.Equal("0000000000000000", caps.Get("CapAmb"));
        ulong eff = Convert.ToUInt64(caps.Get("CapEff"), 16);
        Assert.NotEqual(0UL, eff & (1UL << 21)); // CAP_SYS_ADMIN
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setxattr(string path, string name, byte[] value, nuint size, int flags);

    /// <summary>Gives the file every capability as an inheritable file capability with the effective
    /// bit (what `setcap all+ei FILE` writes: a VFS_CAP_REVISION_2 security.capability).</summary>
    private static void SetInheritableFileCaps(string path)
    {
        var v = new byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(v.AsSpan(0), 0x02000001); // revision 2 | effective
        BinaryPrimitives.WriteUInt32LittleEndian(v.AsSpan(8), 0xFFFFFFFF);  // inheritable, caps 0-31
        BinaryPrimitives.WriteUInt32LittleEndian(v.AsSpan(16), 0xFFFFFFFF); // inheritable, caps 32-63
        if (setxattr(path, "security.capability", v, (nuint)v.Length, 0) != 0)
            throw new IOException($"setxattr security.capability {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    [Fact]
    public void Cve_2022_29162_exec_cap_gives_a_file_capability_binary_nothing_through_the_inheritable_set()
    {
        // The attack: a non-root user in the container runs a binary with inheritable file
        // capabilities (setcap all+ei); at execve the kernel grants it pI & fI. runc's `exec --cap`
        // put the capability into the process's inheritable set as well, so such a binary gained it.
        var (id, _, b) = Running();
        string fcaps = b.HostPath("/probe-fcaps");
        File.Copy(b.HostPath("/probe"), fcaps); // a copy: /probe is a hard link of the shared asset
        SetInheritableFileCaps(fcaps);

        // Control: with an inheritable set its config asks for, the binary does get it (file
        // capabilities work here, so the check below can see a leak).
        string file = Path.Combine(Scope.Dir, "inheritable.json");
        File.WriteAllText(file, """
            { "args": ["/probe-fcaps", "caps"], "cwd": "/", "env": ["PATH=/bin"], "user": { "uid": 1000, "gid": 1000 },
              "capabilities": { "bounding": ["CAP_NET_ADMIN"], "permitted": ["CAP_NET_ADMIN"], "inheritable": ["CAP_NET_ADMIN"] } }
            """);
        var control = Exec("--process", file, id).AssertOk("exec with an inheritable capability").Probe;
        Assert.Equal(1UL << 12, Convert.ToUInt64(control.Get("CapEff"), 16)); // CAP_NET_ADMIN = 12

        var caps = Exec("--user", "1000:1000", "--cap", "CAP_NET_ADMIN", id, "/probe-fcaps", "caps").AssertOk().Probe;
        Assert.Equal("0000000000000000", caps.Get("CapInh"));
        Assert.Equal("0000000000000000", caps.Get("CapPrm"));
        Assert.Equal("0000000000000000", caps.Get("CapEff"));
    }

    [Fact]
    public void Exec_with_a_process_file()
    {
        var (id, _, _) = Running();
        string file = Path.Combine(Scope.Dir, "process.json");
        File.WriteAllText(file, """
            { "args": ["/probe", "id"], "cwd": "/", "env": ["PATH=/bin"], "user": { "uid": 65534, "gid": 65534 },
              "noNewPrivileges": true }
            """);
        var p = Exec("--process", file, id).AssertOk().Probe;
        Assert.Equal("65534", p.Get("uid"));
    }

    private static string CpusAllowed(string status) =>
        status.Split('\n').Single(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))["Cpus_allowed_list:".Length..].Trim();

    private string ExecWithAffinity(string id, string affinity)
    {
        string file = Path.Combine(Scope.Dir, $"affinity-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, $$"""
            { "args": ["/probe", "cat", "/proc/self/status"], "cwd": "/", "env": ["PATH=/bin"],
              "execCPUAffinity": {{affinity}} }
            """);
        return Exec("--process", file, id).AssertOk().Stdout;
    }

    [Fact]
    public void Exec_cpu_affinity_final_is_what_the_process_runs_on()
    {
        var (id, _, _) = Running();
        string last = (Environment.ProcessorCount - 1).ToString();
        // initial pins the executor before it joins the cgroup (whose cpuset resets it); final after.
        Assert.Equal(last, CpusAllowed(ExecWithAffinity(id, $$"""{ "initial": "0", "final": "{{last}}" }""")));
        Assert.Equal("0", CpusAllowed(ExecWithAffinity(id, """{ "final": "0" }""")));
        // Without final, the kernel decides: a v1 cpuset resets the affinity to its CPUs on joining,
        // a cgroup without one keeps "0".
        Assert.Contains(CpusAllowed(ExecWithAffinity(id, """{ "initial": "0" }""")), new[] { "0", last == "0" ? "0" : $"0-{last}" });
    }

    [Fact]
    public void Exec_cpu_affinity_that_cannot_be_applied_fails_naming_the_field_and_leaves_the_container_running()
    {
        var (id, pid, _) = Running();
        string file = Path.Combine(Scope.Dir, "affinity.json");
        File.WriteAllText(file, """{ "args": ["/bin/true"], "cwd": "/", "execCPUAffinity": { "final": "4000" } }""");
        var r = Exec("--process", file, id);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("process.execCPUAffinity.final", r.Stderr);
        File.WriteAllText(file, """{ "args": ["/bin/true"], "cwd": "/", "execCPUAffinity": { "initial": "3-1" } }""");
        r = Exec("--process", file, id);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("process.execCPUAffinity.initial", r.Stderr);
        Assert.Equal(pid, Rt.Pid(id));
        Assert.Equal(0, Exec(id, "/bin/true").ExitCode);
    }

    [Fact]
    public void Exec_exits_with_the_process_status()
    {
        var (id, _, _) = Running();
        Assert.Equal(7, Exec(id, "/probe", "exit", "7").ExitCode);
        Assert.Equal(0, Exec(id, "/bin/true").ExitCode);
        Assert.Equal(137, Exec(id, "/bin/sh", "-c", "kill -KILL $$").ExitCode);
    }

    [Fact]
    public void Exec_joins_the_containers_cgroup_and_detach_writes_the_pid_file()
    {
        var (id, initPid, _) = Running();
        string pidFile = Path.Combine(Scope.Dir, "exec.pid");
        Exec("--detach", "--pid-file", pidFile, id, "/probe", "sleep", "30").AssertOk();
        int pid = int.Parse(File.ReadAllText(pidFile).Trim());
        Assert.True(HostState.IsAlive(pid));
        Assert.Equal(File.ReadAllText($"/proc/{initPid}/cgroup"), File.ReadAllText($"/proc/{pid}/cgroup"));
        Assert.Equal(HostState.ReadNsLink(initPid, "pid"), HostState.ReadNsLink(pid, "pid"));
        Rt.Delete(id, force: true).AssertOk();
        Assert.True(HostState.WaitDead(pid, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Missing_program_fails_clearly()
    {
        var (id, _, _) = Running();
        Exec(id, "/no/such/program").AssertFailed().AssertStderrMentions("not found", "no such file");
        Assert.Equal("running", (string?)Rt.StateJson(id)["status"]);
    }

    [Fact]
    public void Exec_into_a_stopped_container_fails()
    {
        var b = NewBundle().Args("/bin/true");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        Rt.WaitForStatus(id, "stopped");
        Exec(id, "/bin/true").AssertFailed().AssertStderrMentions("stopped");
    }

    [Fact]
    public void Exec_into_a_created_container_runs_in_its_namespaces_and_leaves_it_created()
    {
        // As runc: only a stopped or paused container is refused. The init waits for `start`
        // with its namespaces, root and cgroup in place, so exec joins them as for a running one.
        var b = NewBundle().Probe("sleep", "60");
        b.Config["hostname"] = "created-host";
        string id = Rt.NewId();
        Rt.Create(b, id).AssertOk();
        int pid = Rt.Pid(id);
        var p = Exec(id, "/probe", "hostname").AssertOk().Probe;
        Assert.Equal("created-host", p.Get("hostname"));
        var ns = Exec(id, "/probe", "ns").AssertOk().Probe;
        foreach (var t in new[] { "mnt", "pid", "net", "ipc", "uts" })
            Assert.Equal(HostState.ReadNsLink(pid, t), ns.Get("ns." + t));
        Assert.Equal("created", (string?)Rt.StateJson(id)["status"]);
        // The init still starts the user's program afterwards.
        Rt.StartContainer(id).AssertOk();
        Assert.Equal("running", (string?)Rt.StateJson(id)["status"]);
        Rt.Delete(id, force: true).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Exec_into_an_unknown_container_fails()
    {
        Exec("ct-no-such-container", "/bin/true").AssertFailed().AssertStderrMentions("does not exist");
    }

    [Fact]
    public void Malformed_process_file_fails_naming_it()
    {
        var (id, _, _) = Running();
        string file = Path.Combine(Scope.Dir, "bad-process.json");
        File.WriteAllText(file, """{ "args": "not a list" }""");
        Exec("--process", file, id).AssertFailed().AssertStderrMentions("args");
        File.WriteAllText(file, """{ "args": ["/bin/true"], "cwd": "relative" }""");
        Exec("--process", file, id).AssertFailed().AssertStderrMentions("cwd");
        Exec("--process", Path.Combine(Scope.Dir, "missing.json"), id).AssertFailed().AssertStderrMentions("missing.json");
    }

    [Fact]
    public void Exec_without_a_command_fails()
    {
        var (id, _, _) = Running();
        Exec(id).AssertFailed().AssertStderrMentions("command");
    }

    [Fact]
    public void Exec_runs_inside_the_container_seccomp_filter()
    {
        // getppid (x86_64 syscall 110) fails with ENOSYS (38) in the container: the exec'd
        // process must be under the same filter as the init, never outside it.
        var (id, _, _) = Running(b => b.Linux["seccomp"] = new System.Text.Json.Nodes.JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ALLOW",
            ["syscalls"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
            {
                ["names"] = new System.Text.Json.Nodes.JsonArray("getppid"),
                ["action"] = "SCMP_ACT_ERRNO",
                ["errnoRet"] = 38,
            }),
        });
        var r = Exec(id, "/probe", "syscall", "110");
        Assert.Equal("ENOSYS", r.Probe.Get("error")); // the probe exits 1 when its syscall fails
    }

    [Fact]
    public void Exec_into_a_container_sharing_the_host_pid_namespace()
    {
        var (id, _, _) = Running(b => b.RemoveNamespace("pid"));
        var p = Exec(id, "/probe", "ns").AssertOk().Probe;
        Assert.Equal(HostState.ReadNsLink(Environment.ProcessId, "pid"), p.Get("ns.pid"));
        Assert.Equal(5, Exec(id, "/probe", "exit", "5").ExitCode);
    }

    [Fact]
    public void Exec_cgroup_flag_joins_an_existing_sub_cgroup()
    {
        var (id, initPid, _) = Running();
        // The init's memory cgroup as the host sees it, and a sub-cgroup below it.
        string line = File.ReadAllLines($"/proc/{initPid}/cgroup").Single(l => l.Split(':')[1].Split(',').Contains("memory"));
        string sub = Path.Combine("/sys/fs/cgroup/memory" + line.Split(':', 3)[2], "sub");
        Directory.CreateDirectory(sub);
        try
        {
            string pidFile = Path.Combine(Scope.Dir, "exec.pid");
            Exec("--detach", "--pid-file", pidFile, "--cgroup", "memory:sub", id, "/probe", "sleep", "60").AssertOk();
            int pid = int.Parse(File.ReadAllText(pidFile).Trim());
            string mine = File.ReadAllLines($"/proc/{pid}/cgroup").Single(l => l.Split(':')[1].Split(',').Contains("memory"));
            Assert.EndsWith("/sub", mine);
            Exec("--cgroup", "memory:missing", id, "/bin/true").AssertFailed().AssertStderrMentions("no such cgroup");
            Rt.Delete(id, force: true);
            HostState.WaitDead(pid, TimeSpan.FromSeconds(5));
        }
        finally
        {
            HostState.RemoveCgroupDirs([sub]);
        }
    }
}
