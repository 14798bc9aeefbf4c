using OciRuntime.Spec;

namespace OciRuntime.Lifecycle;

/// <summary>The lifecycle operations that act on the container's cgroup: pause, resume, update.</summary>
internal static class ContainerCgroupOps
{
    public static void Pause(Container c)
    {
        ContainerStateMachine.Check(ContainerCommand.Pause, c.Status, c.Id);
        RequireOwnCgroup(c.Record, "pause");
        c.Cgroup.Freeze(true);
    }

    public static void Resume(Container c)
    {
        ContainerStateMachine.Check(ContainerCommand.Resume, c.Status, c.Id);
        c.Cgroup.Freeze(false);
    }

    public static void Update(Container c, LinuxResources r)
    {
        ContainerStateMachine.Check(ContainerCommand.Update, c.Status, c.Id);
        RequireOwnCgroup(c.Record, "update");
        if (r.Devices is { Count: > 0 } devices)
        {
            // Device rules are never changed by update, as in runc (which skips the devices
            // controller on update); containerd's CRI plugin sends the container's own rules
            // with every UpdateContainerResources, so they are accepted and left as they are.
            if (!SameAsCreated(c, devices))
                Diagnostics.Log.Warn("update: resources.devices ignored: device rules cannot be changed by update (the container keeps the rules it was created with)");
            r.Devices = null;
        }
        c.Cgroup.Update(r);
    }

    /// <summary>Whether <paramref name="devices"/> are the rules of the bundle's config.json (the
    /// ones the container was created with); false when they cannot be read or are not valid.</summary>
    private static bool SameAsCreated(Container c, List<LinuxDeviceCgroup> devices)
    {
        try
        {
            var created = ConfigLoader.Load(Path.Combine(c.Record.Bundle, "config.json")).Linux?.Resources?.Devices;
            return Cgroups.DeviceRules.From(devices).SequenceEqual(Cgroups.DeviceRules.From(created));
        }
        catch (Exception e) when (e is ConfigException or PlanningException or IOException)
        {
            return false;
        }
    }

    /// <summary>A rootless container created without any cgroup of its own cannot be frozen or limited later.</summary>
    private static void RequireOwnCgroup(ContainerRecord record, string what)
    {
        if (record.CgroupDirectories is not { Count: > 0 })
            throw new RuntimeError($"cannot {what} container \"{record.Id}\": it has no cgroup of its own " +
                "(created rootless, and no cgroup was delegated to the user)");
    }
}
