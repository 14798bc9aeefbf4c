namespace OciRuntime.Cgroups;

/// <summary>Reading the kernel's cgroup files: one value, flat "key value" lists.</summary>
internal static class CgroupFiles
{
    public static string? Read(string dir, string file) => Linux.SysFile.TryRead(Path.Combine(dir, file), out _)?.Trim();

    /// <summary>A number as the kernel prints it, v2's "max" as ulong.MaxValue; absent or
    /// unreadable is 0.</summary>
    public static ulong Number(string dir, string file)
    {
        string? s = Read(dir, file);
        if (s is null)
            return 0;
        if (s == "max")
            return ulong.MaxValue;
        return ulong.TryParse(s, out ulong v) ? v : 0;
    }

    public static Dictionary<string, ulong> KeyValues(string dir, string file)
    {
        var d = new Dictionary<string, ulong>();
        foreach (var line in (Read(dir, file) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && ulong.TryParse(parts[1], out ulong v))
                d[parts[0]] = v;
        }
        return d;
    }
}
