using OciRuntime.Spec;

namespace OciRuntime.Planning;

/// <summary>One line of a uid_map/gid_map: Count ids from Inside on map to Outside on.</summary>
internal readonly record struct IdRange(uint Inside, uint Outside, uint Count);

/// <summary>
/// Checks of linux.uidMappings/gidMappings that the kernel would otherwise answer with a bare
/// EINVAL/EPERM when the host writes the map (too late to name the field, and after the init was
/// started). Pure: the runtime's own map comes in as an argument.
/// </summary>
internal static class IdMappings
{
    /// <summary>The kernel accepts at most this many lines in one uid_map/gid_map (since 4.15).</summary>
    public const int MaxLines = 340;

    public static IReadOnlyList<IdRange> Validate(List<LinuxIdMapping> mappings, string field)
    {
        if (mappings.Count > MaxLines)
            throw new PlanningException(field, $"{mappings.Count} ranges, the kernel accepts at most {MaxLines}");
        var ranges = new List<IdRange>(mappings.Count);
        for (int i = 0; i < mappings.Count; i++)
        {
            var m = mappings[i];
            string at = $"{field}[{i}]";
            uint size = m.Size ?? 0;
            if (size == 0)
                throw new PlanningException($"{at}.size", "must be greater than zero");
            // uid 4294967295 is (uid_t)-1, "no id": no range may reach it.
            if ((ulong)(m.ContainerId ?? 0) + size > uint.MaxValue)
                throw new PlanningException(at, $"containerID {m.ContainerId} + size {size} goes beyond the largest id 4294967294");
            if ((ulong)(m.HostId ?? 0) + size > uint.MaxValue)
                throw new PlanningException(at, $"hostID {m.HostId} + size {size} goes beyond the largest id 4294967294");
            var r = new IdRange(m.ContainerId ?? 0, m.HostId ?? 0, size);
            for (int j = 0; j < ranges.Count; j++)
            {
                if (Overlap(ranges[j].Inside, ranges[j].Count, r.Inside, r.Count))
                    throw new PlanningException(at, $"containerID range overlaps {field}[{j}]");
                if (Overlap(ranges[j].Outside, ranges[j].Count, r.Outside, r.Count))
                    throw new PlanningException(at, $"hostID range overlaps {field}[{j}]");
            }
            ranges.Add(r);
        }
        return ranges;
    }

    /// <summary>
    /// A map can only use ids the writer's own user namespace maps (the kernel refuses the whole
    /// write otherwise): every host range must lie within the "inside" ranges of <paramref name="own"/>.
    /// </summary>
    public static void CheckWithin(IReadOnlyList<IdRange> ranges, IReadOnlyList<IdRange> own, string field)
    {
        for (int i = 0; i < ranges.Count; i++)
        {
            var r = ranges[i];
            if (!Covered(r.Outside, r.Count, own))
                throw new PlanningException($"{field}[{i}]",
                    $"hostID {r.Outside}..{(ulong)r.Outside + r.Count - 1} is not mapped in the runtime's own user namespace, so it cannot be given to the container");
        }
    }

    /// <summary>Parses /proc/PID/uid_map or gid_map ("inside outside count" per line).</summary>
    public static IReadOnlyList<IdRange> ParseProcMap(string text)
    {
        var list = new List<IdRange>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 3)
                list.Add(new IdRange(uint.Parse(f[0]), uint.Parse(f[1]), uint.Parse(f[2])));
        }
        return list;
    }

    /// <summary>The text written to /proc/PID/uid_map: the kernel wants the whole map in one write.</summary>
    public static string Format(IReadOnlyList<IdRange> ranges) =>
        string.Concat(ranges.Select(r => $"{r.Inside} {r.Outside} {r.Count}\n"));

    /// <summary>The host id the container's id maps to, or null when unmapped.</summary>
    public static uint? ToHost(IReadOnlyList<IdRange> ranges, uint inside)
    {
        foreach (var r in ranges)
            if (inside >= r.Inside && (ulong)inside < (ulong)r.Inside + r.Count)
                return r.Outside + (inside - r.Inside);
        return null;
    }

    private static bool Overlap(uint a, uint an, uint b, uint bn) =>
        (ulong)a < (ulong)b + bn && (ulong)b < (ulong)a + an;

    private static bool Covered(uint start, uint count, IReadOnlyList<IdRange> own)
    {
        // Walk forward through the own ranges until [start, start+count) is used up; adjacent
        // own ranges together may cover it.
        ulong pos = start, end = (ulong)start + count;
        bool progressed = true;
        while (pos < end && progressed)
        {
            progressed = false;
            foreach (var o in own)
                if (pos >= o.Inside && pos < (ulong)o.Inside + o.Count)
                {
                    pos = (ulong)o.Inside + o.Count;
                    progressed = true;
                }
        }
        return pos >= end;
    }
}
