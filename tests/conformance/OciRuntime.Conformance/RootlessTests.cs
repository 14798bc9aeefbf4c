using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// Rootless mode: the runtime run by an unprivileged user the test creates (useradd, with
/// /etc/subuid and /etc/subgid ranges; removed afterwards). The config comes from that user's
/// `spec --rootless`; the state goes to its $XDG_RUNTIME_DIR/ociruntime; the container is checked
/// from inside (its maps) and from the host (its ids, its state, nothing left behind).
/// </summary>
public sealed class RootlessTests : ConformanceTest, IClassFixture<RootlessUser>
{
    private readonly RootlessUser _user;

    public RootlessTests(ITestOutputHelper output, RootlessUser user) : base(output)
    {
        _user = user;
        Rt.Binary = user.Wrapper;
    }

    private static readonly InvokeOptions AsUser = new() { NoGlobalArgs = true };

    /// <summary>A bundle whose config.json is the user's own `spec --rootless`, with the probe's
    /// arguments, no terminal, and the test's tag in the environment.</summary>
    private (Bundle Bundle, JsonObject Config) RootlessBundle(params string[] probeArgs)
    {
        var b = NewBundle();
        RootlessUser.OpenParents(b.Rootfs);
        _user.Chown(b.Dir);
        Rt.Invoke(AsUser, "spec", "--rootless", "--bundle", b.Dir).AssertOk("spec --rootless as the user");
        var config = JsonNode.Parse(File.ReadAllText(b.ConfigPath))!.AsObject();
        var process = config["process"]!.AsObject();
        process["terminal"] = false;
        process["args"] = new JsonArray(["/probe", .. probeArgs.Select(a => (JsonNode)a)]);
        process["env"]!.AsArray().Add($"{HostState.TagVariable}={Scope.Tag}");
        return (b, config);
    }

    private RuntimeResult Invoke(JsonObject config, Bundle b, params string[] args)
    {
        File.WriteAllText(b.ConfigPath, config.ToJsonString());
        return Rt.Invoke(AsUser, args);
    }

    /// <summary>A container id for the user's containers, force-deleted as the user at the end of the test.</summary>
    private string NewId()
    {
        string id = Rt.NewId();
        Scope.OnCleanup("delete --force " + id, () => Rt.Invoke(AsUser, "delete", "--force", id));
        return id;
    }

    private void AssertNothingLeft(string id)
    {
        Assert.False(Directory.Exists(Path.Combine(_user.StateRoot, id)), $"state left at {_user.StateRoot}/{id}");
        Scope.AssertNothingLeft([id]);
    }

    private static string[] MapLines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();

