using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Spec;

public class ConfigLoaderErrorTests
{
    private static ConfigException Fail(string json, string sourceName = "config.json") =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(TestData.Utf8(json), sourceName));

    [Fact]
    public void WrongTypeInArrayNamesTheIndex()
    {
        var e = Fail("""{ "ociVersion": "1.3.0", "process": { "args": ["sh", 5], "cwd": "/" } }""");
        Assert.Equal("config.json: process.args[1]: expected a string, got 5", e.Message);
        Assert.Equal("process.args[1]", e.JsonPath);
    }

    [Fact]
    public void MountOptionThatIsNotAString()
    {
        var e = Fail("""{ "mounts": [ { "destination": "/a", "options": ["ro", { "x": 1 }] } ] }""");
        Assert.Equal("config.json: mounts[0].options[1]: expected a string, got an object", e.Message);
    }

    [Fact]
    public void StringInsteadOfNumberIsNotConverted()
    {
        var e = Fail("""{ "process": { "user": { "uid": "0" } } }""");
        Assert.Equal("config.json: process.user.uid: expected an integer from 0 to 4294967295, got the string \"0\"", e.Message);
    }

    [Fact]
    public void NegativeNumberForUnsignedField()
    {
        var e = Fail("""{ "linux": { "uidMappings": [ { "containerID": 0, "hostID": -1, "size": 1 } ] } }""");
        Assert.Equal("config.json: linux.uidMappings[0].hostID: expected an integer from 0 to 4294967295, got -1", e.Message);
    }

    [Fact]
    public void NumberTooLargeForField()
    {
        var e = Fail("""{ "linux": { "resources": { "blockIO": { "weight": 70000 } } } }""");
        Assert.Equal("config.json: linux.resources.blockIO.weight: expected an integer from 0 to 65535, got 70000", e.Message);
    }

    [Fact]
    public void FractionForIntegerField()
    {
        var e = Fail("""{ "process": { "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1.5, "soft": 1 } ] } }""");
        Assert.Equal("config.json: process.rlimits[0].hard: expected an integer from 0 to 18446744073709551615, got 1.5", e.Message);
    }

    [Fact]
    public void ObjectWhereArrayExpected()
    {
        var e = Fail("""{ "mounts": { "destination": "/x" } }""");
        Assert.Equal("config.json: mounts: expected an array, got an object", e.Message);
    }

    [Fact]
    public void ArrayWhereObjectExpected()
    {
        var e = Fail("""{ "linux": { "namespaces": [ ["pid"] ] } }""");
        Assert.Equal("config.json: linux.namespaces[0]: expected an object, got an array", e.Message);
    }

    [Fact]
    public void StringWhereBooleanExpected()
    {
        var e = Fail("""{ "root": { "path": "rootfs", "readonly": "yes" } }""");
        Assert.Equal("config.json: root.readonly: expected true or false, got the string \"yes\"", e.Message);
    }

    [Fact]
    public void MapValueOfWrongTypeNamesTheKey()
    {
        var e = Fail("""{ "linux": { "sysctl": { "net.ipv4.ip_forward": 1 } } }""");
        Assert.Equal("config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string, got 1", e.Message);
        var e2 = Fail("""{ "annotations": { "plain": true } }""");
        Assert.Equal("config.json: annotations.plain: expected a string, got true", e2.Message);
    }

    [Fact]
    public void NullArrayItemIsRejected()
    {
        var e = Fail("""{ "process": { "args": ["sh", null] } }""");
        Assert.Equal("config.json: process.args[1]: expected a string, got null", e.Message);
        var e2 = Fail("""{ "mounts": [ { "destination": "/a" }, null ] }""");
        Assert.Equal("config.json: mounts[1]: expected an object, got null", e2.Message);
        var e3 = Fail("""{ "linux": { "sysctl": { "kernel.x": null } } }""");
        Assert.Equal("config.json: linux.sysctl[\"kernel.x\"]: expected a string, got null", e3.Message);
        var e4 = Fail("""{ "process": { "user": { "additionalGids": [1, null] } } }""");
        Assert.Equal("config.json: process.user.additionalGids[1]: expected an integer from 0 to 4294967295, got null", e4.Message);
    }

    [Fact]
    public void MissingRequiredRlimitFields()
    {
        var e = Fail("""{ "process": { "rlimits": [ { "type": "RLIMIT_NOFILE", "soft": 1 }, { "type": "RLIMIT_CORE" } ] } }""");
        Assert.Equal("config.json: process.rlimits[0]: missing required field \"hard\"", e.Message);
    }

    [Fact]
    public void RootMustBeAnObject()
    {
        Assert.Equal("config.json: expected a JSON object, got an array", Fail("[]").Message);
        Assert.Equal("config.json: expected a JSON object, got null", Fail("null").Message);
        Assert.Equal("config.json: expected a JSON object, got 42", Fail("42").Message);
    }

    [Fact]
    public void TruncatedJsonNamesTheLine()
    {
        var e = Fail("{\n  \"ociVersion\": \"1.3.0\",\n  \"process\": {\n    \"args\": [\"sh\"");
        Assert.StartsWith("config.json: invalid JSON at line 4, column ", e.Message);
        Assert.Contains("the file ends before every object and array is closed", e.Message);
    }

    [Fact]
    public void SyntaxErrorNamesLineAndColumn()
    {
        var e = Fail("{\n  \"ociVersion\": \"1.3.0\",\n  \"hostname\" \"x\"\n}");
        Assert.StartsWith("config.json: invalid JSON at line 3, column 14: ", e.Message);
        Assert.DoesNotContain("LineNumber", e.Message);
    }

    [Fact]
    public void TrailingCommaAndCommentsAreNotJson()
    {
        Assert.StartsWith("config.json: invalid JSON at line 1", Fail("""{ "ociVersion": "1.3.0", }""").Message);
        Assert.StartsWith("config.json: invalid JSON at line 1", Fail("""{ /* c */ "ociVersion": "1.3.0" }""").Message);
    }

    [Fact]
    public void EmptyFile()
    {
        Assert.Equal("config.json: the file is empty (expected a JSON object)", Fail("").Message);
        Assert.Equal("config.json: the file is empty (expected a JSON object)", Fail(" \n\t ").Message);
    }

    [Fact]
    public void SourceNameIsUsed()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ParseProcess(TestData.Utf8("""{ "args": "sh" }""")));
        Assert.Equal("process.json: args: expected an array, got the string \"sh\"", e.Message);
    }

    [Fact]
    public void MissingFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ociruntime-missing-{Guid.NewGuid():N}", "config.json");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path));
        Assert.Equal($"config.json: no such file: {path}", e.Message);
    }

    [Fact]
    public void DirectoryInsteadOfFile()
    {
        string dir = Directory.CreateTempSubdirectory("ociruntime-spec-").FullName;
        try
        {
            string path = Path.Combine(dir, "config.json");
            Directory.CreateDirectory(path);
            var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path));
            Assert.Equal($"config.json: {path} is a directory, not a file", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void EmptyFileOnDisk()
    {
        string dir = Directory.CreateTempSubdirectory("ociruntime-spec-").FullName;
        try
        {
            string path = Path.Combine(dir, "config.json");
            File.WriteAllBytes(path, []);
            var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path));
            Assert.Equal("config.json: the file is empty (expected a JSON object)", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void LoadReadsAFile()
    {
        var spec = ConfigLoader.Load(TestData.PathOf("full-config.json"));
        Assert.Equal("full", spec.Hostname);
    }
}
