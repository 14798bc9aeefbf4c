namespace OciRuntime.Spec;

/// <summary>One line of a uid_map/gid_map: <paramref name="Size"/> ids from ContainerId on map to HostId on.</summary>
internal readonly record struct IdRange(uint ContainerId, uint HostId, uint Size)
{
    /// <summary>One past the last container id (a ulong: it may be 2^32).</summary>
    public ulong ContainerEnd => (ulong)ContainerId + Size;

    /// <summary>One past the last host id.</summary>
    public ulong HostEnd => (ulong)HostId + Size;
}

/// <summary>
/// A uid or gid map (linux.uidMappings/gidMappings, mounts[].uidMappings/gidMappings, the
/// runtime's own /proc/self/uid_map) that holds every rule the kernel applies to a write of
/// /proc/PID/uid_map, so a bad map is an error naming its entry before anything exists instead of
/// a bare EINVAL from the kernel after the init was started. The rules live here and only here
/// (<see cref="Check"/>); a config's maps are built once, by SpecValidator or on first use
/// (<see cref="Linux.UidMap"/>, <see cref="Mount.UidMapAt"/>), and everything after takes the
/// built map: the uid_map text, the id-mapped mounts' namespaces, host-id lookups, the rootless checks.
/// </summary>
internal sealed class IdMap
{
    /// <summary>The kernel accepts at most this many lines in one uid_map/gid_map (since 4.15).</summary>
    public const int MaxLines = 340;

    /// <summary>The config field the map came from ("linux.uidMappings"); errors name its entries.</summary>
    public string Field { get; }

    public IReadOnlyList<IdRange> Ranges { get; }

    /// <summary>The list it was built from, so a cached map is rebuilt when the list is replaced.</summary>
    private readonly object? _source;

    private IdMap(string field, IReadOnlyList<IdRange> ranges, object? source)
    {
        Field = field;
        Ranges = ranges;
        _source = source;
    }

    /// <summary>
    /// Every rule, every error into <paramref name="errors"/> naming the entry (field[i], or its
    /// containerID/hostID/size); the map when there was none, else null. Null or empty input: null.
    /// </summary>
    public static IdMap? Check(List<LinuxIdMapping>? mappings, string field, List<SpecError> errors)
    {
        if (mappings is not { Count: > 0 })
            return null;
        int before = errors.Count;
        if (mappings.Count > MaxLines)
            errors.Add(new SpecError(field, $"{mappings.Count} ranges, the kernel accepts at most {MaxLines}"));
        var ranges = new List<IdRange>(mappings.Count);
        var accepted = new List<int>(mappings.Count); // the index of each range in ranges
        for (int i = 0; i < mappings.Count; i++)
        {
            var m = mappings[i];
            string at = SpecPath.Item(field, i);
            int entryErrors = errors.Count;
            if (m.ContainerId is null)
                errors.Add(new SpecError(at + ".containerID", "required"));
            if (m.HostId is null)
                errors.Add(new SpecError(at + ".hostID", "required"));
            if (m.Size is null or 0)
                errors.Add(new SpecError(at + ".size", m.Size is null ? "required" : "must be greater than zero"));
            if (errors.Count > entryErrors)
                continue;
            var r = new IdRange(m.ContainerId!.Value, m.HostId!.Value, m.Size!.Value);
            if (RangeError(r, ranges, accepted, field) is { } message)
            {
                errors.Add(new SpecError(at, message));
                continue;
            }
            ranges.Add(r);
            accepted.Add(i);
        }
        return errors.Count > before ? null : new IdMap(field, ranges, mappings);
    }

    /// <summary>As <see cref="Check"/>, throwing the first error as a PlanningException.</summary>
    public static IdMap From(List<LinuxIdMapping> mappings, string field)
    {
        var errors = new List<SpecError>();
        return Check(mappings, field, errors) ?? throw new PlanningException(errors[0].Path, errors[0].Message);
    }

    /// <summary>A map of the given ranges, by the same rules (throws the first error).</summary>
    public static IdMap Of(string field, IEnumerable<IdRange> ranges) =>
        From([.. ranges.Select(r => new LinuxIdMapping { ContainerId = r.ContainerId, HostId = r.HostId, Size = r.Size })], field);

