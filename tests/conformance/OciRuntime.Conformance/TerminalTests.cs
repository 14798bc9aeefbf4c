using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>process.terminal with --console-socket: the pty master reaches a receiver over the
/// socket (SCM_RIGHTS) and works both ways; the peer is the process's stdio, controlling terminal
/// and /dev/console; bad combinations fail cleanly.</summary>
public sealed class TerminalTests : ConformanceTest
{
    public TerminalTests(ITestOutputHelper output) : base(output) { }

    /// <summary>The host side of --console-socket (tests/conformance/probe/console-recv.c).</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly Process _p;
        public string Socket { get; }

        public Receiver(string dir, string input)
        {
            Socket = Path.Combine(dir, "console-" + Guid.NewGuid().ToString("N")[..6] + ".sock");
            var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "console-recv"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add(Socket);
            psi.ArgumentList.Add(input);
            _p = Process.Start(psi)!;
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (!File.Exists(Socket) && DateTime.UtcNow < deadline)
                Thread.Sleep(10);
            Assert.True(File.Exists(Socket), "console-recv did not listen");
        }

        /// <summary>Everything it printed, once the container side of the pty is closed.</summary>
        public string Output()
        {
            if (!_p.WaitForExit(25000))
                _p.Kill();
            return _p.StandardOutput.ReadToEnd() + _p.StandardError.ReadToEnd();
        }

