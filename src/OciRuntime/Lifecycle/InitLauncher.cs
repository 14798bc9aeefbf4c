using OciRuntime.Linux;
using OciRuntime.Plan;

namespace OciRuntime.Lifecycle;

/// <summary>The processes a launch left: the container's init, and the executor process that was
/// spawned (the same one unless the plan forked into a pid namespace); SyncFd: the host's end of
/// the sync socket when the init waits there for `start` (see <see cref="InitLauncher.ReleaseStart"/>), else -1.</summary>
internal readonly record struct LaunchedInit(int InitPid, int SpawnedPid, int SyncFd = -1);

/// <summary>
/// Starts the C executor on a plan and follows it over the sync socket until it reports Ready.
/// The plan goes in a sealed memfd (any size, immutable once the child maps it); messages come
/// back on a SOCK_SEQPACKET socket. A failure arrives as (step index, errno) and becomes an error
/// naming the config field that produced the step.
/// </summary>
internal static unsafe class InitLauncher
{
    /// <param name="whileStarting">runs once the executor is spawned (its pid), while it starts; if
    /// it throws, the executor is killed</param>
    /// <param name="onSync">does the host's part at each SYNC step: (tag, pid of the executor)</param>
    /// <param name="onSeccompFd">passes the seccomp notify fd on: (fd, pid of the init); the fd is closed afterwards</param>
    /// <param name="untilExec">after Ready, go on until the sync socket closes (the program was
    /// exec'd: the socket is close-on-exec) or an error arrives (the exec failed). For `exec`,
    /// whose plan has no wait for `start` after Ready.</param>
    /// <param name="consoleSocket">the --console-socket connection, handed to the executor at its
    /// ConsoleSocket sync; -1 without a terminal</param>
    /// <param name="keepSync">after Ready, keep the sync socket open and return it: the plan waits
    /// for `start` at a SYNC (SyncTag.Start) rather than on an exec fifo</param>
    /// <param name="hookState">the state JSON for the hooks the init runs (pid of the init → bytes),
    /// sent in a memfd at SyncTag.HookState</param>
    public static LaunchedInit Launch(ExecutionPlan plan, Action<SyncTag, int> onSync, Action<int, int>? onSeccompFd = null,
        bool untilExec = false, int consoleSocket = -1, Action<int>? whileStarting = null, bool keepSync = false,
        Func<int, byte[]>? hookState = null)
    {
        var ctx = new FollowContext(onSync, onSeccompFd, untilExec, consoleSocket, hookState);
        int planFd = WritePlan(plan.Encode());
        if (EarlyExecutor.Start(plan, planFd, out int early, out int earlyFd))
        {
            LibC.close(planFd);
            Diagnostics.StartupTrace.MarkExecutorStarted("plan to the early executor");
            return FollowSpawned(plan, early, earlyFd, image: -1, ctx, whileStarting, keepSync);
        }
        int* sv = stackalloc int[2];
        if (LibC.socketpair(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_CLOEXEC, 0, sv) != 0)
        {
            LibC.close(planFd);
            throw SyscallException.Last("socketpair");
        }
        int hostFd = sv[0], childFd = sv[1];
        int image = -1, spawned;
        try
        {
            image = Rootless.ExecutorImage.Get();
            spawned = NativeExecutor.oci_spawn_executor_fd(image, planFd, childFd, plan.SpawnNamespaces);
        }
        catch
        {
            LibC.close(image);
            LibC.close(hostFd);
            throw;
        }
        finally
        {
            LibC.close(planFd);
            LibC.close(childFd);
        }
        if (spawned < 0)
        {
            LibC.close(image);
            LibC.close(hostFd);
            throw new SyscallException("start the container's init", -spawned);
        }
        Diagnostics.StartupTrace.MarkExecutorStarted("spawn executor");
        return FollowSpawned(plan, spawned, hostFd, image, ctx, whileStarting, keepSync);
    }

    /// <summary>From the spawn on: the host's part while the executor starts, then its messages
    /// until Ready (or the exec). Owns <paramref name="hostFd"/> and <paramref name="image"/>.</summary>
    private static LaunchedInit FollowSpawned(ExecutionPlan plan, int spawned, int hostFd, int image, FollowContext ctx,
        Action<int>? whileStarting, bool keepSync)
    {
        int initPid = spawned;
        try
        {
            whileStarting?.Invoke(spawned);
            // Not before: closing the image unmounts its bind and waits for an RCU grace period,
            // time the host has while the executor unshares its namespaces, not before the cgroup.
            if (image >= 0)
                LibC.close(image);
            image = -1;
            Follow(plan, hostFd, ref initPid, ctx);
            var launched = new LaunchedInit(initPid, spawned, keepSync ? hostFd : -1);
            if (keepSync)
                hostFd = -1;
            return launched;
        }
        catch
        {
            KillAndReap(initPid, spawned);
            throw;
        }
        finally
        {
            if (image >= 0)
                LibC.close(image);
            if (hostFd >= 0)
                LibC.close(hostFd);
        }
    }

