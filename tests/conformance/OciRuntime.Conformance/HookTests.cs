using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>Hooks: each kind runs with the state on stdin, its args and env, in the namespace and
/// at the point runtime-spec names; failures and timeouts fail the operation (poststop: warn).</summary>
public sealed class HookTests : ConformanceTest
{
    public HookTests(ITestOutputHelper output) : base(output) { }

    private static readonly string[] HostKinds = ["prestart", "createRuntime", "poststart", "poststop"];

    /// <summary>A script that records, under DIR, its mount namespace, stdin and first arg.</summary>
    private static string Recorder(string dir) =>
        "#!/bin/sh\nreadlink /proc/self/ns/mnt > " + dir + "/$1.ns\ncat > " + dir + "/$1.json\necho $1 $X >> " + dir + "/order\n";

    private static JsonObject HookEntry(string path, string arg, int? timeout = null)
    {
        var h = new JsonObject
        {
            ["path"] = path,
            ["args"] = new JsonArray("recorder", arg),
            ["env"] = new JsonArray("PATH=/bin:/usr/bin:/sbin:/usr/sbin", "X=" + arg + "-env"),
        };
        if (timeout != null)
            h["timeout"] = timeout;
        return h;
    }

    private string HostRecorder()
    {
        string script = Path.Combine(Scope.Dir, "recorder.sh");
        File.WriteAllText(script, Recorder(Scope.Dir));
        File.SetUnixFileMode(script, (UnixFileMode)Convert.ToInt32("755", 8));
        return script;
    }

    /// <summary>One recorder hook of each kind: the host's script, and for startContainer (whose
    /// path resolves in the container) a copy in the rootfs recording under its /tmp.</summary>
    private static void AddEveryHookKind(Bundle b, string host)
    {
        File.WriteAllText(b.HostPath("/recorder.sh"), Recorder("/tmp"));
        File.SetUnixFileMode(b.HostPath("/recorder.sh"), (UnixFileMode)Convert.ToInt32("755", 8));
        b.Config["hooks"] = new JsonObject
        {
            ["prestart"] = new JsonArray(HookEntry(host, "prestart")),
            ["createRuntime"] = new JsonArray(HookEntry(host, "createRuntime")),
            ["createContainer"] = new JsonArray(HookEntry(host, "createContainer")),
            ["startContainer"] = new JsonArray(HookEntry("/recorder.sh", "startContainer")),
            ["poststart"] = new JsonArray(HookEntry(host, "poststart")),
            ["poststop"] = new JsonArray(HookEntry(host, "poststop")),
        };
    }

    [Fact]
    public void A_startContainer_hook_without_env_gets_the_processs_environment()
    {
        // runc's de-facto rule: its init runs the hook with the environment it has, the process's.
        var b = NewBundle().Args("/bin/true").Env("HOOK_SEES=process-env");
        b.Config["root"]!["readonly"] = false;
        File.WriteAllText(b.HostPath("/envhook.sh"), "#!/bin/sh\nenv > /tmp/hook.env\n");
        File.SetUnixFileMode(b.HostPath("/envhook.sh"), (UnixFileMode)Convert.ToInt32("755", 8));
        b.Config["hooks"] = new JsonObject { ["startContainer"] = new JsonArray(new JsonObject { ["path"] = "/envhook.sh" }) };
        Rt.Run(b).AssertOk();
        Assert.Contains("HOOK_SEES=process-env", File.ReadAllLines(b.HostPath("/tmp/hook.env")));
    }

    [Fact]
    public void Create_hooks_run_in_runcs_working_directories()
    {
        // runc: prestart and createRuntime from its own process, which chdir'd to the bundle;
        // createContainer from its init, in the container's root before pivot_root (runc's
        // hooks_so.bats bind-mounts onto ./lib from such a hook). A relative write lands there,
        // never in the runtime's cwd (the host's / for createContainer before). Each writes into
        // a directory of a unique name that only its expected cwd has, so a runtime that gets it
        // wrong fails the hook rather than writing into the host's /.
        var b = NewBundle().Args("/bin/true");
        string mark = "hookcwd-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(Path.Combine(b.Dir, mark));
        Directory.CreateDirectory(Path.Combine(b.Rootfs, mark));
        JsonArray One(string name) => new(new JsonObject
        {
            ["path"] = "/bin/sh",
            ["args"] = new JsonArray("sh", "-c", $"pwd > {Scope.Dir}/{name}.cwd; echo {name} > ./{mark}/{name}"),
            ["env"] = new JsonArray("PATH=/bin:/usr/bin:/sbin:/usr/sbin"),
        });
        b.Config["hooks"] = new JsonObject
        {
            ["prestart"] = One("prestart"), ["createRuntime"] = One("createRuntime"), ["createContainer"] = One("createContainer"),
        };
        Rt.Run(b).AssertOk();
        Assert.Equal(b.Rootfs, File.ReadAllText(Path.Combine(Scope.Dir, "createContainer.cwd")).Trim());
        Assert.Equal("createContainer", File.ReadAllText(Path.Combine(b.Rootfs, mark, "createContainer")).Trim());
        foreach (var kind in new[] { "prestart", "createRuntime" })
        {
            Assert.Equal(b.Dir, File.ReadAllText(Path.Combine(Scope.Dir, kind + ".cwd")).Trim());
            Assert.Equal(kind, File.ReadAllText(Path.Combine(b.Dir, mark, kind)).Trim());
        }
    }

