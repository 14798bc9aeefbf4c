using System.Text;

namespace OciRuntime.Conformance;

/// <summary>One line of /proc/PID/mountinfo.</summary>
public sealed record MountEntry(
    int Id,
    int ParentId,
    string MajorMinor,
    string Root,
    string MountPoint,
    IReadOnlyList<string> Options,
    IReadOnlyList<string> OptionalFields,
    string FsType,
    string Source,
    IReadOnlyList<string> SuperOptions,
    string Line)
{
    public bool HasOption(string option) => Options.Contains(option);
    public bool HasSuperOption(string option) => SuperOptions.Contains(option);
    public bool ReadOnly => HasOption("ro");
    public bool IsShared => OptionalFields.Any(f => f.StartsWith("shared:", StringComparison.Ordinal));
    public bool IsSlave => OptionalFields.Any(f => f.StartsWith("master:", StringComparison.Ordinal));
    public bool IsPrivate => OptionalFields.Count(f => f.StartsWith("shared:") || f.StartsWith("master:")) == 0;
    public override string ToString() => Line;
}

public static class MountInfo
{
    public static List<MountEntry> Parse(string text)
    {
        var list = new List<MountEntry>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length == 0)
                continue;
            string[] f = line.Split(' ');
            if (f.Length < 10 || !int.TryParse(f[0], out _) || !int.TryParse(f[1], out _))
                continue; // not a mountinfo line (e.g. other output around it)
            int dash = Array.IndexOf(f, "-", 6);
            if (f.Length < 10 || dash < 0 || dash + 2 >= f.Length)
                continue;
            list.Add(new MountEntry(
                int.Parse(f[0]),
                int.Parse(f[1]),
                f[2],
                Unescape(f[3]),
                Unescape(f[4]),
                f[5].Split(','),
                f[6..dash],
                f[dash + 1],
                Unescape(f[dash + 2]),
                dash + 3 < f.Length ? f[dash + 3].Split(',') : Array.Empty<string>(),
                line));
        }
        return list;
    }

    public static List<MountEntry> ReadSelf() => Parse(File.ReadAllText("/proc/self/mountinfo"));

    /// <summary>The top mount at exactly <paramref name="mountPoint"/> (the last in the list), or null.</summary>
    public static MountEntry? At(this IEnumerable<MountEntry> mounts, string mountPoint) =>
        mounts.LastOrDefault(m => m.MountPoint == mountPoint);

    /// <summary>Mounts at or below <paramref name="dir"/>.</summary>
    public static List<MountEntry> Under(this IEnumerable<MountEntry> mounts, string dir)
    {
        string d = dir.TrimEnd('/');
        return mounts.Where(m => m.MountPoint == d || m.MountPoint.StartsWith(d + "/", StringComparison.Ordinal)).ToList();
    }

    public static string Unescape(string s)
    {
        if (!s.Contains('\\'))
            return s;
        var sb = new StringBuilder();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length && IsOct(s[i + 1]) && IsOct(s[i + 2]) && IsOct(s[i + 3]))
            {
                sb.Append((char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
                i += 3;
            }
            else
            {
                sb.Append(s[i]);
            }
        }
        return sb.ToString();

        static bool IsOct(char c) => c >= '0' && c <= '7';
    }
}
