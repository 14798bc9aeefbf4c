using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Spec;

public class CapabilitiesTests
{
    [Theory]
    [InlineData("CAP_CHOWN", 0)]
    [InlineData("CAP_KILL", 5)]
    [InlineData("CAP_NET_BIND_SERVICE", 10)]
    [InlineData("CAP_SYS_ADMIN", 21)]
    [InlineData("CAP_MKNOD", 27)]
    [InlineData("CAP_AUDIT_WRITE", 29)]
    [InlineData("CAP_SETFCAP", 31)]
    [InlineData("CAP_AUDIT_READ", 37)]
    [InlineData("CAP_PERFMON", 38)]
    [InlineData("CAP_BPF", 39)]
    [InlineData("CAP_CHECKPOINT_RESTORE", 40)]
    public void NumbersMatchLinuxCapabilityH(string name, int number)
    {
        Assert.True(Capabilities.TryGetNumber(name, out int n));
        Assert.Equal(number, n);
        Assert.Equal(name, Capabilities.NameOf(number));
    }

    [Fact]
    public void TableIsComplete()
    {
        Assert.Equal(Capabilities.Last + 1, Capabilities.All.Count);
        Assert.Equal(Capabilities.All.Count, Capabilities.All.Distinct().Count());
        Assert.All(Capabilities.All, n => Assert.StartsWith("CAP_", n));
    }

    [Theory]
    [InlineData("cap_chown")]
    [InlineData("CHOWN")]
    [InlineData("CAP_FOO")]
    [InlineData("")]
    public void UnknownNames(string name) => Assert.False(Capabilities.TryGetNumber(name, out _));

    [Fact]
    public void NameOfOutOfRange()
    {
        Assert.Null(Capabilities.NameOf(-1));
        Assert.Null(Capabilities.NameOf(41));
    }
}
