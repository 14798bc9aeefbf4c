using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sys = Tmds.Linux.LibC;
using T = Tmds.Linux;

namespace OciRuntime.Linux;

// libc calls on processes: ids, signals, waiting, pidfds, CPU affinity and the process's memory.
// Tmds.LibC's bindings, and a hand-written waitpid (Tmds.LibC 0.5.0 has no wait function).
internal static unsafe partial class LibC
{
    public const int WNOHANG = 1, __WALL = 0x40000000;
    public const int MADV_POPULATE_WRITE = 23; // Linux 5.14; older kernels say EINVAL

    private const long SYS_pidfd_open = 434;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint geteuid() => Sys.geteuid();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint getegid() => Sys.getegid();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int getpid() => Sys.getpid();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int kill(int pid, int sig) => Sys.kill(pid, sig);

    /// <summary>Hand-written: Tmds.LibC 0.5.0 binds no waitpid/waitid.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    /// <summary>A pidfd becomes readable when the process exits, child or not.</summary>
    public static int PidfdOpen(int pid) => (int)syscall(SYS_pidfd_open, pid, 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int sched_setaffinity(int pid, nint cpusetsize, ulong* mask) =>
        Sys.sched_setaffinity(pid, (T.size_t)(ulong)cpusetsize, (T.cpu_set_t*)mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int madvise(void* address, nuint length, int advice) => Sys.madvise(address, (T.size_t)(ulong)length, advice);
}
