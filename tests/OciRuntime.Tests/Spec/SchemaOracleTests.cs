using System.Text;
using OciRuntime.Cli;
using OciRuntime.Conformance;
using OciRuntime.Spec;
using OciRuntime.Spec.Json;
using Xunit;

namespace OciRuntime.Tests.Spec;

/// <summary>
/// The JSON documents the runtime writes, checked against the official runtime-spec v1.3.0 JSON
/// schemas (tests/schema/runtime-spec, vendored from ../shared/runtime-spec-schema) with
/// JsonSchema.Net. The conformance tests (SchemaConformanceTests) check what the binary prints.
/// </summary>
public class SchemaOracleTests
{
    /// <summary>The oracle can fail: upstream's own good examples pass and its bad ones do not.</summary>
    [Theory]
    [InlineData("config", SpecSchemas.Config)]
    [InlineData("features", SpecSchemas.Features)]
    [InlineData("state", SpecSchemas.State)]
    public void Upstream_examples_good_pass_and_bad_fail(string kind, string schema)
    {
        string dir = Path.Combine(SpecSchemas.Dir, "test", kind);
        var good = Directory.GetFiles(Path.Combine(dir, "good"), "*.json");
        var bad = Directory.GetFiles(Path.Combine(dir, "bad"), "*.json");
        Assert.NotEmpty(good);
        Assert.NotEmpty(bad);
        Assert.All(good, f => SpecSchemas.AssertValid(schema, File.ReadAllText(f), f));
        Assert.All(bad, f => Assert.True(SpecSchemas.Errors(schema, File.ReadAllText(f)).Count > 0, f + " passed the schema"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Spec_output_matches_the_config_schema(bool rootless)
    {
        SpecSchemas.AssertValid(SpecSchemas.Config, OciRuntime.Spec.DefaultSpec.ToJson(OciRuntime.Spec.DefaultSpec.Create(rootless, 1000, 1000)),
            rootless ? "spec --rootless" : "spec");
    }

    [Fact]
    public void Features_output_matches_the_features_schema()
    {
        SpecSchemas.AssertValid(SpecSchemas.Features,
            JsonOut.Text(FeaturesCommand.Build(), JsonOut.Indented, FeaturesWriter.WriteFeatures), "features");
    }

    [Theory]
    [InlineData("creating", 0)]
    [InlineData("created", 42)]
    [InlineData("running", 42)]
    [InlineData("stopped", 0)]
    public void State_matches_the_state_schema(string status, int pid)
    {
        var s = new State { OciVersion = "1.3.0", Id = "c1", Status = status, Pid = pid, Bundle = "/b",
            Annotations = new Dictionary<string, string> { ["a"] = "b" } };
        SpecSchemas.AssertValid(SpecSchemas.State, Encoding.UTF8.GetString(StateWriter.Serialize(s, indented: false)), "state " + status);
    }

    /// <summary>runc's form, what `state` prints and hooks read, is the same state with runc's
    /// rootfs, created and owner added: still valid against the runtime-spec's schema.</summary>
    [Theory]
    [InlineData("created", 42)]
    [InlineData("running", 42)]
    [InlineData("stopped", 0)]
    public void Runc_form_of_the_state_matches_the_state_schema(string status, int pid)
    {
        var s = State.Runc("c1", pid, status, "/b", "/b/rootfs", "2026-11-23T06:50:52.1234567Z",
            new Dictionary<string, string> { ["a"] = "b" }, owner: "root");
        SpecSchemas.AssertValid(SpecSchemas.State, Encoding.UTF8.GetString(StateWriter.Serialize(s, indented: true)), "state " + status);
        SpecSchemas.AssertValid(SpecSchemas.State, Encoding.UTF8.GetString(StateWriter.Serialize(s, indented: false)), "hook state " + status);
    }

    /// <summary>
    /// The schema is older (stricter) than the prose here: runtime-spec v1.3.0 runtime.md lets a
    /// runtime add status values for states of its own, but state-schema.json enumerates only the
    /// four; `paused` (runc's, which managers expect from `state`) is therefore the one
    /// difference the schema reports, and nothing else is wrong with the document.
    /// </summary>
    [Fact]
    public void Paused_state_differs_from_the_schema_only_in_the_status_enum()
    {
        var s = new State { OciVersion = "1.3.0", Id = "c1", Status = "paused", Pid = 42, Bundle = "/b" };
        var errors = SpecSchemas.Errors(SpecSchemas.State, Encoding.UTF8.GetString(StateWriter.Serialize(s, indented: false)));
        Assert.Contains(errors, e => e.StartsWith("/status ", StringComparison.Ordinal) && e.Contains("enum"));
        Assert.All(errors, e => Assert.True(e.StartsWith("/status ", StringComparison.Ordinal) || e.StartsWith(" (", StringComparison.Ordinal), e));
        s.Status = "running";
        Assert.Empty(SpecSchemas.Errors(SpecSchemas.State, Encoding.UTF8.GetString(StateWriter.Serialize(s, indented: false))));
    }

    [SharedSchemaFact]
    public void Vendored_schemas_are_identical_to_shared()
    {
        string shared = Path.Combine(SharedSchemaFactAttribute.SharedDir()!, "schema");
        foreach (var f in Directory.GetFiles(shared, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".json", StringComparison.Ordinal)))
        {
            string rel = Path.GetRelativePath(shared, f);
            Assert.Equal(File.ReadAllText(f), File.ReadAllText(Path.Combine(SpecSchemas.Dir, rel)));
        }
    }
}

/// <summary>A fact that needs ../shared/runtime-spec-schema; reported as skipped, with the reason, where it is absent.</summary>
public sealed class SharedSchemaFactAttribute : FactAttribute
{
    public SharedSchemaFactAttribute()
    {
        if (SharedDir() is null)
            Skip = "../shared/runtime-spec-schema is absent (a clone without ../shared): the vendored copy in tests/schema is used as is";
    }

    /// <summary>shared/runtime-spec-schema beside the repository (or beside a parent of it, for a worktree).</summary>
    public static string? SharedDir()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "shared", "runtime-spec-schema");
            if (File.Exists(Path.Combine(candidate, "schema", "state-schema.json")))
                return candidate;
        }
        return null;
    }
}
