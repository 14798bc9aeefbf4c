using System.Runtime.InteropServices;

namespace OciRuntime.Linux;

// libc calls rootless mode needs (kept in their own file: LibC.cs is shared).
internal static unsafe partial class LibC
{
    public const int EPERM = 1, EACCES = 13, EROFS = 30;
    public const int W_OK = 2, X_OK = 1;
    public const int O_PATH = 0x200000;

    [LibraryImport(Lib)]
    public static partial uint getegid();

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int access(string path, int mode);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fchmod(int fd, uint mode);

    /// <summary>sizeof(struct stat) and offsetof(st_uid) on x86-64.</summary>
    public const int StatSize = 144, StatUidOffset = 28;

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int stat(string path, byte* buf);
}
