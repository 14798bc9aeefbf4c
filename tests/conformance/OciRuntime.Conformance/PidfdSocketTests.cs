using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>`--pidfd-socket` (runc's): create, run -d and exec send a pidfd of the container's
/// init, or of the exec'd process, to the socket; the receiver signals that very process through
/// it (tests/conformance/probe/console-recv.c --pidfd).</summary>
public sealed class PidfdSocketTests : ConformanceTest
{
    public PidfdSocketTests(ITestOutputHelper output) : base(output) { }

    private sealed class PidfdReceiver : IDisposable
    {
        private readonly Process _p;
        public string Socket { get; }

        public PidfdReceiver(string dir)
        {
            (_p, Socket) = TerminalTests.Receiver.Listen(dir, "pidfd", "--pidfd", stdin: true);
        }

        /// <summary>The pid of the pidfd it received.</summary>
        public int ReceivedPid()
        {
            string? name = _p.StandardOutput.ReadLine(), pid = _p.StandardOutput.ReadLine();
            Assert.True(name == "name=pidfd" && pid?.StartsWith("pid=") == true,
                $"no pidfd received: {name} {pid} {(_p.HasExited ? _p.StandardError.ReadToEnd() : "")}");
            return int.Parse(pid![4..]);
        }

        /// <summary>SIGKILL through the pidfd.</summary>
        public void Kill()
        {
            _p.StandardInput.WriteLine();
            _p.StandardInput.Flush();
            Assert.True(_p.WaitForExit(20000), "console-recv did not end");
            Assert.Equal("killed", _p.StandardOutput.ReadToEnd().Trim());
        }

        public void Dispose()
        {
            if (!_p.HasExited)
                _p.Kill();
            _p.WaitForExit();
            _p.Dispose();
        }
    }

    [Fact]
    public void Create_sends_the_inits_pidfd_and_a_kill_through_it_stops_the_container()
    {
        var b = NewBundle().Probe("sleep", "600");
        string id = Rt.NewId();
        using var recv = new PidfdReceiver(Scope.Dir);
        Rt.Create(b, id, "--pidfd-socket", recv.Socket).AssertOk();
        Assert.Equal(Rt.Pid(id), recv.ReceivedPid());
        recv.Kill();
        Rt.WaitForStatus(id, "stopped");
        Rt.Delete(id).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Run_detached_sends_the_inits_pidfd()
    {
        var b = NewBundle().Probe("sleep", "600");
        string id = Rt.NewId();
        using var recv = new PidfdReceiver(Scope.Dir);
        Rt.Run(b, id, "--detach", "--pidfd-socket", recv.Socket).AssertOk();
        Assert.Equal(Rt.Pid(id), recv.ReceivedPid());
        Assert.Equal("running", (string?)Rt.StateJson(id)["status"]);
        recv.Kill();
        Rt.WaitForStatus(id, "stopped");
        Rt.Delete(id).AssertOk();
    }

    [Fact]
    public void Exec_sends_the_pidfd_of_the_process_it_runs()
    {
        var b = NewBundle().Probe("sleep", "600");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        using var recv = new PidfdReceiver(Scope.Dir);
        // The exec'd sleep is killed through its pidfd: exec returns with 128 + SIGKILL.
        var exec = Rt.Launch(new InvokeOptions(), "exec", "--pidfd-socket", recv.Socket, id, "/probe", "sleep", "600");
        int execPid = recv.ReceivedPid();
        recv.Kill();
        Assert.Equal(137, exec.Wait().ExitCode);
        Assert.NotEqual(Rt.Pid(id), execPid);
        Assert.Equal("running", (string?)Rt.StateJson(id)["status"]);
        Rt.Delete(id, force: true).AssertOk();
    }

    [Fact]
    public void A_pidfd_socket_that_is_not_a_socket_fails_before_anything_is_created()
    {
        var b = NewBundle().Probe("sleep", "600");
        string notSocket = Path.Combine(Scope.Dir, "plain");
        File.WriteAllText(notSocket, "");
        string id = Rt.NewId();
        Rt.Create(b, id, "--pidfd-socket", notSocket).AssertFailed().AssertStderrMentions("--pidfd-socket");
        Rt.State(id).AssertFailed();
        Scope.AssertNothingLeft([id]);
    }
}
