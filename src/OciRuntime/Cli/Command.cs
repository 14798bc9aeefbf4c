using OciRuntime.Lifecycle;

namespace OciRuntime.Cli;

/// <summary>What every command gets from the global options.</summary>
/// <param name="Rootless">who runs the runtime and the --rootless choice (null: the host's root, cgroups as usual)</param>
/// <param name="RootGiven">--root was given (runc: `list` of a missing --root is an error, of the
/// missing default root an empty list)</param>
internal sealed record GlobalContext(StateStore Store, bool SystemdCgroup, OciRuntime.Rootless.RootlessMode? Rootless = null,
    bool RootGiven = false);

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
    /// <summary>Options end at the first argument, so the rest (a command line to run, as in
    /// `exec ID sh -c ...`) is passed on untouched.</summary>
    public virtual bool OptionsEndAtFirstArgument => false;
    /// <summary>The exit status when the runtime itself fails (runc: 1, but 255 for exec, so that a
    /// caller can tell it from the status of the process it ran).</summary>
    public virtual int FailureExitStatus => 1;
    /// <summary>The command starts a container: the binary's constructor starts the early executor
    /// for it before .NET (startup/early.c names the same commands; EarlyExecutorCommandLineTests).</summary>
    public virtual bool StartsAContainer => false;

    public abstract int Run(ParsedArgs args, GlobalContext ctx);

    protected static string Id(ParsedArgs a) => a.Positionals[0];
}
