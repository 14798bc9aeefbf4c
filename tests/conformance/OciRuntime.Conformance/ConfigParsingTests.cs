using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>`run` reads config.json once (it needs process.terminal before create) and still reports config errors as create does.</summary>
public sealed class ConfigParsingTests : ConformanceTest
{
    public ConfigParsingTests(ITestOutputHelper output) : base(output) { }

    [Fact]
    public void Run_parses_config_json_once()
    {
        var b = NewBundle().Args("/bin/true");
        string id = Rt.NewId();
        b.Save();
        // ContainerCreator.ParseConfig marks the phase on every parse: a second parse (run used to
        // parse once for process.terminal and again in create) shows as a second mark.
        Rt.Invoke("--trace", "run", "--bundle", b.Dir, id).AssertOk("run --trace");
        var parses = File.ReadLines(Rt.LogFile).Where(l => l.Contains("trace: parse config.json")).ToList();
        Assert.Single(parses);
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void Run_with_a_config_of_the_wrong_type_names_the_field_and_leaves_nothing()
    {
        var b = NewBundle();
        b.Process["args"] = JsonValue.Create(5);
        string id = Rt.NewId();
        Rt.Run(b, id).AssertFailed("run with process.args = 5").AssertStderrMentions("process.args: expected an array, got 5");
        Scope.AssertNothingLeft([id]);
    }

    [Fact]
    public void A_state_record_survives_every_command_that_reads_it()
    {
        var b = NewBundle().Args("/bin/sleep", "30");
        b.Config["annotations"] = new JsonObject { ["org.example/é"] = "<&'+>" };
        string id = Rt.NewId();
        Rt.Create(b, id).AssertOk();
        var created = Rt.StateJson(id);
        Assert.Equal("created", created["status"]!.GetValue<string>());
        Assert.Equal("<&'+>", created["annotations"]!["org.example/é"]!.GetValue<string>());
        Rt.StartContainer(id).AssertOk();
        Assert.Equal(created["pid"]!.GetValue<int>(), Rt.StateJson(id)["pid"]!.GetValue<int>());
        Rt.Delete(id, force: true).AssertOk();
        Scope.AssertNothingLeft([id]);
    }
}
