using OciRuntime.Linux;
using OciRuntime.Plan;

namespace OciRuntime.Lifecycle;

/// <summary>
/// The executor that the binary's C constructor started before .NET did, for `run` and `create`
/// (src/OciRuntime.Native/startup/early.c): cloned into a new pid namespace from the read-only image, it
/// has gone through its exec and C start-up on the other core while .NET started and planned, and
/// waits on its sync socket for the plan. Used when the plan wants exactly that start (a new pid
/// namespace made by the spawn, decisions §23); otherwise discarded and a fresh one spawned.
/// Decisions §24.
/// </summary>
internal static unsafe class EarlyExecutor
{
    /// <summary>The namespaces early.c clones the early executor into.</summary>
    private const uint SpawnNamespaces = Namespaces.CLONE_NEWPID;

    private static bool _taken;
    private static int _pid = -1, _sock = -1;
    private static uint _unsharedAhead;

    /// <summary>
    /// Tells the early executor, if there is one, the namespaces its plan will start by unsharing
    /// (<see cref="Planning.NamespacePlanner.UnshareAhead"/>), so that it makes them while the host
    /// validates and plans (decisions §29). Best effort: a failed send leaves it to the plan.
    /// </summary>
    public static void UnshareAhead(uint flags)
    {
        Take();
        if (_pid < 0 || flags == 0 || _unsharedAhead != 0)
            return;
        uint* msg = stackalloc uint[2] { (uint)ExecutorReply.UnshareAhead, flags };
        if (LibC.send(_sock, (byte*)msg, 8, LibC.MSG_NOSIGNAL) == 8)
            _unsharedAhead = flags;
    }

    /// <summary>A plan fits what the early executor was told ahead when it starts by unsharing
    /// exactly that (or nothing was told).</summary>
    private static bool FitsUnsharedAhead(ExecutionPlan plan) =>
        _unsharedAhead == 0 || plan.Steps is [UnshareStep u, ..] && u.Flags == _unsharedAhead
                            || plan.Steps is [CloseFdsStep, UnshareStep v, ..] && v.Flags == _unsharedAhead;

    /// <summary>Hands <paramref name="planFd"/> (the sealed plan) to the early executor when it was
    /// started as <paramref name="plan"/> wants: its pid and the host's end of its sync socket.
    /// False when there is none, or it does not fit (then it is discarded).</summary>
    public static bool TryUse(ExecutionPlan plan, int planFd, out int pid, out int syncFd)
    {
        pid = syncFd = -1;
        Take();
        if (_pid < 0)
            return false;
        if (plan.SpawnNamespaces != SpawnNamespaces || !FitsUnsharedAhead(plan)
            || HostFds.oci_send_fd(_sock, planFd, (uint)ExecutorReply.Ok) != 0)
        {
            Discard();
            return false;
        }
        (pid, syncFd) = (_pid, _sock);
        _pid = _sock = -1;
        return true;
    }

    /// <summary>Ends an unused early executor: EOF on its socket makes it exit, SIGKILL too if it is
    /// still starting; reaped here, so that nothing is left behind.</summary>
    public static void Discard()
    {
        Take();
        if (_pid < 0)
            return;
        LibC.close(_sock);
        LibC.kill(_pid, 9);
        int status;
        while (LibC.waitpid(_pid, &status, LibC.__WALL) < 0 && LibC.Errno == LibC.EINTR)
        {
        }
        _pid = _sock = -1;
    }

    private static void Take()
    {
        if (_taken)
            return;
        _taken = true;
        int pid, sock;
        if (NativeExecutor.oci_early_executor_take(&pid, &sock) == 0)
            (_pid, _sock) = (pid, sock);
    }
}
