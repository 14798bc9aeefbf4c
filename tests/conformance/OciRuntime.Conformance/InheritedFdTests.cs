using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>fds handed to the container besides stdio: systemd's LISTEN_FDS (when LISTEN_PID is the
/// runtime's) and --preserve-fds, for run and exec.</summary>
public sealed class InheritedFdTests : ConformanceTest
{
    public InheritedFdTests(ITestOutputHelper output) : base(output) { }

    /// <summary>Runs the runtime from a shell that opens fds 3 and 4 first; the shell's $$ is the
    /// runtime's pid once it execs, so LISTEN_PID=$$ names the runtime.</summary>
    private (int Exit, string Out) WithFds(string listen, params string[] args)
    {
        string file = Path.Combine(Scope.Dir, "fd-source");
        File.WriteAllText(file, "x");
        string outFile = Path.Combine(Scope.Dir, "fds-" + Guid.NewGuid().ToString("N")[..6] + ".out");
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec 3<\"$1\" 4<\"$1\" >\"$2\" </dev/null; shift 2; {listen} exec \"$@\"");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(file);
        psi.ArgumentList.Add(outFile);
        psi.ArgumentList.Add(Rt.Binary);
        foreach (var a in Rt.GlobalArgs.Concat(args))
            psi.ArgumentList.Add(a);
        psi.Environment[HostState.TagVariable] = Scope.Tag;
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(30000), "runtime did not exit");
        Scope.Log($"$ {string.Join(' ', args)}\nexit {p.ExitCode}\n{err}");
        return (p.ExitCode, File.ReadAllText(outFile));
    }

    [Fact]
    public void Listen_fds_for_the_runtime_reach_the_container_with_its_variables()
    {
        var b = NewBundle().Args("/bin/sh", "-c", "/probe fds; /probe env");
        b.Save();
        string id = Rt.NewId();
        var (exit, output) = WithFds("LISTEN_FDS=2 LISTEN_PID=$$", "run", "--bundle", b.Dir, id);
        Assert.Equal(0, exit);
        var p = new ProbeOutput(output);
        Assert.Equal("0,1,2,3,4", p.Get("fds"));
        Assert.Equal("2", p.Get("LISTEN_FDS"));
        Assert.Equal("1", p.Get("LISTEN_PID"));
    }

    [Fact]
    public void Listen_fds_meant_for_another_process_are_not_passed()
    {
        var b = NewBundle().Args("/bin/sh", "-c", "/probe fds; /probe env");
        b.Save();
        string id = Rt.NewId();
        var (exit, output) = WithFds("LISTEN_FDS=2 LISTEN_PID=1", "run", "--bundle", b.Dir, id);
        Assert.Equal(0, exit);
        var p = new ProbeOutput(output);
        Assert.Equal("0,1,2", p.Get("fds"));
        Assert.False(p.Has("LISTEN_FDS"));
    }

    [Fact]
    public void Exec_preserve_fds_keeps_exactly_that_many()
    {
        var b = NewBundle().Probe("sleep", "60");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        var (exit, output) = WithFds("", "exec", "--preserve-fds", "1", id, "/probe", "fds");
        Assert.Equal(0, exit);
        Assert.Equal("0,1,2,3", new ProbeOutput(output).Get("fds"));
        (exit, output) = WithFds("", "exec", id, "/probe", "fds");
        Assert.Equal(0, exit);
        Assert.Equal("0,1,2", new ProbeOutput(output).Get("fds"));
    }
}
