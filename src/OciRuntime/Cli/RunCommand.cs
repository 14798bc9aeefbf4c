using OciRuntime.Diagnostics;
using OciRuntime.Lifecycle;
using OciRuntime.Linux;

namespace OciRuntime.Cli;

internal sealed class RunCommand : Command
{
    public override string Name => "run";
    public override bool StartsAContainer => true;
    public override string Summary => "create and start a container; wait for it and exit with its status unless --detach";
    public override string Usage => "[--bundle DIR] [--detach] [--keep] [--pid-file FILE] [--pidfd-socket SOCK] [--no-pivot] <container-id>";
    public override IReadOnlyList<OptionSpec> Options =>
        [.. CreateCommand.CreateOptions, new("detach", false, "d"), new("keep", false), new("no-subreaper", false)];

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        // Started by this very process: over the sync socket, without an exec fifo (as crun).
        var options = CreateCommand.Parse(a) with { Rootless = ctx.Rootless, StartedByCaller = true };
        // Parsed once, here: process.terminal decides the terminal before create runs.
        var config = TryParseConfig(options.Bundle);
        // A terminal without --console-socket: attach it to ours, as runc does.
        using var terminal = CallerTerminal.ForRun(config?.Process?.Terminal == true, options.ConsoleSocket, a.Flag("detach"));
        if (terminal is not null)
            options = options with { ConsoleFd = terminal.ConsoleFd };
        var (container, launched) = ContainerCreator.Create(ctx.Store, options, config);
        if (a.Flag("detach"))
        {
            Start(container, launched);
            return 0;
        }
        terminal?.Attach();

        // The init is our child (the executor itself, or its fork with CLONE_PARENT): forward the
        // signals a user sends to `run` to it, and collect its exit status.
        int pid = launched.InitPid;
        using var forwarding = SignalForwarding.To(pid);
        Start(container, launched);
        StartupTrace.Mark("start");
        if (Log.DebugEnabled)
            Log.Debug($"container {container.Id}: started, waiting for init pid {pid}");
        int status = ChildProcess.WaitForExit(pid, LibC.__WALL, $"wait for the container's init {pid}");
        StartupTrace.Mark("container exited");
        if (Log.DebugEnabled)
            Log.Debug($"container {container.Id}: init exited with status {ExitCode(status)}");
        if (!a.Flag("keep"))
        {
            bool ownPidNamespace = config?.Linux?.Namespaces?.Any(n => n.Type == "pid" && string.IsNullOrEmpty(n.Path)) == true;
            container.Delete(force: true, initReapedInOwnPidNamespace: ownPidNamespace);
            StartupTrace.Mark("delete");
        }
        return ExitCode(status);
    }

    /// <summary>The bundle's config (create validates it); null when it cannot be read or parsed,
    /// and create, which reads it again, reports why.</summary>
    private static Spec.Spec? TryParseConfig(string bundle)
    {
        try
        {
            return ContainerCreator.ParseConfig(Path.GetFullPath(bundle));
        }
        catch (Exception e) when (e is Spec.ConfigException or IOException)
        {
            return null;
        }
    }

    private static void Start(Container container, LaunchedInit launched)
    {
        try
        {
            container.Start(launched.SyncFd);
        }
        catch
        {
            container.Delete(force: true);
            throw;
        }
    }

    /// <summary>The shell convention: the exit code, or 128 + the signal that killed it.</summary>
    internal static int ExitCode(int status) => (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}
