namespace OciRuntime.Linux;

/// <summary>
/// Whether this kernel has id-mapped mounts, for `features`: mount_setattr(2) with
/// MOUNT_ATTR_IDMAP and a userns_fd that is no open file. A kernel that knows the attribute looks
/// the fd up and answers EBADF before it touches any path; an older one answers ENOSYS (no
/// mount_setattr) or EINVAL (unknown attribute), a seccomp filter EPERM. Nothing is changed.
/// Whether a given filesystem supports it is known only when a mount is made (EINVAL then).
/// </summary>
internal static unsafe partial class IdmapSupport
{
    private const long SYS_mount_setattr = 442;
    private const long AT_EMPTY_PATH = 0x1000;
    private const ulong MOUNT_ATTR_IDMAP = 0x00100000;
    private const int EBADF = 9;

    public static bool KernelSupportsIdmappedMounts()
    {
        // struct mount_attr (MOUNT_ATTR_SIZE_VER0): u64 attr_set, attr_clr, propagation, userns_fd
        ulong* attr = stackalloc ulong[4];
        attr[0] = MOUNT_ATTR_IDMAP;
        attr[1] = 0;
        attr[2] = 0;
        attr[3] = int.MaxValue; // a valid fd number nobody has open
        byte* empty = stackalloc byte[1];
        empty[0] = 0;
        long r = LibC.syscall5(SYS_mount_setattr, -1, (long)empty, AT_EMPTY_PATH, (long)attr, 32);
        return r < 0 && LibC.Errno == EBADF;
    }
}
