using System.Text;
using OciRuntime.Linux;
using OciRuntime.Spec;
using OciRuntime.Spec.Json;

namespace OciRuntime.Lifecycle;

/// <summary>
/// linux.seccomp.listenerPath: the runtime connects to that unix socket and sends the container
/// process state (runtime-spec "containerProcessState") as JSON with the seccomp notify fd
/// attached (SCM_RIGHTS), in one message, then closes the connection.
/// </summary>
internal static unsafe class SeccompListener
{
    public static ContainerProcessState StateFor(string id, int pid, string bundle, string? metadata,
        Dictionary<string, string>? annotations) => new()
        {
            OciVersion = BuildInfo.SpecVersion,
            Fds = [ContainerProcessState.SeccompFdName],
            Pid = pid,
            Metadata = metadata ?? "",
            State = new State
            {
                OciVersion = BuildInfo.SpecVersion,
                Id = id,
                Status = ContainerStatus.Creating.Name(),
                Pid = pid,
                Bundle = bundle,
                Annotations = annotations,
            },
        };

    public static void Send(string listenerPath, int notifyFd, ContainerProcessState state)
    {
        const string field = "linux.seccomp.listenerPath";
        byte[] path = Encoding.UTF8.GetBytes(listenerPath);
        if (path.Length == 0 || path.Length >= 108)
            throw new RuntimeError($"{field}: \"{listenerPath}\" is not a usable unix socket path (1 to 107 bytes)");
        byte[] json = StateWriter.SerializeContainerProcessState(state);

        int s = LibC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        if (s < 0)
            throw SyscallException.Last("socket");
        try
        {
            byte* addr = stackalloc byte[110]; // struct sockaddr_un: sa_family_t + 108 bytes of path
            new Span<byte>(addr, 110).Clear();
            *(ushort*)addr = LibC.AF_UNIX;
            path.CopyTo(new Span<byte>(addr + 2, 108));
            while (LibC.connect(s, addr, (uint)(2 + path.Length + 1)) != 0)
            {
                if (LibC.Errno == LibC.EINTR)
                    continue;
                throw new RuntimeError($"{field}: connect to {listenerPath}: {LibC.StrError(LibC.Errno)}");
            }
            byte* ctl = stackalloc byte[LibC.CmsgSpaceOneFd];
            new Span<byte>(ctl, LibC.CmsgSpaceOneFd).Clear();
            *(ulong*)ctl = LibC.CmsgLenOneFd;
            *(int*)(ctl + 8) = LibC.SOL_SOCKET;
            *(int*)(ctl + 12) = LibC.SCM_RIGHTS;
            *(int*)(ctl + LibC.CmsgDataOffset) = notifyFd;
            fixed (byte* j = json)
            {
                var iov = new LibC.IoVec { Base = j, Len = (nuint)json.Length };
                var mh = new LibC.MsgHdr { Iov = &iov, IovLen = 1, Control = ctl, ControlLen = LibC.CmsgSpaceOneFd };
                nint n;
                while ((n = LibC.sendmsg(s, &mh, LibC.MSG_NOSIGNAL)) < 0 && LibC.Errno == LibC.EINTR)
                {
                }
                if (n < 0)
                    throw new RuntimeError($"{field}: send to {listenerPath}: {LibC.StrError(LibC.Errno)}");
                if (n != json.Length)
                    throw new RuntimeError($"{field}: short send to {listenerPath} ({n} of {json.Length} bytes)");
            }
        }
        finally
        {
            LibC.close(s);
        }
    }
}
