using OciRuntime.Spec;

namespace OciRuntime.Rootless;

/// <summary>
/// /etc/subuid and /etc/subgid: "owner:start:count" per line, the owner a login name or a numeric
/// id. These are the ranges newuidmap/newgidmap let a user hand to its user namespaces.
/// </summary>
internal static class SubordinateIds
{
    /// <summary>The ranges of the user (by name or id), as IdRanges with ContainerId = HostId = start.</summary>
    public static IReadOnlyList<IdRange> For(string fileText, string? name, uint id)
    {
        var list = new List<IdRange>();
        string idText = id.ToString();
        foreach (var raw in fileText.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            var f = line.Split(':');
            if (f.Length != 3 || !(f[0] == idText || (name is not null && f[0] == name)))
                continue;
            if (uint.TryParse(f[1], out uint start) && uint.TryParse(f[2], out uint count) && count > 0)
                list.Add(new IdRange(start, start, count));
        }
        return list;
    }

    /// <summary>"100000-165535, 200000-200009" or "none".</summary>
    public static string Describe(IReadOnlyList<IdRange> ranges) =>
        ranges.Count == 0 ? "none" : string.Join(", ", ranges.Select(r => $"{r.HostId}-{r.HostEnd - 1}"));
}
