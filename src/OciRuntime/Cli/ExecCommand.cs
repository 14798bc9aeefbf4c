using OciRuntime.Diagnostics;
using OciRuntime.Lifecycle;
using OciRuntime.Linux;
using OciRuntime.Planning;
using OciRuntime.Spec;

namespace OciRuntime.Cli;

internal sealed unsafe class ExecCommand : Command
{
    public override string Name => "exec";
    public override string Summary => "run a new process in a running container; wait for it and exit with its status unless --detach";
    public override string Usage =>
        "[--process FILE | --cwd DIR --env K=V --user UID[:GID] --additional-gids GID --cap CAP --no-new-privs --tty] " +
        "[--detach] [--pid-file FILE] [--pidfd-socket SOCK] [--preserve-fds N] [--ignore-paused] [--cgroup [CTRL:]PATH] <container-id> [--] [command [args...]]";
    public override int MaxArgs => int.MaxValue;
    public override bool OptionsEndAtFirstArgument => true;
    public override int FailureExitStatus => 255;

    public override IReadOnlyList<OptionSpec> Options =>
    [
        new("process", true, "p"), new("tty", false, "t"), new("cwd", true), new("env", true, "e"),
        new("user", true, "u"), new("additional-gids", true, "g"), new("cap", true, "c"), new("no-new-privs", false),
        new("apparmor", true), new("process-label", true), new("detach", false, "d"), new("pid-file", true),
        new("console-socket", true), new("preserve-fds", true), new("ignore-paused", false), new("cgroup", true),
        new("no-subreaper", false), new("pidfd-socket", true),
    ];

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        string id = Id(a);
        var args = a.Positionals.Skip(1).ToList();
        if (args.Count > 0 && args[0] == "--")
            args.RemoveAt(0);

        // The container must exist before its config or the process file is looked at.
        var record = ctx.Store.Load(id);
        var process = ProcessOf(a, args, record.Bundle);
        // A terminal without --console-socket: attach it to ours, as `run` does.
        using var terminal = CallerTerminal.ForRun(process.Terminal == true, a.Get("console-socket"), a.Flag("detach"));
        using var pidfdSocket = PidfdSocket.Open(a.Get("pidfd-socket"));
        var launched = ContainerExec.Start(ctx.Store, new ExecOptions(id, process, a.Int("preserve-fds", 0),
            a.Flag("ignore-paused"), a.All("cgroup"), a.Get("console-socket"), terminal?.ConsoleFd ?? -1));
        InitLauncher.ReapSpawned(launched);
        int pid = launched.InitPid;
        Log.Debug($"exec in container {id}: pid {pid}");

        try
        {
            if (a.Get("pid-file") is { } pidFile)
                ContainerCreator.WritePidFile(pidFile, pid);
            pidfdSocket?.Send(pid);
        }
        catch
        {
            // Detached or not, a process the caller cannot find must not stay behind.
            InitLauncher.KillAndReap(pid, pid);
            throw;
        }
        if (a.Flag("detach"))
            return 0;
        terminal?.Attach();

        using var forwarding = SignalForwarding.To(pid);
        return RunCommand.ExitCode(ChildProcess.WaitForExit(pid, LibC.__WALL, $"wait for process {pid}"));
    }

    /// <summary>--process FILE as is, or the container's own process changed by the flags (as runc).</summary>
    private static Process ProcessOf(ParsedArgs a, List<string> args, string bundle)
    {
        if (a.Get("process") is { } file)
        {
            if (args.Count > 0)
                throw new UsageError("exec: give either --process FILE or a command, not both");
            var p = ConfigLoader.LoadProcess(file);
            var errors = SpecValidator.ValidateProcess(p);
            if (errors.Count > 0)
                throw new RuntimeError($"{file}: " + string.Join("; ", errors.Select(e => e.ToString())));
            return p;
        }
        if (args.Count == 0)
            throw new UsageError("exec: no command given (give one after the container id, or --process FILE)");
        var config = ContainerCreator.LoadConfig(bundle);
        return new ExecProcessFlags(
            args,
            Cwd: a.Get("cwd"),
            Env: a.All("env"),
            // As runc: a terminal only with --tty, whatever config.json's process says.
            Tty: a.Flag("tty"),
            User: a.Get("user"),
            AdditionalGids: a.All("additional-gids"),
            Caps: a.All("cap"),
            NoNewPrivs: a.Get("no-new-privs") is null ? null : a.Flag("no-new-privs"),
            Apparmor: a.Get("apparmor"),
            ProcessLabel: a.Get("process-label")).ApplyTo(config.Process!);
    }
}
