using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Spec;

/// <summary>
/// Every kind of error the hand reader (Spec/Json) reports, beyond ConfigLoaderErrorTests: the
/// messages and their priority are those the JsonSerializer path gave.
/// </summary>
public class HandReaderErrorTests
{
    private static string Fail(string json) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(TestData.Utf8(json))).Message;

    [Theory]
    [InlineData("""{ "process": { "user": { "uid": 1e3 } } }""", "process.user.uid: expected an integer from 0 to 4294967295, got 1e3")]
    [InlineData("""{ "process": { "user": { "uid": 4294967296 } } }""", "process.user.uid: expected an integer from 0 to 4294967295, got 4294967296")]
    [InlineData("""{ "process": { "oomScoreAdj": 2147483648 } }""", "process.oomScoreAdj: expected an integer from -2147483648 to 2147483647, got 2147483648")]
    [InlineData("""{ "process": { "oomScoreAdj": "1" } }""", "process.oomScoreAdj: expected an integer from -2147483648 to 2147483647, got the string \"1\"")]
    [InlineData("""{ "linux": { "devices": [ { "major": 9223372036854775808 } ] } }""", "linux.devices[0].major: expected an integer from -9223372036854775808 to 9223372036854775807, got 9223372036854775808")]
    [InlineData("""{ "linux": { "resources": { "cpu": { "shares": -1 } } } }""", "linux.resources.cpu.shares: expected an integer from 0 to 18446744073709551615, got -1")]
    [InlineData("""{ "linux": { "resources": { "blockIO": { "weight": 1.0 } } } }""", "linux.resources.blockIO.weight: expected an integer from 0 to 65535, got 1.0")]
    [InlineData("""{ "process": { "terminal": 1 } }""", "process.terminal: expected true or false, got 1")]
    [InlineData("""{ "process": { "terminal": [] } }""", "process.terminal: expected true or false, got an array")]
    [InlineData("""{ "hostname": false }""", "hostname: expected a string, got false")]
    [InlineData("""{ "process": "sh" }""", "process: expected an object, got the string \"sh\"")]
    [InlineData("""{ "annotations": [] }""", "annotations: expected an object, got an array")]
    [InlineData("""{ "linux": { "timeOffsets": { "monotonic": null } } }""", "linux.timeOffsets.monotonic: expected an object, got null")]
    [InlineData("""{ "linux": { "netDevices": { "eth 0": 5 } } }""", "linux.netDevices[\"eth 0\"]: expected an object, got 5")]
    [InlineData("""{ "process": { "rlimits": [ { "type": "RLIMIT_CORE", "hard": null, "soft": 1 } ] } }""", "process.rlimits[0].hard: expected an integer from 0 to 18446744073709551615, got null")]
    public void WrongValues(string json, string message) => Assert.Equal("config.json: " + message, Fail(json));

    [Fact]
    public void BothRequiredRlimitFieldsMissingAreNamedTogether()
    {
        Assert.Equal("config.json: process.rlimits[0]: missing required fields \"hard\", \"soft\"",
            Fail("""{ "process": { "rlimits": [ { "type": "RLIMIT_CORE" } ] } }"""));
        Assert.Equal("config.json: process.rlimits[0]: missing required field \"soft\"",
            Fail("""{ "process": { "rlimits": [ { "type": "RLIMIT_CORE", "HARD": 1 } ] } }"""));
    }

    [Fact]
    public void TheFieldIsNamedAsTheFileSpellsIt()
    {
        Assert.Equal("config.json: Process.ARGS[0]: expected a string, got 1", Fail("""{ "Process": { "ARGS": [1] } }"""));
    }

    [Fact]
    public void LongValuesAreShortenedInMessages()
    {
        string message = Fail($$"""{ "process": { "user": { "uid": "{{new string('x', 100)}}" } } }""");
        Assert.Equal($"config.json: process.user.uid: expected an integer from 0 to 4294967295, got the string \"{new string('x', 56)}...", message);
    }

    [Fact]
    public void ASyntaxErrorAnywhereWinsOverAWrongValue()
    {
        string message = Fail("""{ "hostname": 5, "mounts": [ }""");
        Assert.StartsWith("config.json: invalid JSON at line 1, column ", message);
    }

    [Fact]
    public void NullItemsAreReportedAfterWrongValues()
    {
        // The serializer found wrong values first and null items in a second pass; same order.
        Assert.Equal("config.json: hostname: expected a string, got 5", Fail("""{ "process": { "args": [null] }, "hostname": 5 }"""));
        Assert.Equal("config.json: process.args[0]: expected a string, got null", Fail("""{ "process": { "args": [null] }, "mounts": [ { "options": [null] } ] }"""));
        // A null in a list of numbers is a wrong value like any other (uint cannot be null).
        Assert.Equal("config.json: process.user.additionalGids[0]: expected an integer from 0 to 4294967295, got null",
            Fail("""{ "process": { "args": [null], "user": { "additionalGids": [null] } } }"""));
    }

    [Fact]
    public void TrailingContentIsNotJson()
    {
        Assert.StartsWith("config.json: invalid JSON at line 1, column ", Fail("""{ "ociVersion": "1.3.0" } {}"""));
        Assert.StartsWith("config.json: invalid JSON at line 1, column ", Fail("""{ } x"""));
    }

    [Fact]
    public void NestingDeeperThan64IsRefusedEvenInAnUnknownMember()
    {
        string deep = new string('[', 70) + new string(']', 70);
        Assert.StartsWith("config.json: invalid JSON at line 1, column ", Fail($$"""{ "x": {{deep}} }"""));
    }

    [Fact]
    public void UnknownMembersAreSkippedWhateverTheyHold()
    {
        var s = ConfigLoader.Parse(TestData.Utf8("""{ "x": [null, { "args": 5 }, "s", 1e99], "process": { "y": { "z": null } }, "ociVersion": "1.3.0" }"""));
        Assert.Equal("1.3.0", s.OciVersion);
        Assert.NotNull(s.Process);
    }

    [Fact]
    public void OtherPlatformsHoldAnyJson()
    {
        var s = ConfigLoader.Parse(TestData.Utf8("""{ "windows": [null, 1.5, { "a": null }], "zos": "x" }"""));
        Assert.Equal(3, s.Windows!.Value.GetArrayLength());
        Assert.Equal("x", s.Zos!.Value.GetString());
    }

    [Fact]
    public void ProcessJsonErrors()
    {
        Assert.Equal("process.json: expected a JSON object, got an array",
            Assert.Throws<ConfigException>(() => ConfigLoader.ParseProcess(TestData.Utf8("[]"))).Message);
        Assert.Equal("process.json: user.uid: expected an integer from 0 to 4294967295, got -1",
            Assert.Throws<ConfigException>(() => ConfigLoader.ParseProcess(TestData.Utf8("""{ "user": { "uid": -1 } }"""))).Message);
        Assert.Equal("process.json: the file is empty (expected a JSON object)",
            Assert.Throws<ConfigException>(() => ConfigLoader.ParseProcess([0xEF, 0xBB, 0xBF, (byte)' '])).Message);
    }

    [Fact]
    public void ErrorsCarryTheJsonPath()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(TestData.Utf8("""{ "linux": { "sysctl": { "a.b": 1 } } }""")));
        Assert.Equal("linux.sysctl[\"a.b\"]", e.JsonPath);
    }
}
