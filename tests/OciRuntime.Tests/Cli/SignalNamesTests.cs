using OciRuntime.Cli;
using Xunit;

namespace OciRuntime.Tests.Cli;

public class SignalNamesTests
{
    [Theory]
    [InlineData("KILL", 9)]
    [InlineData("SIGKILL", 9)]
    [InlineData("sigterm", 15)]
    [InlineData("9", 9)]
    [InlineData("USR1", 10)]
    [InlineData("CHLD", 17)]
    [InlineData("SIGRTMIN", 34)]
    [InlineData("RTMIN+3", 37)]
    [InlineData("SIGRTMAX-1", 63)]
    [InlineData("64", 64)]
    [InlineData("0", 0)] // kill ID 0: is the init alive? (runc)
    public void Parses_names_and_numbers(string s, int n) => Assert.Equal(n, SignalNames.Parse(s));

    [Theory]
    [InlineData("SIGFOO")]
    [InlineData("65")]
    [InlineData("999")]
    [InlineData("-1")]
    [InlineData("RTMIN+40")]
    [InlineData("")]
    public void Rejects_bad_signals(string s) =>
        Assert.Contains("invalid signal", Assert.Throws<RuntimeError>(() => SignalNames.Parse(s)).Message);
}
