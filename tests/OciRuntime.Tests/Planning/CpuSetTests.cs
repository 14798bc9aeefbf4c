using OciRuntime.Planning;
using Xunit;

namespace OciRuntime.Tests.Planning;

public class CpuSetTests
{
    [Theory]
    [InlineData("0", new ulong[] { 0x1 })]
    [InlineData("1", new ulong[] { 0x2 })]
    [InlineData("0-3,7", new ulong[] { 0x8F })]
    [InlineData(" 2 , 4-5 ", new ulong[] { 0x34 })]
    [InlineData("63-64", new ulong[] { 0x8000_0000_0000_0000, 0x1 })]
    [InlineData("130", new ulong[] { 0, 0, 0x4 })]
    public void A_cpu_list_becomes_the_kernel_mask(string list, ulong[] expected) =>
        Assert.Equal(expected, CpuSet.Parse(list, "f"));

    [Theory]
    [InlineData("", "expected a CPU list")]
    [InlineData("a", "expected a CPU list")]
    [InlineData("1,,2", "expected a CPU list")]
    [InlineData("-1", "expected a CPU list")]
    [InlineData("3-1", "runs backwards")]
    [InlineData("8192", "above the highest possible")]
    public void Bad_lists_are_refused_naming_the_field(string list, string message)
    {
        var e = Assert.Throws<PlanningException>(() => CpuSet.Parse(list, "process.execCPUAffinity.final"));
        Assert.Equal("process.execCPUAffinity.final", e.Path);
        Assert.Contains(message, e.Message);
    }
}
