using OciRuntime.Linux;

namespace OciRuntime.Lifecycle;

/// <summary>
/// A container known to the state store, and the operations of the runtime-spec lifecycle on it.
/// The status is never stored: it is derived each time from the init process (alive, and the
/// same process by its start time) and the exec fifo (present until `start`).
/// </summary>
internal sealed unsafe class Container(StateStore store, ContainerRecord record)
{
    public ContainerRecord Record { get; } = record;
    public string Id => Record.Id;

    public static Container Load(StateStore store, string id) => new(store, store.Load(id));

    public ContainerStatus Status
    {
        get
        {
            if (!InitAlive())
                return ContainerStatus.Stopped;
            if (File.Exists(store.FifoOf(Id)))
                return ContainerStatus.Created;
            return Cgroup.IsFrozen() ? ContainerStatus.Paused : ContainerStatus.Running;
        }
    }

    private bool InitAlive()
    {
        if (Record.Pid <= 0)
            return false;
        var stat = ProcStat.Read(Record.Pid);
        return stat is { IsDead: false } s && s.StartTime == Record.InitStartTime;
    }

    public Spec.State State(ContainerStatus status) => Spec.State.Runc(Id,
        status == ContainerStatus.Stopped ? 0 : Record.Pid, status.Name(), Record.Bundle, Record.Rootfs,
        Record.Created.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ"), Record.Annotations);

    /// <summary>Lets the init go on to exec the user's program: one byte into the exec fifo, on
    /// which the init blocks in a read. The fifo is removed afterwards, which is what makes the
    /// status "running".</summary>
    public void Start()
    {
        ContainerStateMachine.Check(ContainerCommand.Start, Status, Id);
        if (Record.NoProcess)
        {
            // runtime-spec: start MUST generate an error if process was not set. The container
            // cannot run anything, so it stops (as crun's); `delete` removes it.
            LibC.kill(Record.Pid, 9);
            throw new RuntimeError($"cannot start container \"{Id}\": its config.json has no process to run");
        }
        StartWith(ReleaseThroughFifo);
    }

    /// <summary>`run`: the init of a container created with StartedByCaller waits on the sync
    /// socket <paramref name="syncFd"/> (there is no exec fifo, so its status reads as running
    /// until then); released here, the socket closed.</summary>
    public void Start(int syncFd)
    {
        try
        {
            StartWith(() =>
            {
                InitLauncher.ReleaseStart(syncFd, Id);
                if (HasStartContainerHooks)
                    InitLauncher.AwaitExec(syncFd, Id);
            });
        }
        finally
        {
            LibC.close(syncFd);
        }
    }

    private bool HasStartContainerHooks => Record.Hooks?.StartContainer is { Count: > 0 };

    private void StartWith(Action release)
    {
        // startContainer hooks are run by the init itself once released, with the container
        // process's privileges (Planning/ProcessPlanner); when there are some, the release waits
        // until the init has exec'd the program or failed, and a failure (the init has exited)
        // fails `start` (runtime-spec lifecycle: the container is stopped).
        try
        {
            release();
        }
        catch (RuntimeError)
        {
            LibC.kill(Record.Pid, 9);
            throw;
        }
        // poststart: after the user's program started, before `start` returns; a failure fails
        // `start` and stops the container (as runc: the caller is told the start did not work).
        try
        {
            HookRunner.Run("poststart", Record.Hooks?.Poststart, () => State(ContainerStatus.Running));
        }
        catch (RuntimeError)
        {
            LibC.kill(Record.Pid, 9);
            throw;
        }
    }

    private void ReleaseThroughFifo()
    {
        string fifo = store.FifoOf(Id);
        int fd = LibC.open(fifo, LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int e = LibC.Errno;
            // ENXIO: no reader, so the init is gone; ENOENT: another `start` won the race.
            if (e == LibC.ENXIO)
                throw new RuntimeError($"cannot start container \"{Id}\": its init process has exited");
            if (e == LibC.ENOENT)
                throw new RuntimeError($"cannot start container \"{Id}\": it is already running");
            throw new SyscallException($"open {fifo}", e);
        }
        // A reader of our own, opened while the init's O_RDWR end is a writer: once every writer
        // is gone (ours closed below; the init's at its execve, O_CLOEXEC, or when it dies) poll
        // reports POLLHUP. It never reads, so the init gets the byte. With startContainer hooks
        // (run by the init after it took the byte) the wait has no bound, and the init writes a
        // failure into the fifo before it exits (WAIT_FIFO in plan.h), which is read back.
        int hup = LibC.open(fifo, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        byte b = (byte)'0';
        nint n = LibC.write(fd, &b, 1);
        int err = LibC.Errno;
        LibC.close(fd);
        if (n != 1)
        {
            if (hup >= 0)
                LibC.close(hup);
            throw new SyscallException($"write {fifo}", err);
        }
        File.Delete(fifo);
        if (hup >= 0)
        {
            try
            {
                WaitForExec(hup, HasStartContainerHooks ? -1 : 5000);
                if (HasStartContainerHooks)
                    ReadStartFailure(hup);
            }
            finally
            {
                LibC.close(hup);
            }
        }
    }

    /// <summary>`start` returns once the user's program runs (the init's execve closed its end of
    /// the fifo), as runc's returns once its init has taken the fifo's byte and is on its way to
    /// execve: a signal sent right after `start` must reach the program, not the executor, which is
    /// pid 1 of its namespace without handlers and would drop it. Bounded (but with startContainer
    /// hooks, which take what they take): a stopped init does not hang `start`.</summary>
    private static void WaitForExec(int hupFd, int timeoutMs)
    {
        var pfd = new LibC.PollFd { Fd = hupFd, Events = 0 };
        long deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            long left = timeoutMs < 0 ? -1 : deadline - Environment.TickCount64;
            if (timeoutMs >= 0 && left <= 0)
                return;
            int r = LibC.poll(&pfd, 1, (int)left);
            if (r >= 0 || LibC.Errno != LibC.EINTR)
                return;
        }
    }

    /// <summary>What the init left in the fifo once it let go of it: nothing (it exec'd), its
    /// failure (a startContainer hook), or `start`'s own byte unread (it died before it took it).</summary>
    private void ReadStartFailure(int rfd)
    {
        byte* buf = stackalloc byte[Plan.ExecutorMessage.Size];
        nint n = LibC.read(rfd, buf, Plan.ExecutorMessage.Size);
        if (n == Plan.ExecutorMessage.Size)
        {
            var msg = Plan.ExecutorMessage.Decode(new ReadOnlySpan<byte>(buf, (int)n));
            if (msg.Type == Plan.ExecutorMessageType.Error)
                throw InitLauncher.StartFailure(Id, msg);
        }
        if (n > 0)
            throw new RuntimeError($"cannot start container \"{Id}\": its init process has exited");
    }

    public void Kill(int signal)
    {
        ContainerStateMachine.Check(ContainerCommand.Kill, Status, Id);
        if (LibC.kill(Record.Pid, signal) != 0)
        {
            int e = LibC.Errno;
            if (e == LibC.ESRCH) // it stopped since
                throw new RuntimeError(ContainerStateMachine.Refusal(ContainerCommand.Kill, ContainerStatus.Stopped, Id));
            throw new SyscallException($"kill {Record.Pid}", e);
        }
    }

    /// <summary>Deletes the container; a created one is killed first (as runc), a running or
    /// paused one only with <paramref name="force"/>.</summary>
    /// <param name="initReapedInOwnPidNamespace">the caller (`run`) reaped the init, which was pid 1 of
    /// a pid namespace of the container's own: the kernel killed every process in it then, and
    /// processes reach the container's cgroup only with its pid namespace (exec joins it), so
    /// there is nothing left to look for (runc signals the rest only without a private pid namespace)</param>
    public void Delete(bool force, bool initReapedInOwnPidNamespace = false)
    {
        var status = Status;
        ContainerStateMachine.Check(force ? ContainerCommand.ForceDelete : ContainerCommand.Delete, status, Id);
        if (status != ContainerStatus.Stopped)
        {
            LibC.kill(Record.Pid, 9);
            // A frozen v1 task cannot act on SIGKILL until it is thawed.
            if (status == ContainerStatus.Paused)
                Cgroup.Freeze(false);
            WaitForExit(TimeSpan.FromSeconds(10));
        }
        // Without a pid namespace of its own, the container's other processes outlive its init.
        if (!initReapedInOwnPidNamespace)
            KillRemaining();
        // In the runtime's mount namespace, the container's mounts outlive its processes.
        if (Record.RootfsBaseMount is { } mountBase)
            Linux.HostMounts.UndoAbove(Record.Rootfs, mountBase);
        Cgroup.Destroy();
        store.Remove(Id);
        // poststop: after the container is gone, before `delete` returns; failures are warnings.
        HookRunner.Run("poststop", Record.Hooks?.Poststop, () => State(ContainerStatus.Stopped), warnOnly: true);
    }

    public Cgroups.ICgroupManager Cgroup => Cgroups.CgroupManagers.ForExisting(Record.CgroupDirectories, Record.SystemdUnit, Record.SystemdUser);

    private void KillRemaining()
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            var pids = Cgroup.Pids();
            if (pids.Count == 0)
                return;
            foreach (int pid in pids)
                LibC.kill(pid, 9);
            Thread.Sleep(10);
        }
        throw new RuntimeError($"container \"{Id}\": processes {string.Join(' ', Cgroup.Pids())} did not exit after SIGKILL");
    }

    /// <summary>`kill --all`: the signal goes to every process in the container's cgroup.</summary>
    public void KillAll(int signal)
    {
        // Processes left in the cgroup of a stopped container still take the signal.
        var status = Status;
        if (!ContainerStateMachine.Allows(ContainerCommand.Kill, status) && Cgroup.Pids().Count == 0)
            throw new RuntimeError(ContainerStateMachine.Refusal(ContainerCommand.Kill, status, Id));
        foreach (int pid in Cgroup.Pids())
            LibC.kill(pid, signal);
    }

    /// <summary>Waits for the init (usually not our child) to exit, via a pidfd.</summary>
    public void WaitForExit(TimeSpan timeout)
    {
        int pfd = LibC.PidfdOpen(Record.Pid);
        if (pfd < 0)
            return; // ESRCH: gone already
        try
        {
            var deadline = DateTime.UtcNow + timeout;
            while (InitAlive())
            {
                LibC.PollFd p = new() { Fd = pfd, Events = LibC.POLLIN };
                int ms = (int)Math.Max(0, (deadline - DateTime.UtcNow).TotalMilliseconds);
                if (ms == 0)
                    throw new RuntimeError($"container \"{Id}\": init {Record.Pid} did not exit within {timeout.TotalSeconds} s");
                // Readable at exit; a zombie still has to be reaped by its parent, so poll the
                // status too rather than trust one wake-up.
                LibC.poll(&p, 1, Math.Min(ms, 100));
            }
        }
        finally
        {
            LibC.close(pfd);
        }
    }
}
