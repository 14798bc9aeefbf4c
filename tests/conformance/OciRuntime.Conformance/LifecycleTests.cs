using System.Text.Json.Nodes;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>create / start / state / kill / delete / run / list / spec / --version: the runc CLI contract.</summary>
public sealed class LifecycleTests : ConformanceTest
{
    public LifecycleTests(ITestOutputHelper output) : base(output) { }

    [Fact]
    public void Create_gives_created_state_with_all_fields_and_does_not_run_the_program()
    {
        string hostDir = Scope.NewDir("shared");
        var b = NewBundle().Probe("write", "/shared/marker");
        b.AddMount("/shared", "bind", hostDir, "rbind", "rw");
        string id = Rt.NewId();

        Rt.Create(b, id).AssertOk();
        var state = Rt.StateJson(id);

        Assert.Equal("created", (string?)state["status"]);
        Assert.Equal(id, (string?)state["id"]);
        Assert.False(string.IsNullOrEmpty((string?)state["ociVersion"]), "ociVersion missing:\n" + state);
        Assert.True(state["pid"]!.GetValue<int>() > 0, "pid must be > 0:\n" + state);
        Assert.Equal(b.Dir, (string?)state["bundle"]);
        Assert.True(state.ContainsKey("rootfs"), "rootfs missing:\n" + state);
        Assert.True(state.ContainsKey("owner"), "owner missing:\n" + state);
        string? created = (string?)state["created"];
        Assert.True(DateTimeOffset.TryParse(created, out var when), "created is not a timestamp: " + created);
        Assert.InRange(when, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));

        int pid = state["pid"]!.GetValue<int>();
        Assert.True(HostState.IsAlive(pid), $"created container's pid {pid} is not alive");
        Thread.Sleep(200);
        Assert.False(File.Exists(Path.Combine(hostDir, "marker")), "the user program ran before start");

