using System.Text;

namespace OciRuntime.Linux;

/// <summary>
/// Whole-file reads and writes of small kernel files (cgroupfs, procfs) with plain open/read/write.
/// FileStream would add an fstat, an flock for its sharing rules and buffering to every one of
/// the dozens of cgroup files a container start touches.
/// </summary>
internal static unsafe class SysFile
{
    /// <summary>Writes <paramref name="value"/> in one write(2), as cgroupfs wants; returns 0 or errno.
    /// <paramref name="truncate"/> opens with O_TRUNC (as runc writes cgroup files; kernfs ignores
    /// it, a regular file standing in for one loses its old value).</summary>
    public static int TryWrite(string path, string value, bool truncate = false)
    {
        int fd = LibC.open(path, LibC.O_WRONLY | LibC.O_CLOEXEC | (truncate ? LibC.O_TRUNC : 0), 0);
        if (fd < 0)
            return LibC.Errno;
        int err = WriteOnce(fd, value);
        LibC.close(fd);
        return err;
    }

    /// <summary>Writes <paramref name="value"/> to an open kernel file in one write(2) (each is one
    /// attribute value or rule to the kernel), retried on EINTR; returns 0 or errno.</summary>
    public static int WriteOnce(int fd, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        nint n;
        fixed (byte* p = bytes)
            while ((n = LibC.write(fd, p, bytes.Length)) < 0 && LibC.Errno == LibC.EINTR)
            {
            }
        return n < 0 ? LibC.Errno : 0;
    }

    /// <summary>The file's text (at most 64 KiB, plenty for a kernel attribute), or null with errno.</summary>
    public static string? TryRead(string path, out int errno)
    {
        errno = 0;
        int fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            errno = LibC.Errno;
            return null;
        }
        string? text = ReadToEnd(fd, 65536, out errno);
        LibC.close(fd);
        return text;
    }

    /// <summary>A whole file's bytes with one open, fstat and read (FileStream would add an flock,
    /// buffers and a SafeHandle), or null with errno: EISDIR for a directory.</summary>
    public static byte[]? TryReadBytes(string path, out int errno)
    {
        errno = 0;
        int fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            errno = LibC.Errno;
            return null;
        }
        try
        {
            byte* st = stackalloc byte[LibC.StatSize];
            if (LibC.fstat(fd, st) != 0)
            {
                errno = LibC.Errno;
                return null;
            }
            if ((*(uint*)(st + LibC.StatModeOffset) & LibC.S_IFMT) == LibC.S_IFDIR)
            {
                errno = LibC.EISDIR;
                return null;
            }
            // The size is a hint (procfs says 0): read to the end whatever it says.
            long size = *(long*)(st + LibC.StatSizeOffset);
            var bytes = new byte[size > 0 && size < int.MaxValue ? size + 1 : 4096];
            int total = 0;
            while (true)
            {
                if (total == bytes.Length)
                    Array.Resize(ref bytes, bytes.Length * 2);
                nint n;
                fixed (byte* p = bytes)
                    n = LibC.read(fd, p + total, bytes.Length - total);
                if (n < 0 && LibC.Errno == LibC.EINTR)
                    continue;
                if (n < 0)
                {
                    errno = LibC.Errno;
                    return null;
                }
                if (n == 0)
                    break;
                total += (int)n;
            }
            if (total != bytes.Length)
                Array.Resize(ref bytes, total);
            return bytes;
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>Writes all of <paramref name="bytes"/> to fd, retrying short writes and EINTR;
    /// 0, or the errno (EIO when a write wrote nothing).</summary>
    public static int WriteAll(int fd, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes)
        {
            int off = 0;
            while (off < bytes.Length)
            {
                nint n = LibC.write(fd, p + off, bytes.Length - off);
                if (n < 0 && LibC.Errno == LibC.EINTR)
                    continue;
                if (n <= 0)
                    return n < 0 ? LibC.Errno : LibC.EIO;
                off += (int)n;
            }
        }
        return 0;
    }

    /// <summary>Writes <paramref name="bytes"/> to a new <paramref name="tmp"/> file (mode 0666 less
    /// the umask) and renames it over <paramref name="path"/>, so that readers see the old file or
    /// the whole new one: three calls where File.WriteAllBytes and File.Move make eight.</summary>
    public static void ReplaceFile(string path, string tmp, byte[] bytes)
    {
        int fd = LibC.open(tmp, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC | LibC.O_CLOEXEC, 0b110_110_110);
        if (fd < 0)
            throw SyscallException.Last($"open {tmp}");
        int err = WriteAll(fd, bytes);
        LibC.close(fd);
        if (err != 0)
            throw new SyscallException($"write {tmp}", err);
        if (LibC.rename(tmp, path) != 0)
            throw SyscallException.Last($"rename {tmp} to {path}");
    }

    /// <summary>The whole file's text; throws naming the path when it cannot be read.</summary>
    public static string Read(string path) =>
        TryRead(path, out int errno) ?? throw new SyscallException($"read {path}", errno);

    // One buffer per thread, kept: a start reads mountinfo (often over 4 KiB) several times, and
    // every new array is zeroed by the GC, which showed up in profiles of `run`.
    [ThreadStatic] private static byte[]? t_buffer;

    /// <summary>Reads an open fd to its end (at most <paramref name="max"/> bytes) as UTF-8;
    /// null with errno on a read error.</summary>
    public static string? ReadToEnd(int fd, int max, out int errno)
    {
        errno = 0;
        // Most kernel files are a line or two: start small, grow for mountinfo and the like.
        var buf = t_buffer ??= new byte[4096];
        int total = 0;
        while (true)
        {
            if (total >= max)
                break;
            if (total == buf.Length)
            {
                Array.Resize(ref buf, Math.Min(max, buf.Length * 4));
                t_buffer = buf;
            }
            nint n;
            fixed (byte* p = buf)
                n = LibC.read(fd, p + total, Math.Min(buf.Length, max) - total);
            if (n < 0 && LibC.Errno == LibC.EINTR)
                continue;
            if (n < 0)
                errno = LibC.Errno;
            if (n <= 0)
                break;
            total += (int)n;
        }
        return errno == 0 ? Encoding.UTF8.GetString(buf, 0, total) : null;
    }
}
