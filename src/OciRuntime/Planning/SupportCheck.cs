namespace OciRuntime.Planning;

/// <summary>
/// Fields of runtime-spec v1.3.0 that this version does not carry out yet. Each is refused with a
/// clear error naming the field, never silently ignored: a container that silently lacks its
/// seccomp filter or memory limit is worse than one that does not start.
/// </summary>
internal static class SupportCheck
{
    public static void ThrowIfUnsupported(Spec.Spec c)
    {
        var l = c.Linux;
        if (l is null)
            return;
        var namespaces = l.Namespaces ?? [];
        for (int i = 0; i < namespaces.Count; i++)
        {
            Refuse(namespaces[i].Type == "user", $"linux.namespaces[{i}]", "user namespaces");
            Refuse(namespaces[i].Type == "time", $"linux.namespaces[{i}]", "time namespaces");
        }
        Refuse(l.UidMappings is { Count: > 0 }, "linux.uidMappings", "user namespaces");
        Refuse(l.GidMappings is { Count: > 0 }, "linux.gidMappings", "user namespaces");
        Refuse(l.TimeOffsets is { Count: > 0 }, "linux.timeOffsets", "time namespaces");
        // linux.resources: every field is applied (Cgroups/); what a host lacks is refused there.
        Refuse(l.IntelRdt is not null, "linux.intelRdt", "Intel RDT");
        Refuse(l.MemoryPolicy is not null, "linux.memoryPolicy", "memory policies");
        Refuse(l.NetDevices is { Count: > 0 }, "linux.netDevices", "network devices");
    }

    private static void Refuse(bool present, string field, string what)
    {
        if (present)
            throw new PlanningException(field, $"{what} not supported yet by ociruntime");
    }
}
