using System.Runtime.InteropServices;

namespace OciRuntime.Linux;

/// <summary>
/// The host's writes to a process's procfs files (/proc/PID/oom_score_adj, uid_map, gid_map,
/// setgroups): opened without following a symlink, checked with fstatfs to be procfs (a mount over
/// /proc, or over one of its files, must not receive what is meant for the kernel), and written in
/// one write(2), as those files want. The one way the runtime writes there.
/// </summary>
internal static unsafe partial class ProcFile
{
    private const long PROC_SUPER_MAGIC = 0x9fa0;
    private const int O_PATH = 0x200000;
    private const int StatfsSize = 120; // sizeof(struct statfs) on x86-64; f_type comes first

    /// <summary>What <see cref="TryWrite"/> returns for a file that is not on procfs.</summary>
    public const int NotProcfs = -1;

    // Hand-written: Tmds.LibC 0.5.0 has fstatvfs only, which has no f_type (decisions §49).
    [LibraryImport("libc", SetLastError = true)]
    private static partial int fstatfs(int fd, byte* buf);

    /// <summary>0, an errno, or <see cref="NotProcfs"/>.</summary>
    public static int TryWrite(string path, string value)
    {
        int fd = LibC.open(path, LibC.O_WRONLY | LibC.O_CLOEXEC | LibC.O_NOFOLLOW, 0);
        if (fd < 0)
            return LibC.Errno;
        try
        {
            byte* sf = stackalloc byte[StatfsSize];
            if (fstatfs(fd, sf) != 0)
                return LibC.Errno;
            if (*(long*)sf != PROC_SUPER_MAGIC)
                return NotProcfs;
            return SysFile.WriteOnce(fd, value);
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>Whether path (followed) is on a procfs; false when it cannot be opened.</summary>
    public static bool IsProcfs(string path)
    {
        int fd = LibC.open(path, O_PATH | LibC.O_CLOEXEC, 0);
        if (fd < 0)
            return false;
        byte* sf = stackalloc byte[StatfsSize];
        bool proc = fstatfs(fd, sf) == 0 && *(long*)sf == PROC_SUPER_MAGIC;
        LibC.close(fd);
        return proc;
    }

    /// <summary>As <see cref="TryWrite"/>, failing with an error that names the config field.</summary>
    public static void Write(string path, string value, string field, Func<int, string>? hint = null)
    {
        int err = TryWrite(path, value);
        if (err != 0)
            throw new RuntimeError($"{field}: write {path}: " +
                (err == NotProcfs ? "not a procfs file (refused)" : LibC.StrError(err) + (hint?.Invoke(err) ?? "")));
    }
}
