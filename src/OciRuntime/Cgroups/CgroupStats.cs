namespace OciRuntime.Cgroups;

/// <summary>Counters read from a cgroup, in the units runc's `events` reports.</summary>
internal sealed class CgroupStats
{
    public ulong CpuUsageTotal { get; set; }
    public ulong CpuUsageKernel { get; set; }
    public ulong CpuUsageUser { get; set; }
    public ulong ThrottlingPeriods { get; set; }
    public ulong ThrottledPeriods { get; set; }
    public ulong ThrottledTime { get; set; }
    public ulong MemoryUsage { get; set; }
    public ulong MemoryMaxUsage { get; set; }
    public ulong MemoryLimit { get; set; }
    public ulong MemoryFailcnt { get; set; }
    public ulong SwapUsage { get; set; }
    public ulong SwapLimit { get; set; }
    public Dictionary<string, ulong> MemoryStat { get; } = [];
    public ulong PidsCurrent { get; set; }
    public ulong PidsLimit { get; set; }
    public Dictionary<string, (ulong Usage, ulong Max, ulong Failcnt)> Hugetlb { get; } = [];
    public List<(ulong Major, ulong Minor, string Op, ulong Value)> IoServiceBytes { get; } = [];
    public List<(ulong Major, ulong Minor, string Op, ulong Value)> IoServiced { get; } = [];
}
