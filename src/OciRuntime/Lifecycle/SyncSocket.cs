using OciRuntime.Linux;

namespace OciRuntime.Lifecycle;

/// <summary>Reads one executor message from the sync socket, with the fd it may carry (SCM_RIGHTS:
/// the seccomp notify fd). A received fd is close-on-exec (MSG_CMSG_CLOEXEC).</summary>
internal static unsafe class SyncSocket
{
    /// <returns>the byte count as recv(2) (0 at EOF, -1 with errno); passedFd is -1 when no fd came</returns>
    public static nint Receive(int fd, byte* buf, int size, out int passedFd)
    {
        passedFd = -1;
        byte* ctl = stackalloc byte[LibC.CmsgSpaceOneFd * 2];
        var iov = new LibC.IoVec { Base = buf, Len = (nuint)size };
        var mh = new LibC.MsgHdr { Iov = &iov, IovLen = 1, Control = ctl, ControlLen = LibC.CmsgSpaceOneFd * 2 };
        nint n = LibC.recvmsg(fd, &mh, LibC.MSG_CMSG_CLOEXEC);
        if (n < 0 || mh.ControlLen < LibC.CmsgLenOneFd)
            return n;
        // struct cmsghdr { size_t len; int level; int type; } then the data.
        ulong len = *(ulong*)ctl;
        int level = *(int*)(ctl + 8), type = *(int*)(ctl + 12);
        if (level == LibC.SOL_SOCKET && type == LibC.SCM_RIGHTS && len >= LibC.CmsgLenOneFd)
        {
            passedFd = *(int*)(ctl + LibC.CmsgDataOffset);
            // More than one fd was never sent by the executor; close any extras rather than leak them.
            int count = (int)((len - LibC.CmsgDataOffset) / 4);
            for (int i = 1; i < count && LibC.CmsgDataOffset + 4 * (i + 1) <= LibC.CmsgSpaceOneFd * 2; i++)
                LibC.close(((int*)(ctl + LibC.CmsgDataOffset))[i]);
        }
        return n;
    }
}
