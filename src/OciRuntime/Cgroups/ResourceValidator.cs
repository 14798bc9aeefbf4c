using System.Text.RegularExpressions;
using OciRuntime.Planning;
using OciRuntime.Spec;

namespace OciRuntime.Cgroups;

/// <summary>
/// Values of linux.resources that no kernel accepts, refused before anything is created. What a
/// particular host lacks (a controller, a file) is found when the cgroup is made.
/// </summary>
internal static partial class ResourceValidator
{
    public static void Validate(LinuxResources? r, string field = "linux.resources")
    {
        if (r is null)
            return;
        if (r.Memory is { } m)
        {
            string f = field + ".memory";
            Limit(m.Limit, f + ".limit");
            Limit(m.Reservation, f + ".reservation");
            Limit(m.Swap, f + ".swap");
            Limit(m.Kernel, f + ".kernel");
            Limit(m.KernelTcp, f + ".kernelTCP");
            if (m.Swap is > 0 && m.Limit is > 0 && m.Swap < m.Limit)
                throw new PlanningException(f + ".swap",
                    $"memory+swap limit {m.Swap} is below the memory limit {m.Limit} (swap counts memory plus swap)");
            if (m.Swappiness is > 100 and not ulong.MaxValue) // all ones (-1): leave the kernel's value
                throw new PlanningException(f + ".swappiness", $"{m.Swappiness} is out of range (0 to 100)");
        }
        if (r.Cpu is { } c)
        {
            string f = field + ".cpu";
            if (c.Quota is < -1)
                throw new PlanningException(f + ".quota", $"{c.Quota} is negative (-1 means no limit)");
            if (c.Period is { } p && p != 0 && (p < 1000 || p > 1_000_000))
                throw new PlanningException(f + ".period", $"{p} is out of range (1000 to 1000000 microseconds)");
            if (c.RealtimeRuntime is < -1)
                throw new PlanningException(f + ".realtimeRuntime", $"{c.RealtimeRuntime} is negative (-1 means no limit)");
            if (c.Idle is { } idle && idle is not (0 or 1))
                throw new PlanningException(f + ".idle", $"{idle} is neither 0 nor 1");
            if (c.Shares is > 262144)
                throw new PlanningException(f + ".shares", $"{c.Shares} is out of range (2 to 262144)");
            CpuList(c.Cpus, f + ".cpus");
            CpuList(c.Mems, f + ".mems");
        }
        if (r.BlockIO is { } b)
        {
            string f = field + ".blockIO";
            Weight(b.Weight, f + ".weight");
            Weight(b.LeafWeight, f + ".leafWeight");
            for (int i = 0; i < (b.WeightDevice?.Count ?? 0); i++)
            {
                var d = b.WeightDevice![i];
                Device(d.Major, d.Minor, $"{f}.weightDevice[{i}]");
                Weight(d.Weight, $"{f}.weightDevice[{i}].weight");
                Weight(d.LeafWeight, $"{f}.weightDevice[{i}].leafWeight");
            }
            foreach (var (name, list) in ThrottleLists(b))
                for (int i = 0; i < (list?.Count ?? 0); i++)
                {
                    Device(list![i].Major, list[i].Minor, $"{f}.{name}[{i}]");
                    if (list[i].Rate is null)
                        throw new PlanningException($"{f}.{name}[{i}].rate", "required");
                }
        }
        for (int i = 0; i < (r.HugepageLimits?.Count ?? 0); i++)
        {
            var h = r.HugepageLimits![i];
            string f = $"{field}.hugepageLimits[{i}]";
            if (h.PageSize is null || !PageSize().IsMatch(h.PageSize))
                throw new PlanningException(f + ".pageSize", $"\"{h.PageSize}\" is not a page size like 2MB or 1GB");
            if (h.Limit is null)
                throw new PlanningException(f + ".limit", "required");
        }
        for (int i = 0; i < (r.Network?.Priorities?.Count ?? 0); i++)
        {
            var p = r.Network!.Priorities![i];
            if (string.IsNullOrEmpty(p.Name) || p.Name.Any(char.IsWhiteSpace))
                throw new PlanningException($"{field}.network.priorities[{i}].name", $"\"{p.Name}\" is not an interface name");
            if (p.Priority is null)
                throw new PlanningException($"{field}.network.priorities[{i}].priority", "required");
        }
        foreach (var (dev, _) in r.Rdma ?? [])
            if (dev.Length == 0 || dev.Any(char.IsWhiteSpace))
                throw new PlanningException($"{field}.rdma", $"\"{dev}\" is not an RDMA device name");
        foreach (var (key, value) in r.Unified ?? [])
        {
            // Any file of the container's cgroup directory that the kernel has (runtime-spec's own
            // examples: hugetlb.1GB.max, a multi-line io.max): a plain name, never a path, not
            // one of the interface files the runtime itself manages. A missing file is the
            // host's lack, found when it is written.
            if (!UnifiedKey().IsMatch(key) || key.Contains("..") || InterfaceFiles.Contains(key))
                throw new PlanningException($"{field}.unified[\"{key}\"]",
                    "not a cgroup v2 resource file (expected <controller>.<name>, e.g. memory.high)");
            if (value is null || value.Contains('\0'))
                throw new PlanningException($"{field}.unified[\"{key}\"]", "the value must be text");
        }
    }

    public static IEnumerable<(string Name, List<LinuxThrottleDevice>? List)> ThrottleLists(LinuxBlockIO b) =>
    [
        ("throttleReadBpsDevice", b.ThrottleReadBpsDevice), ("throttleWriteBpsDevice", b.ThrottleWriteBpsDevice),
        ("throttleReadIOPSDevice", b.ThrottleReadIOPSDevice), ("throttleWriteIOPSDevice", b.ThrottleWriteIOPSDevice),
    ];

    /// <summary>cgroup.* files that manage the tree rather than limit it: the runtime owns them.</summary>
    private static readonly HashSet<string> InterfaceFiles =
    [
        "cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "cgroup.events", "cgroup.controllers",
        "cgroup.kill", "cgroup.freeze", "cgroup.type", "cgroup.stat",
    ];

    /// <summary>Byte limits: a count, or -1 for none.</summary>
    private static void Limit(long? v, string field)
    {
        if (v is < -1)
            throw new PlanningException(field, $"{v} is negative (-1 means no limit)");
    }

    /// <summary>blkio weights: 10 to 1000, 0 leaves the kernel's.</summary>
    private static void Weight(ushort? w, string field)
    {
        if (w is { } v && v != 0 && (v < 10 || v > 1000))
            throw new PlanningException(field, $"{v} is out of range (10 to 1000)");
    }

    private static void Device(long? major, long? minor, string field)
    {
        if (major is null or < 0)
            throw new PlanningException(field + ".major", "required, a device number");
        if (minor is null or < 0)
            throw new PlanningException(field + ".minor", "required, a device number");
    }

    private static void CpuList(string? list, string field)
    {
        if (list is { Length: > 0 } && !ListSyntax().IsMatch(list))
            throw new PlanningException(field, $"\"{list}\" is not a list like 0-3,5");
    }

    [GeneratedRegex(@"^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$")]
    private static partial Regex ListSyntax();

    [GeneratedRegex(@"^[0-9]+[KMG]B$")]
    private static partial Regex PageSize();

    [GeneratedRegex(@"^[a-z_]+\.[A-Za-z0-9_.:-]+$")]
    private static partial Regex UnifiedKey();
}
