using System.Runtime.InteropServices;
using OciRuntime.Lifecycle;
using OciRuntime.Linux;

namespace OciRuntime.Cli;

internal sealed unsafe class RunCommand : Command
{
    public override string Name => "run";
    public override string Summary => "create and start a container; wait for it and exit with its status unless --detach";
    public override string Usage => "[--bundle DIR] [--detach] [--keep] [--pid-file FILE] [--no-pivot] <container-id>";
    public override IReadOnlyList<OptionSpec> Options =>
        [.. CreateCommand.CreateOptions, new("detach", false, "d"), new("keep", false), new("no-subreaper", false)];

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        var options = CreateCommand.Parse(a) with { Rootless = ctx.Rootless };
        // A terminal without --console-socket: attach it to ours, as runc does.
        using var terminal = CallerTerminal.ForRun(TerminalWanted(options.Bundle), options.ConsoleSocket, a.Flag("detach"));
        if (terminal is not null)
            options = options with { ConsoleFd = terminal.ConsoleFd };
        var (container, launched) = ContainerCreator.Create(ctx.Store, options);
        if (a.Flag("detach"))
        {
            Start(ctx, container);
            return 0;
        }
        terminal?.Attach();

        // The init is our child (the executor forks it with CLONE_PARENT): forward the signals a
        // user sends to `run` to it, and collect its exit status.
        int pid = launched.InitPid;
        var registrations = new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
            .Select(s => PosixSignalRegistration.Create(s, c =>
            {
                c.Cancel = true;
                LibC.kill(pid, SignalNumber(c.Signal));
            }))
            .ToList();
        try
        {
            Start(ctx, container);
            StartupTrace.Mark("start");
            int status = 0;
            while (LibC.waitpid(pid, &status, LibC.__WALL) < 0)
            {
                if (LibC.Errno != LibC.EINTR)
                    throw SyscallException.Last($"wait for the container's init {pid}");
            }
            if (!a.Flag("keep"))
                container.Delete(force: true);
            return ExitCode(status);
        }
        finally
        {
            foreach (var r in registrations)
                r.Dispose();
        }
    }

    /// <summary>process.terminal of the bundle's config (validated again by create).</summary>
    private static bool TerminalWanted(string bundle)
    {
        try
        {
            return Spec.ConfigLoader.Load(Path.Combine(Path.GetFullPath(bundle), "config.json")).Process?.Terminal == true;
        }
        catch (Exception e) when (e is Spec.ConfigException or IOException)
        {
            return false; // create reports it
        }
    }

    private static void Start(GlobalContext ctx, Container container)
    {
        try
        {
            container.Start();
        }
        catch
        {
            container.Delete(force: true);
            throw;
        }
    }

    /// <summary>The shell convention: the exit code, or 128 + the signal that killed it.</summary>
    internal static int ExitCode(int status) => (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);

    private static int SignalNumber(PosixSignal s) => s switch
    {
        PosixSignal.SIGTERM => 15,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGQUIT => 3,
        _ => 15,
    };
}
