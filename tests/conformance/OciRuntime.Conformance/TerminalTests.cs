using System.Text.Json.Nodes;
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
    internal sealed class Receiver : IDisposable
    {
        private readonly Process _p;
        public string Socket { get; }

        public Receiver(string dir, string input)
        {
            (_p, Socket) = Listen(dir, "console", input, stdin: false);
        }

        /// <summary>Starts tests/conformance/probe/console-recv on a new socket in dir and waits
        /// until it listens.</summary>
        internal static (Process, string Socket) Listen(string dir, string prefix, string input, bool stdin)
        {
            string socket = Path.Combine(dir, prefix + "-" + Guid.NewGuid().ToString("N")[..6] + ".sock");
            var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "console-recv"))
            {
                RedirectStandardInput = stdin,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add(socket);
            psi.ArgumentList.Add(input);
            var p = Process.Start(psi)!;
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (!File.Exists(socket) && DateTime.UtcNow < deadline)
                Thread.Sleep(10);
            Assert.True(File.Exists(socket), "console-recv did not listen");
            return (p, socket);
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
        // The sleep keeps the pty open until the output is read: a master can see EIO before the last
        // bytes of a slave that closes at once.
        var b = NewBundle().Args("/bin/sh", "-c", "read line; echo got:$line; sleep 1");
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
    public void The_pty_belongs_to_the_processs_user_keeping_its_group()
    {
        // runc's fixStdioPermissions: a user other than root must be able to use its terminal.
        // The pty is made by root in the container's devpts (gid=5): uid becomes the process's,
        // the group stays tty's. Same for exec --tty with another user.
        var b = NewBundle().Args("/bin/sh", "-c", "stat -c owner=%u:%g $(tty); echo via-reopen > /dev/tty; sleep 1");
        b.Process["terminal"] = true;
        b.Process["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 1000 };
        using (var recv = new Receiver(Scope.Dir, ""))
        {
            Rt.Run(b, null, "--console-socket", recv.Socket).AssertOk();
            string output = recv.Output();
            Assert.Contains("owner=1000:5", output);
            Assert.Contains("via-reopen", output);
        }

        var c = NewBundle().Probe("sleep", "60");
        string id = Rt.NewId();
        Rt.CreateAndStart(c, id);
        using var exec = new Receiver(Scope.Dir, "");
        Rt.Invoke("exec", "--tty", "--user", "1234:1234", "--console-socket", exec.Socket, id, "/bin/sh", "-c",
            "stat -c exec-owner=%u:%g $(tty); sleep 1").AssertOk();
        Assert.Contains("exec-owner=1234:5", exec.Output());
        Rt.Delete(id, force: true).AssertOk();
    }

    [Fact]
    public void Stdio_of_the_caller_belongs_to_the_processs_user_but_dev_null_does_not()
    {
        // runc chowns stdio to the process's uid so that it can reopen it (/dev/stdout,
        // /proc/self/fd/N: a root-owned 0644 file refuses uid 1000); the host's /dev/null (stdin
        // here) is left alone.
        var b = NewBundle().Args("/bin/sh", "-c", "stat -L -c in=%u /proc/self/fd/0; stat -L -c out=%u /proc/self/fd/1; echo reopened >> /proc/self/fd/1");
        b.Process["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 1000 };
        var r = Rt.Run(b).AssertOk();
        Assert.Contains("in=0", r.Stdout);
        Assert.Contains("out=1000", r.Stdout);
        Assert.Contains("reopened", r.Stdout);
        Assert.Equal(0u, HostState.Owner("/dev/null").Uid);
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
        var (exited, exitCode, output) = UnderScript(ShellCommand(["run", "--bundle", b.Dir, id]), "hello\n");
        Assert.True(exited, "run attached to a terminal did not end");
        Assert.Contains("got:hello", output);
        Assert.Contains("/dev/pts/", output);
        Assert.Equal(3, exitCode);
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
        string cmd = ShellCommand(["exec", "--tty", id, "/bin/sh", "-c", "read line; echo exec-got:$line; stty size; exit 4"]);
        // The outer terminal gets a known size first; the container's pty must copy it.
        var (exited, exitCode, output) = UnderScript("stty rows 33 cols 77; exec " + cmd, "hi\n");
        Assert.True(exited, "exec attached to a terminal did not end");
        Assert.Contains("exec-got:hi", output);
        Assert.Contains("33 77", output);
        Assert.Equal(4, exitCode);
    }

    [Fact]
    public void Run_attached_clears_onlcr_and_needs_no_terminal_on_stdin()
    {
        // As runc: the caller's terminal may be stdout or stderr (stdin a pipe or /dev/null), and
        // the container's pty does not turn \n into \r\n (the caller's terminal does that already).
        var b = NewBundle().Args("/bin/sh", "-c", "stty -a; tty; echo done");
        b.Process["terminal"] = true;
        b.Save();
        string id = Rt.NewId();
        var (exited, exitCode, output) = UnderScript(ShellCommand(["run", "--bundle", b.Dir, id]) + " </dev/null", "");
        Assert.True(exited, "run attached to a terminal did not end");
        Assert.Equal(0, exitCode);
        Assert.Contains("/dev/pts/", output);
        Assert.Contains("done", output);
        Assert.Matches(@"(^|\s)-onlcr(\s|$)", output);
        Assert.DoesNotContain("\r\r\n", output);
    }

    [Fact]
    public void Exec_takes_a_terminal_from_tty_only_not_from_config_json()
    {
        // config.json asks for a terminal; `exec` without --tty runs without one (as runc), so
        // neither --console-socket nor a terminal of the caller's is needed, detached or not.
        var b = NewBundle().Probe("sleep", "60");
        b.Process["terminal"] = true;
        string id = Rt.NewId();
        using var recv = new Receiver(Scope.Dir, "");
        Rt.Create(b, id, "--console-socket", recv.Socket).AssertOk();
        Rt.StartContainer(id).AssertOk();
        var r = Rt.Invoke("exec", id, "/bin/sh", "-c", "readlink /proc/self/fd/1; echo plain-line").AssertOk();
        Assert.DoesNotContain("/dev/pts", r.Stdout);
        Assert.Contains("plain-line\n", r.Stdout);
        Assert.DoesNotContain("\r", r.Stdout);
        Rt.Invoke("exec", "--detach", id, "/bin/true").AssertOk("exec -d without -t");
        Rt.Delete(id, force: true).AssertOk();
        Scope.AssertNothingLeft([id]);
    }

    private string ShellCommand(IEnumerable<string> args) =>
        string.Join(' ', new[] { Rt.Binary }.Concat(Rt.GlobalArgs).Concat(args).Select(a => "'" + a.Replace("'", "'\\''") + "'"));

    /// <summary>`script` runs a shell command on a terminal of its own and feeds it the input.</summary>
    private (bool Exited, int ExitCode, string Output) UnderScript(string shellCommand, string input)
    {
        var psi = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-qec", shellCommand, "/dev/null" })
            psi.ArgumentList.Add(a);
        psi.Environment[HostState.TagVariable] = Scope.Tag;
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(input);
        p.StandardInput.Flush();
        bool exited = p.WaitForExit(30000);
        if (!exited)
            p.Kill(entireProcessTree: true);
        string output = p.StandardOutput.ReadToEnd();
        Scope.Log($"$ script -qec {shellCommand}\nexit {(exited ? p.ExitCode : -1)}\n{output}\n{p.StandardError.ReadToEnd()}");
        return (exited, exited ? p.ExitCode : -1, output);
    }
}