        Rt.StartContainer(id).AssertOk();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!File.Exists(Path.Combine(hostDir, "marker")) && DateTime.UtcNow < deadline)
            Thread.Sleep(10);
        Assert.True(File.Exists(Path.Combine(hostDir, "marker")), "the user program did not run after start");
        Rt.WaitForStatus(id, "stopped");
        Rt.Delete(id).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Start_makes_the_container_running_and_state_pid_is_the_process()
    {
        var b = NewBundle().Probe("sleep", "30");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        var state = Rt.StateJson(id);
        Assert.Equal("running", (string?)state["status"]);
        int pid = state["pid"]!.GetValue<int>();
        string cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        Assert.Contains("/probe sleep 30", cmdline);
        Rt.Kill(id, "KILL").AssertOk();
        Rt.WaitForStatus(id, "stopped");
        Rt.Delete(id).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Kill_without_signal_sends_SIGTERM()
    {
        var b = NewBundle().Probe("trap", "20");
        string id = Rt.NewId();
        var created = Rt.CreateAndStart(b, id);
        WaitForOutput(created, "ready=1");
        Rt.Kill(id).AssertOk();
        Rt.WaitForStatus(id, "stopped");
        Assert.Contains("signal=15", created.ReadStdoutNow());
        Rt.Delete(id).AssertOk();
    }

    [Theory]
    [InlineData("KILL")]
    [InlineData("SIGKILL")]
    [InlineData("9")]
    public void Kill_by_name_or_number_stops_the_container(string signal)
    {
        var b = NewBundle().Probe("sleep", "30");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        int pid = Rt.Pid(id);
        Rt.Kill(id, signal).AssertOk();
        Rt.WaitForStatus(id, "stopped");
        Assert.True(HostState.WaitDead(pid, TimeSpan.FromSeconds(2)), $"pid {pid} still alive");
        Rt.Delete(id).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    [Theory]
    [InlineData("USR1", 10)]
    [InlineData("SIGHUP", 1)]
    [InlineData("2", 2)]
    public void Kill_delivers_the_named_signal(string signal, int number)
    {
        var b = NewBundle().Probe("trap", "20");
        string id = Rt.NewId();
        var created = Rt.CreateAndStart(b, id);
        WaitForOutput(created, "ready=1");
        Rt.Kill(id, signal).AssertOk();
        Rt.WaitForStatus(id, "stopped");
        Assert.Contains($"signal={number}\n", created.ReadStdoutNow());
        Rt.Delete(id).AssertOk();
    }

    [Fact]
    public void Delete_removes_the_container_and_state_then_fails()
    {
        var b = NewBundle().Probe("exit", "0");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        Rt.WaitForStatus(id, "stopped");
        Rt.Delete(id).AssertOk();
        Rt.State(id).AssertFailed("state of a deleted container").AssertStderrMentions("does not exist", "no such", "not found");
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Delete_of_a_created_container_succeeds_and_ends_its_process()
    {
        var b = NewBundle().Probe("exit", "0");
        string id = Rt.NewId();
        Rt.Create(b, id).AssertOk();
        int pid = Rt.Pid(id);
        Rt.Delete(id).AssertOk();
        Assert.True(HostState.WaitDead(pid, TimeSpan.FromSeconds(3)), $"created container's pid {pid} survived delete");
        Rt.State(id).AssertFailed();
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void The_waiting_process_of_a_created_container_blocks_and_ignores_no_signal()
    {
        // The executor is started with every signal blocked (so that the runtime's handlers can
        // never run in the spawned child) and must take them again at once, or a signal sent to
        // a created container would wait, pending, for the user's program.
        var b = NewBundle().Probe("exit", "0");
        string id = Rt.NewId();
        Rt.Create(new InvokeOptions { IgnoreSignals = true }, b, id).AssertOk();
        int pid = Rt.Pid(id);
        var status = File.ReadAllLines($"/proc/{pid}/status").Select(l => l.Split(":\t")).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("0000000000000000", status["SigBlk"]);
        Assert.Equal("0000000000000000", status["SigIgn"]);
        Rt.Delete(id, force: true).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Delete_force_kills_a_running_container()
    {
        var b = NewBundle().Probe("sleep", "30");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        int pid = Rt.Pid(id);
        Rt.Delete(id, force: true).AssertOk();
        Assert.True(HostState.WaitDead(pid, TimeSpan.FromSeconds(3)), $"pid {pid} survived delete --force");
        Rt.State(id).AssertFailed();
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Run_returns_the_exit_status_of_the_container()
    {
        var b = NewBundle().Probe("exit", "3");
        string id = Rt.NewId();
        var r = Rt.Run(b, id);
        Assert.False(r.TimedOut, r.ToString());
        Assert.Equal(3, r.ExitCode);
        // a foreground run deletes the container when it exits
        Rt.State(id).AssertFailed("state after a foreground run").AssertStderrMentions("does not exist", "no such", "not found");
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Run_prints_the_container_output_and_returns_zero()
    {
        var b = NewBundle().Args("/bin/echo", "hello from the container");
        string id = Rt.NewId();
        var r = Rt.Run(b, id).AssertOk();
        Assert.Equal("hello from the container\n", r.Stdout);
        Rt.State(id).AssertFailed("state after a foreground run");
    }

    [Fact]
    public void Run_of_a_container_killed_by_a_signal_returns_128_plus_the_signal()
    {
        var b = NewBundle().Probe("sleep", "30");
        string id = Rt.NewId();
        var run = Rt.LaunchRun(b, id);
        Rt.WaitForStatus(id, "running");
        Rt.Kill(id, "KILL").AssertOk();
        var r = run.Wait();
        Assert.False(r.TimedOut, r.ToString());
        Assert.Equal(128 + 9, r.ExitCode);
        Rt.State(id).AssertFailed("state after a foreground run");
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Run_detach_returns_at_once_with_a_running_container()
    {
        var b = NewBundle().Probe("sleep", "30");
        string id = Rt.NewId();
        var r = Rt.Run(b, id, "--detach").AssertOk();
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(5), "run --detach waited for the container");
        var state = Rt.StateJson(id);
        Assert.Equal("running", (string?)state["status"]);
        Rt.Delete(id, force: true).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Pid_file_holds_the_state_pid()
    {
        var b = NewBundle().Probe("sleep", "30");
        string id = Rt.NewId();
        string pidFile = Path.Combine(Scope.Dir, "container.pid");
        Rt.Create(b, id, "--pid-file", pidFile).AssertOk();
        Assert.True(File.Exists(pidFile), "pid file not written");
        Assert.Equal(Rt.Pid(id), int.Parse(File.ReadAllText(pidFile).Trim()));
        Rt.Delete(id, force: true).AssertOk();
    }

    [Fact]
    public void Run_detach_writes_the_pid_file()
    {
        var b = NewBundle().Probe("sleep", "30");
        string id = Rt.NewId();
        string pidFile = Path.Combine(Scope.Dir, "run.pid");
        Rt.Run(b, id, "--detach", "--pid-file", pidFile).AssertOk();
        Assert.Equal(Rt.Pid(id), int.Parse(File.ReadAllText(pidFile).Trim()));
        Rt.Delete(id, force: true).AssertOk();
    }

    [Fact]
    public void List_prints_the_table_header_and_a_row()
    {
        var b = NewBundle().Probe("sleep", "30");
        string id = Rt.NewId();
        Rt.Create(b, id).AssertOk();
        int pid = Rt.Pid(id);

        var r = Rt.Invoke("list").AssertOk();
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 2, r.ToString());
        lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"], "list's header is runc's; it printed:\n{0}", r.Stdout);
        string[] row = lines.Should().ContainSingle(l => l.StartsWith(id + " ", StringComparison.Ordinal), "one row for {0}", id)
            .Which.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        row.Should().StartWith([id, pid.ToString(), "created", b.Dir], "the row of {0}", id);
        Rt.Delete(id, force: true).AssertOk();
    }

    [Fact]
    public void List_quiet_prints_only_ids()
    {
        var b1 = NewBundle().Probe("sleep", "30");
        var b2 = NewBundle().Probe("sleep", "30");
        string id1 = Rt.NewId(), id2 = Rt.NewId();
        Rt.Create(b1, id1).AssertOk();
        Rt.Create(b2, id2).AssertOk();
        var r = Rt.Invoke("list", "-q").AssertOk();
        r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Should().BeEquivalentTo([id1, id2], "list -q prints the ids alone, one a line");
        Rt.Delete(id1, force: true).AssertOk();
        Rt.Delete(id2, force: true).AssertOk();
    }

    [Fact]
    public void List_format_json_prints_an_array_of_states()
    {
        var b = NewBundle().Probe("sleep", "30");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        var r = Rt.Invoke("list", "--format", "json").AssertOk();
        var arr = JsonNode.Parse(r.Stdout)!.AsArray();
        var entry = arr.Should().ContainSingle(e => (string?)e!["id"] == id, "list --format json printed {0}", r.Stdout).Which!;
        Assert.Equal("running", (string?)entry["status"]);
        Assert.Equal(Rt.Pid(id), entry["pid"]!.GetValue<int>());
        Assert.Equal(b.Dir, (string?)entry["bundle"]);
        Rt.Delete(id, force: true).AssertOk();
    }

    [Fact]
    public void List_with_no_containers_prints_the_header_only()
    {
        var r = Rt.Invoke("list").AssertOk();
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle("with no containers list prints the header only")
            .Which.Should().StartWith("ID");
        var q = Rt.Invoke("list", "-q").AssertOk();
        Assert.Equal("", q.Stdout.Trim());
        var j = Rt.Invoke("list", "--format", "json").AssertOk();
        // runc prints JSON null for no containers (not []); tools parse it as such.
        Assert.Equal("null", j.Stdout.Trim());
    }

    [Fact]
    public void Spec_writes_a_default_config_and_does_not_overwrite_it()
    {
        string dir = Scope.NewDir("specdir");
        var opts = new InvokeOptions { WorkingDirectory = dir, NoGlobalArgs = true };
        Rt.Invoke(opts, "spec").AssertOk();
        string path = Path.Combine(dir, "config.json");
        Assert.True(File.Exists(path), "spec wrote no config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.False(string.IsNullOrEmpty((string?)config["ociVersion"]));
        Assert.Equal("rootfs", (string?)config["root"]!["path"]);
        Assert.NotEmpty(config["process"]!["args"]!.AsArray());
        config["linux"]!["namespaces"]!.AsArray().Select(n => (string?)n!["type"]).Should().Contain("mount");
        // As runc: a cgroup namespace only where /sys/fs/cgroup is cgroup2 (a v1 config that adds
        // its own would otherwise list the type twice).
        bool cgroup2 = MountInfo.ReadSelf().LastOrDefault(m => m.MountPoint == "/sys/fs/cgroup")?.FsType == "cgroup2";
        Assert.Equal(cgroup2, config["linux"]!["namespaces"]!.AsArray().Any(n => (string?)n!["type"] == "cgroup"));

        // runc refuses to overwrite an existing config.json ("File config.json exists. Remove it first")
        File.WriteAllText(path, "{\"mine\": true}");
        Rt.Invoke(opts, "spec").AssertFailed("spec over an existing config.json").AssertStderrMentions("config.json");
        Assert.Equal("{\"mine\": true}", File.ReadAllText(path));
    }

    [Fact]
    public void Spec_bundle_option_writes_into_that_dir()
    {
        string dir = Scope.NewDir("specbundle");
        Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, "spec", "--bundle", dir).AssertOk();
        Assert.True(File.Exists(Path.Combine(dir, "config.json")));
    }

    [Fact]
    public void Version_prints_a_version_line()
    {
        var r = Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, "--version").AssertOk();
        Assert.Contains("version", r.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Root_dir_is_created_when_missing()
    {
        string root = Path.Combine(Scope.Dir, "newroot", "nested");
        var b = NewBundle().Probe("exit", "0");
        b.Save();
        string id = Rt.NewId();
        try
        {
            Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, "--root", root, "create", "--bundle", b.Dir, id).AssertOk();
            Assert.True(Directory.Exists(root), "--root dir not created");
            Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, "--root", root, "delete", id).AssertOk();
        }
        finally
        {
            Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, "--root", root, "delete", "--force", id);
        }
    }

    [Fact]
    public void State_of_a_stopped_container_reports_stopped()
    {
        var b = NewBundle().Probe("exit", "7");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        var state = Rt.WaitForStatus(id, "stopped");
        Assert.Equal(id, (string?)state["id"]);
        Rt.Delete(id).AssertOk();
    }

    internal static void WaitForOutput(RuntimeResult created, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!created.ReadStdoutNow().Contains(text) && DateTime.UtcNow < deadline)
            Thread.Sleep(10);
        Assert.Contains(text, created.ReadStdoutNow());
    }
}
