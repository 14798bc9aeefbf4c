using OciRuntime.Linux;
using OciRuntime.Planning;

namespace OciRuntime.Lifecycle;

/// <summary>
/// process.execCPUAffinity of `exec` (runtime-spec: not for the init). The host pins the process it
/// started: <c>initial</c> as soon as it exists, before it joins the container's cgroup (which, with
/// a cpuset, resets its affinity), <c>final</c> right after it joined, before it forks or execs.
/// An empty or missing list leaves the affinity to the kernel.
/// </summary>
internal sealed unsafe class ExecCpuAffinity
{
    private const string Field = "process.execCPUAffinity";
    private readonly ulong[]? _initial, _final;

    /// <summary>Parses both lists up front, so a bad one fails before anything is started.</summary>
    public ExecCpuAffinity(Spec.CpuAffinity? affinity)
    {
        if (!string.IsNullOrWhiteSpace(affinity?.Initial))
            _initial = CpuSet.Parse(affinity.Initial, Field + ".initial");
        if (!string.IsNullOrWhiteSpace(affinity?.Final))
            _final = CpuSet.Parse(affinity.Final, Field + ".final");
    }

    public void ApplyInitial(int pid) => Apply(pid, _initial, Field + ".initial");

    public void ApplyFinal(int pid) => Apply(pid, _final, Field + ".final");

    private static void Apply(int pid, ulong[]? mask, string field)
    {
        if (mask is null)
            return;
        fixed (ulong* m = mask)
        {
            if (LibC.sched_setaffinity(pid, mask.Length * sizeof(ulong), m) != 0)
            {
                int e = LibC.Errno;
                throw new RuntimeError(e == LibC.EINVAL
                    ? $"{field}: none of these CPUs is online and allowed for the process (sched_setaffinity: {LibC.StrError(e)})"
                    : $"{field}: sched_setaffinity: {LibC.StrError(e)}");
            }
        }
    }
}
