using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>runc's command-line conventions that scripts and runc's own tests rely on: help
/// layout and status, unknown commands, `--version` lines, exec's 255 for its own failures, and a
/// clear error for a --pid-file in a missing directory (specs/cli.md).</summary>
public sealed class CliConventionTests : ConformanceTest
{
    public CliConventionTests(ITestOutputHelper output) : base(output) { }

    private static readonly string[] CommandNames =
        ["create", "start", "run", "state", "kill", "delete", "list", "spec", "exec", "features", "pause", "resume", "update", "events", "ps"];

    private string[] Lines(RuntimeResult r) => r.Stdout.Split('\n');

    [Fact]
    public void Help_has_runcs_layout_and_exits_0()
    {
        string name = Path.GetFileName(Rt.Binary);
        foreach (string flag in new[] { "-h", "--help" })
        {
            var r = Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, flag).AssertOk(flag);
            Assert.Equal("NAME:", Lines(r)[0]);
            Assert.Equal($"   {name} - Open Container Initiative runtime", Lines(r)[1]);
            Assert.DoesNotContain("VERSION", r.Stdout);
            foreach (string c in CommandNames)
                Assert.Contains(r.Stdout.Split('\n'), l => l.StartsWith($"   {c} "));
        }
    }

    [Fact]
    public void Every_command_answers_h_and_help_with_its_name_on_the_second_line()
    {
        string name = Path.GetFileName(Rt.Binary);
        foreach (string c in CommandNames)
        {
            foreach (string[] args in new[] { new[] { c, "-h" }, new[] { c, "--help" }, new[] { "help", c } })
            {
                var r = Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, args).AssertOk(string.Join(' ', args));
                Assert.Equal("NAME:", Lines(r)[0]);
                Assert.StartsWith($"   {name} {c} - ", Lines(r)[1]);
                Assert.Contains($"USAGE:\n   {name} {c} ", r.Stdout);
            }
        }
    }

    [Fact]
    public void The_name_is_the_one_it_was_run_by()
    {
        // Installed as a drop-in under runc's name, it calls itself runc.
        string link = Path.Combine(Scope.NewDir("bin"), "runc");
        File.CreateSymbolicLink(link, Rt.Binary);
        Rt.Binary = link;
        var r = Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, "--help").AssertOk();
        Assert.Equal("   runc - Open Container Initiative runtime", Lines(r)[1]);
        Assert.StartsWith("runc version ", Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, "--version").AssertOk().Stdout);
    }

    [Theory]
    [InlineData("foo", "-h")]
    [InlineData("help", "foo")]
    [InlineData("foo")]
    public void Unknown_command_is_a_missing_help_topic_with_status_3(params string[] args)
    {
        var r = Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, args).AssertFailed();
        Assert.Equal(3, r.ExitCode);
        r.AssertStderrMentions("No help topic for 'foo'");
    }

    [Fact]
    public void Version_prints_version_commit_and_spec_lines()
    {
        var lines = Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, "--version").AssertOk().Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^\S+ version \d+\.\d+\.\d+$", lines[0]);
        // A build from a git checkout names its commit (git describe: hex, maybe a tag and -dirty).
        Assert.Matches(@"^commit: (\S+-g)?[0-9a-f]{12}(-dirty)?$", lines[1]);
        Assert.Equal("spec: 1.3.0", lines[2]);
    }

    [Fact]
    public void Exec_failing_itself_exits_255_and_a_usage_error_1()
    {
        var b = NewBundle().Probe("sleep", "600");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        // The program does not exist: the runtime's own failure, told apart from any status the
        // program could have returned.
        var r = Rt.Invoke("exec", id, "/no/such/program").AssertFailed();
        Assert.Equal(255, r.ExitCode);
        Assert.Equal(1, Rt.Invoke("exec", "--no-such-flag", id, "/probe").AssertFailed().ExitCode);
        Assert.Equal(255, Rt.Invoke("exec", Rt.NewId(), "/probe").AssertFailed().ExitCode);
        Rt.Delete(id, force: true).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Pid_file_in_a_missing_directory_is_a_clear_error_and_leaves_nothing()
    {
        var b = NewBundle().Probe("sleep", "600");
        b.Save();
        string id = Rt.NewId();
        string pidFile = Path.Combine(Scope.Dir, "no-such-dir", "pid");
        var r = Rt.Invoke("run", "--detach", "--bundle", b.Dir, "--pid-file", pidFile, id).AssertFailed();
        r.AssertStderrMentions("--pid-file");
        Assert.Contains("does not exist", r.Stderr);
        Assert.DoesNotContain("Could not find a part of the path", r.Stderr);
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Kill_with_signal_0_tells_whether_the_init_is_alive()
    {
        var b = NewBundle().Probe("sleep", "600");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        Rt.Kill(id, "0").AssertOk("kill 0 of a running container");
        Assert.Equal("running", (string?)Rt.StateJson(id)["status"]);
        Rt.Kill(id, "KILL").AssertOk();
        Rt.WaitForStatus(id, "stopped");
        Rt.Kill(id, "0").AssertFailed("kill 0 of a stopped container").AssertStderrMentions("not running");
        Rt.Delete(id).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void List_of_a_missing_root_given_by_flag_fails()
    {
        string missing = Path.Combine(Scope.Dir, "no-such-root");
        Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, "--root", missing, "list").AssertFailed()
            .AssertStderrMentions(missing);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void Debug_lines_go_to_stderr_or_to_the_log_in_its_format()
    {
        var b = NewBundle().Probe("exit", "0");
        b.Save();
        var plain = Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, "--root", Rt.Root, "--debug", "run", "--bundle", b.Dir, Rt.NewId()).AssertOk();
        Assert.Contains("level=debug", plain.Stderr);
        Assert.Contains("steps for the executor", plain.Stderr);

        foreach (var (format, marker) in new[] { ("text", "level=debug"), ("json", "\"level\":\"debug\"") })
        {
            string log = Path.Combine(Scope.Dir, $"debug-{format}.log");
            var r = Rt.Invoke(new InvokeOptions { NoGlobalArgs = true },
                "--root", Rt.Root, "--log", log, "--log-format", format, "--debug", "run", "--bundle", b.Dir, Rt.NewId()).AssertOk();
            Assert.DoesNotContain("level=debug", r.Stderr);
            string text = File.ReadAllText(log);
            Assert.Contains(marker, text);
            Assert.Contains("init exited with status 0", text);
        }
        // Without --debug: no debug lines.
        string quiet = Path.Combine(Scope.Dir, "quiet.log");
        Rt.Invoke(new InvokeOptions { NoGlobalArgs = true }, "--root", Rt.Root, "--log", quiet, "run", "--bundle", b.Dir, Rt.NewId()).AssertOk();
        Assert.DoesNotContain("debug", File.Exists(quiet) ? File.ReadAllText(quiet) : "");
    }
}
