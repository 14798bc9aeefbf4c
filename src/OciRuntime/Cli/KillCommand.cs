using OciRuntime.Lifecycle;

namespace OciRuntime.Cli;

internal sealed class KillCommand : Command
{
    public override string Name => "kill";
    public override string Summary => "send a signal (default SIGTERM) to the container's init";
    public override string Usage => "[--all] <container-id> [signal]";
    public override int MaxArgs => 2;
    public override IReadOnlyList<OptionSpec> Options => [new("all", false, "a")];

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        int sig = SignalNames.Parse(a.Positionals.Count > 1 ? a.Positionals[1] : "SIGTERM");
        var c = Container.Load(ctx.Store, Id(a));
        if (a.Flag("all"))
            c.KillAll(sig);
        else
            c.Kill(sig);
        return 0;
    }
}
