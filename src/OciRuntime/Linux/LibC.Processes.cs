using System.Runtime.InteropServices;

namespace OciRuntime.Linux;

// libc calls on processes: ids, signals, waiting, pidfds, CPU affinity and the process's memory.
internal static unsafe partial class LibC
{
    public const int WNOHANG = 1, __WALL = 0x40000000;
    public const int MADV_POPULATE_WRITE = 23; // Linux 5.14; older kernels say EINVAL

    private const long SYS_pidfd_open = 434;

    [LibraryImport(Lib)]
    public static partial uint geteuid();

    [LibraryImport(Lib)]
    public static partial uint getegid();

    [LibraryImport(Lib)]
    public static partial int getpid();

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    /// <summary>A pidfd becomes readable when the process exits, child or not.</summary>
    public static int PidfdOpen(int pid) => (int)syscall(SYS_pidfd_open, pid, 0);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sched_setaffinity(int pid, nint cpusetsize, ulong* mask);

    [LibraryImport(Lib)]
    public static partial int madvise(void* address, nuint length, int advice);
}
