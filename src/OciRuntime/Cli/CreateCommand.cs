using OciRuntime.Lifecycle;

namespace OciRuntime.Cli;

internal sealed class CreateCommand : Command
{
    public override string Name => "create";
    public override bool StartsAContainer => true;
    public override string Summary => "create a container: everything is set up, and the process waits for `start`";
    public override string Usage => "[--bundle DIR] [--pid-file FILE] [--console-socket SOCK] [--pidfd-socket SOCK] [--no-pivot] [--preserve-fds N] <container-id>";

    internal static readonly OptionSpec[] CreateOptions =
    [
        new("bundle", true, "b"), new("pid-file", true), new("console-socket", true), new("no-pivot", false),
        new("no-new-keyring", false), new("preserve-fds", true), new("pidfd-socket", true),
    ];

    public override IReadOnlyList<OptionSpec> Options => CreateOptions;

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        var (container, _) = ContainerCreator.Create(ctx.Store, Parse(a) with { Rootless = ctx.Rootless });
        return 0;
    }

    internal static Lifecycle.CreateOptions Parse(ParsedArgs a)
    {
        // --no-new-keyring needs no action: ociruntime never creates a session keyring.
        return new Lifecycle.CreateOptions(Id(a), a.Get("bundle") ?? ".", a.Get("pid-file"),
            a.Flag("no-pivot"), a.Int("preserve-fds", 0), a.Get("console-socket"), SystemdCgroup: a.Flag("systemd-cgroup"), PidfdSocket: a.Get("pidfd-socket"),
            NoCgroup: a.Get("cgroup-manager") == "disabled");
    }
}
