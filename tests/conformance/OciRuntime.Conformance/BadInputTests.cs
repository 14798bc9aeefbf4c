using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>
/// Wrong input: each must fail with a non-zero exit and a clear message, log an error line to
/// --log, and leave nothing behind (state dir, mounts, processes, cgroups).
/// </summary>
public sealed class BadInputTests : ConformanceTest
{
    public BadInputTests(ITestOutputHelper output) : base(output) { }

    private void AssertErrorLogged()
    {
        var (json, line) = Rt.LastLogLine();
        Assert.True(json != null, $"last line of the --log file is not JSON: '{line}'");
        Assert.Equal("error", (string?)json!["level"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)json["msg"]), "no msg in " + line);
    }

    private RuntimeResult CreateFails(Bundle b, string id, string what)
    {
        var r = Rt.Create(b, id).AssertFailed(what);
        AssertErrorLogged();
        Scope.AssertNothingLeft([id]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Rt.Root));
        return r;
    }

    // ---- config.json ---------------------------------------------------------------------------

    [Fact]
    public void Malformed_config_json_fails()
    {
        var b = NewBundle();
        b.SetRawConfig("{ \"ociVersion\": \"1.0.2\", \"process\": { ");
        CreateFails(b, Rt.NewId(), "create with a truncated config.json");
    }

    [Fact]
    [Trait(Traits.Runtime, Traits.OciRuntimeOnly)]
    public void Malformed_config_json_message_names_the_file_and_position()
    {
        var b = NewBundle();
        b.SetRawConfig("{\n  \"ociVersion\": \"1.0.2\",\n  \"process\": { ,\n}");
        var r = CreateFails(b, Rt.NewId(), "create with a syntax error");
        r.AssertStderrMentions("config.json");
        r.AssertStderrMentions("line 3", "3:");
    }

    [Fact]
    public void Wrong_type_process_args_string_fails()
    {
        var b = NewBundle();
        b.Process["args"] = "/probe id";
        CreateFails(b, Rt.NewId(), "create with process.args a string");
    }

    [Fact]
    [Trait(Traits.Runtime, Traits.OciRuntimeOnly)]
    public void Wrong_type_message_names_the_json_path()
    {
        var b = NewBundle();
        b.Process["args"] = "/probe id";
        CreateFails(b, Rt.NewId(), "create with process.args a string").AssertStderrMentions("process.args");
    }

    [Fact]
    public void Config_json_missing_fails()
    {
        var b = NewBundle();
        string id = Rt.NewId();
        // create directly, without writing config.json
        var r = Rt.Invoke("create", "--bundle", b.Dir, id).AssertFailed("create without config.json");
        r.AssertStderrMentions("config.json");
        AssertErrorLogged();
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Missing_rootfs_dir_fails()
    {
        var b = NewBundle().Probe("id");
        b.Config["root"]!["path"] = "no-such-rootfs";
        CreateFails(b, Rt.NewId(), "create with a missing rootfs");
    }

    [Fact]
    [Trait(Traits.Runtime, Traits.OciRuntimeOnly)]
    public void Missing_rootfs_message_names_root_path()
    {
        var b = NewBundle().Probe("id");
        b.Config["root"]!["path"] = "no-such-rootfs";
        CreateFails(b, Rt.NewId(), "create with a missing rootfs").AssertStderrMentions("root.path", "no-such-rootfs");
    }

    [Fact]
    [Trait(Traits.Runtime, Traits.OciRuntimeOnly)]
    public void Missing_program_fails_at_create()
    {
        // ociruntime looks the program up at create (runc only when the init execs it, after start).
        var b = NewBundle().Args("/no/such/program");
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed("create with a missing program")
            .AssertStderrMentions("process.args").AssertStderrMentions("/no/such/program");
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Run_with_a_missing_program_fails_and_cleans_up()
    {
        var b = NewBundle().Args("/no/such/program");
        string id = Rt.NewId();
        Rt.Run(b, id).AssertFailed("run of a missing program").AssertStderrMentions("no such file", "not found", "/no/such/program");
        Scope.AssertNothingLeft([id]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Rt.Root));
    }

    [Fact]
    public void Unknown_mount_type_fails_and_cleans_up()
    {
        var b = NewBundle().Probe("id");
        b.AddMount("/mnt/x", "nosuchfs", "none");
        CreateFails(b, Rt.NewId(), "create with an unknown filesystem type");
    }

    [Fact]
    public void Bind_mount_of_a_missing_source_fails_and_cleans_up()
    {
        var b = NewBundle().Probe("id");
        b.AddMount("/mnt/x", "bind", Path.Combine(Scope.Dir, "no-such-source"), "rbind");
        CreateFails(b, Rt.NewId(), "create with a missing bind source");
    }

    [Fact]
    public void Joining_a_missing_namespace_path_fails_and_cleans_up()
    {
        var b = NewBundle().Probe("id");
        b.Namespace("network", "/proc/999999999/ns/net");
        CreateFails(b, Rt.NewId(), "create joining a missing namespace");
    }

    [Fact]
    public void Unknown_namespace_type_fails()
    {
        var b = NewBundle().Probe("id");
        b.Namespaces.Add(new JsonObject { ["type"] = "nosuchns" });
        CreateFails(b, Rt.NewId(), "create with an unknown namespace type");
    }

    [Fact]
    public void Unknown_rlimit_fails()
    {
        var b = NewBundle().Probe("id");
        b.Process["rlimits"]!.AsArray().Add(new JsonObject { ["type"] = "RLIMIT_NOSUCH", ["soft"] = 1, ["hard"] = 1 });
        CreateFails(b, Rt.NewId(), "create with an unknown rlimit");
    }

    [Fact]
    public void Raising_a_hard_rlimit_fails_without_CAP_SYS_RESOURCE()
    {
        // root here lacks CAP_SYS_RESOURCE: a hard limit above the current one cannot be set
        var b = NewBundle().Probe("rlimit", "NOFILE");
        b.Process["rlimits"] = new JsonArray(new JsonObject { ["type"] = "RLIMIT_NOFILE", ["soft"] = 1024, ["hard"] = 100_000_000 });
        string id = Rt.NewId();
        var r = Rt.Run(b, id);
        if (TestEnv.HasCapability(TestEnv.CAP_SYS_RESOURCE))
            Assert.Equal("100000000", r.AssertOk().Probe.Get("hard")); // a host that allows it: the limit is set
        else
            r.AssertFailed().AssertStderrMentions("process.rlimits[0]");
        Scope.AssertNothingLeft([id]);
    }

    // ---- ids -----------------------------------------------------------------------------------

    [Fact]
    public void Duplicate_id_fails_and_the_first_container_is_intact()
    {
        var b1 = NewBundle().Probe("sleep", "30");
        string id = Rt.NewId();
        Rt.Create(b1, id).AssertOk();
        var before = Rt.StateJson(id);

        var b2 = NewBundle().Probe("id");
        Rt.Create(b2, id).AssertFailed("second create with the same id").AssertStderrMentions("exist", id);
        AssertErrorLogged();

        var after = Rt.StateJson(id);
        Assert.Equal("created", (string?)after["status"]);
        Assert.Equal((int)before["pid"]!, (int)after["pid"]!);
        Assert.Equal(b1.Dir, (string?)after["bundle"]);
        Assert.True(HostState.IsAlive((int)after["pid"]!));
        Rt.StartContainer(id).AssertOk();
        Assert.Equal("running", (string?)Rt.StateJson(id)["status"]);
        Rt.Delete(id, force: true).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("x y")]
    [InlineData("/abs")]
    public void Invalid_id_fails_and_creates_nothing(string id)
    {
        var b = NewBundle().Probe("id");
        var before = Directory.EnumerateFileSystemEntries(Scope.Dir).ToHashSet();
        Rt.Create(b, id).AssertFailed($"create with id '{id}'");
        AssertErrorLogged();
        Scope.AssertNothingLeft([id]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Rt.Root));
        var after = Directory.EnumerateFileSystemEntries(Scope.Dir).Where(e => !Path.GetFileName(e).StartsWith("call", StringComparison.Ordinal) && e != Rt.LogFile);
        Assert.Subset(before, after.ToHashSet());
    }

    [Theory]
    [InlineData("state")]
    [InlineData("start")]
    [InlineData("kill")]
    [InlineData("delete")]
    public void Unknown_id_fails_with_does_not_exist(string command)
    {
        string id = Rt.NewId();
        Rt.Invoke(command, id).AssertFailed($"{command} of an unknown id").AssertStderrMentions("does not exist", "no such", "not found");
        AssertErrorLogged();
        Scope.AssertNothingLeft([id]);
    }

    [Theory]
    [InlineData("state")]
    [InlineData("start")]
    [InlineData("kill")]
    [InlineData("delete")]
    [Trait(Traits.Runtime, Traits.OciRuntimeOnly)]
    public void Unknown_id_message_names_the_id(string command)
    {
        string id = Rt.NewId();
        Rt.Invoke(command, id).AssertFailed().AssertStderrMentions(id);
    }

    [Fact]
    public void Delete_force_of_an_unknown_id_succeeds_like_runc()
    {
        // runc: `delete --force` ignores a container that does not exist
        string id = Rt.NewId();
        var r = Rt.Delete(id, force: true);
        Assert.Equal(0, r.ExitCode);
        Scope.AssertNothingLeft([id]);
    }

    // ---- state machine -------------------------------------------------------------------------

    [Fact]
    public void Start_twice_fails()
    {
        var b = NewBundle().Probe("sleep", "30");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        int pid = Rt.Pid(id);
        Rt.StartContainer(id).AssertFailed("second start");
        AssertErrorLogged();
        Assert.Equal("running", (string?)Rt.StateJson(id)["status"]);
        Assert.Equal(pid, Rt.Pid(id));
        Rt.Delete(id, force: true).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Start_of_a_stopped_container_fails()
    {
        var b = NewBundle().Probe("exit", "0");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        Rt.WaitForStatus(id, "stopped");
        Rt.StartContainer(id).AssertFailed("start of a stopped container");
        Rt.Delete(id).AssertOk();
    }

    [Fact]
    public void Delete_of_a_running_container_without_force_fails()
    {
        var b = NewBundle().Probe("sleep", "30");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        int pid = Rt.Pid(id);
        Rt.Delete(id).AssertFailed("delete of a running container").AssertStderrMentions("running", "stopped");
        AssertErrorLogged();
        Assert.Equal("running", (string?)Rt.StateJson(id)["status"]);
        Assert.True(HostState.IsAlive(pid));
        Rt.Delete(id, force: true).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    [Theory]
    [InlineData("SIGFOO")]
    [InlineData("FOO")]
    [InlineData("999")]
    [InlineData("-1")]
    public void Kill_with_a_bad_signal_fails_and_the_container_keeps_running(string signal)
    {
        var b = NewBundle().Probe("sleep", "30");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        int pid = Rt.Pid(id);
        Rt.Kill(id, signal).AssertFailed($"kill {signal}");
        AssertErrorLogged();
        Assert.Equal("running", (string?)Rt.StateJson(id)["status"]);
        Assert.True(HostState.IsAlive(pid));
        Rt.Delete(id, force: true).AssertOk();
    }

    [Fact]
    [Trait(Traits.Runtime, Traits.OciRuntimeOnly)]
    public void Kill_with_a_bad_signal_names_it()
    {
        var b = NewBundle().Probe("sleep", "30");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        Rt.Kill(id, "SIGFOO").AssertFailed().AssertStderrMentions("SIGFOO");
        Rt.Kill(id, "999").AssertFailed().AssertStderrMentions("999");
        Rt.Delete(id, force: true).AssertOk();
    }

    [Fact]
    public void Kill_of_a_stopped_container_fails()
    {
        var b = NewBundle().Probe("exit", "0");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        Rt.WaitForStatus(id, "stopped");
        Rt.Kill(id, "KILL").AssertFailed("kill of a stopped container");
        AssertErrorLogged();
        Rt.Delete(id).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Unknown_command_fails()
    {
        Rt.Invoke("no-such-command").AssertFailed("unknown command");
    }

    [Fact]
    public void Create_without_id_fails()
    {
        var b = NewBundle();
        b.Save();
        Rt.Invoke("create", "--bundle", b.Dir).AssertFailed("create without an id");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Rt.Root));
    }

    [Fact]
    public void Bundle_that_does_not_exist_fails()
    {
        string id = Rt.NewId();
        Rt.Invoke("create", "--bundle", Path.Combine(Scope.Dir, "no-such-bundle"), id).AssertFailed("create with a missing bundle");
        AssertErrorLogged();
        Scope.AssertNothingLeft([id]);
    }
}
