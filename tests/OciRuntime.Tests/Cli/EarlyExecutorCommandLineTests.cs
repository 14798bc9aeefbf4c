using System.Text.RegularExpressions;
using OciRuntime.Cli;
using Xunit;

namespace OciRuntime.Tests.Cli;

/// <summary>
/// The binary's constructor (src/OciRuntime.Native/startup/early.c) reads the command line before
/// .NET starts to decide whether to start the early executor (decisions §24): it skips the global
/// options, stepping over the value of those that take one, and starts it for the commands that
/// start a container. Both are knowledge of Cli/CommandLine.cs, kept in C by hand; these tests
/// read early.c and fail when the two disagree.
/// </summary>
public class EarlyExecutorCommandLineTests
{
    private static string EarlyC() =>
        File.ReadAllText(Path.Combine(Plan.PlanEncodingTests.RepoRoot(), "src/OciRuntime.Native/startup/early.c"));

    /// <summary>The strings of early.c's <c>with_value[]</c>, e.g. "--root".</summary>
    internal static SortedSet<string> OptionsWithAValueInC(string source)
    {
        var m = Regex.Match(source, @"with_value\[\]\s*=\s*\{(?<list>[^}]*)\}");
        Assert.True(m.Success, "early.c: no with_value[] = { ... } list found (the test must be updated with early.c)");
        return new(Regex.Matches(m.Groups["list"].Value, "\"([^\"]*)\"").Select(x => x.Groups[1].Value), StringComparer.Ordinal);
    }

    /// <summary>The command names early.c compares the subcommand with (<c>strcmp(a, "run") == 0</c>).</summary>
    internal static SortedSet<string> CommandsInC(string source)
    {
        var names = Regex.Matches(source, @"strcmp\(a,\s*""(?<name>[^""]+)""\)\s*==\s*0").Select(x => x.Groups["name"].Value);
        var set = new SortedSet<string>(names, StringComparer.Ordinal);
        Assert.True(set.Count > 0, "early.c: no strcmp(a, \"...\") == 0 found (the test must be updated with early.c)");
        return set;
    }

    [Fact]
    public void EarlyC_steps_over_the_value_of_exactly_the_global_options_that_take_one()
    {
        // Every spelling of a value-taking global option the C# parser accepts as "--name".
        var expected = new SortedSet<string>(
            CommandLine.GlobalOptions.Where(o => o.TakesValue).SelectMany(o => o.Aliases.Prepend(o.Name)).Select(n => "--" + n),
            StringComparer.Ordinal);
        Assert.Equal(expected, OptionsWithAValueInC(EarlyC()));
    }

    [Fact]
    public void EarlyC_starts_the_early_executor_for_exactly_the_commands_that_start_a_container()
    {
        var expected = new SortedSet<string>(
            CommandLine.Commands.Where(c => c.StartsAContainer).Select(c => c.Name), StringComparer.Ordinal);
        Assert.Equal(["create", "run"], expected);
        Assert.Equal(expected, CommandsInC(EarlyC()));
    }

    [Fact]
    public void The_readers_of_early_c_see_a_mismatch()
    {
        // What a drifted early.c would look like: the readers must not paper over it.
        const string drifted = """
            static const char *const with_value[] = { "--root", "--log", "--criu" };
            return strcmp(a, "run") == 0 || strcmp(a, "exec") == 0;
            """;
        Assert.Equal(["--criu", "--log", "--root"], OptionsWithAValueInC(drifted));
        Assert.Equal(["exec", "run"], CommandsInC(drifted));
    }
}
