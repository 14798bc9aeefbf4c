using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using Xunit;

namespace OciRuntime.Tests.Architecture;

/// <summary>
/// The layers of the runtime (specs/architecture.md, decisions §43), held on the compiled IL: every
/// type a field, signature or method body of a type uses counts. A namespace may use only the
/// layers below it (and its own sub-namespaces: Cgroups.V1, Spec.Json), so no folder loop can form.
/// </summary>
public class LayerTests
{
    /// <summary>Bottom to top.</summary>
    public static readonly string[] Layers =
    [
        "OciRuntime",             // the errors every layer throws (RuntimeError, UsageError, PlanningException), BuildInfo
        "OciRuntime.Linux",       // bindings: LibC, LibSeccomp, SysFile, the executor's entry
        "OciRuntime.Diagnostics", // Log, StartupTrace, Output
        "OciRuntime.Spec",        // config.json, state.json, features: the types and the reader
        "OciRuntime.Plan",        // the plan: steps and their encoding
        "OciRuntime.Planning",    // config + host facts -> plan; pure
        "OciRuntime.Security",    // host side from here on: LSM and seccomp probes
        "OciRuntime.Cgroups",
        "OciRuntime.Rootless",
        "OciRuntime.Lifecycle",
        "OciRuntime.Cli",         // the commands, Program.Main
    ];

    /// <summary>What the planner may take from Linux: constants and flag types, nothing that reads the host.</summary>
    private static readonly string[] PlannerMayUseFromLinux =
        ["OciRuntime.Linux.MountFlags", "OciRuntime.Linux.Namespaces", "OciRuntime.Linux.Rlimits"];

    /// <summary>The one exception: libseccomp compiles the filter in the process and exports it
    /// through a memfd (decisions §43). No host state is read.</summary>
    private const string SeccompCompiler = "OciRuntime.Planning.SeccompCompiler";

    private static readonly string[] FileAccess =
    [
        "System.IO.File", "System.IO.Directory", "System.IO.FileStream", "System.IO.FileInfo",
        "System.IO.DirectoryInfo", "System.IO.FileSystemInfo", "System.IO.RandomAccess",
        "System.Diagnostics.Process", "System.Environment",
    ];

    private static readonly Lazy<ArchUnitNET.Domain.Architecture> Runtime =
        new(() => new ArchLoader().LoadAssemblies(typeof(RuntimeError).Assembly).Build());

    /// <summary>The layer of a namespace: the longest layer name it is or is below.</summary>
    internal static int LayerOf(string ns)
    {
        int best = -1;
        for (int i = 0; i < Layers.Length; i++)
            if ((ns == Layers[i] || ns.StartsWith(Layers[i] + ".", StringComparison.Ordinal))
                && (best < 0 || Layers[i].Length > Layers[best].Length))
                best = i;
        return best;
    }

    /// <summary>Every dependency between two of the runtime's types, as (from type, to type).</summary>
    private static IEnumerable<(IType From, IType To)> Edges() =>
        from t in Runtime.Value.Types
        where t.Namespace?.FullName?.StartsWith("OciRuntime", StringComparison.Ordinal) == true
        from d in t.Dependencies
        where d.Target?.Namespace?.FullName is not null
        select (t, d.Target);

    internal static List<string> UpwardUses(IEnumerable<(string FromNs, string From, string ToNs, string To)> edges) =>
        edges.Where(e => e.ToNs.StartsWith("OciRuntime", StringComparison.Ordinal))
            .Where(e => LayerOf(e.ToNs) > LayerOf(e.FromNs))
            .Select(e => $"{e.From} ({Layers[LayerOf(e.FromNs)]}) uses {e.To} ({Layers[LayerOf(e.ToNs)]})")
            .Distinct().Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void EveryNamespaceHasALayer()
    {
        var unplaced = Runtime.Value.Types.Select(t => t.Namespace?.FullName ?? "")
            .Where(ns => ns.StartsWith("OciRuntime", StringComparison.Ordinal) && LayerOf(ns) < 0)
            .Distinct().ToList();
        Assert.True(unplaced.Count == 0, "namespaces in no layer (add them to LayerTests.Layers and specs/architecture.md): "
            + string.Join(", ", unplaced));
    }

    [Fact]
    public void NoLayerUsesALayerAboveIt()
    {
        var up = UpwardUses(Edges().Select(e => (e.From.Namespace.FullName, e.From.FullName, e.To.Namespace.FullName, e.To.FullName)));
        Assert.True(up.Count == 0, $"{up.Count} upward uses:\n" + string.Join("\n", up));
    }

    [Fact]
    public void ThePlannerReadsNothingFromTheHost()
    {
        var bad = Edges()
            .Where(e => LayerOf(e.From.Namespace.FullName) is int l && (Layers[l] is "OciRuntime.Plan" or "OciRuntime.Planning"))
            .Where(e => e.From.FullName != SeccompCompiler && !e.From.FullName.StartsWith(SeccompCompiler + "+", StringComparison.Ordinal) && !e.From.FullName.StartsWith(SeccompCompiler + "/", StringComparison.Ordinal))
            .Where(e => FileAccess.Contains(e.To.FullName)
                || (e.To.Namespace.FullName == "OciRuntime.Linux" && !PlannerMayUseFromLinux.Contains(e.To.FullName)))
            .Select(e => $"{e.From.FullName} uses {e.To.FullName}")
            .Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(bad.Count == 0, "the planner must get host facts as data (PlanRequest.Host), not read them:\n" + string.Join("\n", bad));
    }

    /// <summary>The check itself: an upward use is found, a downward or sideways-within-a-folder one is not.</summary>
    [Fact]
    public void UpwardUsesAreFound()
    {
        var up = UpwardUses([
            ("OciRuntime.Planning", "OciRuntime.Planning.Planner", "OciRuntime.Lifecycle", "OciRuntime.Lifecycle.Container"),
            ("OciRuntime.Cli", "OciRuntime.Cli.RunCommand", "OciRuntime.Lifecycle", "OciRuntime.Lifecycle.Container"),
            ("OciRuntime.Cgroups.V2", "OciRuntime.Cgroups.V2.X", "OciRuntime.Cgroups", "OciRuntime.Cgroups.Y"),
            ("OciRuntime.Spec", "OciRuntime.Spec.Spec", "OciRuntime.Spec.Json", "OciRuntime.Spec.Json.Reader"),
            ("OciRuntime.Linux", "OciRuntime.Linux.LibC", "System", "System.String"),
        ]);
        Assert.Equal(["OciRuntime.Planning.Planner (OciRuntime.Planning) uses OciRuntime.Lifecycle.Container (OciRuntime.Lifecycle)"], up);
        Assert.Equal(0, LayerOf("OciRuntime"));
        Assert.Equal(-1, LayerOf("OciRuntimeX"));
        Assert.Equal(LayerOf("OciRuntime.Cgroups"), LayerOf("OciRuntime.Cgroups.V1"));
    }
}
