using System.Diagnostics;
using OciRuntime.Lifecycle;

namespace OciRuntime.Cli;

/// <summary>
/// `ps`: the container's processes (those in its cgroup). json: an array of pids, as Docker reads
/// it; table: ps(1)'s output (default -ef, or the arguments after the id) cut to those pids.
/// </summary>
internal sealed class PsCommand : Command
{
    public override string Name => "ps";
    public override string Summary => "list the processes running in a container";
    public override string Usage => "[--format table|json] <container-id> [ps options]";
    public override int MaxArgs => int.MaxValue;
    public override bool OptionsEndAtFirstArgument => true;
    public override IReadOnlyList<OptionSpec> Options => [new("format", true, "f")];

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        var c = Container.Load(ctx.Store, Id(a));
        string format = a.Get("format") ?? "table";
        var pids = c.Cgroup.Pids();
        if (format == "json")
        {
            if (a.Positionals.Count > 1)
                throw new UsageError("ps: ps options cannot be used with --format json");
            Output.Out("[" + string.Join(",", pids) + "]\n");
            return 0;
        }
        if (format != "table")
            throw new UsageError($"--format: unknown format \"{format}\" (table or json)");
        var psArgs = a.Positionals.Count > 1 ? a.Positionals.Skip(1).ToList() : ["-ef"];
        Output.Out(Filter(RunPs(psArgs), pids.ToHashSet()));
        return 0;
    }

    private static string RunPs(List<string> args)
    {
        var psi = new ProcessStartInfo("ps") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var x in args)
            psi.ArgumentList.Add(x);
        using var p = Process.Start(psi) ?? throw new RuntimeError("ps: cannot run ps(1)");
        string output = p.StandardOutput.ReadToEnd();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new RuntimeError($"ps {string.Join(' ', args)}: {err.Trim()}");
        return output;
    }

    /// <summary>The header line, then the lines whose PID column holds one of the pids.</summary>
    public static string Filter(string psOutput, HashSet<int> pids)
    {
        var lines = psOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
            return "";
        int col = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
        if (col < 0)
            throw new RuntimeError("ps: its output has no PID column (add -o pid,...)");
        var sb = new System.Text.StringBuilder(lines[0]).Append('\n');
        foreach (var l in lines.Skip(1))
        {
            var f = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > col && int.TryParse(f[col], out int pid) && pids.Contains(pid))
                sb.Append(l).Append('\n');
        }
        return sb.ToString();
    }
}
