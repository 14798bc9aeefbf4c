using OciRuntime.Lifecycle;

namespace OciRuntime.Cli;

/// <summary>What every command gets from the global options.</summary>
internal sealed record GlobalContext(StateStore Store, bool SystemdCgroup);

/// <summary>One subcommand: its flags, its positional arguments, what it does.</summary>
internal abstract class Command
{
    public abstract string Name { get; }
    public abstract string Summary { get; }
    /// <summary>e.g. "[command options] &lt;container-id&gt;"</summary>
    public abstract string Usage { get; }
    public virtual IReadOnlyList<OptionSpec> Options => [];
    public virtual int MinArgs => 1;
    public virtual int MaxArgs => 1;
    /// <summary>Arguments after the first positional are passed through untouched (ps's ps(1) options).</summary>
    public virtual bool RawArgsAfterFirstPositional => false;

    public abstract int Run(ParsedArgs args, GlobalContext ctx);

    protected static string Id(ParsedArgs a) => a.Positionals[0];
}
