using OciRuntime.Linux;
using OciRuntime.Planning;

namespace OciRuntime.Lifecycle;

/// <summary>
/// process.execCPUAffinity of `exec` (runtime-spec: not for the init). The host pins the process it
/// started: <c>initial</c> as soon as it exists, before it joins the container's cgroup (which, with
/// a cpuset, resets its affinity), <c>final</c> right after it joined, before it forks or execs.
/// Without either list the process gets every CPU once in the cgroup (<see cref="Reset"/>, as the
/// init does); with only <c>initial</c> it keeps that one (narrowed by the cgroup's cpuset).
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

    /// <summary><c>final</c> once the process is in the container's cgroup; without either list,
    /// the caller's affinity is not passed on (<see cref="Reset"/>, as runc).</summary>
    public void ApplyFinal(int pid)
    {
        if (_final is null && _initial is null)
            Reset(pid);
        else
            Apply(pid, _final, Field + ".final");
    }

    /// <summary>Every CPU word set: the kernel keeps those online and in the cgroup's cpuset.</summary>
    private static readonly ulong[] s_all = AllCpus();

    private static ulong[] AllCpus()
    {
        var mask = new ulong[(CpuSet.MaxCpu + 1) / 64];
        Array.Fill(mask, ulong.MaxValue);
        return mask;
    }

    /// <summary>
    /// The container's processes do not inherit the CPU affinity of whoever ran the runtime (a
    /// `taskset -c 0 ociruntime run` would pin the whole container to one CPU): once a process is
    /// in the container's cgroup its affinity becomes every CPU, which the kernel narrows to the
    /// CPUs online and allowed by the cgroup's cpuset (runc 1.4's tryResetCPUAffinity). Best
    /// effort, as runc: a refusal leaves the affinity as it was, with a debug line.
    /// </summary>
    public static void Reset(int pid)
    {
        fixed (ulong* m = s_all)
        {
            if (LibC.sched_setaffinity(pid, s_all.Length * sizeof(ulong), m) != 0)
                Diagnostics.Log.Debug($"resetting the CPU affinity of {pid}: sched_setaffinity: {LibC.StrError(LibC.Errno)}");
        }
    }

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
