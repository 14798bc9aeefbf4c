using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sys = Tmds.Linux.LibC;
using T = Tmds.Linux;

namespace OciRuntime.Linux;

// libc calls on sockets (fd passing over unix sockets with SCM_RIGHTS) and poll: Tmds.LibC's
// bindings; MsgHdr and IoVec are laid out as its msghdr and iovec, which it takes by pointer.
internal static unsafe partial class LibC
{
    public const int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;
    public const int POLLIN = 1, POLLERR = 8, POLLHUP = 16;

    /// <summary>CMSG_SPACE(sizeof(int)) and CMSG_LEN(sizeof(int)) on a 64-bit machine; the data
    /// follows a 16-byte struct cmsghdr (size_t len, int level, int type).</summary>
    public const int CmsgSpaceOneFd = 24, CmsgLenOneFd = 20, CmsgDataOffset = 16;

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

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int socket(int domain, int type, int protocol) => Sys.socket(domain, type, protocol);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int socketpair(int domain, int type, int protocol, int* fds) => Sys.socketpair(domain, type, protocol, fds);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int connect(int fd, byte* addr, uint len) => Sys.connect(fd, (T.sockaddr*)addr, len);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint recv(int fd, byte* buf, nint count, int flags) => (nint)(long)Sys.recv(fd, buf, (T.size_t)(ulong)count, flags);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint send(int fd, byte* buf, nint count, int flags) => (nint)(long)Sys.send(fd, buf, (T.size_t)(ulong)count, flags);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint recvmsg(int fd, MsgHdr* msg, int flags) => (nint)(long)Sys.recvmsg(fd, (T.msghdr*)msg, flags);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint sendmsg(int fd, MsgHdr* msg, int flags) => (nint)(long)Sys.sendmsg(fd, (T.msghdr*)msg, flags);

    /// <summary>Hand-written: Tmds.LibC 0.5.0 binds poll without SetLastError, so its errno (EINTR,
    /// which the callers retry on) would be lost.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint nfds, int timeout);
}
