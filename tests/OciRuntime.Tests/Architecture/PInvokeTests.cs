using System.Reflection;
using Xunit;

namespace OciRuntime.Tests.Architecture;

/// <summary>All P/Invoke lives in the Linux layer (issue 18): a LibraryImport compiles to a method
/// with the pinvokeimpl flag on the type that declares it, so the compiled assembly shows every one.</summary>
public class PInvokeTests
{
    [Fact]
    public void EveryPInvokeIsDeclaredInTheLinuxNamespace()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static |
            BindingFlags.Instance | BindingFlags.DeclaredOnly;
        var pinvokes = typeof(RuntimeError).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(all))
            .Where(m => m.Attributes.HasFlag(MethodAttributes.PinvokeImpl))
            .ToList();
        Assert.NotEmpty(pinvokes); // the check sees LibC's
        var outside = pinvokes
            .Where(m => m.DeclaringType!.Namespace != "OciRuntime.Linux")
            .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}")
            .ToList();
        Assert.Empty(outside);
    }

    /// <summary>Tmds.LibC's bindings are used through OciRuntime.Linux.LibC and the other Linux
    /// types only (decisions §49): its types appear in no other namespace's IL.</summary>
    [Fact]
    public void OnlyTheLinuxNamespaceUsesTmdsLibC()
    {
        var arch = new ArchUnitNET.Loader.ArchLoader().LoadAssemblies(typeof(RuntimeError).Assembly).Build();
        var uses = (from t in arch.Types
                    where t.Namespace?.FullName?.StartsWith("OciRuntime", StringComparison.Ordinal) == true
                    from d in t.Dependencies
                    where d.Target?.Namespace?.FullName == "Tmds.Linux"
                    select (From: t.Namespace.FullName, Use: $"{t.FullName} uses {d.Target.FullName}"))
                   .Distinct().ToList();
        Assert.Contains(uses, u => u.From == "OciRuntime.Linux"); // the check sees LibC's
        Assert.Empty(uses.Where(u => u.From != "OciRuntime.Linux").Select(u => u.Use));
    }
}
