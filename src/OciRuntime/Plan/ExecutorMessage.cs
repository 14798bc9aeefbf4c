using System.Buffers.Binary;
using System.Text;

namespace OciRuntime.Plan;

/// <summary>enum oci_msg_type in plan.h.</summary>
internal enum ExecutorMessageType : uint
{
    Pid = 1,
    Sync = 2,
    Notify = 3,
    Error = 4,
    /// <summary>Carries the seccomp notify fd (SCM_RIGHTS); Arg is the step index. Answered like Sync.</summary>
    SeccompFd = 15,
    /// <summary>Carries a user namespace fd (SCM_RIGHTS); Arg is the step index of an IdmapTreeStep
    /// with IdmapOpts.ByHost. Answered with the id-mapped tree's fd attached to an Ok reply.</summary>
    IdmapSource = 16,
}

/// <summary>What the host answers to a Sync message (enum oci_reply).</summary>
internal enum ExecutorReply : uint
{
    Ok = 0,
    Abort = 1,
}

/// <summary>The points at which the executor stops and asks the host to act (SYNC) or tells it
/// something (NOTIFY). The tag values are the host's own; the executor only passes them on.</summary>
internal enum SyncTag : uint
{
    /// <summary>Everything before the wait for `start` is done.</summary>
    Ready = 1,

    /// <summary>The executor has started and forked nothing yet: the host puts it in the
    /// container's cgroup, so that everything it creates starts there.</summary>
    PlaceInCgroup = 2,

    /// <summary>The process is ready and waits for `start` here instead of on an exec fifo: in
    /// `run`, whose own process starts the container, the host answers when it does.</summary>
    Start = 3,

    /// <summary>The executor has created its user namespace (50-59): the host writes
    /// /proc/PID/uid_map and gid_map from linux.uidMappings/gidMappings.</summary>
    WriteIdMaps = 50,

    /// <summary>--trace: the executor has finished a group of steps (40-49).</summary>
    TraceNamespaces = 40,
    TraceRootfs = 41,
    TracePivot = 42,
    /// <summary>The host answers with the --console-socket connection attached (SCM_RIGHTS).</summary>
    ConsoleSocket = 20,

    /// <summary>The container's environment exists, before pivot_root: the host runs the
    /// prestart and createRuntime hooks, and the createContainer hooks in the container's
    /// namespaces.</summary>
    CreateHooks = 21,

    /// <summary>The init is in its network namespace: the host moves linux.netDevices into it.</summary>
    NetDevices = 22,

    /// <summary>The host answers with the container's state JSON in a memfd (SCM_RIGHTS), the
    /// stdin of the hooks the init runs itself (startContainer).</summary>
    HookState = 23,
}

/// <summary>One struct oci_msg from the sync socket.</summary>
internal readonly record struct ExecutorMessage(ExecutorMessageType Type, uint Arg, int Errno, string What)
{
    public const int Size = 64;
    public const uint NoStep = 0xFFFFFFFF;

    public static ExecutorMessage Decode(ReadOnlySpan<byte> b)
    {
        if (b.Length != Size)
            throw new InvalidDataException($"executor message of {b.Length} bytes, expected {Size}");
        var what = b.Slice(12, 52);
        var type = (ExecutorMessageType)BinaryPrimitives.ReadUInt32LittleEndian(b);
        if (type == ExecutorMessageType.Notify) // what holds the time it was sent, not text
            return new ExecutorMessage(type, BinaryPrimitives.ReadUInt32LittleEndian(b[4..]), 0, "")
            {
                SentAtNs = BinaryPrimitives.ReadUInt64LittleEndian(what),
            };
        int nul = what.IndexOf((byte)0);
        return new ExecutorMessage(
            type,
            BinaryPrimitives.ReadUInt32LittleEndian(b[4..]),
            BinaryPrimitives.ReadInt32LittleEndian(b[8..]),
            Encoding.UTF8.GetString(nul < 0 ? what : what[..nul]));
    }

    /// <summary>Notify: when the executor sent it (CLOCK_MONOTONIC, ns), for --trace.</summary>
    public ulong SentAtNs { get; init; }
}
