namespace OciRuntime.Cgroups;

/// <summary>Sizes as runc's update flags take them: "1048576", "512k", "100m", "2g" (binary units), "-1".</summary>
internal static class ByteSize
{
    public static long Parse(string flag, string s)
    {
        string t = s.Trim().ToLowerInvariant();
        if (t == "-1")
            return -1;
        if (t.EndsWith('b'))
            t = t[..^1];
        long unit = 1;
        if (t.Length > 0 && t[^1] is 'k' or 'm' or 'g' or 't')
        {
            unit = t[^1] switch { 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, _ => 1L << 40 };
            t = t[..^1];
        }
        if (!double.TryParse(t, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out double v) || v < 0)
            throw new UsageError($"--{flag}: \"{s}\" is not a size (e.g. 1048576, 512k, 100m, 2g, -1)");
        return (long)(v * unit);
    }
}