    /// <summary>`start` over the sync socket kept by <c>Launch(keepSync: true)</c>: answers the
    /// init's SYNC Start, so that it execs the user's program. The caller closes the socket.</summary>
    public static void ReleaseStart(int syncFd, string id)
    {
        byte* buf = stackalloc byte[ExecutorMessage.Size];
        nint n;
        int passedFd;
        while ((n = SyncSocket.Receive(syncFd, buf, ExecutorMessage.Size, out passedFd)) < 0 && LibC.Errno == LibC.EINTR)
        {
        }
        if (passedFd >= 0)
            LibC.close(passedFd); // nothing at this point sends one
        if (n < 0)
            throw SyscallException.Last("read from the container's init");
        if (n == 0)
            throw new RuntimeError($"cannot start container \"{id}\": its init process has exited");
        var msg = ExecutorMessage.Decode(new ReadOnlySpan<byte>(buf, (int)n));
        if (msg.Type != ExecutorMessageType.Sync || (SyncTag)msg.Arg != SyncTag.Start)
            throw new RuntimeError($"cannot start container \"{id}\": unexpected message {msg.Type} from its init");
        Reply(syncFd, ExecutorReply.Ok);
    }

    private sealed record FollowContext(Action<SyncTag, int> OnSync, Action<int, int>? OnSeccompFd, bool UntilExec,
        int ConsoleSocket, Func<int, byte[]>? HookState);

    private static void Follow(ExecutionPlan plan, int fd, ref int initPid, FollowContext ctx)
    {
        var (onSync, onSeccompFd, untilExec, consoleSocket, hookState) = ctx;
        byte* buf = stackalloc byte[ExecutorMessage.Size];
        bool ready = false;
        while (true)
        {
            nint n = SyncSocket.Receive(fd, buf, ExecutorMessage.Size, out int passedFd);
            if (passedFd >= 0)
            {
                try
                {
                    var m = n == ExecutorMessage.Size ? ExecutorMessage.Decode(new ReadOnlySpan<byte>(buf, (int)n)) : default;
                    if (m.Type == ExecutorMessageType.IdmapSource)
                    {
                        SendIdmappedSource(plan, fd, m.Arg, passedFd, initPid);
                        continue;
                    }
                    if (m.Type != ExecutorMessageType.SeccompFd)
                        throw new RuntimeError($"unexpected fd with message {m.Type} from the container's init");
                    (onSeccompFd ?? throw new RuntimeError("the container's init sent a seccomp fd nobody asked for"))(passedFd, initPid);
                }
                finally
                {
                    LibC.close(passedFd);
                }
                Reply(fd, ExecutorReply.Ok);
                continue;
            }
            if (n < 0)
            {
                if (LibC.Errno == LibC.EINTR)
                    continue;
                throw SyscallException.Last("read from the container's init");
            }
            if (n == 0)
            {
                if (ready)
                    return;
                throw new RuntimeError(untilExec
                    ? "the process exited before it was ready"
                    : "the container's init exited before it was ready");
            }
            var msg = ExecutorMessage.Decode(new ReadOnlySpan<byte>(buf, (int)n));
            switch (msg.Type)
            {
                case ExecutorMessageType.Pid:
                    initPid = (int)msg.Arg;
                    break;
                case ExecutorMessageType.Notify when (SyncTag)msg.Arg == SyncTag.Ready:
                    Diagnostics.StartupTrace.MarkExecutor("process set up", msg.SentAtNs);
                    if (!untilExec)
                        return;
                    ready = true;
                    break;
                case ExecutorMessageType.Notify:
                    Diagnostics.StartupTrace.MarkExecutor(((SyncTag)msg.Arg).ToString(), msg.SentAtNs);
                    break;
                case ExecutorMessageType.Sync when (SyncTag)msg.Arg == SyncTag.ConsoleSocket:
                    if (consoleSocket < 0)
                        throw new RuntimeError("the plan asks for a console socket, and there is none");
                    int err = HostFds.oci_send_fd(fd, consoleSocket, (uint)ExecutorReply.Ok);
                    if (err < 0)
                        throw new SyscallException("send the console socket to the container's init", -err);
                    break;
                case ExecutorMessageType.Sync when (SyncTag)msg.Arg == SyncTag.HookState:
                    SendHookState(fd, (hookState ?? throw new RuntimeError("the plan asks for the hooks' state, and there is none"))(initPid));
                    break;
                case ExecutorMessageType.Sync:
                    onSync((SyncTag)msg.Arg, initPid);
                    Reply(fd, ExecutorReply.Ok);
                    break;
                case ExecutorMessageType.Error:
                    throw new RuntimeError(StepFailure.Describe(plan, msg));
                default:
                    throw new RuntimeError($"unexpected message {msg.Type} from the container's init");
            }
        }
    }

