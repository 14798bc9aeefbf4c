using System.Text.Json.Nodes;
using OciRuntime.Cgroups;
using OciRuntime.Cli;
using OciRuntime.Planning;
using Xunit;

namespace OciRuntime.Tests.Cgroups;

public class CgroupCommandTests
{
    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData("512k", 524288L)]
    [InlineData("100m", 104857600L)]
    [InlineData("2G", 2147483648L)]
    [InlineData("1.5g", 1610612736L)]
    [InlineData("-1", -1L)]
    public void Sizes_as_runc_update_takes_them(string s, long expected) => Assert.Equal(expected, ByteSize.Parse("memory", s));

    [Fact]
    public void A_bad_size_names_the_flag() =>
        Assert.Contains("--memory", Assert.Throws<UsageError>(() => ByteSize.Parse("memory", "lots")).Message);

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("5s", 5000)]
    [InlineData("1m", 60000)]
    [InlineData("2", 2000)]
    public void Event_intervals_in_go_duration_syntax(string s, int ms) =>
        Assert.Equal(TimeSpan.FromMilliseconds(ms), EventsCommand.Interval(s));

    [Fact]
    public void Update_flags_become_linux_resources_over_the_json_document()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{ "memory": { "limit": 1000, "swap": 5000 }, "pids": { "limit": 9 } }""");
            var a = new ParsedArgs();
            a.Set("resources", file);
            a.Set("memory", "2k");
            a.Set("cpu-quota", "-1");
            a.Set("cpu-share", "512");
            a.Set("cpuset-cpus", "0");
            a.Set("blkio-weight", "300");
            var r = UpdateCommand.Resources(a);
            Assert.Equal(2048, r.Memory!.Limit);
            Assert.Equal(5000, r.Memory.Swap);
            Assert.Equal(9, r.Pids!.Limit);
            Assert.Equal(-1, r.Cpu!.Quota);
            Assert.Equal(512UL, r.Cpu.Shares);
            Assert.Equal("0", r.Cpu.Cpus);
            Assert.Equal((ushort)300, r.BlockIO!.Weight);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Ps_table_keeps_the_header_and_the_container_pids()
    {
        string ps = "UID PID PPID C STIME TTY TIME CMD\nroot 1 0 0 10:00 ? 00:00:01 init\nroot 42 1 0 10:00 ? 00:00:00 sleep 9\nroot 43 42 0 10:00 ? 00:00:00 sh\n";
        Assert.Equal("UID PID PPID C STIME TTY TIME CMD\nroot 42 1 0 10:00 ? 00:00:00 sleep 9\n", PsCommand.Filter(ps, [42, 7]));
        Assert.Throws<RuntimeError>(() => PsCommand.Filter("COMMAND\nx\n", [1]));
    }

    [Fact]
    public void Stats_event_has_runc_shape()
    {
        var s = new CgroupStats { CpuUsageTotal = 5, ThrottledPeriods = 2, MemoryUsage = 100, PidsCurrent = 3, PidsLimit = ulong.MaxValue };
        s.IoServiceBytes.Add((8, 0, "Read", 4096));
        s.Hugetlb["2MB"] = (1, 2, 0);
        var j = JsonNode.Parse(EventsCommand.Stats("ct", s))!;
        Assert.Equal("stats", (string?)j["type"]);
        Assert.Equal("ct", (string?)j["id"]);
        Assert.Equal(5UL, (ulong)j["data"]!["cpu"]!["usage"]!["total"]!);
        Assert.Equal(2UL, (ulong)j["data"]!["cpu"]!["throttling"]!["throttledPeriods"]!);
        Assert.Equal(100UL, (ulong)j["data"]!["memory"]!["usage"]!["usage"]!);
        Assert.Equal(3UL, (ulong)j["data"]!["pids"]!["current"]!);
        Assert.Equal(0UL, (ulong)j["data"]!["pids"]!["limit"]!);
        Assert.Equal("Read", (string?)j["data"]!["blkio"]!["ioServiceBytesRecursive"]![0]!["op"]);
        Assert.Equal(2UL, (ulong)j["data"]!["hugetlb"]!["2MB"]!["max"]!);
    }
}
