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
        if (l.Resources is { } r)
        {
            // Only device rules are applied so far; every other resource is refused by name.
            Refuse(r.Memory is not null, "linux.resources.memory", "memory limits");
            Refuse(r.Cpu is not null, "linux.resources.cpu", "cpu limits");
            Refuse(r.Pids is not null, "linux.resources.pids", "pids limits");
            Refuse(r.BlockIO is not null, "linux.resources.blockIO", "block I/O limits");
            Refuse(r.HugepageLimits is { Count: > 0 }, "linux.resources.hugepageLimits", "hugepage limits");
            Refuse(r.Network is not null, "linux.resources.network", "network classes and priorities");
            Refuse(r.Rdma is { Count: > 0 }, "linux.resources.rdma", "rdma limits");
            Refuse(r.Unified is { Count: > 0 }, "linux.resources.unified", "unified cgroup v2 settings");
        }
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
