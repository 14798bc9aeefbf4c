using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace OciRuntime.Linux;

/// <summary>
/// linux.netDevices (runtime-spec v1.3.0; runc 1.4, crun 1.22): each named interface of the
/// runtime's network namespace is moved into the container's and given its new name, with one
/// rtnetlink RTM_NEWLINK (IFLA_NET_NS_FD and IFLA_IFNAME) per device. Nothing moves it back: when
/// the container's network namespace goes away, the kernel returns a physical device to the
/// initial namespace and deletes a virtual one (as with runc).
/// </summary>
internal static unsafe partial class NetDevices
{
    private const int AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000, NETLINK_ROUTE = 0;
    private const ushort RTM_NEWLINK = 16, NLM_F_REQUEST = 1, NLM_F_ACK = 4, NLMSG_ERROR = 2;
    private const ushort IFLA_IFNAME = 3, IFLA_NET_NS_FD = 28;

    // Hand-written: Tmds.LibC 0.5.0 has no if_nametoindex (decisions §49).
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint if_nametoindex(string name);

    /// <summary>Moves every device into the network namespace of process <paramref name="pid"/>;
    /// <paramref name="devices"/>: host name to the name in the container (null or empty: the same).</summary>
    public static void MoveInto(IReadOnlyDictionary<string, string?> devices, int pid)
    {
        int ns = LibC.open($"/proc/{pid}/ns/net", 0x80000 /* O_RDONLY|O_CLOEXEC */, 0);
        if (ns < 0)
            throw new RuntimeError($"linux.netDevices: opening the container's network namespace: {LibC.StrError(LibC.Errno)}");
        int sock = LibC.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        try
        {
            if (sock < 0)
                throw new RuntimeError($"linux.netDevices: rtnetlink socket: {LibC.StrError(LibC.Errno)}");
            uint seq = 1;
            foreach (var (hostName, newName) in devices.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                string field = $"linux.netDevices[\"{hostName}\"]";
                uint index = if_nametoindex(hostName);
                if (index == 0)
                    throw new RuntimeError($"{field}: no network interface \"{hostName}\" in the runtime's network namespace");
                string name = string.IsNullOrEmpty(newName) ? hostName : newName;
                int err = Request(sock, seq++, index, ns, name);
                if (err != 0)
                    throw new RuntimeError($"{field}: moving it into the container's network namespace as \"{name}\": {LibC.StrError(err)}");
            }
        }
        finally
        {
            if (sock >= 0)
                LibC.close(sock);
            LibC.close(ns);
        }
    }

    /// <summary>One RTM_NEWLINK for the device at index: into netns fd, named name. 0 or the errno.</summary>
    private static int Request(int sock, uint seq, uint index, int nsFd, string name)
    {
        byte[] ifname = Encoding.UTF8.GetBytes(name + "\0");
        int attrFd = 4 + 4, attrName = Align(4 + ifname.Length);
        int len = 16 + 16 + attrFd + attrName;
        var msg = new byte[len];
        var s = msg.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)len);
        BinaryPrimitives.WriteUInt16LittleEndian(s[4..], RTM_NEWLINK);
        BinaryPrimitives.WriteUInt16LittleEndian(s[6..], NLM_F_REQUEST | NLM_F_ACK);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], seq);
        // struct ifinfomsg: family, pad, type, index, flags, change
        BinaryPrimitives.WriteInt32LittleEndian(s[20..], (int)index);
        int at = 32;
        BinaryPrimitives.WriteUInt16LittleEndian(s[at..], 8);
        BinaryPrimitives.WriteUInt16LittleEndian(s[(at + 2)..], IFLA_NET_NS_FD);
        BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 4)..], (uint)nsFd);
        at += attrFd;
        BinaryPrimitives.WriteUInt16LittleEndian(s[at..], (ushort)(4 + ifname.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(s[(at + 2)..], IFLA_IFNAME);
        ifname.CopyTo(s[(at + 4)..]);
        fixed (byte* p = msg)
            if (LibC.send(sock, p, len, 0) != len)
                return LibC.Errno;
        var reply = new byte[4096];
        while (true)
        {
            nint n;
            fixed (byte* p = reply)
                n = LibC.recv(sock, p, reply.Length, 0);
            if (n < 0)
                return LibC.Errno;
            var r = reply.AsSpan(0, (int)n);
            while (r.Length >= 16)
            {
                uint mlen = BinaryPrimitives.ReadUInt32LittleEndian(r);
                ushort type = BinaryPrimitives.ReadUInt16LittleEndian(r[4..]);
                uint rseq = BinaryPrimitives.ReadUInt32LittleEndian(r[8..]);
                if (type == NLMSG_ERROR && rseq == seq && r.Length >= 20)
                    return -BinaryPrimitives.ReadInt32LittleEndian(r[16..]);
                if (mlen < 16 || mlen > r.Length)
                    break;
                r = r[Align((int)mlen)..];
            }
        }
    }

    private static int Align(int n) => (n + 3) & ~3;
}
