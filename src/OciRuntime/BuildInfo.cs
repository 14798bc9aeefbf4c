namespace OciRuntime;

internal static class BuildInfo
{
    public const string Version = "0.1.0";

    /// <summary>The runtime-spec version this runtime implements and reports.</summary>
    public const string SpecVersion = "1.3.0";
}
