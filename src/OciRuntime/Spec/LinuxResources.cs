using System.Text.Json.Serialization;

namespace OciRuntime.Spec;

/// <summary>config.json "linux.resources": the cgroup settings.</summary>
public sealed class LinuxResources
{
    [JsonPropertyName("devices")] public List<LinuxDeviceCgroup>? Devices { get; set; }
    [JsonPropertyName("memory")] public LinuxMemory? Memory { get; set; }
    [JsonPropertyName("cpu")] public LinuxCpu? Cpu { get; set; }
    [JsonPropertyName("pids")] public LinuxPids? Pids { get; set; }
    [JsonPropertyName("blockIO")] public LinuxBlockIO? BlockIO { get; set; }
    [JsonPropertyName("hugepageLimits")] public List<LinuxHugepageLimit>? HugepageLimits { get; set; }
    [JsonPropertyName("network")] public LinuxNetwork? Network { get; set; }
    /// <summary>Keyed by RDMA device name.</summary>
    [JsonPropertyName("rdma")] public Dictionary<string, LinuxRdma>? Rdma { get; set; }
    /// <summary>cgroup v2 files written as they are, e.g. "memory.high".</summary>
    [JsonPropertyName("unified")] public Dictionary<string, string>? Unified { get; set; }
}

/// <summary>One device-controller rule.</summary>
public sealed class LinuxDeviceCgroup
{
    [JsonPropertyName("allow")] public bool? Allow { get; set; }
    /// <summary>"a", "c" or "b"; absent means all.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    /// <summary>Absent means any (-1 in cgroup v1 syntax "*").</summary>
    [JsonPropertyName("major")] public long? Major { get; set; }
    [JsonPropertyName("minor")] public long? Minor { get; set; }
    /// <summary>Any combination of r, w, m.</summary>
    [JsonPropertyName("access")] public string? Access { get; set; }
}

public sealed class LinuxMemory
{
    [JsonPropertyName("limit")] public long? Limit { get; set; }
    [JsonPropertyName("reservation")] public long? Reservation { get; set; }
    /// <summary>Memory plus swap, as in cgroup v1.</summary>
    [JsonPropertyName("swap")] public long? Swap { get; set; }
    /// <summary>Deprecated by the spec; the kernel dropped kernel-memory limits in 5.4.</summary>
    [JsonPropertyName("kernel")] public long? Kernel { get; set; }
    [JsonPropertyName("kernelTCP")] public long? KernelTcp { get; set; }
    [JsonPropertyName("swappiness")] public ulong? Swappiness { get; set; }
    [JsonPropertyName("disableOOMKiller")] public bool? DisableOomKiller { get; set; }
    [JsonPropertyName("useHierarchy")] public bool? UseHierarchy { get; set; }
    [JsonPropertyName("checkBeforeUpdate")] public bool? CheckBeforeUpdate { get; set; }
}

public sealed class LinuxCpu
{
    [JsonPropertyName("shares")] public ulong? Shares { get; set; }
    [JsonPropertyName("quota")] public long? Quota { get; set; }
    [JsonPropertyName("burst")] public ulong? Burst { get; set; }
    [JsonPropertyName("period")] public ulong? Period { get; set; }
    [JsonPropertyName("realtimeRuntime")] public long? RealtimeRuntime { get; set; }
    [JsonPropertyName("realtimePeriod")] public ulong? RealtimePeriod { get; set; }
    [JsonPropertyName("cpus")] public string? Cpus { get; set; }
    [JsonPropertyName("mems")] public string? Mems { get; set; }
    [JsonPropertyName("idle")] public long? Idle { get; set; }
}

public sealed class LinuxPids
{
    /// <summary>Nullable because v1.3.0 makes the field optional; 0 and below mean no limit in runc.</summary>
    [JsonPropertyName("limit")] public long? Limit { get; set; }
}

public sealed class LinuxBlockIO
{
    [JsonPropertyName("weight")] public ushort? Weight { get; set; }
    [JsonPropertyName("leafWeight")] public ushort? LeafWeight { get; set; }
    [JsonPropertyName("weightDevice")] public List<LinuxWeightDevice>? WeightDevice { get; set; }
    [JsonPropertyName("throttleReadBpsDevice")] public List<LinuxThrottleDevice>? ThrottleReadBpsDevice { get; set; }
    [JsonPropertyName("throttleWriteBpsDevice")] public List<LinuxThrottleDevice>? ThrottleWriteBpsDevice { get; set; }
    [JsonPropertyName("throttleReadIOPSDevice")] public List<LinuxThrottleDevice>? ThrottleReadIOPSDevice { get; set; }
    [JsonPropertyName("throttleWriteIOPSDevice")] public List<LinuxThrottleDevice>? ThrottleWriteIOPSDevice { get; set; }
}

public sealed class LinuxWeightDevice
{
    [JsonPropertyName("major")] public long? Major { get; set; }
    [JsonPropertyName("minor")] public long? Minor { get; set; }
    [JsonPropertyName("weight")] public ushort? Weight { get; set; }
    [JsonPropertyName("leafWeight")] public ushort? LeafWeight { get; set; }
}

public sealed class LinuxThrottleDevice
{
    [JsonPropertyName("major")] public long? Major { get; set; }
    [JsonPropertyName("minor")] public long? Minor { get; set; }
    /// <summary>Bytes or I/O operations per second.</summary>
    [JsonPropertyName("rate")] public ulong? Rate { get; set; }
}

public sealed class LinuxHugepageLimit
{
    /// <summary>"&lt;size&gt;&lt;unit&gt;B", e.g. "2MB", "1GB".</summary>
    [JsonPropertyName("pageSize")] public string? PageSize { get; set; }
    [JsonPropertyName("limit")] public ulong? Limit { get; set; }
}

public sealed class LinuxNetwork
{
    [JsonPropertyName("classID")] public uint? ClassId { get; set; }
    [JsonPropertyName("priorities")] public List<LinuxInterfacePriority>? Priorities { get; set; }
}

public sealed class LinuxInterfacePriority
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("priority")] public uint? Priority { get; set; }
}

public sealed class LinuxRdma
{
    [JsonPropertyName("hcaHandles")] public uint? HcaHandles { get; set; }
    [JsonPropertyName("hcaObjects")] public uint? HcaObjects { get; set; }
}
