using System.Runtime.InteropServices;

namespace OciRuntime.Linux;

/// <summary>While a foreground command waits for a container process: the signals a user sends to
/// the runtime (SIGTERM, SIGINT, SIGHUP, SIGQUIT) go to that process instead.</summary>
/// <remarks>A native handler (src/OciRuntime.Native/host/signal_forward.c), not
/// PosixSignalRegistration, whose first use costs over a millisecond of every `run`.</remarks>
internal sealed unsafe partial class SignalForwarding : IDisposable
{
    private static readonly int[] Forwarded = [15, 2, 1, 3]; // SIGTERM, SIGINT, SIGHUP, SIGQUIT

    private SignalForwarding(int pid)
    {
        int err;
        fixed (int* s = Forwarded)
            err = oci_forward_signals_start(pid, s, Forwarded.Length);
        if (err < 0)
            throw new SyscallException("forward signals to the container's process", -err);
    }

    public static SignalForwarding To(int pid) => new(pid);

    public void Dispose() => oci_forward_signals_stop();

    [LibraryImport("libociexec")]
    private static partial int oci_forward_signals_start(int pid, int* signals, int n);

    [LibraryImport("libociexec")]
    private static partial void oci_forward_signals_stop();
}
