using System.Text.Json;
using Json.Schema;

namespace OciRuntime.Conformance;

/// <summary>
/// The official runtime-spec v1.3.0 JSON schemas (tests/schema/runtime-spec, vendored from
/// ../shared/runtime-spec-schema; Apache-2.0, see NOTICE.md there) as an oracle for the JSON
/// documents the runtime writes, evaluated with JsonSchema.Net.
/// The schemas declare draft-04, which JsonSchema.Net does not implement; they use nothing that
/// draft-06 changed (no boolean exclusiveMinimum/Maximum, no "id" keyword), so they are built as
/// draft-06 documents.
/// </summary>
public static class SpecSchemas
{
    public const string State = "state-schema.json";
    public const string Config = "config-schema.json";
    public const string Features = "features-schema.json";

    private const string BaseUri = "https://opencontainers.example/runtime-spec/schema/";

    /// <summary>Where the vendored copy is, next to the test assembly.</summary>
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "runtime-spec-schema");

    private static readonly Lazy<Dictionary<string, JsonSchema>> s_schemas = new(Load);

    private static Dictionary<string, JsonSchema> Load()
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft06 };
        var all = new Dictionary<string, JsonSchema>(StringComparer.Ordinal);
        // definitions first, so every $ref has its target registered when a schema is built
        static int Order(string f) => f == "defs.json" ? 0 : f.StartsWith("defs-", StringComparison.Ordinal) ? 1
            : !f.EndsWith("-schema.json", StringComparison.Ordinal) ? 2 : 3;
        var files = Directory.GetFiles(Dir, "*.json").Select(f => Path.GetFileName(f)!)
            .OrderBy(Order).ThenBy(f => f, StringComparer.Ordinal);
        foreach (var name in files)
        {
            string text = File.ReadAllText(Path.Combine(Dir, name))
                .Replace("http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-06/schema#");
            var uri = new Uri(BaseUri + name);
            var schema = JsonSchema.FromText(text, options, uri);
            options.SchemaRegistry.Register(uri, schema);
            all[name] = schema;
        }
        if (!all.ContainsKey(State) || !all.ContainsKey(Config) || !all.ContainsKey(Features))
            throw new InvalidOperationException($"runtime-spec schemas missing in {Dir}");
        return all;
    }

    /// <summary>Every violation of the schema by the document, as "instance location: message"; empty when valid.</summary>
    public static List<string> Errors(string schema, string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            return ["not JSON: " + e.Message];
        }
        using var _ = doc;
        var r = s_schemas.Value[schema].Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (r.IsValid)
            return [];
        var errors = new List<string>();
        foreach (var d in new[] { r }.Concat(r.Details ?? []))
            foreach (var (keyword, message) in d.Errors ?? new Dictionary<string, string>())
                errors.Add($"{d.InstanceLocation} ({d.EvaluationPath}): {keyword}: {message}");
        if (errors.Count == 0)
            errors.Add("invalid (no details)");
        return errors;
    }

    /// <summary>Fails with every violation listed, and the document, when it does not match.</summary>
    public static void AssertValid(string schema, string json, string what)
    {
        var errors = Errors(schema, json);
        if (errors.Count > 0)
            throw new Xunit.Sdk.XunitException($"{what} does not match runtime-spec v1.3.0 {schema}:\n  " +
                                               string.Join("\n  ", errors) + "\ndocument:\n" + json);
    }
}
