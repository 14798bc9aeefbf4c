using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sys = Tmds.Linux.LibC;
using T = Tmds.Linux;

namespace OciRuntime.Linux;

// libc calls on files, directories and file systems: Tmds.LibC's bindings behind the runtime's
// signatures, and hand-written imports for what it lacks (statfs, rename).
internal static unsafe partial class LibC
{
    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80,
        O_TRUNC = 0x200, O_NONBLOCK = 0x800, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000,
        O_NOCTTY = 0x100, O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    public const int W_OK = 2, X_OK = 1;
    public const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    public const int F_ADD_SEALS = 1033;
    public const int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;

    /// <summary>sizeof(struct stat) and the offsets of st_mode, st_uid and st_size on x86-64.</summary>
    public const int StatSize = 144, StatModeOffset = 24, StatUidOffset = 28, StatSizeOffset = 48;

    public const uint S_IFMT = 0xF000, S_IFDIR = 0x4000;

    public static int open(string path, int flags, int mode)
    {
        using var p = new CString(path, stackalloc byte[CStringBuffer]);
        return Sys.open(p.Ptr, flags, (ushort)mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int close(int fd) => Sys.close(fd);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint read(int fd, byte* buf, nint count) => (nint)(long)Sys.read(fd, buf, (T.size_t)(ulong)count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint write(int fd, byte* buf, nint count) => (nint)(long)Sys.write(fd, buf, (T.size_t)(ulong)count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint pread(int fd, byte* buf, nint count, long offset) =>
        (nint)(long)Sys.pread(fd, buf, (T.size_t)(ulong)count, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long lseek(int fd, long offset, int whence) => Sys.lseek(fd, offset, whence);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int fcntl(int fd, int cmd, int arg) => Sys.fcntl(fd, cmd, arg);

    public static int memfd_create(string name, uint flags)
    {
        using var p = new CString(name, stackalloc byte[CStringBuffer]);
        return Sys.memfd_create(p.Ptr, flags);
    }

    /// <summary>Tmds.LibC's fstat is glibc's __fxstat with the kernel's struct stat (StatSize bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int fstat(int fd, byte* buf) => Sys.fstat(fd, (T.stat*)buf);

    public static int stat(string path, byte* buf)
    {
        using var p = new CString(path, stackalloc byte[CStringBuffer]);
        return Sys.stat(p.Ptr, (T.stat*)buf);
    }

    /// <summary>struct statfs is 120 bytes on x86-64 and arm64; f_type is its first field.
    /// Hand-written: Tmds.LibC binds statvfs only, which has no f_type.</summary>
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statfs(string path, byte* buf);

    public static int access(string path, int mode)
    {
        using var p = new CString(path, stackalloc byte[CStringBuffer]);
        return Sys.access(p.Ptr, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int fchmod(int fd, uint mode) => Sys.fchmod(fd, (ushort)mode);

    public static int mkfifo(string path, uint mode)
    {
        using var p = new CString(path, stackalloc byte[CStringBuffer]);
        return Sys.mkfifo(p.Ptr, (ushort)mode);
    }

    public static int mkdir(string path, uint mode)
    {
        using var p = new CString(path, stackalloc byte[CStringBuffer]);
        return Sys.mkdir(p.Ptr, (ushort)mode);
    }

    public static int rmdir(string path)
    {
        using var p = new CString(path, stackalloc byte[CStringBuffer]);
        return Sys.rmdir(p.Ptr);
    }

    public static int unlink(string path)
    {
        using var p = new CString(path, stackalloc byte[CStringBuffer]);
        return Sys.unlink(p.Ptr);
    }

    /// <summary>Hand-written: Tmds.LibC 0.5.0 has no rename (nor renameat).</summary>
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rename(string oldPath, string newPath);
}
