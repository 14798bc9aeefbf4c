namespace OciRuntime;

/// <summary>Version facts; <c>Commit</c> is generated at build time (OciRuntime.csproj, WriteBuildCommit).</summary>
internal static partial class BuildInfo
{
    public const string Version = "0.1.0";

    /// <summary>The runtime-spec version this runtime implements and reports.</summary>
    public const string SpecVersion = "1.3.0";
}
