using OciRuntime.Lifecycle;
using Xunit;

namespace OciRuntime.Tests.Lifecycle;

public class InheritedFdsTests
{
    [Theory]
    [InlineData("2", "100", 100, 2)]
    [InlineData("2", "101", 100, 0)]   // meant for another process
    [InlineData("2", null, 100, 0)]
    [InlineData(null, "100", 100, 0)]
    [InlineData("x", "100", 100, 0)]
    [InlineData("-1", "100", 100, 0)]
    public void Listen_fds_count_only_when_meant_for_the_runtime(string? fds, string? pid, int self, int expected) =>
        Assert.Equal(expected, InheritedFds.ListenFds(fds, pid, self));

    [Fact]
    public void Container_gets_the_activation_variables_for_its_own_pid_1()
    {
        Assert.Equal(["A=1", "LISTEN_FDS=2", "LISTEN_PID=1"],
            InheritedFds.WithListenEnv(["A=1", "LISTEN_PID=77", "LISTEN_FDS=9"], 2));
        Assert.Equal(["A=1"], InheritedFds.WithListenEnv(["A=1"], 0));
    }
}
