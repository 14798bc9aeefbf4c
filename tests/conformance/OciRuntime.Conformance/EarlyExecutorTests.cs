using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>The early executor (decisions §24): for `run` and `create` the binary's constructor
/// starts the executor before .NET does; the plan goes to it when it fits (a pid namespace the
/// spawn makes), otherwise it is discarded and one is spawned for the plan. `--trace` tells which.</summary>
public sealed class EarlyExecutorTests : ConformanceTest
{
    public EarlyExecutorTests(ITestOutputHelper output) : base(output) { }

    private List<string> TraceOf() =>
        File.ReadLines(Rt.LogFile).Where(l => l.Contains("trace: ") && l.Contains("executor")).ToList();

    [Theory]
    [InlineData("")]
    [InlineData("--rootless false --debug")] // global options, with values, before the command
    public void Run_hands_its_plan_to_the_early_executor(string globalOptions)
    {
        string[] globals = globalOptions.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var b = NewBundle().Probe("exit", "3");
        string id = Rt.NewId();
        b.Save();
        var r = Rt.Invoke([.. globals, "--trace", "run", "--bundle", b.Dir, id]);
        Assert.Equal(3, r.ExitCode);
        var trace = TraceOf();
        Assert.Contains(trace, l => l.Contains("trace: plan to the early executor"));
        Assert.DoesNotContain(trace, l => l.Contains("trace: spawn executor"));
        Scope.AssertNothingLeft([id]);
    }

    /// <summary>The executor's phases are timed when the executor reached them (its clock is the
    /// host's): in order, after the plan was made and before the container started.</summary>
    [Fact]
    public void Run_trace_times_the_executor_phases_where_they_happened()
    {
        var b = NewBundle().Probe("exit", "0");
        string id = Rt.NewId();
        b.Save();
        Rt.Invoke("--trace", "run", "--bundle", b.Dir, id).AssertOk("run --trace");
        double At(string line) =>
            double.Parse(System.Text.RegularExpressions.Regex.Match(line, @"\(at ([0-9.]+) ms since main\)").Groups[1].Value,
                System.Globalization.CultureInfo.InvariantCulture);
        var lines = File.ReadLines(Rt.LogFile).Where(l => l.Contains("trace: ")).ToList();
        Assert.Contains(lines, l => l.Contains("trace: plan to the early executor"));
        // Planned before it was handed over: the executor may be on its way before that mark.
        double handed = At(lines.Single(l => l.Contains("trace: plan ") && !l.Contains("early")));
        double started = At(lines.Single(l => l.Contains("trace: start ")));
        var phases = lines.Where(l => l.Contains("trace: executor: ")).Select(At).ToList();
        Assert.True(phases.Count >= 3, string.Join("\n", lines));
        Assert.All(phases, at => Assert.InRange(at, handed, started));
        Assert.Equal(phases.OrderBy(x => x), phases);
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Create_hands_its_plan_to_the_early_executor_and_start_runs_the_program()
    {
        var b = NewBundle().Probe("exit", "0");
        string id = Rt.NewId();
        b.Save();
        Rt.Invoke("--trace", "create", "--bundle", b.Dir, id).AssertOk("create --trace");
        Assert.Contains(TraceOf(), l => l.Contains("trace: plan to the early executor"));
        Assert.Equal("created", (string?)Rt.StateJson(id)["status"]);
        Rt.StartContainer(id).AssertOk();
        Rt.WaitForStatus(id, "stopped");
        Rt.Delete(id).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void A_plan_with_a_user_namespace_spawns_its_own_executor()
    {
        // The pid namespace must belong to the user namespace the executor makes: the early
        // executor (cloned into a pid namespace of the host's user namespace) does not fit.
        var b = NewBundle().Probe("exit", "0");
        UserNamespaceTests.MapContainerRootTo(b, UserNamespaceTests.HostBase);
        string id = Rt.NewId();
        b.Save();
        Rt.Invoke("--trace", "run", "--bundle", b.Dir, id).AssertOk("run --trace with a user namespace");
        var trace = TraceOf();
        Assert.Contains(trace, l => l.Contains("trace: spawn executor"));
        Assert.DoesNotContain(trace, l => l.Contains("trace: plan to the early executor"));
        Scope.AssertNothingLeft([id]);
    }

    /// <summary>
    /// Every way a `run` or `create` fails ends the early executor before the runtime exits: it is
    /// discarded (killed and reaped by the runtime, from EarlyExecutor.Prepare or Start, or at the end
    /// of Main) or, when it already ran the plan, killed and reaped as the failed container's init.
    /// --debug logs its pid and which it was; the pid must be gone when the command returns.
    /// </summary>
    [Theory]
    [InlineData("usage", "discarded")]       // `run` without an id: refused after the command name
    [InlineData("help", "discarded")]        // `run --help`: no container at all
    [InlineData("config", "discarded")]      // config.json refused by validation
    [InlineData("rootfs", "discarded")]      // root.path missing
    [InlineData("plan-start", "discarded")]  // refused by the planner's namespace stage (Prepare asks it first)
    [InlineData("plan", "discarded")]        // refused by the planner after Prepare told it its namespaces
    [InlineData("exists", "discarded")]      // the id is taken
    [InlineData("userns", "discarded")]      // a plan it cannot start (Prepare)
    [InlineData("program", "runs the plan")] // it ran the plan, which failed: killed as the init
    public void A_failed_start_leaves_no_early_executor(string how, string end)
    {
        var b = NewBundle().Probe("exit", "0");
        string id = Rt.NewId();
        string[] cmd = ["--debug", "run", "--bundle", b.Dir, id];
        switch (how)
        {
            case "usage":
                cmd = ["--debug", "run", "--bundle", b.Dir];
                break;
            case "help":
                cmd = ["--debug", "run", "--help"];
                break;
            case "config":
                b.Process["cwd"] = "relative/cwd";
                break;
            case "rootfs":
                b.Config["root"]!["path"] = "no-such-rootfs";
                break;
            case "plan-start":
                b.RemoveNamespace("mount");
                b.Linux["maskedPaths"] = new JsonArray("/proc/kcore");
                break;
            case "plan":
                b.Linux["sysctl"] = new JsonObject { ["vm.swappiness"] = "10" };
                break;
            case "exists":
                b.Save();
                Rt.Create(b, id).AssertOk("the first container");
                break;
            case "userns":
                UserNamespaceTests.MapContainerRootTo(b, UserNamespaceTests.HostBase);
                b.Args("/no/such/program");
                break;
            case "program":
                b.Args("/no/such/program");
                break;
        }
        b.Save();
        long from = File.Exists(Rt.LogFile) ? new FileInfo(Rt.LogFile).Length : 0;
        var r = Rt.Invoke(cmd);
        Assert.True(how == "help" ? r.ExitCode == 0 : r.ExitCode != 0, r.ToString());

        string log = File.ReadAllText(Rt.LogFile)[(int)from..];
        var pids = Regex.Matches(log, @"early executor pid (\d+): started by the constructor").Select(m => int.Parse(m.Groups[1].Value)).ToList();
        int pid = Assert.Single(pids);
        Assert.Contains($"early executor pid {pid}: {end}", log);
        Assert.False(Directory.Exists($"/proc/{pid}"), $"the early executor {pid} is still there after `{string.Join(' ', cmd)}`");
        if (how == "exists")
            Rt.Delete(id, force: true).AssertOk();
        Scope.AssertNothingLeft([id]);
    }
}
