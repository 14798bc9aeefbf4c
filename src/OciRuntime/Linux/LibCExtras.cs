using System.Runtime.InteropServices;

namespace OciRuntime.Linux;

// Socket, file and memory calls beyond LibC.cs: fd passing over unix sockets (SCM_RIGHTS), reading a
// memfd back. Kept apart so the security work adds a file instead of rewriting a shared one.
internal static unsafe partial class LibC
{
    public const int EIO = 5, ENOTDIR = 20, EISDIR = 21;

    /// <summary>offsetof(st_mode) and offsetof(st_size) in x86-64's struct stat (StatSize bytes).</summary>
    public const int StatModeOffset = 24, StatSizeOffset = 48;

    public const uint S_IFMT = 0xF000, S_IFDIR = 0x4000;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fstat(int fd, byte* buf);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rename(string oldPath, string newPath);

    public const int MADV_POPULATE_WRITE = 23; // Linux 5.14; older kernels say EINVAL

    [LibraryImport(Lib)]
    public static partial int madvise(void* address, nuint length, int advice);

    public const int SOCK_STREAM = 1, SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    /// <summary>CMSG_SPACE(sizeof(int)) and CMSG_LEN(sizeof(int)) on a 64-bit machine; the data
    /// follows a 16-byte struct cmsghdr (size_t len, int level, int type).</summary>
    public const int CmsgSpaceOneFd = 24, CmsgLenOneFd = 20, CmsgDataOffset = 16;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint recvmsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint sendmsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int connect(int fd, byte* addr, uint len);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint pread(int fd, byte* buf, nint count, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial long lseek(int fd, long offset, int whence);
}

internal static unsafe partial class LibC
{
    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    public static partial long syscall3(long number, long a1, long a2, long a3);
}
