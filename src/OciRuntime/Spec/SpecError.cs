namespace OciRuntime.Spec;

/// <summary>One validation failure: the field as the JSON spells it (<c>linux.namespaces[2].type</c>) and what is wrong.</summary>
public sealed record SpecError(string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}
