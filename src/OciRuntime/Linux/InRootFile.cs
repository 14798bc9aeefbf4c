using System.Text;

namespace OciRuntime.Linux;

/// <summary>
/// Reads a file of the container's root filesystem from the host side, resolved with
/// openat2(RESOLVE_IN_ROOT): a symlink in the image (etc/passwd -> /etc/shadow) resolves inside
/// the rootfs, never to the host's file; only a regular file is read.
/// </summary>
internal static unsafe partial class InRootFile
{
    private const long SYS_openat2 = 437;
    private const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;
    private const int MaxBytes = 1 << 20;
    private const uint S_IFREG = 0x8000;

    private struct OpenHow
    {
        public ulong Flags, Mode, Resolve;
    }

    /// <summary>The file's text, or null when it does not exist or cannot be read.</summary>
    public static string? ReadText(string root, string pathInRoot)
    {
        int dirfd = LibC.open(root, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (dirfd < 0)
            return null;
        try
        {
            var how = new OpenHow { Flags = (ulong)(LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NONBLOCK), Resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
            byte[] path = Encoding.UTF8.GetBytes(pathInRoot + "\0");
            int fd;
            fixed (byte* p = path)
                fd = (int)LibC.syscall4(SYS_openat2, dirfd, (long)p, (long)&how, sizeof(OpenHow));
            if (fd < 0)
                return null;
            try
            {
                // Only a regular file: the image could make it a device (a block device of the
                // host's disk, /dev/kmsg) or a fifo, whose reading the runtime must not do.
                byte* st = stackalloc byte[LibC.StatSize];
                if (LibC.fstat(fd, st) != 0 || (*(uint*)(st + LibC.StatModeOffset) & LibC.S_IFMT) != S_IFREG)
                    return null;
                return SysFile.ReadToEnd(fd, MaxBytes, out _);
            }
            finally
            {
                LibC.close(fd);
            }
        }
        finally
        {
            LibC.close(dirfd);
        }
    }
}
