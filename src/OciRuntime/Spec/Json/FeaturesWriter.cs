using System.Text.Json;

namespace OciRuntime.Spec.Json;

/// <summary>Writes the runtime-spec features document (`features`). Each method writes one whole value.</summary>
internal static class FeaturesWriter
{
    public static void WriteFeatures(Utf8JsonWriter w, Features f)
    {
        w.WriteStartObject();
        w.Opt("ociVersionMin", f.OciVersionMin);
        w.Opt("ociVersionMax", f.OciVersionMax);
        w.Opt("hooks", f.Hooks);
        w.Opt("mountOptions", f.MountOptions);
        w.Opt("linux", f.Linux, WriteLinux);
        w.Opt("annotations", f.Annotations);
        w.Opt("potentiallyUnsafeConfigAnnotations", f.PotentiallyUnsafeConfigAnnotations);
        w.WriteEndObject();
    }

    private static void WriteLinux(Utf8JsonWriter w, FeaturesLinux l)
    {
        w.WriteStartObject();
        w.Opt("namespaces", l.Namespaces);
        w.Opt("capabilities", l.Capabilities);
        w.Opt("cgroup", l.Cgroup, WriteCgroup);
        w.Opt("seccomp", l.Seccomp, WriteSeccomp);
        w.Opt("apparmor", l.Apparmor, WriteEnabled);
        w.Opt("selinux", l.Selinux, WriteEnabled);
        w.Opt("intelRdt", l.IntelRdt, WriteIntelRdt);
        w.Opt("memoryPolicy", l.MemoryPolicy, WriteMemoryPolicy);
        w.Opt("mountExtensions", l.MountExtensions, WriteMountExtensions);
        w.Opt("netDevices", l.NetDevices, WriteEnabled);
        w.WriteEndObject();
    }

    private static void WriteCgroup(Utf8JsonWriter w, FeaturesCgroup c)
    {
        w.WriteStartObject();
        w.Opt("v1", c.V1);
        w.Opt("v2", c.V2);
        w.Opt("systemd", c.Systemd);
        w.Opt("systemdUser", c.SystemdUser);
        w.Opt("rdma", c.Rdma);
        w.WriteEndObject();
    }

    private static void WriteSeccomp(Utf8JsonWriter w, FeaturesSeccomp s)
    {
        w.WriteStartObject();
        w.Opt("enabled", s.Enabled);
        w.Opt("actions", s.Actions);
        w.Opt("operators", s.Operators);
        w.Opt("archs", s.Archs);
        w.Opt("knownFlags", s.KnownFlags);
        w.Opt("supportedFlags", s.SupportedFlags);
        w.WriteEndObject();
    }

    private static void WriteEnabled(Utf8JsonWriter w, FeaturesEnabled e)
    {
        w.WriteStartObject();
        w.Opt("enabled", e.Enabled);
        w.WriteEndObject();
    }

    private static void WriteIntelRdt(Utf8JsonWriter w, FeaturesIntelRdt r)
    {
        w.WriteStartObject();
        w.Opt("enabled", r.Enabled);
        w.Opt("schemata", r.Schemata);
        w.Opt("monitoring", r.Monitoring);
        w.WriteEndObject();
    }

    private static void WriteMemoryPolicy(Utf8JsonWriter w, FeaturesMemoryPolicy p)
    {
        w.WriteStartObject();
        w.Opt("modes", p.Modes);
        w.Opt("flags", p.Flags);
        w.WriteEndObject();
    }

    private static void WriteMountExtensions(Utf8JsonWriter w, FeaturesMountExtensions m)
    {
        w.WriteStartObject();
        w.Opt("idmap", m.IdMap, WriteEnabled);
        w.WriteEndObject();
    }
}