    [Fact]
    [Trait(Traits.KnownFailure, "runc-1.1.5")]
    [Trait(Traits.Reason, "runc gives the create hooks status creating; crun and the runtime-tools suite (hooks_stdin) created (decisions §33)")]
    public void Each_hook_kind_gets_the_state_on_stdin_in_its_namespace_at_its_point()
    {
        string host = HostRecorder();
        var b = NewBundle().Args("/bin/sh", "-c", "readlink /proc/self/ns/mnt > /tmp/init.ns; echo $$ > /tmp/init.pid");
        b.Config["root"]!["readonly"] = false; // the in-container hook and the init write to the rootfs's /tmp
        AddEveryHookKind(b, host);
        string id = Rt.NewId();
        Rt.Create(b, id).AssertOk();
        int pid = Rt.Pid(id);
        string containerNs = HostState.ReadNsLink(pid, "mnt")!;
        Assert.False(File.Exists(b.HostPath("/tmp/startContainer.ns")), "startContainer ran before start");
        Assert.False(File.Exists(Path.Combine(Scope.Dir, "poststart.ns")), "poststart ran before start");
        Rt.StartContainer(id).AssertOk();
        Rt.WaitForStatus(id, "stopped");
        Assert.False(File.Exists(Path.Combine(Scope.Dir, "poststop.ns")), "poststop ran before delete");
        Rt.Delete(id).AssertOk();

        string hostNs = HostState.ReadNsLink(Environment.ProcessId, "mnt")!;
        string Read(string kind) => File.ReadAllText(kind == "startContainer"
            ? b.HostPath("/tmp/startContainer." + "ns") : Path.Combine(Scope.Dir, kind + ".ns")).Trim();
        JsonObject StateOf(string kind) => JsonNode.Parse(File.ReadAllText(kind == "startContainer"
            ? b.HostPath("/tmp/startContainer.json") : Path.Combine(Scope.Dir, kind + ".json")))!.AsObject();

        foreach (var kind in HostKinds)
            Assert.Equal(hostNs, Read(kind));
        Assert.Equal(containerNs, Read("createContainer"));
        Assert.Equal(containerNs, Read("startContainer"));
        Assert.Equal(containerNs, File.ReadAllText(b.HostPath("/tmp/init.ns")).Trim());

        var expected = new Dictionary<string, string>
        {
            // As crun and the runtime-tools suite (hooks_stdin): decisions §33.
            ["prestart"] = "created", ["createRuntime"] = "created", ["createContainer"] = "created",
            ["startContainer"] = "created", ["poststart"] = "running", ["poststop"] = "stopped",
        };
        foreach (var (kind, status) in expected)
        {
            var state = StateOf(kind);
            Assert.Equal(id, (string?)state["id"]);
            Assert.Equal(status, (string?)state["status"]);
            Assert.Equal(b.Dir, (string?)state["bundle"]);
            if (kind != "poststop")
                Assert.Equal(pid, (int)state["pid"]!);
        }
        // Host-side order, and each hook got its own args and env (not the runtime's).
        Assert.Equal(["prestart prestart-env", "createRuntime createRuntime-env", "createContainer createContainer-env",
                      "poststart poststart-env", "poststop poststop-env"],
            File.ReadAllLines(Path.Combine(Scope.Dir, "order")));
        Assert.Equal(["startContainer startContainer-env"], File.ReadAllLines(b.HostPath("/tmp/order")));
    }

