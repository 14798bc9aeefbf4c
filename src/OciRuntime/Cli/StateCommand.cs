using System.Text.Json;
using OciRuntime.Lifecycle;

namespace OciRuntime.Cli;

internal sealed class StateCommand : Command
{
    public override string Name => "state";
    public override string Summary => "print the state of a container as JSON";
    public override string Usage => "<container-id>";

    private static readonly JsonSerializerOptions Indented = new(LifecycleJsonContext.Default.Options) { WriteIndented = true };
    private static readonly LifecycleJsonContext IndentedContext = new(Indented);

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        var c = Container.Load(ctx.Store, Id(a));
        var state = c.State(c.Status);
        Output.Out(JsonSerializer.Serialize(state, IndentedContext.StateOutput) + "\n");
        return 0;
    }
}
