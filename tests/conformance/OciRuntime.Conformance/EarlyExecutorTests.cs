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
}