    [Fact]
    public void Run_starts_over_its_sync_socket_with_every_hook_kind_in_order()
    {
        // `run` has no exec fifo: its init waits for `start` on the sync socket. The hooks keep
        // their places: startContainer before the user's program, poststart after it started.
        string host = HostRecorder();
        var b = NewBundle().Args("/bin/sh", "-c", "echo init >> /tmp/order");
        b.Config["root"]!["readonly"] = false;
        AddEveryHookKind(b, host);
        string id = Rt.NewId();
        Rt.Run(b, id).AssertOk();
        Assert.Equal(["prestart prestart-env", "createRuntime createRuntime-env", "createContainer createContainer-env",
                      "poststart poststart-env", "poststop poststop-env"],
            File.ReadAllLines(Path.Combine(Scope.Dir, "order")));
        Assert.Equal(["startContainer startContainer-env", "init"], File.ReadAllLines(b.HostPath("/tmp/order")));
        Assert.Equal("created", (string?)JsonNode.Parse(File.ReadAllText(b.HostPath("/tmp/startContainer.json")))!["status"]);
        Assert.Equal("running", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(Scope.Dir, "poststart.json")))!["status"]);
        Rt.State(id).AssertFailed();
        Scope.AssertNothingLeft([id]);
    }

    [Theory]
    [InlineData("prestart")]
    [InlineData("createRuntime")]
    [InlineData("createContainer")]
    public void Failing_create_hook_fails_create_and_leaves_nothing(string kind)
    {
        var b = NewBundle().Args("/bin/true");
        b.Config["hooks"] = new JsonObject { [kind] = new JsonArray(new JsonObject { ["path"] = "/bin/false" }) };
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed().AssertStderrMentions($"hooks.{kind}[0]");
        Rt.State(id).AssertFailed();
    }

    [Fact]
    public void Hook_path_that_does_not_exist_fails_naming_it()
    {
        var b = NewBundle().Args("/bin/true");
        b.Config["hooks"] = new JsonObject { ["createRuntime"] = new JsonArray(new JsonObject { ["path"] = "/no/such/hook" }) };
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed().AssertStderrMentions("/no/such/hook");
        Rt.State(id).AssertFailed();
    }

    [Fact]
    public void Hook_that_times_out_is_killed_and_fails_create()
    {
        var b = NewBundle().Args("/bin/true");
        b.Config["hooks"] = new JsonObject
        {
            ["prestart"] = new JsonArray(new JsonObject
            {
                ["path"] = "/bin/sleep", ["args"] = new JsonArray("sleep", "30"), ["timeout"] = 1,
            }),
        };
        string id = Rt.NewId();
        var r = Rt.Create(new InvokeOptions { Timeout = TimeSpan.FromSeconds(20) }, b, id);
        r.AssertFailed().AssertStderrMentions("timed out");
        Rt.State(id).AssertFailed();
    }

    [Fact]
    public void Failing_poststart_fails_start()
    {
        var b = NewBundle().Probe("sleep", "30");
        b.Config["hooks"] = new JsonObject { ["poststart"] = new JsonArray(new JsonObject { ["path"] = "/bin/false" }) };
        string id = Rt.NewId();
        Rt.Create(b, id).AssertOk();
        Rt.StartContainer(id).AssertFailed().AssertStderrMentions("hooks.poststart[0]");
        Rt.WaitForStatus(id, "stopped");
    }

    [Fact]
    public void Failing_startContainer_fails_start_and_stops_the_container()
    {
        var b = NewBundle().Probe("sleep", "30");
        b.Config["hooks"] = new JsonObject { ["startContainer"] = new JsonArray(new JsonObject { ["path"] = "/bin/false" }) };
        string id = Rt.NewId();
        Rt.Create(b, id).AssertOk();
        Rt.StartContainer(id).AssertFailed().AssertStderrMentions("hooks.startContainer[0]");
        Rt.WaitForStatus(id, "stopped");
    }

    [Fact]
    public void Failing_poststop_is_a_warning_and_the_next_hooks_still_run()
    {
        string host = HostRecorder();
        var b = NewBundle().Args("/bin/true");
        b.Config["hooks"] = new JsonObject
        {
            ["poststop"] = new JsonArray(new JsonObject { ["path"] = "/bin/false" }, HookEntry(host, "poststop")),
        };
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        Rt.WaitForStatus(id, "stopped");
        Rt.Delete(id).AssertOk();
        Assert.True(File.Exists(Path.Combine(Scope.Dir, "poststop.ns")), "the second poststop hook did not run");
        Assert.Contains("hooks.poststop[0]", File.ReadAllText(Rt.LogFile));
        Rt.State(id).AssertFailed();
    }

    [Fact]
    public void Failed_create_hook_still_runs_poststop()
    {
        string host = HostRecorder();
        var b = NewBundle().Args("/bin/true");
        b.Config["hooks"] = new JsonObject
        {
            ["createRuntime"] = new JsonArray(new JsonObject { ["path"] = "/bin/false" }),
            ["poststop"] = new JsonArray(HookEntry(host, "poststop")),
        };
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed().AssertStderrMentions("hooks.createRuntime[0]");
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(Scope.Dir, "poststop.json")))!.AsObject();
        Assert.Equal("stopped", (string?)state["status"]);
        Assert.Equal(id, (string?)state["id"]);
        Rt.State(id).AssertFailed();
    }
}
