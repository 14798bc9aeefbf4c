using System.Text;
using OciRuntime.Diagnostics;
using OciRuntime.Lifecycle;
using OciRuntime.Spec.Json;

namespace OciRuntime.Cli;

internal sealed class StateCommand : Command
{
    public override string Name => "state";
    public override string Summary => "print the state of a container as JSON";
    public override string Usage => "<container-id>";

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        var c = Container.Load(ctx.Store, Id(a));
        var state = c.State(c.Status);
        Output.Out(Encoding.UTF8.GetString(StateWriter.Serialize(state, indented: true)) + "\n");
        return 0;
    }
}