    /// <summary>
    /// The map of a config field, built on first use and kept in <paramref name="cache"/> (SpecValidator
    /// fills it when it checks the config); null when the field has no ranges. Throws the first error.
    /// </summary>
    public static IdMap? Cached(ref IdMap? cache, List<LinuxIdMapping>? mappings, string field)
    {
        if (mappings is not { Count: > 0 })
            return null;
        if (cache is { } c && ReferenceEquals(c._source, mappings) && c.Ranges.Count == mappings.Count && c.Field == field)
            return c;
        return cache = From(mappings, field);
    }

    /// <summary>
    /// /proc/PID/uid_map or gid_map as the kernel shows it ("inside outside count" per line, padded
    /// with spaces); the kernel already holds it to the rules. The initial namespace: "0 0 4294967295".
    /// </summary>
    public static IdMap ParseProcMap(string text, string field)
    {
        var list = new List<IdRange>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 3)
                list.Add(new IdRange(uint.Parse(f[0]), uint.Parse(f[1]), uint.Parse(f[2])));
        }
        return new IdMap(field, list, null);
    }

    /// <summary>The text written to /proc/PID/uid_map: the kernel wants the whole map in one write.</summary>
    public string ProcText => string.Concat(Ranges.Select(r => $"{r.ContainerId} {r.HostId} {r.Size}\n"));

    /// <summary>The host id container id <paramref name="containerId"/> maps to, or null when unmapped.</summary>
    public uint? ToHost(uint containerId)
    {
        foreach (var r in Ranges)
            if (containerId >= r.ContainerId && containerId < r.ContainerEnd)
                return r.HostId + (containerId - r.ContainerId);
        return null;
    }

    /// <summary>One line mapping exactly host id <paramref name="hostId"/> (what an unprivileged writer may write itself).</summary>
    public bool IsOnly(uint hostId) => Ranges is [{ Size: 1 } r] && r.HostId == hostId;

    /// <summary>
    /// A map can only use ids the writer's own user namespace maps (the kernel refuses the whole
    /// write otherwise): every host range must lie within the container-id side of <paramref name="own"/>
    /// (the runtime's /proc/self/uid_map). Throws naming the first entry that does not.
    /// </summary>
    public void CheckWithin(IdMap own)
    {
        for (int i = 0; i < Ranges.Count; i++)
        {
            var r = Ranges[i];
            if (!Covers(own.Ranges, r.HostId, r.HostEnd))
                throw new PlanningException(SpecPath.Item(Field, i),
                    $"hostID {r.HostId}..{r.HostEnd - 1} is not mapped in the runtime's own user namespace, so it cannot be given to the container");
        }
    }

    /// <summary>
    /// The container-id sides of <paramref name="ranges"/> together hold ids [start, end): adjacent
    /// ranges may cover it between them. (For /etc/subuid ranges ContainerId = HostId = start.)
    /// </summary>
    public static bool Covers(IReadOnlyList<IdRange> ranges, ulong start, ulong end)
    {
        // Walk forward until nothing extends the covered part.
        ulong pos = start;
        bool progressed = true;
        while (pos < end && progressed)
        {
            progressed = false;
            foreach (var o in ranges)
                if (pos >= o.ContainerId && pos < o.ContainerEnd)
                {
                    pos = o.ContainerEnd;
                    progressed = true;
                }
        }
        return pos >= end;
    }

    /// <param name="accepted">the entry index of each of <paramref name="ranges"/></param>
    private static string? RangeError(IdRange r, List<IdRange> ranges, List<int> accepted, string field)
    {
        // uid 4294967295 is (uid_t)-1, "no id": no range may reach it.
        if (r.ContainerEnd > uint.MaxValue)
            return $"containerID {r.ContainerId} + size {r.Size} goes beyond the largest id 4294967294";
        if (r.HostEnd > uint.MaxValue)
            return $"hostID {r.HostId} + size {r.Size} goes beyond the largest id 4294967294";
        // The kernel refuses overlapping ranges on either side; adjacent ones are fine.
        for (int j = 0; j < ranges.Count; j++)
        {
            if (r.ContainerId < ranges[j].ContainerEnd && ranges[j].ContainerId < r.ContainerEnd)
                return $"containerID range overlaps {SpecPath.Item(field, accepted[j])}";
            if (r.HostId < ranges[j].HostEnd && ranges[j].HostId < r.HostEnd)
                return $"hostID range overlaps {SpecPath.Item(field, accepted[j])}";
        }
        return null;
    }
}
