
namespace OciRuntime.Spec.Json;

/// <summary>Reads config.json "linux", except resources and seccomp. Each method reads the value at the cursor (null for JSON null).</summary>
internal static class LinuxReader
{
    private static readonly string[] LinuxKeys = ["uidMappings", "gidMappings", "sysctl", "resources", "cgroupsPath", "namespaces", "devices", "seccomp", "rootfsPropagation", "maskedPaths", "readonlyPaths", "mountLabel", "intelRdt", "personality", "timeOffsets", "netDevices", "memoryPolicy"];
    private static readonly string[] LinuxNamespaceKeys = ["type", "path"];
    private static readonly string[] LinuxDeviceKeys = ["path", "type", "major", "minor", "fileMode", "uid", "gid"];
    private static readonly string[] LinuxTimeOffsetKeys = ["secs", "nanosecs"];
    private static readonly string[] LinuxPersonalityKeys = ["domain", "flags"];
    private static readonly string[] LinuxIntelRdtKeys = ["closID", "schemata", "l3CacheSchema", "memBwSchema", "enableMonitoring"];
    private static readonly string[] LinuxMemoryPolicyKeys = ["mode", "nodes", "flags"];
    private static readonly string[] LinuxNetDeviceKeys = ["name"];

    public static Linux? ReadLinux(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new Linux();
        while (c.NextProperty(LinuxKeys, out string key))
        {
            switch (key)
            {
                case "uidMappings": o.UidMappings = c.List(MountReader.ReadLinuxIdMapping, JsonCursor.ExpectedObject); break;
                case "gidMappings": o.GidMappings = c.List(MountReader.ReadLinuxIdMapping, JsonCursor.ExpectedObject); break;
                case "sysctl": o.Sysctl = c.StringMap(); break;
                case "resources": o.Resources = ResourcesReader.ReadLinuxResources(ref c); break;
                case "cgroupsPath": o.CgroupsPath = c.String(); break;
                case "namespaces": o.Namespaces = c.List(ReadLinuxNamespace, JsonCursor.ExpectedObject); break;
                case "devices": o.Devices = c.List(ReadLinuxDevice, JsonCursor.ExpectedObject); break;
                case "seccomp": o.Seccomp = SeccompReader.ReadLinuxSeccomp(ref c); break;
                case "rootfsPropagation": o.RootfsPropagation = c.String(); break;
                case "maskedPaths": o.MaskedPaths = c.StringList(); break;
                case "readonlyPaths": o.ReadonlyPaths = c.StringList(); break;
                case "mountLabel": o.MountLabel = c.String(); break;
                case "intelRdt": o.IntelRdt = ReadLinuxIntelRdt(ref c); break;
                case "personality": o.Personality = ReadLinuxPersonality(ref c); break;
                case "timeOffsets": o.TimeOffsets = c.Map(ReadLinuxTimeOffset, JsonCursor.ExpectedObject); break;
                case "netDevices": o.NetDevices = c.Map(ReadLinuxNetDevice, JsonCursor.ExpectedObject); break;
                case "memoryPolicy": o.MemoryPolicy = ReadLinuxMemoryPolicy(ref c); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxNamespace? ReadLinuxNamespace(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxNamespace();
        while (c.NextProperty(LinuxNamespaceKeys, out string key))
        {
            switch (key)
            {
                case "type": o.Type = c.String(); break;
                case "path": o.Path = c.String(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxDevice? ReadLinuxDevice(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxDevice();
        while (c.NextProperty(LinuxDeviceKeys, out string key))
        {
            switch (key)
            {
                case "path": o.Path = c.String(); break;
                case "type": o.Type = c.String(); break;
                case "major": o.Major = c.Int64(); break;
                case "minor": o.Minor = c.Int64(); break;
                case "fileMode": o.FileMode = c.UInt32(); break;
                case "uid": o.Uid = c.UInt32(); break;
                case "gid": o.Gid = c.UInt32(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxTimeOffset? ReadLinuxTimeOffset(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxTimeOffset();
        while (c.NextProperty(LinuxTimeOffsetKeys, out string key))
        {
            switch (key)
            {
                case "secs": o.Secs = c.Int64(); break;
                case "nanosecs": o.Nanosecs = c.UInt32(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxPersonality? ReadLinuxPersonality(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxPersonality();
        while (c.NextProperty(LinuxPersonalityKeys, out string key))
        {
            switch (key)
            {
                case "domain": o.Domain = c.String(); break;
                case "flags": o.Flags = c.StringList(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxIntelRdt? ReadLinuxIntelRdt(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxIntelRdt();
        while (c.NextProperty(LinuxIntelRdtKeys, out string key))
        {
            switch (key)
            {
                case "closID": o.ClosId = c.String(); break;
                case "schemata": o.Schemata = c.StringList(); break;
                case "l3CacheSchema": o.L3CacheSchema = c.String(); break;
                case "memBwSchema": o.MemBwSchema = c.String(); break;
                case "enableMonitoring": o.EnableMonitoring = c.Boolean(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxMemoryPolicy? ReadLinuxMemoryPolicy(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxMemoryPolicy();
        while (c.NextProperty(LinuxMemoryPolicyKeys, out string key))
        {
            switch (key)
            {
                case "mode": o.Mode = c.String(); break;
                case "nodes": o.Nodes = c.String(); break;
                case "flags": o.Flags = c.StringList(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }

    public static LinuxNetDevice? ReadLinuxNetDevice(ref JsonCursor c)
    {
        if (!c.StartObject())
            return null;
        var o = new LinuxNetDevice();
        while (c.NextProperty(LinuxNetDeviceKeys, out string key))
        {
            switch (key)
            {
                case "name": o.Name = c.String(); break;
                default: c.Skip(); break;
            }
            c.EndProperty();
        }
        return o;
    }
}
