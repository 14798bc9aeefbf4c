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

    public static void Apply(int pid, int value) =>
        ProcFile.Write($"/proc/{pid}/oom_score_adj", value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "process.oomScoreAdj", errno => errno == EACCES
                ? "; a value below the runtime's own minimum needs CAP_SYS_RESOURCE, which the runtime does not have here"
                : "");
}
