using OciRuntime.Spec;

namespace OciRuntime.Lifecycle;

/// <summary>The lifecycle operations that act on the container's cgroup: pause, resume, update.</summary>
internal static class ContainerCgroupOps
{
    public static void Pause(Container c)
    {
        var status = c.Status;
        if (status != ContainerStatus.Running && status != ContainerStatus.Created)
            throw new RuntimeError($"cannot pause container \"{c.Id}\": it is {status.Name()}");
        Rootless.RootlessCgroups.RequireOwnCgroup(c.Record, "pause");
        c.Cgroup.Freeze(true);
    }

    public static void Resume(Container c)
    {
        var status = c.Status;
        if (status != ContainerStatus.Paused)
            throw new RuntimeError($"cannot resume container \"{c.Id}\": it is {status.Name()}, not paused");
        c.Cgroup.Freeze(false);
    }

    public static void Update(Container c, LinuxResources r)
    {
        if (c.Status == ContainerStatus.Stopped)
            throw new RuntimeError($"cannot update container \"{c.Id}\": it has stopped");
        Rootless.RootlessCgroups.RequireOwnCgroup(c.Record, "update");
        c.Cgroup.Update(r);
    }
}
