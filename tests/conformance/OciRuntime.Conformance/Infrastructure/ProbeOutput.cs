namespace OciRuntime.Conformance;

/// <summary>The key=value lines that /probe prints.</summary>
public sealed class ProbeOutput
{
    public string Text { get; }
    public IReadOnlyList<KeyValuePair<string, string>> Pairs { get; }

    public ProbeOutput(string text)
    {
        Text = text;
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (string line in text.Split('\n'))
        {
            int eq = line.IndexOf('=');
            if (eq > 0)
                pairs.Add(new(line[..eq], line[(eq + 1)..].TrimEnd('\r')));
        }
        Pairs = pairs;
    }

    private ProbeOutput(string text, List<KeyValuePair<string, string>> pairs)
    {
        Text = text;
        Pairs = pairs;
    }

    /// <summary>First value of the key, or null.</summary>
    public string? this[string key] => Pairs.FirstOrDefault(p => p.Key == key).Value;

    /// <summary>First value of the key; fails the test naming the whole output if missing.</summary>
    public string Get(string key) =>
        this[key] ?? throw new Xunit.Sdk.XunitException($"probe output has no '{key}=' line:\n{Text}");

    public bool Has(string key) => Pairs.Any(p => p.Key == key);

    public IEnumerable<string> All(string key) => Pairs.Where(p => p.Key == key).Select(p => p.Value);

    /// <summary>The group of lines that starts with "path=PATH" (or "name=NAME" for rlimit).</summary>
    public ProbeOutput For(string value, string key = "path")
    {
        var group = new List<KeyValuePair<string, string>>();
        bool inside = false;
        foreach (var p in Pairs)
        {
            if (p.Key == key)
            {
                if (inside)
                    break;
                inside = p.Value == value;
            }
            if (inside)
                group.Add(p);
        }
        if (group.Count == 0)
            throw new Xunit.Sdk.XunitException($"probe output has no '{key}={value}' group:\n{Text}");
        return new ProbeOutput(string.Join('\n', group.Select(p => p.Key + "=" + p.Value)), group);
    }

    public override string ToString() => Text;
}
