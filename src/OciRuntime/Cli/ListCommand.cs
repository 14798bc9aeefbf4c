using System.Text.Json;
using System.Text;
using OciRuntime.Diagnostics;
using OciRuntime.Lifecycle;
using OciRuntime.Spec.Json;

namespace OciRuntime.Cli;

internal sealed class ListCommand : Command
{
    public override string Name => "list";
    public override string Summary => "list the containers under --root";
    public override string Usage => "[--format table|json] [--quiet]";
    public override int MinArgs => 0;
    public override int MaxArgs => 0;
    public override IReadOnlyList<OptionSpec> Options => [new("format", true, "f"), new("quiet", false, "q")];

    public override int Run(ParsedArgs a, GlobalContext ctx)
    {
        string format = a.Get("format") ?? "table";
        if (format is not ("table" or "json"))
            throw new UsageError($"--format: unknown format \"{format}\" (table or json)");
        if (ctx.RootGiven && !Directory.Exists(ctx.Store.Root))
            throw new RuntimeError($"--root {ctx.Store.Root}: no such directory");
        var states = new List<Spec.State>();
        string? owner = null;
        foreach (var id in ctx.Store.Ids())
        {
            ContainerRecord? r;
            try
            {
                r = ctx.Store.TryLoad(id);
            }
            catch (Exception e) when (e is RuntimeError or JsonException or IOException)
            {
                continue;
            }
            if (r is null)
                continue;
            var c = new Container(ctx.Store, r);
            var s = c.State(c.Status);
            s.Owner = owner ??= Owner.Current();
            states.Add(s);
        }

        if (a.Flag("quiet"))
        {
            Output.Out(string.Concat(states.Select(s => s.Id + "\n")));
            return 0;
        }
        if (format == "json")
        {
            // runc prints null, not [], when there are no containers.
            Output.Out(states.Count == 0 ? "null\n" : Encoding.UTF8.GetString(StateWriter.SerializeList(states)) + "\n");
            return 0;
        }
        var rows = new List<string[]> { new[] { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" } };
        rows.AddRange(states.Select(s => new[] { s.Id ?? "", (s.Pid ?? 0).ToString(), s.Status ?? "", s.Bundle ?? "", s.Created ?? "", s.Owner ?? "" }));
        Output.Out(Table(rows));
        return 0;
    }

    /// <summary>Columns as Go's tabwriter lays them out for runc (min width 12, padding 3).</summary>
    private static string Table(List<string[]> rows)
    {
        int cols = rows[0].Length;
        var width = new int[cols];
        for (int c = 0; c < cols - 1; c++)
            width[c] = Math.Max(12, rows.Max(r => r[c].Length) + 3);
        var sb = new StringBuilder();
        foreach (var r in rows)
        {
            for (int c = 0; c < cols - 1; c++)
                sb.Append(r[c].PadRight(width[c]));
            sb.Append(r[cols - 1]).Append('\n');
        }
        return sb.ToString();
    }
}
