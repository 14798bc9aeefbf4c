namespace OciRuntime.Cgroups;

/// <summary>
/// One value written to one file of the container's cgroup, with the config field it comes from so
/// that a failure names that field.
/// </summary>
/// <param name="Controller">v1: the subsystem whose hierarchy holds the file ("memory", "net_cls");
/// v2: the controller that must be enabled for the file to exist ("" for cgroup.* files)</param>
/// <param name="Fallback">written instead when <paramref name="File"/> does not exist (the kernel
/// names some files differently by I/O scheduler: blkio.weight or blkio.bfq.weight)</param>
/// <param name="RetryAfterNext">an EINVAL for this write is not final: it is written again right
/// after the next write (cpu.rt_period_us and cpu.rt_runtime_us are checked against each other,
/// so one order fits some updates and the other the rest; runc's SetRtSched does the same)</param>
internal sealed record CgroupWrite(string Controller, string File, string Value, string Field, CgroupWrite? Fallback = null,
    bool RetryAfterNext = false)
{
    public override string ToString() => $"{File}={Value}";
}
