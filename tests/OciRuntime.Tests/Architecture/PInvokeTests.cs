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
}
