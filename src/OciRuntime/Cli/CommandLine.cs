using System.Text.Json;
using OciRuntime.Diagnostics;
using OciRuntime.Lifecycle;

namespace OciRuntime.Cli;

/// <summary>
/// The runc-compatible command line: global options (accepted before or after the command
/// name), one command, its options and arguments. Every error is logged and exits 1, as runc.
/// </summary>
internal static class CommandLine
{
    /// <summary>startup/early.c mirrors which of these take a value (EarlyExecutorCommandLineTests).</summary>
    internal static readonly OptionSpec[] GlobalOptions =
    [
        new("root", true), new("log", true), new("log-format", true), new("debug", false),
        new("systemd-cgroup", false), new("cgroup-manager", true), new("criu", true), new("rootless", true), new("trace", false),
        new("help", false, "h"), new("version", false, "v"),
    ];

    internal static readonly Command[] Commands =
    [
        new CreateCommand(), new StartCommand(), new RunCommand(), new StateCommand(), new KillCommand(),
        new DeleteCommand(), new ListCommand(), new SpecCommand(), new PlanCommand(), new ExecCommand(),
        new FeaturesCommand(), new PauseCommand(), new ResumeCommand(), new UpdateCommand(), new EventsCommand(),
        new PsCommand(),
    ];

    /// <summary>The name the runtime was run by (a drop-in installed as "runc" calls itself runc).</summary>
    private static string ProgramName =>
        Environment.GetCommandLineArgs() is [var argv0, ..] && Path.GetFileName(argv0) is { Length: > 0 } n ? n : "ociruntime";

    public static int Run(string[] args)
    {
        Command? cmd = null;
        try
        {
            var global = new ParsedArgs();
            int i = ArgParser.Parse(args, 0, GlobalOptions, global, stopAtPositional: true);
            ApplyLogging(global);
            if (global.Flag("version"))
            {
                Output.Out($"{ProgramName} version {BuildInfo.Version}\ncommit: {BuildInfo.Commit}\nspec: {BuildInfo.SpecVersion}\n");
                return 0;
            }
            // `help CMD` is `CMD --help`, as in runc.
            if (i < args.Length && args[i] == "help" && i + 1 < args.Length)
                args = [args[i + 1], "--help"];
            if (i >= args.Length || global.Flag("help") || args[i] == "help")
            {
                Output.Out(Help());
                return i >= args.Length && !global.Flag("help") ? 1 : 0;
            }

            cmd = Commands.FirstOrDefault(c => c.Name == args[i])
                ?? throw new UnknownCommand(args[i]);
            var parsed = new ParsedArgs();
            int end = ArgParser.Parse(args, i + 1, [.. cmd.Options, .. GlobalOptions], parsed,
                stopAtPositional: cmd.OptionsEndAtFirstArgument);
            if (end < args.Length)
                parsed.Positionals.AddRange(args[end..]);
            // Global options given after the command name count too.
            foreach (var g in GlobalOptions)
                if (parsed.Get(g.Name) is { } v)
                    global.Set(g.Name, v);
            ApplyLogging(global);
            if (parsed.Flag("help"))
            {
                Output.Out(CommandHelp(cmd));
                return 0;
            }
            int n = parsed.Positionals.Count;
            if (n < cmd.MinArgs || n > cmd.MaxArgs)
                throw new UsageError(cmd.MinArgs == cmd.MaxArgs
                    ? $"\"{cmd.Name}\" requires exactly {cmd.MinArgs} argument(s); usage: ociruntime {cmd.Name} {cmd.Usage}"
                    : $"\"{cmd.Name}\" takes {cmd.MinArgs} to {cmd.MaxArgs} arguments; usage: ociruntime {cmd.Name} {cmd.Usage}");

            // The cgroup driver of create/run: --systemd-cgroup (runc) or crun's --cgroup-manager.
            bool systemdCgroup = CgroupManager(global);
            if (systemdCgroup)
                parsed.Set("systemd-cgroup", "true");
            var rootless = Rootless.RootlessMode.Detect(global.Get("rootless"), systemdCgroup);
            string? root = global.Get("root");
            bool rootGiven = root is not null;
            if (root is null)
            {
                root = Rootless.StateRoot.Default(rootless);
                if (root != StateStore.DefaultRoot && cmd is not (SpecCommand or FeaturesCommand))
                    Rootless.StateRoot.Prepare(root);
            }
            var ctx = new GlobalContext(new StateStore(root), systemdCgroup, rootless, rootGiven);
            return cmd.Run(parsed, ctx);
        }
        catch (ReportedError e)
        {
            // The runtime's own errors, from every layer (ReportedError.cs): a bad command line exits 1,
            // the rest with the command's failure status.
            Log.Error(e.Message);
            return e is UsageError ? 1 : cmd?.FailureExitStatus ?? 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or ArgumentException)
        {
            // What .NET's file and JSON APIs report about the host's files, as the command's failure.
            Log.Error(e.Message);
            return cmd?.FailureExitStatus ?? 1;
        }
        catch (UnknownCommand e)
        {
            // runc (urfave/cli) answers an unknown command as a help topic it lacks, with status 3.
            Log.Error($"No help topic for '{e.Name}' (no such command; `{ProgramName} --help` lists them)");
            return 3;
        }
    }

