
namespace OciRuntime.Spec.Json;

/// <summary>Reads config.json "linux.resources". Each method reads the value at the cursor (null for JSON null).</summary>
internal static class ResourcesReader
{
    private static readonly string[] LinuxResourcesKeys = ["devices", "memory", "cpu", "pids", "blockIO", "hugepageLimits", "network", "rdma", "unified"];
    private static readonly string[] LinuxDeviceCgroupKeys = ["allow", "type", "major", "minor", "access"];
    private static readonly string[] LinuxMemoryKeys = ["limit", "reservation", "swap", "kernel", "kernelTCP", "swappiness", "disableOOMKiller", "useHierarchy", "checkBeforeUpdate"];
    private static readonly string[] LinuxCpuKeys = ["shares", "quota", "burst", "period", "realtimeRuntime", "realtimePeriod", "cpus", "mems", "idle"];
    private static readonly string[] LinuxPidsKeys = ["limit"];
    private static readonly string[] LinuxBlockIOKeys = ["weight", "leafWeight", "weightDevice", "throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice", "throttleWriteIOPSDevice"];
    private static readonly string[] LinuxWeightDeviceKeys = ["major", "minor", "weight", "leafWeight"];
    private static readonly string[] LinuxThrottleDeviceKeys = ["major", "minor", "rate"];
    private static readonly string[] LinuxHugepageLimitKeys = ["pageSize", "limit"];
    private static readonly string[] LinuxNetworkKeys = ["classID", "priorities"];
    private static readonly string[] LinuxInterfacePriorityKeys = ["name", "priority"];
    private static readonly string[] LinuxRdmaKeys = ["hcaHandles", "hcaObjects"];

