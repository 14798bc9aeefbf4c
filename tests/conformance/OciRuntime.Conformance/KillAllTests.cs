using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>`kill --all` and `delete --force` reach exec'd processes too (everything in the
/// container's cgroup), not only the init.</summary>
public sealed class KillAllTests : ConformanceTest
{
    public KillAllTests(ITestOutputHelper output) : base(output) { }

    [Fact]
    public void Kill_all_signals_exec_processes_as_well_as_the_init()
    {
        // No pid namespace: the exec'd process would otherwise die with the init anyway.
        var b = NewBundle().Probe("sleep", "60").RemoveNamespace("pid");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        int init = Rt.Pid(id);
        string pidFile = Path.Combine(Scope.Dir, "exec.pid");
        Rt.Invoke("exec", "--detach", "--pid-file", pidFile, id, "/probe", "sleep", "60").AssertOk();
        int exec = int.Parse(File.ReadAllText(pidFile).Trim());
        Rt.Invoke("kill", "--all", id, "KILL").AssertOk();
        Assert.True(HostState.WaitDead(init, TimeSpan.FromSeconds(5)), "init survived kill --all");
        Assert.True(HostState.WaitDead(exec, TimeSpan.FromSeconds(5)), "exec'd process survived kill --all");
        Rt.Delete(id).AssertOk();
    }

    [Fact]
    public void Delete_force_removes_a_running_container_with_exec_processes()
    {
        var b = NewBundle().Probe("sleep", "60").RemoveNamespace("pid");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        string pidFile = Path.Combine(Scope.Dir, "exec.pid");
        Rt.Invoke("exec", "--detach", "--pid-file", pidFile, id, "/probe", "sleep", "60").AssertOk();
        int exec = int.Parse(File.ReadAllText(pidFile).Trim());
        Rt.Delete(id).AssertFailed().AssertStderrMentions("force");
        Rt.Delete(id, force: true).AssertOk();
        Assert.True(HostState.WaitDead(exec, TimeSpan.FromSeconds(5)), "exec'd process survived delete --force");
        Rt.State(id).AssertFailed();
    }
}
