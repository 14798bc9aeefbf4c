using Microsoft.Win32.SafeHandles;
using OciRuntime.Linux;

namespace OciRuntime.Rootless;

/// <summary>
/// Starting the executor without the right to clone a mount. oci_spawn_executor runs the binary
/// from a read-only detached bind (CVE-2019-5736, decision 11), which needs CAP_SYS_ADMIN; an
/// unprivileged caller gets EPERM. The protection is needed only if the container could write the
/// binary through /proc/PID/exe: its processes hold the caller's id (or ids below it from
/// /etc/subuid) and no capability over files of unmapped owners, so they can write it exactly when
/// the caller could. A binary the caller can neither write nor chmod (owned by someone else, not
/// writable) is exec'd as it is; otherwise from a sealed memfd copy (runc's way, ~1.5 ms and the
/// binary's size in memory per container, only in that case).
/// </summary>
internal static unsafe class ExecutorImage
{
    private const string SelfExe = "/proc/self/exe";

    /// <summary>The image to start the executor from (an fd the caller closes): a read-only bind
    /// of the binary, or without the right to make one, <see cref="Open"/>'s.</summary>
    public static int Get()
    {
        int fd = NativeExecutor.oci_executor_image(SelfExe);
        if (fd >= 0)
            return fd;
        if (fd != -LibC.EPERM)
            throw new SyscallException($"clone a read-only mount of {SelfExe}", -fd);
        return Open();
    }

    /// <summary>Whether a caller could change a binary: it may write it, or it owns it (and so may chmod it).</summary>
    public static bool CallerCouldModify(bool writable, uint owner, uint euid) => writable || owner == euid;

    private static int Open()
    {
        string real = File.ResolveLinkTarget(SelfExe, returnFinalTarget: true)?.FullName ?? SelfExe;
        bool writable = LibC.access(real, LibC.W_OK) == 0;
        uint owner = OwnerOf(real);
        if (!CallerCouldModify(writable, owner, LibC.geteuid()))
        {
            int fd = LibC.open(SelfExe, LibC.O_PATH | LibC.O_CLOEXEC, 0);
            if (fd < 0)
                throw SyscallException.Last($"open {SelfExe}");
            return fd;
        }
        return SealedCopy();
    }

    private static unsafe uint OwnerOf(string path)
    {
        // .NET has no file owner API: stat(2), whose x86-64 struct stat has st_uid at offset 28.
        byte* st = stackalloc byte[LibC.StatSize];
        if (LibC.stat(path, st) != 0)
            throw SyscallException.Last($"stat {path}");
        return *(uint*)(st + LibC.StatUidOffset);
    }

    private static int SealedCopy()
    {
        int fd = LibC.memfd_create("ociruntime-executor", LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        if (fd < 0)
            throw SyscallException.Last("memfd_create");
        try
        {
            using (var src = File.OpenRead(SelfExe))
            using (var dst = new FileStream(new SafeFileHandle(fd, ownsHandle: false), FileAccess.Write))
                src.CopyTo(dst);
            if (LibC.fchmod(fd, 0b111_101_101) != 0) // 0755: execveat checks the exec bit
                throw SyscallException.Last("fchmod the executor's copy");
            if (LibC.fcntl(fd, LibC.F_ADD_SEALS, LibC.F_SEAL_SEAL | LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_WRITE) != 0)
                throw SyscallException.Last("seal the executor's copy");
            return fd;
        }
        catch
        {
            LibC.close(fd);
            throw;
        }
    }
}
