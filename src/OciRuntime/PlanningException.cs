namespace OciRuntime;

/// <summary>A config that is valid by the schema but cannot be carried out; names the field.</summary>
internal sealed class PlanningException(string path, string message) : ReportedError($"{path}: {message}")
{
    public string Path { get; } = path;
}
