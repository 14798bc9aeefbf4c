using System.Text.Json;

namespace OciRuntime.Spec.Json;

/// <summary>Writes linux.resources (LinuxResources). Each method writes one whole value.</summary>
internal static class ResourcesWriter
{
    public static void WriteLinuxResources(Utf8JsonWriter w, LinuxResources r)
    {
        w.WriteStartObject();
        w.Opt("devices", r.Devices, WriteDeviceCgroup);
        w.Opt("memory", r.Memory, WriteMemory);
        w.Opt("cpu", r.Cpu, WriteCpu);
        w.Opt("pids", r.Pids, WritePids);
        w.Opt("blockIO", r.BlockIO, WriteBlockIO);
        w.Opt("hugepageLimits", r.HugepageLimits, WriteHugepageLimit);
        w.Opt("network", r.Network, WriteNetwork);
        w.Opt("rdma", r.Rdma, WriteRdma);
        w.Opt("unified", r.Unified);
        w.WriteEndObject();
    }

    private static void WriteDeviceCgroup(Utf8JsonWriter w, LinuxDeviceCgroup d)
    {
        w.WriteStartObject();
        w.Opt("allow", d.Allow);
        w.Opt("type", d.Type);
        w.Opt("major", d.Major);
        w.Opt("minor", d.Minor);
        w.Opt("access", d.Access);
        w.WriteEndObject();
    }

    private static void WriteMemory(Utf8JsonWriter w, LinuxMemory m)
    {
        w.WriteStartObject();
        w.Opt("limit", m.Limit);
        w.Opt("reservation", m.Reservation);
        w.Opt("swap", m.Swap);
        w.Opt("kernel", m.Kernel);
        w.Opt("kernelTCP", m.KernelTcp);
        w.Opt("swappiness", m.Swappiness);
        w.Opt("disableOOMKiller", m.DisableOomKiller);
        w.Opt("useHierarchy", m.UseHierarchy);
        w.Opt("checkBeforeUpdate", m.CheckBeforeUpdate);
        w.WriteEndObject();
    }

    private static void WriteCpu(Utf8JsonWriter w, LinuxCpu c)
    {
        w.WriteStartObject();
        w.Opt("shares", c.Shares);
        w.Opt("quota", c.Quota);
        w.Opt("burst", c.Burst);
        w.Opt("period", c.Period);
        w.Opt("realtimeRuntime", c.RealtimeRuntime);
        w.Opt("realtimePeriod", c.RealtimePeriod);
        w.Opt("cpus", c.Cpus);
        w.Opt("mems", c.Mems);
        w.Opt("idle", c.Idle);
        w.WriteEndObject();
    }

    private static void WritePids(Utf8JsonWriter w, LinuxPids p)
    {
        w.WriteStartObject();
        w.Opt("limit", p.Limit);
        w.WriteEndObject();
    }

    private static void WriteBlockIO(Utf8JsonWriter w, LinuxBlockIO b)
    {
        w.WriteStartObject();
        w.Opt("weight", b.Weight);
        w.Opt("leafWeight", b.LeafWeight);
        w.Opt("weightDevice", b.WeightDevice, WriteWeightDevice);
        w.Opt("throttleReadBpsDevice", b.ThrottleReadBpsDevice, WriteThrottleDevice);
        w.Opt("throttleWriteBpsDevice", b.ThrottleWriteBpsDevice, WriteThrottleDevice);
        w.Opt("throttleReadIOPSDevice", b.ThrottleReadIOPSDevice, WriteThrottleDevice);
        w.Opt("throttleWriteIOPSDevice", b.ThrottleWriteIOPSDevice, WriteThrottleDevice);
        w.WriteEndObject();
    }

    private static void WriteWeightDevice(Utf8JsonWriter w, LinuxWeightDevice d)
    {
        w.WriteStartObject();
        w.Opt("major", d.Major);
        w.Opt("minor", d.Minor);
        w.Opt("weight", d.Weight);
        w.Opt("leafWeight", d.LeafWeight);
        w.WriteEndObject();
    }

    private static void WriteThrottleDevice(Utf8JsonWriter w, LinuxThrottleDevice d)
    {
        w.WriteStartObject();
        w.Opt("major", d.Major);
        w.Opt("minor", d.Minor);
        w.Opt("rate", d.Rate);
        w.WriteEndObject();
    }

    private static void WriteHugepageLimit(Utf8JsonWriter w, LinuxHugepageLimit h)
    {
        w.WriteStartObject();
        w.Opt("pageSize", h.PageSize);
        w.Opt("limit", h.Limit);
        w.WriteEndObject();
    }

    private static void WriteNetwork(Utf8JsonWriter w, LinuxNetwork n)
    {
        w.WriteStartObject();
        w.Opt("classID", n.ClassId);
        w.Opt("priorities", n.Priorities, WriteInterfacePriority);
        w.WriteEndObject();
    }

    private static void WriteInterfacePriority(Utf8JsonWriter w, LinuxInterfacePriority p)
    {
        w.WriteStartObject();
        w.Opt("name", p.Name);
        w.Opt("priority", p.Priority);
        w.WriteEndObject();
    }

    private static void WriteRdma(Utf8JsonWriter w, LinuxRdma r)
    {
        w.WriteStartObject();
        w.Opt("hcaHandles", r.HcaHandles);
        w.Opt("hcaObjects", r.HcaObjects);
        w.WriteEndObject();
    }
}
