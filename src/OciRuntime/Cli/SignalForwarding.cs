using System.Runtime.InteropServices;
using OciRuntime.Linux;

namespace OciRuntime.Cli;

/// <summary>While a foreground command waits for a container process: the signals a user sends to
/// the runtime (SIGTERM, SIGINT, SIGHUP, SIGQUIT) go to that process instead.</summary>
internal sealed class SignalForwarding : IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations;

    private SignalForwarding(int pid)
    {
        _registrations = new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
            .Select(s => PosixSignalRegistration.Create(s, c =>
            {
                c.Cancel = true;
                LibC.kill(pid, Number(c.Signal));
            }))
            .ToList();
    }

    public static SignalForwarding To(int pid) => new(pid);

    private static int Number(PosixSignal s) => s switch
    {
        PosixSignal.SIGTERM => 15,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGQUIT => 3,
        _ => 15,
    };

    public void Dispose()
    {
        foreach (var r in _registrations)
            r.Dispose();
    }
}
