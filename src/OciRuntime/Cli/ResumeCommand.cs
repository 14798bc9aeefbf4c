using OciRuntime.Lifecycle;

namespace OciRuntime.Cli;

internal sealed class ResumeCommand : Command
{
    public override string Name => "resume";
    public override string Summary => "thaw a paused container";
    public override string Usage => "<container-id>";

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        ContainerCgroupOps.Resume(Container.Load(ctx.Store, Id(a)));
        return 0;
    }
}
