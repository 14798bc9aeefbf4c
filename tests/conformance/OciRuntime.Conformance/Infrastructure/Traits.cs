namespace OciRuntime.Conformance;

/// <summary>
/// Trait names and values used to select tests:
/// <list type="bullet">
/// <item><c>[Trait("runtime", "ociruntime-only")]</c>: checks ociruntime's own promises (error text naming the
/// JSON path, the id in "does not exist" messages, ...). Skip them against other runtimes with
/// <c>--filter "runtime!=ociruntime-only"</c>.</item>
/// <item><c>[Trait("known-failure", "runc-1.1.5")]</c> (or crun-1.8.1) with <c>[Trait("reason", "...")]</c>: the assertion is
/// what runtime-spec v1.3.0 / the runc CLI contract asks; that runtime version legitimately differs.</item>
/// </list>
/// </summary>
public static class Traits
{
    public const string Runtime = "runtime";
    public const string OciRuntimeOnly = "ociruntime-only";
    public const string KnownFailure = "known-failure";
    public const string Reason = "reason";
}
