using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>process.*: args, env, cwd, user, umask, exit status, signals, fds, rlimits, noNewPrivileges, capabilities.</summary>
public sealed class ProcessTests : ConformanceTest
{
    public ProcessTests(ITestOutputHelper output) : base(output) { }

    [Fact]
    public void Args_are_passed_verbatim()
    {
        var b = NewBundle().Probe("args", "a b", "", "c\"d", "ü");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("6", p.Get("argc"));
        Assert.Equal("/probe", p.Get("arg0"));
        Assert.Equal("a b", p.Get("arg2"));
        Assert.Equal("", p.Get("arg3"));
        Assert.Equal("c\"d", p.Get("arg4"));
        Assert.Equal("ü", p.Get("arg5"));
    }

    [Fact]
    public void Program_is_found_through_PATH()
    {
        var b = NewBundle().Args("echo", "via PATH");
        Assert.Equal("via PATH\n", Rt.Run(b).AssertOk().Stdout);
    }

    [Fact]
    public void Env_is_exactly_the_configured_one_plus_at_most_HOME()
    {
        var b = NewBundle().Probe("env");
        b.Process["env"] = new JsonArray("PATH=/bin", "FOO=bar baz", "EMPTY=", "EQ=a=b");
        var lines = Rt.Run(b).AssertOk().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith(HostState.TagVariable + "=", StringComparison.Ordinal)).ToList();
        Assert.Contains("PATH=/bin", lines);
        Assert.Contains("FOO=bar baz", lines);
        Assert.Contains("EMPTY=", lines);
        Assert.Contains("EQ=a=b", lines);
        // runc adds HOME when the config has none (from /etc/passwd, else "/"); nothing else may appear
        var extra = lines.Except(new[] { "PATH=/bin", "FOO=bar baz", "EMPTY=", "EQ=a=b" }).ToList();
        Assert.All(extra, l => Assert.StartsWith("HOME=", l));
    }

    [Fact]
    public void Env_HOME_from_config_is_kept()
    {
        var b = NewBundle().Probe("env").Env("HOME=/custom");
        var lines = Rt.Run(b).AssertOk().Stdout.Split('\n');
        Assert.Single(lines, l => l.StartsWith("HOME=", StringComparison.Ordinal));
        Assert.Contains("HOME=/custom", lines);
    }

    [Fact]
    public void Cwd_is_applied()
    {
        var b = NewBundle().Probe("cwd");
        b.Process["cwd"] = "/tmp";
        Assert.Equal("/tmp", Rt.Run(b).AssertOk().Probe.Get("cwd"));
    }

    [Fact]
    public void User_uid_gid_and_additional_gids_are_applied()
    {
        var b = NewBundle().Probe("id");
        b.Process["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 1001, ["additionalGids"] = new JsonArray(10, 20, 1001) };
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("1000", p.Get("uid"));
        Assert.Equal("1000", p.Get("euid"));
        Assert.Equal("1001", p.Get("gid"));
        Assert.Equal("1001", p.Get("egid"));
        var groups = p.Get("groups").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToHashSet();
        Assert.Superset(new HashSet<int> { 10, 20 }, groups);
        Assert.Subset(new HashSet<int> { 10, 20, 1001 }, groups);
    }

    [Fact]
    public void Root_user_without_additional_gids_has_no_supplementary_groups()
    {
        var b = NewBundle().Probe("id");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("0", p.Get("uid"));
        Assert.Equal("0", p.Get("gid"));
        Assert.True(p.Get("groups") is "" or "0", "unexpected groups: " + p.Get("groups"));
    }

    [Fact]
    public void Umask_is_applied()
    {
        var b = NewBundle().Probe("id");
        b.Process["user"]!["umask"] = 63; // 0077
        Assert.Equal("0077", Rt.Run(b).AssertOk().Probe.Get("umask"));
    }

    [Fact]
    public void Umask_defaults_to_0022()
    {
        var b = NewBundle().Probe("id");
        Assert.Equal("0022", Rt.Run(b).AssertOk().Probe.Get("umask"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(255)]
    public void Exit_status_is_returned_by_run(int status)
    {
        var b = NewBundle().Probe("exit", status.ToString());
        var r = Rt.Run(b);
        Assert.False(r.TimedOut, r.ToString());
        Assert.Equal(status, r.ExitCode);
    }

    [Fact]
    public void No_signal_is_blocked_or_ignored_in_the_container()
    {
        // The runtime is started with SIGPIPE, SIGHUP and SIGUSR2 ignored: the container must not inherit that.
        var b = NewBundle().Probe("sigs");
        var p = Rt.Run(new InvokeOptions { IgnoreSignals = true }, b).AssertOk().Probe;
        Assert.Equal("0000000000000000", p.Get("SigBlk"));
        Assert.Equal("0000000000000000", p.Get("SigIgn"));
        Assert.Equal("0000000000000000", p.Get("SigPnd"));
    }

    [Fact]
    public void No_fds_beyond_stdio_reach_the_container()
    {
        // The runtime is started with fd 9 open and not close-on-exec.
        var b = NewBundle().Probe("fds");
        var p = Rt.Run(new InvokeOptions { LeakFd = true }, b).AssertOk().Probe;
        Assert.Equal("0,1,2", p.Get("fds"));
    }

    [Fact]
    public void No_fds_beyond_stdio_after_create_and_start()
    {
        var b = NewBundle().Probe("fds");
        string id = Rt.NewId();
        var created = Rt.Create(new InvokeOptions { LeakFd = true }, b, id).AssertOk();
        Rt.StartContainer(id).AssertOk();
        Rt.WaitForStatus(id, "stopped");
        Assert.Equal("0,1,2", new ProbeOutput(created.ReadStdoutNow()).Get("fds"));
        Rt.Delete(id).AssertOk();
    }

    [Fact]
    public void Rlimit_nofile_is_lowered_to_the_configured_values()
    {
        var b = NewBundle().Probe("rlimit", "NOFILE");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("1024", p.Get("soft"));
        Assert.Equal("1024", p.Get("hard"));
    }

    [Fact]
    public void Rlimits_with_different_soft_and_hard_values()
    {
        var b = NewBundle().Probe("rlimit", "NOFILE", "CORE", "NPROC");
        b.Process["rlimits"] = new JsonArray(
            new JsonObject { ["type"] = "RLIMIT_NOFILE", ["soft"] = 100, ["hard"] = 200 },
            new JsonObject { ["type"] = "RLIMIT_CORE", ["soft"] = 0, ["hard"] = 0 },
            new JsonObject { ["type"] = "RLIMIT_NPROC", ["soft"] = 500, ["hard"] = 1000 });
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("100", p.For("NOFILE", "name").Get("soft"));
        Assert.Equal("200", p.For("NOFILE", "name").Get("hard"));
        Assert.Equal("0", p.For("CORE", "name").Get("soft"));
        Assert.Equal("0", p.For("CORE", "name").Get("hard"));
        Assert.Equal("500", p.For("NPROC", "name").Get("soft"));
        Assert.Equal("1000", p.For("NPROC", "name").Get("hard"));
    }

    [Fact]
    public void NoNewPrivileges_true_is_set()
    {
        var b = NewBundle().Probe("nnp");
        Assert.Equal("1", Rt.Run(b).AssertOk().Probe.Get("nnp"));
    }

    [Fact]
    public void NoNewPrivileges_false_is_not_set()
    {
        var b = NewBundle().Probe("nnp");
        b.Process["noNewPrivileges"] = false;
        Assert.Equal("0", Rt.Run(b).AssertOk().Probe.Get("nnp"));
    }

    [Fact]
    public void Capabilities_of_the_default_spec()
    {
        var b = NewBundle().Probe("caps");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal(DefaultSpec.DefaultCapsHex, p.Get("CapEff"));
        Assert.Equal(DefaultSpec.DefaultCapsHex, p.Get("CapPrm"));
        Assert.Equal(DefaultSpec.DefaultCapsHex, p.Get("CapBnd"));
        Assert.Equal("0000000000000000", p.Get("CapInh"));
    }

    [Fact]
    public void Ambient_capabilities_that_cannot_be_raised_are_not_an_error()
    {
        // The default spec lists ambient caps but no inheritable set, so the kernel refuses to raise
        // them (PR_CAP_AMBIENT_RAISE needs the cap in permitted and inheritable). runtime-spec:
        // capabilities that cannot be granted MUST be logged as a warning; runtimes SHOULD NOT fail.
        var b = NewBundle().Probe("caps");
        Assert.Null(b.Process["capabilities"]!["inheritable"]);
        Assert.NotEmpty(b.Process["capabilities"]!["ambient"]!.AsArray());
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("0000000000000000", p.Get("CapInh"));
        Assert.Equal(DefaultSpec.DefaultCapsHex, p.Get("CapEff"));
    }

    // runtime-spec v1.3.0: a capability the runtime cannot grant MUST be logged as a warning and
    // the runtime SHOULD NOT fail; runc and crun drop it and run the container (decisions.md §9).
    [Fact]
    public void Unknown_capability_is_dropped_with_a_warning_in_the_log()
    {
        var b = NewBundle().Probe("caps");
        b.Process["capabilities"]!["bounding"]!.AsArray().Add("CAP_NO_SUCH_THING");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal(DefaultSpec.DefaultCapsHex, p.Get("CapBnd"));
        var warning = WarningLines().Single(l => l.Contains("CAP_NO_SUCH_THING"));
        Assert.Contains("process.capabilities.bounding[", warning);
    }

    [Fact]
    public void Capability_the_host_withholds_is_dropped_with_a_warning_in_the_log()
    {
        string bnd = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("CapBnd:"))[7..].Trim();
        if ((Convert.ToUInt64(bnd, 16) & (1UL << 24)) != 0)
        {
            Scope.Log("SKIP: this host's root holds CAP_SYS_RESOURCE, nothing is withheld");
            return;
        }
        var b = NewBundle().Probe("caps");
        b.Process["capabilities"]!["bounding"]!.AsArray().Add("CAP_SYS_RESOURCE");
        b.Process["capabilities"]!["permitted"]!.AsArray().Add("CAP_SYS_RESOURCE");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal(DefaultSpec.DefaultCapsHex, p.Get("CapBnd"));
        Assert.Equal(DefaultSpec.DefaultCapsHex, p.Get("CapPrm"));
        Assert.Equal(2, WarningLines().Count(l => l.Contains("CAP_SYS_RESOURCE")));
    }

    private IEnumerable<string> WarningLines() =>
        File.Exists(Rt.LogFile)
            ? File.ReadLines(Rt.LogFile).Where(l => l.Contains("\"level\":\"warning\""))
            : [];

    [Fact]
    public void Ambient_capabilities_are_raised_when_inheritable_allows_them()
    {
        var b = NewBundle().Probe("caps");
        var caps = b.Process["capabilities"]!.AsObject();
        caps["inheritable"] = new JsonArray("CAP_KILL", "CAP_NET_BIND_SERVICE");
        caps["ambient"] = new JsonArray("CAP_KILL", "CAP_NET_BIND_SERVICE");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("0000000000000420", p.Get("CapInh"));
        Assert.Equal("0000000000000420", p.Get("CapAmb"));
    }

    [Fact]
    public void Capability_sets_are_applied_separately()
    {
        var b = NewBundle().Probe("caps");
        b.Process["capabilities"] = new JsonObject
        {
            ["bounding"] = new JsonArray("CAP_CHOWN", "CAP_KILL", "CAP_SETUID"),
            ["permitted"] = new JsonArray("CAP_CHOWN", "CAP_KILL"),
            ["effective"] = new JsonArray("CAP_CHOWN", "CAP_KILL"),
        };
        // (for uid 0 execve makes effective = permitted, so effective is not tested on its own)
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("00000000000000a1", p.Get("CapBnd")); // CHOWN(0) KILL(5) SETUID(7)
        Assert.Equal("0000000000000021", p.Get("CapPrm"));
        Assert.Equal("0000000000000021", p.Get("CapEff"));
        Assert.Equal("0000000000000000", p.Get("CapAmb"));
    }

    [Fact]
    public void Non_root_user_gets_ambient_capabilities_in_effect()
    {
        var b = NewBundle().Probe("caps");
        b.Process["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 1000 };
        var caps = b.Process["capabilities"]!.AsObject();
        caps["inheritable"] = new JsonArray("CAP_KILL");
        caps["ambient"] = new JsonArray("CAP_KILL");
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("0000000000000020", p.Get("CapAmb"));
        Assert.Equal("0000000000000020", p.Get("CapEff"));
        Assert.Equal(DefaultSpec.DefaultCapsHex, p.Get("CapBnd"));
    }
}
