using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Spec;

public class VersionMatcherTests
{
    [Theory]
    [InlineData("1.0.0", true)]
    [InlineData("1.3.0", true)]
    [InlineData("1.0.2-dev", true)]
    [InlineData("1.2.1-rc.1+build.5", true)]
    [InlineData("1.10.20", true)]
    [InlineData("1.0", false)]
    [InlineData("2.0.0", false)]
    [InlineData("1.01.0", false)]
    [InlineData("1.0.00", false)]
    [InlineData("1.0.0-", false)]
    [InlineData("1.0.0+", false)]
    [InlineData("1.0.0 ", false)]
    [InlineData("1.a.0", false)]
    [InlineData("", false)]
    public void Oci_versions_are_1_x_semver(string v, bool ok) => Assert.Equal(ok, SpecValidator.IsOciVersion(v));

    [Theory]
    [InlineData("0-3,5", true)]
    [InlineData("1, 2", true)]
    [InlineData("", true)]
    [InlineData("0-3;5", false)]
    [InlineData("a", false)]
    public void Cpu_lists(string s, bool ok) => Assert.Equal(ok, SpecValidator.IsCpuList(s));
}
