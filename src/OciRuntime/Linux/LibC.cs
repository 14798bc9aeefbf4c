using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using Sys = Tmds.Linux.LibC;
using ssize_t = Tmds.Linux.ssize_t;

namespace OciRuntime.Linux;

/// <summary>
/// The libc calls the host side needs, one file per subject (LibC.Files.cs, LibC.Sockets.cs,
/// LibC.Processes.cs); this one holds errno and the raw syscall.
///
/// The bindings are Tmds.LibC's (decisions §49) where it has the function with the same errno
/// behaviour (SetLastError); this class keeps the runtime's names and signatures (string paths, int
/// and nint counts) and forwards, so callers do not see the library. What Tmds.LibC lacks, or binds
/// without saving errno, stays a hand-written LibraryImport here, each with the reason. Both kinds
/// are DllImports of libc bound at link time (DirectPInvoke "libc" and "libc.so.6" in
/// OciRuntime.csproj): the binary is static, there is no dlopen.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, ECHILD = 10, EAGAIN = 11,
        EACCES = 13, EBUSY = 16, EEXIST = 17, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, EROFS = 30, ENOTSOCK = 88;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long syscall(long number, long a1, long a2) =>
        (ssize_t)Sys.syscall((void*)number, (void*)a1, (void*)a2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long syscall3(long number, long a1, long a2, long a3) =>
        (ssize_t)Sys.syscall((void*)number, (void*)a1, (void*)a2, (void*)a3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long syscall4(long number, long a1, long a2, long a3, long a4) =>
        (ssize_t)Sys.syscall((void*)number, (void*)a1, (void*)a2, (void*)a3, (void*)a4);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long syscall5(long number, long a1, long a2, long a3, long a4, long a5) =>
        (ssize_t)Sys.syscall((void*)number, (void*)a1, (void*)a2, (void*)a3, (void*)a4, (void*)a5);

    /// <summary>errno of the last libc call made through this class (Tmds.LibC's errno: the value
    /// the P/Invoke saved, the same slot a hand-written SetLastError import saves to).</summary>
    public static int Errno => Sys.errno;

    public static string StrError(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>A string argument as a NUL-terminated UTF-8 char*: the marshaller LibraryImport
    /// generates for StringMarshalling.Utf8 (a stack buffer for short strings, else the heap).</summary>
    internal ref struct CString
    {
        private Utf8StringMarshaller.ManagedToUnmanagedIn _m;

        public CString(string? s, Span<byte> buffer)
        {
            _m = default;
            _m.FromManaged(s, buffer);
        }

        public readonly byte* Ptr => _m.ToUnmanaged();

        public void Dispose() => _m.Free();
    }

    /// <summary>Utf8StringMarshaller.ManagedToUnmanagedIn.BufferSize (a property, so not a constant).</summary>
    internal const int CStringBuffer = 0x100;
}