    private static uint HostUidOf(int pid) =>
        uint.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[2]);

    [Fact]
    public void Spec_rootless_maps_the_users_own_ids_and_runs_as_that_user()
    {
        var (b, config) = RootlessBundle("cat", "/proc/self/uid_map", "/proc/self/gid_map", "/proc/self/setgroups");
        var uidMap = config["linux"]!["uidMappings"]!.AsArray().Single()!;
        Assert.Equal(_user.Uid, (uint)uidMap["hostID"]!);
        Assert.Equal(1u, (uint)uidMap["size"]!);
        Assert.DoesNotContain(config["linux"]!["namespaces"]!.AsArray(), n => (string?)n!["type"] == "network");

        string id = NewId();
        var r = Invoke(config, b, "run", "--bundle", b.Dir, id).AssertOk("rootless run");
        // One id each, and setgroups denied: an unprivileged writer may map only its own gid, after "deny".
        Assert.Equal([$"0 {_user.Uid} 1", $"0 {_user.Gid} 1", "deny"], MapLines(r.Stdout));
        AssertNothingLeft(id);
    }

    [Fact]
    public void Rootless_lifecycle_create_start_state_kill_delete_with_state_under_XDG_RUNTIME_DIR()
    {
        var (b, config) = RootlessBundle("trap", "30");
        string id = NewId();
        string pidFile = Path.Combine(_user.Home, "init.pid");
        Invoke(config, b, "create", "--bundle", b.Dir, "--pid-file", pidFile, id).AssertOk("rootless create");

        Assert.True(File.Exists(Path.Combine(_user.StateRoot, id, "state.json")), "state.json under $XDG_RUNTIME_DIR/ociruntime/ID");
        var state = JsonNode.Parse(Rt.Invoke(AsUser, "state", id).AssertOk().Stdout)!.AsObject();
        Assert.Equal("created", (string?)state["status"]);
        int pid = (int)state["pid"]!;
        Assert.Equal(pid.ToString(), File.ReadAllText(pidFile).Trim());
        // On the host the container's root is the user.
        Assert.Equal(_user.Uid, HostUidOf(pid));
        Assert.Contains(id, Rt.Invoke(AsUser, "list", "-q").AssertOk().Stdout);

        Rt.Invoke(AsUser, "start", id).AssertOk("rootless start");
        var running = JsonNode.Parse(Rt.Invoke(AsUser, "state", id).AssertOk().Stdout)!.AsObject();
        Assert.Equal("running", (string?)running["status"]);

        Rt.Invoke(AsUser, "kill", id, "KILL").AssertOk("rootless kill");
        Assert.True(HostState.WaitDead(pid, TimeSpan.FromSeconds(5)), "the init died of SIGKILL");
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((string?)JsonNode.Parse(Rt.Invoke(AsUser, "state", id).AssertOk().Stdout)!["status"] != "stopped")
        {
            Assert.True(DateTime.UtcNow < deadline, "the container did not become stopped");
            Thread.Sleep(20);
        }
        Rt.Invoke(AsUser, "delete", id).AssertOk("rootless delete");
        Rt.Invoke(AsUser, "state", id).AssertFailed("state after delete");
        AssertNothingLeft(id);
    }

    [Fact]
    public void Rootless_run_returns_the_exit_status_of_the_container()
    {
        var (b, config) = RootlessBundle("exit", "3");
        string id = NewId();
        var r = Invoke(config, b, "run", "--bundle", b.Dir, id);
        Assert.Equal(3, r.ExitCode);
        AssertNothingLeft(id);
    }

    [Fact]
    public void Several_ranges_from_subuid_and_subgid_are_written_through_newuidmap_and_newgidmap()
    {
        var (b, config) = RootlessBundle("cat", "/proc/self/uid_map", "/proc/self/gid_map", "/proc/self/setgroups");
        var linux = config["linux"]!.AsObject();
        linux["uidMappings"] = new JsonArray(
            new JsonObject { ["containerID"] = 0, ["hostID"] = _user.Uid, ["size"] = 1 },
            new JsonObject { ["containerID"] = 1, ["hostID"] = _user.SubUid.Start, ["size"] = 65536 });
        linux["gidMappings"] = new JsonArray(
            new JsonObject { ["containerID"] = 0, ["hostID"] = _user.Gid, ["size"] = 1 },
            new JsonObject { ["containerID"] = 1, ["hostID"] = _user.SubGid.Start, ["size"] = 65536 });
        string id = NewId();
        var r = Invoke(config, b, "run", "--bundle", b.Dir, id).AssertOk("rootless run with subordinate ids");
        Assert.Equal([$"0 {_user.Uid} 1", $"1 {_user.SubUid.Start} 65536", $"0 {_user.Gid} 1", $"1 {_user.SubGid.Start} 65536", "allow"],
            MapLines(r.Stdout));
        AssertNothingLeft(id);

        // A process user from the subordinate range is that host id outside.
        config["process"]!["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 1000, ["additionalGids"] = new JsonArray(1001) };
        config["process"]!["args"] = new JsonArray("/probe", "sleep", "30");
        string id2 = NewId();
        Invoke(config, b, "create", "--bundle", b.Dir, id2).AssertOk("rootless create as uid 1000");
        int pid = (int)JsonNode.Parse(Rt.Invoke(AsUser, "state", id2).AssertOk().Stdout)!["pid"]!;
        Assert.Equal(_user.SubUid.Start + 999, HostUidOf(pid));
        Rt.Invoke(AsUser, "delete", "--force", id2).AssertOk();
        AssertNothingLeft(id2);
    }

    [Fact]
    [Trait(Traits.Runtime, Traits.OciRuntimeOnly)]
    public void A_mapping_the_user_may_not_write_is_refused_naming_the_entry_and_leaves_nothing()
    {
        var (b, config) = RootlessBundle("true");
        // uid 0 of the host: neither the user's own uid nor in its /etc/subuid ranges.
        config["linux"]!["uidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 0, ["size"] = 1 });
        string id = NewId();
        Invoke(config, b, "run", "--bundle", b.Dir, id).AssertFailed("rootless run mapping the host's root")
            .AssertStderrMentions("linux.uidMappings[0]");
        AssertNothingLeft(id);

        var (b2, config2) = RootlessBundle("true");
        config2["linux"]!["gidMappings"] = new JsonArray(
            new JsonObject { ["containerID"] = 0, ["hostID"] = _user.Gid, ["size"] = 1 },
            new JsonObject { ["containerID"] = 1, ["hostID"] = _user.SubGid.Start + _user.SubGid.Count, ["size"] = 10 });
        string id2 = NewId();
        Invoke(config2, b2, "create", "--bundle", b2.Dir, id2).AssertFailed("rootless create beyond the subgid range")
            .AssertStderrMentions("linux.gidMappings[1]");
        AssertNothingLeft(id2);
    }

    [Fact]
    [Trait(Traits.Runtime, Traits.OciRuntimeOnly)]
    public void A_limit_without_a_delegated_cgroup_is_refused_naming_the_field()
    {
        var (b, config) = RootlessBundle("true");
        config["linux"]!["resources"] = new JsonObject { ["memory"] = new JsonObject { ["limit"] = 64L << 20 } };
        string id = NewId();
        Invoke(config, b, "run", "--bundle", b.Dir, id).AssertFailed("rootless run with a memory limit")
            .AssertStderrMentions("linux.resources.memory.limit");
        AssertNothingLeft(id);
    }

    [Fact]
    public void A_delegated_cgroup_is_used_with_its_limits()
    {
        var memory = HostState.CgroupHierarchies().FirstOrDefault(h => h.MountPoint == "/sys/fs/cgroup/memory");
        Assert.True(memory != null, "the sandbox mounts the v1 memory hierarchy");
        // What a delegation does: the directory and its cgroup.procs/tasks belong to the user.
        string name = Rt.NewId() + "deleg";
        string delegated = Path.Combine("/sys/fs/cgroup/memory", name);
        Directory.CreateDirectory(delegated);
        Scope.OnCleanup("rmdir " + delegated, () => Directory.Delete(delegated));
        foreach (var p in new[] { delegated, Path.Combine(delegated, "cgroup.procs"), Path.Combine(delegated, "tasks") })
            _user.Chown(p);

        var (b, config) = RootlessBundle("cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes", "/proc/self/cgroup");
        config["linux"]!["cgroupsPath"] = "/" + name + "/ctr";
        config["linux"]!["resources"] = new JsonObject { ["memory"] = new JsonObject { ["limit"] = 64L << 20 } };
        string id = NewId();
        var r = Invoke(config, b, "run", "--bundle", b.Dir, id).AssertOk("rootless run in a delegated memory cgroup");
        Assert.Contains((64L << 20).ToString(), r.Stdout);
        Assert.False(Directory.Exists(Path.Combine(delegated, "ctr")), "the container's cgroup is removed with it");
        AssertNothingLeft(id);
    }

    [Fact]
    public void Exec_joins_a_rootless_container_as_its_root()
    {
        var (b, config) = RootlessBundle("sleep", "30");
        string id = NewId();
        Invoke(config, b, "run", "--detach", "--bundle", b.Dir, id).AssertOk("rootless run --detach");
        int pid = (int)JsonNode.Parse(Rt.Invoke(AsUser, "state", id).AssertOk().Stdout)!["pid"]!;
        var r = Rt.Invoke(AsUser, "exec", id, "/probe", "id").AssertOk("rootless exec");
        Assert.Equal("0", r.Probe.Get("uid"));
        Assert.Equal("0", r.Probe.Get("gid"));
        var ns = Rt.Invoke(AsUser, "exec", id, "/probe", "ns").AssertOk("rootless exec ns").Probe;
        Assert.Equal(HostState.ReadNsLink(pid, "user"), ns.Get("ns.user"));
        Rt.Invoke(AsUser, "delete", "--force", id).AssertOk();
        AssertNothingLeft(id);
    }

    [Fact]
    public void Without_its_own_cgroupns_the_cgroup_mount_shows_the_users_own_cgroup()
    {
        var (b, config) = RootlessBundle("ls", "/sys/fs/cgroup/memory");
        var namespaces = config["linux"]!["namespaces"]!.AsArray();
        foreach (var n in namespaces.Where(n => (string?)n!["type"] == "cgroup").ToList())
            namespaces.Remove(n);
        string id = NewId();
        var r = Invoke(config, b, "run", "--bundle", b.Dir, id).AssertOk("rootless run without a cgroup namespace");
        Assert.Contains("cgroup.procs", r.Stdout);
        AssertNothingLeft(id);
    }

    [Fact]
    [Trait(Traits.Runtime, Traits.OciRuntimeOnly)]
    public void Pause_of_a_rootless_container_without_a_cgroup_says_why()
    {
        var (b, config) = RootlessBundle("sleep", "30");
        string id = NewId();
        Invoke(config, b, "run", "--detach", "--bundle", b.Dir, id).AssertOk("rootless run --detach");
        Rt.Invoke(AsUser, "pause", id).AssertFailed("pause without a cgroup").AssertStderrMentions("no cgroup of its own");
        Assert.Equal("running", (string?)JsonNode.Parse(Rt.Invoke(AsUser, "state", id).AssertOk().Stdout)!["status"]);
        Rt.Invoke(AsUser, "delete", "--force", id).AssertOk();
        AssertNothingLeft(id);
    }

    [Fact]
    public void The_executor_runs_from_a_binary_the_user_cannot_write_or_from_a_sealed_copy_of_one_it_owns()
    {
        // The runtime's own binary (root's, not writable by the user): exec'd as it is.
        var (b, config) = RootlessBundle("sleep", "30");
        string id = NewId();
        Invoke(config, b, "create", "--bundle", b.Dir, id).AssertOk("rootless create");
        int pid = (int)JsonNode.Parse(Rt.Invoke(AsUser, "state", id).AssertOk().Stdout)!["pid"]!;
        Assert.Equal(Path.GetFullPath(_user.Binary), new FileInfo($"/proc/{pid}/exe").LinkTarget);
        Rt.Invoke(AsUser, "delete", "--force", id).AssertOk();
        AssertNothingLeft(id);

        // A binary the user owns could be rewritten by the container's root (the same user) through
        // /proc/PID/exe (CVE-2019-5736): the executor then runs from a sealed memfd copy.
        string own = Path.Combine(_user.Home, "ociruntime");
        File.Copy(_user.Binary, own);
        _user.Chown(own);
        File.SetUnixFileMode(own, (UnixFileMode)Convert.ToInt32("755", 8));
        Rt.Binary = _user.MakeWrapper(Path.Combine(Scope.Dir, "as-user-own-binary.sh"), own);
        string id2 = NewId();
        Invoke(config, b, "create", "--bundle", b.Dir, id2).AssertOk("rootless create with the user's own binary");
        int pid2 = (int)JsonNode.Parse(Rt.Invoke(AsUser, "state", id2).AssertOk().Stdout)!["pid"]!;
        Assert.StartsWith("/memfd:ociruntime-executor", new FileInfo($"/proc/{pid2}/exe").LinkTarget);
        Rt.Invoke(AsUser, "delete", "--force", id2).AssertOk();
        AssertNothingLeft(id2);
    }

    [Fact]
    public void Console_socket_and_log_file_work_for_the_user()
    {
        var (b, config) = RootlessBundle();
        config["process"]!["terminal"] = true;
        config["process"]!["args"] = new JsonArray("/bin/sh", "-c", "read line; echo got:$line; tty");
        string socket = Path.Combine(_user.Home, "console.sock");
        using var recv = Process.Start(new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "console-recv"), [socket, "hello\n"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (!File.Exists(socket) && DateTime.UtcNow < deadline)
                Thread.Sleep(10);
            Assert.True(File.Exists(socket), "console-recv did not listen");
            _user.Chown(socket);
            string log = Path.Combine(_user.Home, "runtime.log");
            string id = NewId();
            Invoke(config, b, "--log", log, "--log-format", "json", "run", "--bundle", b.Dir, "--console-socket", socket, id)
                .AssertOk("rootless run with a console socket");
            Assert.True(recv.WaitForExit(20000), "console-recv did not finish");
            string output = recv.StandardOutput.ReadToEnd();
            Assert.Contains("got:hello", output);
            Assert.Contains("/dev/pts/", output);
            AssertNothingLeft(id);

            Rt.Invoke(AsUser, "--log", log, "--log-format", "json", "state", "nosuch").AssertFailed();
            Assert.Contains("\"level\":\"error\"", File.ReadAllText(log));
            Assert.Contains("nosuch", File.ReadAllText(log));
        }
        finally
        {
            if (!recv.HasExited)
                recv.Kill();
        }
    }

    [Fact]
    [Trait(Traits.Runtime, Traits.OciRuntimeOnly)]
    public void Without_XDG_RUNTIME_DIR_or_a_user_namespace_the_error_says_what_to_do()
    {
        var (b, config) = RootlessBundle("true");
        string id = NewId();
        Rt.Binary = _user.MakeWrapper(Path.Combine(Scope.Dir, "as-user-no-xdg.sh"), _user.Binary, withXdg: false);
        Invoke(config, b, "create", "--bundle", b.Dir, id).AssertFailed("rootless create without XDG_RUNTIME_DIR")
            .AssertStderrMentions("XDG_RUNTIME_DIR");
        Rt.Binary = _user.Wrapper;
        AssertNothingLeft(id);

        // `spec` without --rootless: no user namespace, which an unprivileged user cannot do without.
        var plain = NewBundle();
        RootlessUser.OpenParents(plain.Rootfs);
        _user.Chown(plain.Dir);
        Rt.Invoke(AsUser, "spec", "--bundle", plain.Dir).AssertOk();
        var c = JsonNode.Parse(File.ReadAllText(plain.ConfigPath))!.AsObject();
        c["process"]!["terminal"] = false;
        string id2 = NewId();
        Invoke(c, plain, "run", "--bundle", plain.Dir, id2).AssertFailed("rootless run without a user namespace")
            .AssertStderrMentions("linux.namespaces", "user namespace");
        AssertNothingLeft(id2);
    }
}
