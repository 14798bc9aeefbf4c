using OciRuntime.Diagnostics;
using OciRuntime.Lifecycle;
using OciRuntime.Planning;

namespace OciRuntime.Cli;

/// <summary>Prints the steps `create` would run for a bundle, without running anything.</summary>
internal sealed class PlanCommand : Command
{
    public override string Name => "plan";
    public override string Summary => "print the ordered steps a bundle would execute, without running anything";
    public override string Usage => "[--bundle DIR] [--no-pivot] [container-id]";
    public override int MinArgs => 0;
    public override IReadOnlyList<OptionSpec> Options => [new("bundle", true, "b"), new("no-pivot", false)];

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        string id = a.Positionals.Count > 0 ? a.Positionals[0] : "<id>";
        string bundle = Path.GetFullPath(a.Get("bundle") ?? ".");
        var config = ContainerCreator.LoadConfig(bundle);
        string rootfs = Path.GetFullPath(Path.Combine(bundle, config.Root!.Path!));
        var host = HostFactsReader.Read(needCgroups: true);
        var plan = Planner.PlanInit(new PlanRequest(id, config, bundle, rootfs,
            Path.Combine(ctx.Store.Root, id, "exec.fifo"), a.Flag("no-pivot"), 0, host,
            ContainerCreator.HomeOf(config, rootfs), ContainerCreator.ParentMountOf(rootfs)));
        Output.Out(plan.Describe());
        return 0;
    }
}
