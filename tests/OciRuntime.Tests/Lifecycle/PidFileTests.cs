using OciRuntime.Lifecycle;
using Xunit;

namespace OciRuntime.Tests.Lifecycle;

/// <summary>--pid-file: written through SysFile next to its final name and renamed over it.</summary>
public class PidFileTests
{
    [Fact]
    public void The_pid_replaces_an_older_file_whole_and_leaves_no_temporary_file()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            string path = Path.Combine(dir, "ct.pid");
            File.WriteAllText(path, "123456789");
            ContainerCreator.WritePidFile(path, 42);
            Assert.Equal("42", File.ReadAllText(path));
            Assert.Equal(["ct.pid"], Directory.GetFiles(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_missing_directory_is_named()
    {
        var e = Assert.Throws<RuntimeError>(() => ContainerCreator.WritePidFile("/nonexistent-h18/ct.pid", 1));
        Assert.Contains("--pid-file /nonexistent-h18/ct.pid", e.Message);
    }
}