    public static LinuxResources? ReadLinuxResources(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxResources();
        while (c.NextProperty(LinuxResourcesKeys, out string key))
        {
            switch (key)
            {
                case "devices": o.Devices = c.List(ReadLinuxDeviceCgroup, JsonCursor.ExpectedObject); break;
                case "memory": o.Memory = ReadLinuxMemory(ref c); break;
                case "cpu": o.Cpu = ReadLinuxCpu(ref c); break;
                case "pids": o.Pids = ReadLinuxPids(ref c); break;
                case "blockIO": o.BlockIO = ReadLinuxBlockIO(ref c); break;
                case "hugepageLimits": o.HugepageLimits = c.List(ReadLinuxHugepageLimit, JsonCursor.ExpectedObject); break;
                case "network": o.Network = ReadLinuxNetwork(ref c); break;
                case "rdma": o.Rdma = c.Map(ReadLinuxRdma, JsonCursor.ExpectedObject); break;
                case "unified": o.Unified = c.StringMap(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxDeviceCgroup? ReadLinuxDeviceCgroup(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxDeviceCgroup();
        while (c.NextProperty(LinuxDeviceCgroupKeys, out string key))
        {
            switch (key)
            {
                case "allow": o.Allow = c.Boolean(); break;
                case "type": o.Type = c.String(); break;
                case "major": o.Major = c.Int64(); break;
                case "minor": o.Minor = c.Int64(); break;
                case "access": o.Access = c.String(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxMemory? ReadLinuxMemory(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxMemory();
        while (c.NextProperty(LinuxMemoryKeys, out string key))
        {
            switch (key)
            {
                case "limit": o.Limit = c.Int64(); break;
                case "reservation": o.Reservation = c.Int64(); break;
                case "swap": o.Swap = c.Int64(); break;
                case "kernel": o.Kernel = c.Int64(); break;
                case "kernelTCP": o.KernelTcp = c.Int64(); break;
                case "swappiness": o.Swappiness = c.UInt64(); break;
                case "disableOOMKiller": o.DisableOomKiller = c.Boolean(); break;
                case "useHierarchy": o.UseHierarchy = c.Boolean(); break;
                case "checkBeforeUpdate": o.CheckBeforeUpdate = c.Boolean(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxCpu? ReadLinuxCpu(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxCpu();
        while (c.NextProperty(LinuxCpuKeys, out string key))
        {
            switch (key)
            {
                case "shares": o.Shares = c.UInt64(); break;
                case "quota": o.Quota = c.Int64(); break;
                case "burst": o.Burst = c.UInt64(); break;
                case "period": o.Period = c.UInt64(); break;
                case "realtimeRuntime": o.RealtimeRuntime = c.Int64(); break;
                case "realtimePeriod": o.RealtimePeriod = c.UInt64(); break;
                case "cpus": o.Cpus = c.String(); break;
                case "mems": o.Mems = c.String(); break;
                case "idle": o.Idle = c.Int64(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxPids? ReadLinuxPids(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxPids();
        while (c.NextProperty(LinuxPidsKeys, out string key))
        {
            switch (key)
            {
                case "limit": o.Limit = c.Int64(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxBlockIO? ReadLinuxBlockIO(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxBlockIO();
        while (c.NextProperty(LinuxBlockIOKeys, out string key))
        {
            switch (key)
            {
                case "weight": o.Weight = c.UInt16(); break;
                case "leafWeight": o.LeafWeight = c.UInt16(); break;
                case "weightDevice": o.WeightDevice = c.List(ReadLinuxWeightDevice, JsonCursor.ExpectedObject); break;
                case "throttleReadBpsDevice": o.ThrottleReadBpsDevice = c.List(ReadLinuxThrottleDevice, JsonCursor.ExpectedObject); break;
                case "throttleWriteBpsDevice": o.ThrottleWriteBpsDevice = c.List(ReadLinuxThrottleDevice, JsonCursor.ExpectedObject); break;
                case "throttleReadIOPSDevice": o.ThrottleReadIOPSDevice = c.List(ReadLinuxThrottleDevice, JsonCursor.ExpectedObject); break;
                case "throttleWriteIOPSDevice": o.ThrottleWriteIOPSDevice = c.List(ReadLinuxThrottleDevice, JsonCursor.ExpectedObject); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxWeightDevice? ReadLinuxWeightDevice(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxWeightDevice();
        while (c.NextProperty(LinuxWeightDeviceKeys, out string key))
        {
            switch (key)
            {
                case "major": o.Major = c.Int64(); break;
                case "minor": o.Minor = c.Int64(); break;
                case "weight": o.Weight = c.UInt16(); break;
                case "leafWeight": o.LeafWeight = c.UInt16(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxThrottleDevice? ReadLinuxThrottleDevice(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxThrottleDevice();
        while (c.NextProperty(LinuxThrottleDeviceKeys, out string key))
        {
            switch (key)
            {
                case "major": o.Major = c.Int64(); break;
                case "minor": o.Minor = c.Int64(); break;
                case "rate": o.Rate = c.UInt64(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxHugepageLimit? ReadLinuxHugepageLimit(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxHugepageLimit();
        while (c.NextProperty(LinuxHugepageLimitKeys, out string key))
        {
            switch (key)
            {
                case "pageSize": o.PageSize = c.String(); break;
                case "limit": o.Limit = c.UInt64(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxNetwork? ReadLinuxNetwork(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxNetwork();
        while (c.NextProperty(LinuxNetworkKeys, out string key))
        {
            switch (key)
            {
                case "classID": o.ClassId = c.UInt32(); break;
                case "priorities": o.Priorities = c.List(ReadLinuxInterfacePriority, JsonCursor.ExpectedObject); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxInterfacePriority? ReadLinuxInterfacePriority(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxInterfacePriority();
        while (c.NextProperty(LinuxInterfacePriorityKeys, out string key))
        {
            switch (key)
            {
                case "name": o.Name = c.String(); break;
                case "priority": o.Priority = c.UInt32(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxRdma? ReadLinuxRdma(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxRdma();
        while (c.NextProperty(LinuxRdmaKeys, out string key))
        {
            switch (key)
            {
                case "hcaHandles": o.HcaHandles = c.UInt32(); break;
                case "hcaObjects": o.HcaObjects = c.UInt32(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }
}
