using OciRuntime.Linux;
using OciRuntime.Plan;
using OciRuntime.Planning;

namespace OciRuntime.Lifecycle;

/// <summary>
/// The executor that the binary's C constructor started before .NET did, for `run` and `create`
/// (src/OciRuntime.Native/startup/early.c): cloned into a new pid namespace from the read-only image, it
/// has gone through its exec and C start-up on the other core while .NET started and planned, and
/// waits on its sync socket for the plan (decisions §24). The one seam to it, with its protocol
/// (startup/early.h; EarlyExecutorProtocolTests ties the two):
/// <list type="bullet">
/// <item><see cref="Prepare"/>, once the config is valid (ContainerCreator): keeps it when the plan
/// will want its start, and tells it the namespaces the plan starts by making, which it makes while
/// the host plans (§29); discards it otherwise;</item>
/// <item><see cref="Start"/>, with the plan (InitLauncher.Launch): hands it the plan, or says no
/// (then the caller spawns an executor as usual);</item>
/// <item><see cref="Discard"/>, when the runtime ends (Program.Main): an unused one is killed and reaped.</item>
/// </list>
/// The decision comes from the planner's own code (<see cref="Planner.StartOf"/>), and
/// <see cref="Start"/> checks the real plan against it: a wrong guess costs time, never a wrong container.
/// </summary>
internal static unsafe class EarlyExecutor
{
    /// <summary>OCI_EARLY_CLONE_FLAGS: the namespaces early.c clones it into.</summary>
    internal const uint CloneFlags = Namespaces.CLONE_NEWPID;
    /// <summary>OCI_EARLY_PLAN: a u32, with the sealed plan memfd (SCM_RIGHTS).</summary>
    internal const uint PlanMessage = 0;
    /// <summary>OCI_EARLY_UNSHARE_AHEAD: a u32, then a u32 of CLONE_NEW* flags to unshare now.</summary>
    internal const uint UnshareAheadMessage = 2;

    private static bool _taken;
    private static int _pid = -1, _sock = -1;
    private static uint _unsharedAhead;

    /// <summary>Takes the early executor from early.c (oci_early_executor_take), once; --debug logs
    /// its pid, and what became of it, for EarlyExecutorTests.</summary>
    private static void Take()
    {
        if (_taken)
            return;
        _taken = true;
        int pid, sock;
        if (NativeExecutor.oci_early_executor_take(&pid, &sock) != 0)
            return;
        (_pid, _sock) = (pid, sock);
        if (Diagnostics.Log.DebugEnabled)
            Diagnostics.Log.Debug($"early executor pid {pid}: started by the constructor");
    }

    /// <summary>
    /// Once <paramref name="config"/> is valid: keeps the early executor, if there is one, only when
    /// the plan will want its start (a new pid namespace made by the clone, decisions §23), and tells
    /// it the namespaces the plan's first step will unshare, so that it makes them while the host
    /// reads the host's facts and plans. Best effort and quiet: an error of the plan's start is the
    /// planner's to report, in its order. Returns the plan's start when it planned it (there is an
    /// early executor and the start is valid), for the planner to go on from (PlanRequest.Start);
    /// null otherwise.
    /// </summary>
    public static InitStart? Prepare(Spec.Spec config, string bundle, string? execFifo, int preserveFds)
    {
        Take();
        if (_pid < 0)
            return null;
        InitStart start;
        try
        {
            start = Planner.StartOf(config, bundle, execFifo, preserveFds);
        }
        catch (PlanningException)
        {
            Discard();
            return null;
        }
        if (start.SpawnNamespaces != CloneFlags)
        {
            Discard();
            return start;
        }
        if (start.FirstUnshare == 0 || _unsharedAhead != 0)
            return start;
        uint* msg = stackalloc uint[2] { UnshareAheadMessage, start.FirstUnshare };
        if (LibC.send(_sock, (byte*)msg, 8, LibC.MSG_NOSIGNAL) == 8)
            _unsharedAhead = start.FirstUnshare;
        return start;
    }

    /// <summary>Hands <paramref name="planFd"/> (the sealed plan) to the early executor when it was
    /// started as <paramref name="plan"/> wants and told what the plan starts with: its pid and the
    /// host's end of its sync socket, which the caller then owns. False when there is none, or it
    /// does not fit (then it is discarded).</summary>
    public static bool Start(ExecutionPlan plan, int planFd, out int pid, out int syncFd)
    {
        pid = syncFd = -1;
        Take();
        if (_pid < 0)
            return false;
        if (plan.SpawnNamespaces != CloneFlags || !FitsUnsharedAhead(plan)
            || HostFds.oci_send_fd(_sock, planFd, PlanMessage) != 0)
        {
            Discard();
            return false;
        }
        (pid, syncFd) = (_pid, _sock);
        _pid = _sock = -1;
        if (Diagnostics.Log.DebugEnabled)
            Diagnostics.Log.Debug($"early executor pid {pid}: runs the plan");
        return true;
    }

    /// <summary>A plan fits what the early executor was told ahead when its first step after the
    /// close of the caller's fds unshares exactly that (or nothing was told).</summary>
    private static bool FitsUnsharedAhead(ExecutionPlan plan) =>
        _unsharedAhead == 0 || plan.Steps is [CloseFdsStep, UnshareStep u, ..] && u.Flags == _unsharedAhead;

    /// <summary>Ends an unused early executor: EOF on its socket makes it exit, SIGKILL too if it is
    /// still starting; reaped here, so that nothing is left behind. Idempotent.</summary>
    public static void Discard()
    {
        Take();
        if (_pid < 0)
            return;
        int pid = _pid;
        LibC.close(_sock);
        LibC.kill(pid, 9);
        int status;
        while (LibC.waitpid(pid, &status, LibC.__WALL) < 0 && LibC.Errno == LibC.EINTR)
        {
        }
        _pid = _sock = -1;
        if (Diagnostics.Log.DebugEnabled)
            Diagnostics.Log.Debug($"early executor pid {pid}: discarded");
    }
}
