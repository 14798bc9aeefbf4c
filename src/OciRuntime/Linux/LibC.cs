using System.Runtime.InteropServices;

namespace OciRuntime.Linux;

/// <summary>
/// The libc calls the host side needs, one file per subject (LibC.Files.cs, LibC.Sockets.cs,
/// LibC.Processes.cs); this one holds errno and the raw syscall. Bound with LibraryImport
/// (source-generated, no runtime marshalling stubs) and DirectPInvoke at publish time, so no dlopen
/// at start-up.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, ECHILD = 10, EAGAIN = 11,
        EACCES = 13, EBUSY = 16, EEXIST = 17, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, EROFS = 30, ENOTSOCK = 88;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial long syscall(long number, long a1, long a2);

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    public static partial long syscall3(long number, long a1, long a2, long a3);

    public static int Errno => Marshal.GetLastPInvokeError();

    public static string StrError(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