    /// <summary>--cgroup-manager systemd|cgroupfs|disabled (crun's spelling; --systemd-cgroup is
    /// systemd): whether the systemd driver is asked for. "disabled" is passed on to create/run as
    /// is (no cgroup of the container's own).</summary>
    private static bool CgroupManager(ParsedArgs global)
    {
        bool systemd = global.Flag("systemd-cgroup");
        switch (global.Get("cgroup-manager"))
        {
            case null:
                return systemd;
            case "systemd":
                return true;
            case "cgroupfs" or "disabled" when systemd:
                throw new UsageError($"--cgroup-manager={global.Get("cgroup-manager")} contradicts --systemd-cgroup");
            case "cgroupfs" or "disabled":
                return false;
            case var other:
                throw new UsageError($"--cgroup-manager: unknown manager \"{other}\" (systemd, cgroupfs or disabled)");
        }
    }

    private static void ApplyLogging(ParsedArgs global)
    {
        Log.FilePath = global.Get("log");
        string format = global.Get("log-format") ?? "text";
        if (format is not ("text" or "json"))
            throw new UsageError($"--log-format: unknown format \"{format}\" (text or json)");
        Log.Json = format == "json";
        Log.DebugEnabled = global.Flag("debug");
        StartupTrace.Enabled = global.Flag("trace");
    }

    private sealed class UnknownCommand(string name) : Exception
    {
        public string Name { get; } = name;
    }

    // runc's help layout (urfave/cli: NAME, USAGE, COMMANDS, GLOBAL OPTIONS), under our own name.
    private static string Help()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("NAME:\n   ").Append(ProgramName).Append(" - Open Container Initiative runtime\n\n");
        sb.Append("   A runc-compatible runtime for OCI runtime-spec ").Append(BuildInfo.SpecVersion).Append(" bundles.\n\n");
        sb.Append("USAGE:\n   ").Append(ProgramName).Append(" [global options] command [command options] [arguments...]\n\nCOMMANDS:\n");
        foreach (var c in Commands)
            sb.Append($"   {c.Name,-9} {c.Summary}\n");
        sb.Append($"   {"help, h",-9} shows a list of commands or help for one command\n");
        sb.Append("\nGLOBAL OPTIONS:\n");
        sb.Append("   --root value        state directory (default: ").Append(StateStore.DefaultRoot).Append(")\n");
        sb.Append("   --log value         log file (default: stderr)\n");
        sb.Append("   --log-format value  text or json (default: text)\n");
        sb.Append("   --debug             log debug messages\n");
        sb.Append("   --trace             log the duration of each start-up phase\n");
        sb.Append("   --rootless value    true: cgroups only where the caller may create them (delegated); false; or auto\n");
        sb.Append("                       (default: true unless the host's root runs it). Callers other than the host's\n");
        sb.Append("                       root keep their state in $XDG_RUNTIME_DIR/ociruntime unless --root is given\n");
        sb.Append("   --systemd-cgroup    the systemd cgroup driver: linux.cgroupsPath is slice:prefix:name, the container\n");
        sb.Append("                       gets a transient scope from systemd (cgroup v2 hosts)\n");
        sb.Append("   --cgroup-manager value  systemd (= --systemd-cgroup), cgroupfs (default) or disabled (no cgroup\n");
        sb.Append("                       of the container's own; linux.resources refused)\n");
        sb.Append("   --help, -h          show help\n");
        sb.Append("   --version, -v       print the version\n");
        return sb.ToString();
    }

    private static string CommandHelp(Command cmd) =>
        $"NAME:\n   {ProgramName} {cmd.Name} - {cmd.Summary}\n\nUSAGE:\n   {ProgramName} {cmd.Name} {cmd.Usage}\n";
}
