namespace OciRuntime.Planning;

/// <summary>
/// A CPU list as the kernel writes it ("0-3,7") turned into the bit mask sched_setaffinity(2)
/// takes: 64 CPUs per word, CPU n at bit n % 64 of word n / 64.
/// </summary>
internal static class CpuSet
{
    /// <summary>CPU numbers above this are refused rather than sized into a huge mask (the kernel's
    /// own limit, NR_CPUS, is at most 8192 on x86-64).</summary>
    public const int MaxCpu = 8191;

    /// <exception cref="PlanningException">naming <paramref name="field"/>: empty, malformed,
    /// a reversed range, or a CPU above <see cref="MaxCpu"/></exception>
    public static ulong[] Parse(string list, string field)
    {
        var cpus = Ranges(list, field, "CPU", MaxCpu);
        var mask = new ulong[cpus.Max(r => r.To) / 64 + 1];
        foreach (var (from, to) in cpus)
            for (int cpu = from; cpu <= to; cpu++)
                mask[cpu / 64] |= 1UL << (cpu % 64);
        return mask;
    }

    /// <summary>A list as the kernel writes CPU and node lists ("0-3,7") → its ranges;
    /// <paramref name="what"/> names an item in the errors ("CPU", "node").</summary>
    /// <exception cref="PlanningException">naming <paramref name="field"/>: empty, malformed, a
    /// reversed range, or an item above <paramref name="max"/></exception>
    public static List<(int From, int To)> Ranges(string list, string field, string what, int max)
    {
        var ranges = new List<(int From, int To)>();
        foreach (var raw in list.Split(','))
        {
            string part = raw.Trim();
            int dash = part.IndexOf('-');
            string a = dash < 0 ? part : part[..dash], b = dash < 0 ? part : part[(dash + 1)..];
            if (!int.TryParse(a, System.Globalization.NumberStyles.None, null, out int from) ||
                !int.TryParse(b, System.Globalization.NumberStyles.None, null, out int to))
                throw new PlanningException(field, $"expected a {what} list such as \"0-3,7\", got \"{list}\"");
            if (from > to)
                throw new PlanningException(field, $"the range {part} runs backwards");
            if (to > max)
                throw new PlanningException(field, $"{what} {to} is above the highest possible ({max})");
            ranges.Add((from, to));
        }
        return ranges;
    }
}
