using OciRuntime.Lifecycle;

namespace OciRuntime.Cli;

internal sealed class PauseCommand : Command
{
    public override string Name => "pause";
    public override string Summary => "freeze every process of the container (cgroup freezer)";
    public override string Usage => "<container-id>";

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        ContainerCgroupOps.Pause(Container.Load(ctx.Store, Id(a)));
        return 0;
    }
}
