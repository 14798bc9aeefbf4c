using OciRuntime.Lifecycle;

namespace OciRuntime.Cli;

internal sealed class StartCommand : Command
{
    public override string Name => "start";
    public override string Summary => "start a created container: its process execs the user's program";
    public override string Usage => "<container-id>";

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        Container.Load(ctx.Store, Id(a)).Start();
        return 0;
    }
}
