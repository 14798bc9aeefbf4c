namespace OciRuntime.Cli;

/// <summary>An option: its names (without dashes) and whether it takes a value.</summary>
internal sealed record OptionSpec(string Name, bool TakesValue, params string[] Aliases)
{
    public bool Matches(string n) => n == Name || Aliases.Contains(n);
}

/// <summary>The options and positional arguments of one command line.</summary>
internal sealed class ParsedArgs
{
    private readonly Dictionary<string, string> _values = [];
    private readonly Dictionary<string, List<string>> _all = [];
    public List<string> Positionals { get; } = [];

    public void Set(string name, string value)
    {
        _values[name] = value;
        if (!_all.TryGetValue(name, out var list))
            _all[name] = list = [];
        list.Add(value);
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    /// <summary>Every value of a repeatable option (`--env A --env B`), in order.</summary>
    public IReadOnlyList<string> All(string name) => _all.TryGetValue(name, out var l) ? l : [];
    public bool Flag(string name) => _values.TryGetValue(name, out var v) && v != "false";

    public int Int(string name, int fallback)
    {
        var v = Get(name);
        if (v is null)
            return fallback;
        return int.TryParse(v, out int n) && n >= 0 ? n : throw new UsageError($"--{name}: \"{v}\" is not a non-negative number");
    }
}

/// <summary>
/// Parses arguments the way runc's CLI library does, which is what container managers rely on:
/// "--name value", "--name=value", single-dash long names ("-bundle"), short aliases ("-d"),
/// booleans with an optional "=true/false", and "--" ending the options.
/// </summary>
internal static class ArgParser
{
    /// <summary>Parses args[start..] into <paramref name="into"/>. With stopAtPositional, stops at the
    /// first positional argument and returns its index (used for the global options, which come
    /// before the command name).</summary>
    public static int Parse(string[] args, int start, IReadOnlyList<OptionSpec> specs, ParsedArgs into, bool stopAtPositional)
    {
        int i = start;
        for (; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--")
            {
                into.Positionals.AddRange(args[(i + 1)..]);
                return args.Length;
            }
            if (a.Length < 2 || a[0] != '-')
            {
                if (stopAtPositional)
                    return i;
                into.Positionals.Add(a);
                continue;
            }
            string body = a.TrimStart('-');
            string? inline = null;
            int eq = body.IndexOf('=');
            if (eq >= 0)
            {
                inline = body[(eq + 1)..];
                body = body[..eq];
            }
            var spec = specs.FirstOrDefault(s => s.Matches(body))
                ?? throw new UsageError($"flag provided but not defined: -{body}");
            if (spec.TakesValue)
            {
                string? value = inline;
                if (value is null)
                {
                    if (i + 1 >= args.Length)
                        throw new UsageError($"flag needs an argument: -{body}");
                    value = args[++i];
                }
                into.Set(spec.Name, value);
            }
            else
            {
                if (inline is not null && inline is not ("true" or "false"))
                    throw new UsageError($"invalid boolean value \"{inline}\" for -{body}");
                into.Set(spec.Name, inline ?? "true");
            }
        }
        return i;
    }
}
