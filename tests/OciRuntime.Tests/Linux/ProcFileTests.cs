using OciRuntime.Linux;
using Xunit;

namespace OciRuntime.Tests.Linux;

/// <summary>ProcFile: the host's writes to /proc/PID files land only on procfs.</summary>
public class ProcFileTests
{
    [Fact]
    public void A_file_that_is_not_on_procfs_is_refused_and_left_alone()
    {
        // What a mount over /proc/PID/oom_score_adj would put there: any other file.
        string path = Path.Combine(Path.GetTempPath(), "procfile-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, "untouched");
        try
        {
            Assert.Equal(ProcFile.NotProcfs, ProcFile.TryWrite(path, "1000"));
            Assert.Equal("untouched", File.ReadAllText(path));
            var e = Assert.Throws<RuntimeError>(() => ProcFile.Write(path, "1000", "process.oomScoreAdj"));
            Assert.Contains("process.oomScoreAdj", e.Message);
            Assert.Contains("not a procfs file", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_procfs_file_is_written()
    {
        string current = File.ReadAllText("/proc/self/oom_score_adj").Trim();
        Assert.Equal(0, ProcFile.TryWrite("/proc/self/oom_score_adj", current));
    }
}