        public void Dispose()
        {
            if (!_p.HasExited)
                _p.Kill();
            _p.WaitForExit();
            _p.Dispose();
        }
    }

    private const string Script = "read line; echo got:$line; tty; stat -c ctty=%t:%T $(tty); stat -c console=%t:%T /dev/console";

    [Fact]
    public void Run_sends_a_working_pty_master_to_the_console_socket()
    {
        var b = NewBundle().Args("/bin/sh", "-c", Script);
        b.Process["terminal"] = true;
        using var recv = new Receiver(Scope.Dir, "hello\n");
        Rt.Run(b, null, "--console-socket", recv.Socket).AssertOk();
        string output = recv.Output();
        Assert.Contains("ptn=", output);
        Assert.Contains("hello", output.Split("output:")[1].Split("got:")[0]); // the pty's echo of our input
        Assert.Contains("got:hello", output);
        Assert.Contains("/dev/pts/", output);
        // /dev/console is the very pty (the same device numbers), 136 = 0x88 the devpts major.
        string ctty = output.Split('\n').Single(l => l.StartsWith("ctty=")).Trim()[5..];
        string console = output.Split('\n').Single(l => l.StartsWith("console=")).Trim()[8..];
        Assert.Equal(ctty, console);
        Assert.StartsWith("88:", ctty);
    }

    [Fact]
    public void Create_hands_over_the_master_before_start()
    {
        var b = NewBundle().Args("/bin/sh", "-c", "read line; echo got:$line");
        b.Process["terminal"] = true;
        using var recv = new Receiver(Scope.Dir, "after-start\n");
        string id = Rt.NewId();
        Rt.Create(b, id, "--console-socket", recv.Socket).AssertOk();
        Rt.StartContainer(id).AssertOk();
        Assert.Contains("got:after-start", recv.Output());
        Rt.WaitForStatus(id, "stopped");
    }

    [Fact]
    public void Exec_tty_sends_a_pty_of_the_containers_devpts()
    {
        var b = NewBundle().Probe("sleep", "60");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        using var recv = new Receiver(Scope.Dir, "hi\n");
        Rt.Invoke("exec", "--tty", "--console-socket", recv.Socket, id, "/bin/sh", "-c", "read l; echo exec-got:$l; tty")
            .AssertOk();
        string output = recv.Output();
        Assert.Contains("exec-got:hi", output);
        Assert.Contains("/dev/pts/", output);
    }

    [Fact]
    public void Without_a_terminal_stdio_passes_through()
    {
        var b = NewBundle().Args("/bin/sh", "-c", "echo plain; readlink /proc/self/fd/1");
        var r = Rt.Run(b).AssertOk();
        Assert.Contains("plain", r.Stdout);
        Assert.DoesNotContain("/dev/pts", r.Stdout);
    }

    [Fact]
    public void Terminal_without_console_socket_fails_and_leaves_nothing()
    {
        var b = NewBundle().Args("/bin/true");
        b.Process["terminal"] = true;
        string id = Rt.NewId();
        Rt.Create(b, id).AssertFailed().AssertStderrMentions("console-socket");
        Rt.State(id).AssertFailed();
    }

    [Fact]
    public void Console_socket_that_is_not_a_socket_fails()
    {
        var b = NewBundle().Args("/bin/true");
        b.Process["terminal"] = true;
        string notSocket = Path.Combine(Scope.Dir, "plain-file");
        File.WriteAllText(notSocket, "");
        string id = Rt.NewId();
        Rt.Create(b, id, "--console-socket", notSocket).AssertFailed().AssertStderrMentions("not a unix socket");
        Rt.State(id).AssertFailed();
        Rt.Create(b, id, "--console-socket", Path.Combine(Scope.Dir, "missing.sock")).AssertFailed()
            .AssertStderrMentions("missing.sock");
    }

    [Fact]
    public void Console_socket_without_a_terminal_fails()
    {
        var b = NewBundle().Args("/bin/true");
        using var recv = new Receiver(Scope.Dir, "");
        string id = Rt.NewId();
        Rt.Create(b, id, "--console-socket", recv.Socket).AssertFailed().AssertStderrMentions("terminal");
        Rt.State(id).AssertFailed();
    }

    [Fact]
    public void Run_without_console_socket_attaches_to_the_callers_terminal()
    {
        var b = NewBundle().Args("/bin/sh", "-c", "read line; echo got:$line; tty; exit 3");
        b.Process["terminal"] = true;
        b.Save();
        string id = Rt.NewId();
        // `script` runs the runtime on a terminal of its own and feeds it our input.
        string cmd = string.Join(' ', new[] { Rt.Binary }.Concat(Rt.GlobalArgs).Concat(["run", "--bundle", b.Dir, id])
            .Select(a => "'" + a.Replace("'", "'\\''") + "'"));
        var psi = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-qec", cmd, "/dev/null" })
            psi.ArgumentList.Add(a);
        psi.Environment[HostState.TagVariable] = Scope.Tag;
        using var p = Process.Start(psi)!;
        p.StandardInput.Write("hello\n");
        p.StandardInput.Flush();
        bool exited = p.WaitForExit(30000);
        if (!exited)
            p.Kill(entireProcessTree: true);
        string output = p.StandardOutput.ReadToEnd();
        Scope.Log($"$ script -qec {cmd}\nexit {(exited ? p.ExitCode : -1)}\n{output}\n{p.StandardError.ReadToEnd()}");
        Assert.True(exited, "run attached to a terminal did not end");
        Assert.Contains("got:hello", output);
        Assert.Contains("/dev/pts/", output);
        Assert.Equal(3, p.ExitCode);
    }

    [Fact]
    public void Run_with_a_terminal_not_started_from_one_fails_clearly()
    {
        var b = NewBundle().Args("/bin/true");
        b.Process["terminal"] = true;
        Rt.Run(b).AssertFailed().AssertStderrMentions("console-socket");
    }

    [Fact]
    public void Exec_tty_without_console_socket_attaches_to_the_callers_terminal_and_follows_its_size()
    {
        var b = NewBundle().Probe("sleep", "60");
        string id = Rt.NewId();
        Rt.CreateAndStart(b, id);
        string cmd = string.Join(' ', new[] { Rt.Binary }.Concat(Rt.GlobalArgs)
            .Concat(["exec", "--tty", id, "/bin/sh", "-c", "read line; echo exec-got:$line; stty size; exit 4"])
            .Select(a => "'" + a.Replace("'", "'\\''") + "'"));
        // The outer terminal gets a known size first; the container's pty must copy it.
        string outer = "stty rows 33 cols 77; exec " + cmd;
        var psi = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-qec", outer, "/dev/null" })
            psi.ArgumentList.Add(a);
        psi.Environment[HostState.TagVariable] = Scope.Tag;
        using var p = Process.Start(psi)!;
        p.StandardInput.Write("hi\n");
        p.StandardInput.Flush();
        bool exited = p.WaitForExit(30000);
        if (!exited)
            p.Kill(entireProcessTree: true);
        string output = p.StandardOutput.ReadToEnd();
        Scope.Log($"$ script -qec {outer}\nexit {(exited ? p.ExitCode : -1)}\n{output}\n{p.StandardError.ReadToEnd()}");
        Assert.True(exited, "exec attached to a terminal did not end");
        Assert.Contains("exec-got:hi", output);
        Assert.Contains("33 77", output);
        Assert.Equal(4, p.ExitCode);
    }
}
