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
        var p = c.Process;
        if (p is not null)
        {
            Refuse(p.Terminal == true, "process.terminal", "a terminal (with --console-socket)");
            Refuse(p.ApparmorProfile is { Length: > 0 }, "process.apparmorProfile", "AppArmor profiles");
            Refuse(p.SelinuxLabel is { Length: > 0 }, "process.selinuxLabel", "SELinux labels");
            Refuse(p.OomScoreAdj is not null, "process.oomScoreAdj", "oomScoreAdj");
            Refuse(p.IoPriority is not null, "process.ioPriority", "ioPriority");
            Refuse(p.Scheduler is not null, "process.scheduler", "scheduler");
            Refuse(p.ExecCPUAffinity is not null, "process.execCPUAffinity", "execCPUAffinity");
        }

        var h = c.Hooks;
        if (h is not null)
        {
            Refuse(h.Prestart is { Count: > 0 }, "hooks.prestart", "hooks");
            Refuse(h.CreateRuntime is { Count: > 0 }, "hooks.createRuntime", "hooks");
            Refuse(h.CreateContainer is { Count: > 0 }, "hooks.createContainer", "hooks");
            Refuse(h.StartContainer is { Count: > 0 }, "hooks.startContainer", "hooks");
            Refuse(h.Poststart is { Count: > 0 }, "hooks.poststart", "hooks");
            Refuse(h.Poststop is { Count: > 0 }, "hooks.poststop", "hooks");
        }

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
        Refuse(l.Seccomp is not null, "linux.seccomp", "seccomp");
        Refuse(l.Sysctl is { Count: > 0 }, "linux.sysctl", "sysctls");
        // linux.resources: every field is applied (Cgroups/); what a host lacks is refused there.
        Refuse(l.IntelRdt is not null, "linux.intelRdt", "Intel RDT");
        Refuse(l.Personality is not null, "linux.personality", "personality");
        Refuse(l.MountLabel is { Length: > 0 }, "linux.mountLabel", "SELinux mount labels");
        Refuse(l.MemoryPolicy is not null, "linux.memoryPolicy", "memory policies");
        Refuse(l.NetDevices is { Count: > 0 }, "linux.netDevices", "network devices");
    }

    private static void Refuse(bool present, string field, string what)
    {
        if (present)
            throw new PlanningException(field, $"{what} not supported yet by ociruntime");
    }
}
