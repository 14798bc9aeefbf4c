namespace OciRuntime.Linux;

/// <summary>
/// A container without a mount namespace of its own makes its mounts in the runtime's, all on
/// the bind of its rootfs (decisions §45). The mount found at the rootfs path before `create` is
/// the base; `delete` (and a failed `create`) detaches whatever has been stacked on that path
/// since (the rootfs bind, with every mount below it), and never the base itself.
/// </summary>
internal static unsafe partial class HostMounts
{
    private const int SYS_statx = 332, AT_FDCWD = -100, MNT_DETACH = 2;
    private const uint STATX_MNT_ID = 0x1000, STATX_MNT_ID_UNIQUE = 0x4000;
    private const int StatxSize = 256, StatxMaskOffset = 0, StatxMntIdOffset = 144;

    private static int umount2(string target, int flags)
    {
        using var p = new LibC.CString(target, stackalloc byte[LibC.CStringBuffer]);
        return Tmds.Linux.LibC.umount2(p.Ptr, flags);
    }

    private static int statx(int dirfd, string path, int flags, uint mask, byte* buf)
    {
        using var p = new LibC.CString(path, stackalloc byte[LibC.CStringBuffer]);
        return Tmds.Linux.LibC.statx(dirfd, p.Ptr, flags, mask, (Tmds.Linux.statx*)buf);
    }

    /// <summary>The id of the topmost mount at <paramref name="path"/> (the 64-bit unique id where
    /// the kernel has it, Linux 6.8+), or null when the path is gone.</summary>
    public static ulong? TopMountId(string path)
    {
        byte* buf = stackalloc byte[StatxSize];
        foreach (uint want in new[] { STATX_MNT_ID_UNIQUE, STATX_MNT_ID })
        {
            new Span<byte>(buf, StatxSize).Clear();
            if (statx(AT_FDCWD, path, 0, want, buf) != 0)
            {
                if (LibC.Errno is LibC.ENOENT or LibC.ENOTDIR)
                    return null;
                throw SyscallException.Last($"statx {path}");
            }
            if ((*(uint*)(buf + StatxMaskOffset) & want) != 0)
                return (want == STATX_MNT_ID_UNIQUE ? 1UL << 63 : 0) | *(ulong*)(buf + StatxMntIdOffset);
        }
        throw new RuntimeError($"statx {path}: the kernel reports no mount id");
    }

    /// <summary>Whether <paramref name="path"/> names the runtime's own mount namespace (any name
    /// of it: /proc/PID/ns/mnt, a bind of it), compared by the nsfs file's device and inode.</summary>
    public static bool IsOwnMountNamespace(string path) =>
        NsId(path) is { } theirs && theirs == NsId("/proc/self/ns/mnt");

    private static (ulong Dev, ulong Ino)? NsId(string path)
    {
        int fd = LibC.open(path, 0x80000 /* O_RDONLY|O_CLOEXEC */, 0);
        if (fd < 0)
            return null;
        try
        {
            byte* st = stackalloc byte[LibC.StatSize];
            return LibC.fstat(fd, st) == 0 ? (*(ulong*)st, *(ulong*)(st + 8)) : null;
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>Detaches every mount stacked on <paramref name="rootfs"/> above <paramref name="baseId"/>.</summary>
    public static void UndoAbove(string rootfs, ulong baseId)
    {
        for (int i = 0; i < 64; i++)
        {
            ulong? top = TopMountId(rootfs);
            if (top is null || top == baseId)
                return;
            if (umount2(rootfs, MNT_DETACH) != 0)
                throw SyscallException.Last($"umount {rootfs} (the container's mounts in the runtime's mount namespace)");
        }
        throw new RuntimeError($"{rootfs}: the container's mounts are still there after 64 unmounts");
    }
}
