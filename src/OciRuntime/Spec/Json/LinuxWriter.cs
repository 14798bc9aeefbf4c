using System.Text.Json;

namespace OciRuntime.Spec.Json;

/// <summary>Writes config.json's linux section (resources: <see cref="ResourcesWriter"/>). Each method writes one whole value.</summary>
internal static class LinuxWriter
{
    public static void WriteLinux(Utf8JsonWriter w, Linux l)
    {
        w.WriteStartObject();
        w.Opt("uidMappings", l.UidMappings, SpecWriter.WriteIdMapping);
        w.Opt("gidMappings", l.GidMappings, SpecWriter.WriteIdMapping);
        w.Opt("sysctl", l.Sysctl);
        w.Opt("resources", l.Resources, ResourcesWriter.WriteLinuxResources);
        w.Opt("cgroupsPath", l.CgroupsPath);
        w.Opt("namespaces", l.Namespaces, WriteNamespace);
        w.Opt("devices", l.Devices, WriteDevice);
        w.Opt("seccomp", l.Seccomp, WriteSeccomp);
        w.Opt("rootfsPropagation", l.RootfsPropagation);
        w.Opt("maskedPaths", l.MaskedPaths);
        w.Opt("readonlyPaths", l.ReadonlyPaths);
        w.Opt("mountLabel", l.MountLabel);
        w.Opt("intelRdt", l.IntelRdt, WriteIntelRdt);
        w.Opt("personality", l.Personality, WritePersonality);
        w.Opt("timeOffsets", l.TimeOffsets, WriteTimeOffset);
        w.Opt("netDevices", l.NetDevices, WriteNetDevice);
        w.Opt("memoryPolicy", l.MemoryPolicy, WriteMemoryPolicy);
        w.WriteEndObject();
    }

    private static void WriteNamespace(Utf8JsonWriter w, LinuxNamespace n)
    {
        w.WriteStartObject();
        w.Opt("type", n.Type);
        w.Opt("path", n.Path);
        w.WriteEndObject();
    }

    private static void WriteDevice(Utf8JsonWriter w, LinuxDevice d)
    {
        w.WriteStartObject();
        w.Opt("path", d.Path);
        w.Opt("type", d.Type);
        w.Opt("major", d.Major);
        w.Opt("minor", d.Minor);
        w.Opt("fileMode", d.FileMode);
        w.Opt("uid", d.Uid);
        w.Opt("gid", d.Gid);
        w.WriteEndObject();
    }

    private static void WriteSeccomp(Utf8JsonWriter w, LinuxSeccomp s)
    {
        w.WriteStartObject();
        w.Opt("defaultAction", s.DefaultAction);
        w.Opt("defaultErrnoRet", s.DefaultErrnoRet);
        w.Opt("architectures", s.Architectures);
        w.Opt("flags", s.Flags);
        w.Opt("listenerPath", s.ListenerPath);
        w.Opt("listenerMetadata", s.ListenerMetadata);
        w.Opt("syscalls", s.Syscalls, WriteSyscall);
        w.WriteEndObject();
    }

    private static void WriteSyscall(Utf8JsonWriter w, LinuxSyscall s)
    {
        w.WriteStartObject();
        w.Opt("names", s.Names);
        w.Opt("action", s.Action);
        w.Opt("errnoRet", s.ErrnoRet);
        w.Opt("args", s.Args, WriteSeccompArg);
        w.WriteEndObject();
    }

    private static void WriteSeccompArg(Utf8JsonWriter w, LinuxSeccompArg a)
    {
        w.WriteStartObject();
        w.Opt("index", a.Index);
        w.Opt("value", a.Value);
        w.Opt("valueTwo", a.ValueTwo);
        w.Opt("op", a.Op);
        w.WriteEndObject();
    }

    private static void WriteIntelRdt(Utf8JsonWriter w, LinuxIntelRdt r)
    {
        w.WriteStartObject();
        w.Opt("closID", r.ClosId);
        w.Opt("schemata", r.Schemata);
        w.Opt("l3CacheSchema", r.L3CacheSchema);
        w.Opt("memBwSchema", r.MemBwSchema);
        w.Opt("enableMonitoring", r.EnableMonitoring);
        w.WriteEndObject();
    }

    private static void WritePersonality(Utf8JsonWriter w, LinuxPersonality p)
    {
        w.WriteStartObject();
        w.Opt("domain", p.Domain);
        w.Opt("flags", p.Flags);
        w.WriteEndObject();
    }

    private static void WriteTimeOffset(Utf8JsonWriter w, LinuxTimeOffset t)
    {
        w.WriteStartObject();
        w.Opt("secs", t.Secs);
        w.Opt("nanosecs", t.Nanosecs);
        w.WriteEndObject();
    }

    private static void WriteNetDevice(Utf8JsonWriter w, LinuxNetDevice d)
    {
        w.WriteStartObject();
        w.Opt("name", d.Name);
        w.WriteEndObject();
    }

    private static void WriteMemoryPolicy(Utf8JsonWriter w, LinuxMemoryPolicy p)
    {
        w.WriteStartObject();
        w.Opt("mode", p.Mode);
        w.Opt("nodes", p.Nodes);
        w.Opt("flags", p.Flags);
        w.WriteEndObject();
    }
}