    /// <summary>
    /// An IdmapTreeStep with IdmapOpts.ByHost (the init is in a user namespace and may not id-map):
    /// the host clones the step's source in the init's mount namespace, id-maps it with the user
    /// namespace the init sent, and answers with the tree. A failure is reported as the executor
    /// would report it, naming the mount (the caller kills the init).
    /// </summary>
    private static void SendIdmappedSource(ExecutionPlan plan, int sock, uint stepIndex, int usernsFd, int initPid)
    {
        if (stepIndex >= plan.Steps.Count || plan.Steps[(int)stepIndex] is not IdmapTreeStep { Opts: var opts } step
            || !opts.HasFlag(IdmapOpts.ByHost))
            throw new RuntimeError($"the container's init asked for an id-mapped source at step {stepIndex}, which is not one");
        int tree = IdmapSource.oci_idmap_source(initPid, usernsFd, step.Source, step.Propagation, (uint)step.Opts, out int op);
        if (tree < 0)
            throw new RuntimeError(StepFailure.Describe(plan,
                new ExecutorMessage(ExecutorMessageType.Error, stepIndex, -tree, IdmapSource.Operation(op))));
        SendAndClose(sock, tree, "the id-mapped tree");
    }

    private static void SendHookState(int sock, byte[] state) =>
        SendAndClose(sock, HookRunner.StateFd(state), "the hooks' state");

    /// <summary>Sends fd to the container's init as an Ok reply, then closes it here.</summary>
    private static void SendAndClose(int sock, int fd, string what)
    {
        try
        {
            int err = HostFds.oci_send_fd(sock, fd, (uint)ExecutorReply.Ok);
            if (err < 0)
                throw new SyscallException($"send {what} to the container's init", -err);
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>
    /// After `start` released an init that runs startContainer hooks: waits until it has exec'd the
    /// program (its sync socket, close-on-exec, closes) or failed (an ERROR comes first), and
    /// throws the failure. <paramref name="syncFd"/> for `run`; `start` learns it from the fifo.
    /// </summary>
    public static void AwaitExec(int syncFd, string id)
    {
        byte* buf = stackalloc byte[ExecutorMessage.Size];
        while (true)
        {
            nint n = SyncSocket.Receive(syncFd, buf, ExecutorMessage.Size, out int passedFd);
            if (passedFd >= 0)
                LibC.close(passedFd);
            if (n < 0 && LibC.Errno == LibC.EINTR)
                continue;
            if (n <= 0)
                return; // EOF: exec'd (or gone without a word, which `run` sees in its exit status)
            var msg = ExecutorMessage.Decode(new ReadOnlySpan<byte>(buf, (int)n));
            if (msg.Type == ExecutorMessageType.Error)
                throw StartFailure(id, msg);
        }
    }

    /// <summary>A failure of the init after `start` (a startContainer hook, the exec).</summary>
    public static RuntimeError StartFailure(string id, ExecutorMessage msg) => new(
        $"cannot start container \"{id}\": " + (msg.What.StartsWith("hooks.", StringComparison.Ordinal)
            ? msg.What
            : $"{msg.What}: {LibC.StrError(msg.Errno)}"));

    private static void Reply(int fd, ExecutorReply reply)
    {
        uint r = (uint)reply;
        if (LibC.send(fd, (byte*)&r, 4, 0) != 4)
            throw SyscallException.Last("reply to the container's init");
    }

    private static int WritePlan(byte[] bytes)
    {
        int fd = LibC.memfd_create("ociruntime-plan", LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        if (fd < 0)
            throw SyscallException.Last("memfd_create");
        if (SysFile.WriteAll(fd, bytes) is int err and not 0)
        {
            LibC.close(fd);
            throw new SyscallException("write the plan", err);
        }
        // Sealed: the executor validates the plan once and then trusts it; nothing may change it after.
        if (LibC.fcntl(fd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_WRITE | LibC.F_SEAL_SEAL) != 0)
        {
            var e = SyscallException.Last("seal the plan");
            LibC.close(fd);
            throw e;
        }
        return fd;
    }

    /// <summary>After a failed launch: nothing of the container may stay behind.</summary>
    public static void KillAndReap(int initPid, int spawned)
    {
        LibC.kill(initPid, 9);
        if (spawned != initPid)
            LibC.kill(spawned, 9);
        int status;
        LibC.waitpid(spawned, &status, LibC.__WALL);
        if (spawned != initPid)
            LibC.waitpid(initPid, &status, LibC.__WALL);
    }

    /// <summary>Reaps the executor process that forked the init and exited.</summary>
    public static void ReapSpawned(LaunchedInit launched)
    {
        if (launched.SpawnedPid == launched.InitPid)
            return;
        int status;
        while (LibC.waitpid(launched.SpawnedPid, &status, LibC.__WALL) < 0 && LibC.Errno == LibC.EINTR)
        {
        }
    }
}
