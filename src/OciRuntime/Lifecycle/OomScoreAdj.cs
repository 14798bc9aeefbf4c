using System.Text;
using OciRuntime.Linux;

namespace OciRuntime.Lifecycle;

/// <summary>
/// process.oomScoreAdj, written by the host into /proc/PID/oom_score_adj of the executor while it
/// waits at PlaceInCgroup, before it forks the init: every process of the container inherits it.
/// </summary>
internal static unsafe class OomScoreAdj
{
    private const int EACCES = 13;

    public static void Apply(int pid, int value)
    {
        string path = $"/proc/{pid}/oom_score_adj";
        int fd = LibC.open(path, LibC.O_WRONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0)
            throw Error(path, LibC.Errno);
        try
        {
            byte[] text = Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            fixed (byte* p = text)
                if (LibC.write(fd, p, text.Length) != text.Length)
                    throw Error(path, LibC.Errno);
        }
        finally
        {
            LibC.close(fd);
        }
    }

    private static RuntimeError Error(string path, int errno) => new(
        $"process.oomScoreAdj: write {path}: {LibC.StrError(errno)}" +
        (errno == EACCES ? "; a value below the runtime's own minimum needs CAP_SYS_RESOURCE, which the runtime does not have here" : ""));
}
