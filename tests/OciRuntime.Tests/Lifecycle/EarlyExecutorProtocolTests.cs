using System.Text.RegularExpressions;
using OciRuntime.Lifecycle;
using OciRuntime.Linux;
using Xunit;

namespace OciRuntime.Tests.Lifecycle;

/// <summary>
/// The early executor's protocol is startup/early.h on the C side and Lifecycle/EarlyExecutor.cs on
/// the C# side (decisions §24, §29): these read early.h and fail when the two disagree, or when
/// another C file or C# type takes part in it.
/// </summary>
public class EarlyExecutorProtocolTests
{
    private static string Native => Path.Combine(Plan.PlanEncodingTests.RepoRoot(), "src/OciRuntime.Native");
    private static string EarlyH() => File.ReadAllText(Path.Combine(Native, "startup/early.h"));

    [Fact]
    public void EarlyExecutor_sends_the_messages_of_early_h()
    {
        var msgs = Regex.Matches(EarlyH(), @"OCI_EARLY_(\w+) = (\d+),").ToDictionary(m => m.Groups[1].Value, m => uint.Parse(m.Groups[2].Value));
        Assert.Equal(["PLAN", "UNSHARE_AHEAD"], msgs.Keys.Order());
        Assert.Equal(EarlyExecutor.PlanMessage, msgs["PLAN"]);
        Assert.Equal(EarlyExecutor.UnshareAheadMessage, msgs["UNSHARE_AHEAD"]);
    }

    [Fact]
    public void EarlyExecutor_hands_over_only_plans_for_the_namespaces_early_c_clones_into()
    {
        var m = Regex.Match(EarlyH(), @"#define OCI_EARLY_CLONE_FLAGS (\w+)\s");
        Assert.True(m.Success, "early.h: no OCI_EARLY_CLONE_FLAGS");
        Assert.Equal("CLONE_NEWPID", m.Groups[1].Value);
        Assert.Equal(Namespaces.CLONE_NEWPID, EarlyExecutor.CloneFlags);
    }

    [Fact]
    public void Only_early_c_knows_its_protocol()
    {
        var files = Directory.EnumerateFiles(Native, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".c") || f.EndsWith(".h"))
            .Where(f => !f.Contains("/tests/") && !f.EndsWith("startup/early.c") && !f.EndsWith("startup/early.h"))
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"OCI_EARLY_|early\.h""|OCI_REPLY_UNSHARE_AHEAD"))
            .Select(f => Path.GetRelativePath(Native, f));
        Assert.Empty(files);
    }

    [Fact]
    public void Only_EarlyExecutor_takes_the_early_executor()
    {
        // The P/Invoke is bound in Linux/ (every P/Invoke is); its one caller is EarlyExecutor.
        var src = Path.Combine(Plan.PlanEncodingTests.RepoRoot(), "src/OciRuntime");
        var callers = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith("Linux/NativeExecutor.cs") && File.ReadAllText(f).Contains("oci_early_executor_take"))
            .Select(f => Path.GetRelativePath(src, f));
        Assert.Equal(["Lifecycle/EarlyExecutor.cs"], callers);
    }
}
