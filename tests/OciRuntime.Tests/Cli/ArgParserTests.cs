using OciRuntime.Cli;
using Xunit;

namespace OciRuntime.Tests.Cli;

public class ArgParserTests
{
    private static readonly OptionSpec[] Specs = [new("bundle", true, "b"), new("detach", false, "d"), new("pid-file", true)];

    private static ParsedArgs Parse(params string[] args)
    {
        var p = new ParsedArgs();
        ArgParser.Parse(args, 0, Specs, p, stopAtPositional: false);
        return p;
    }

    [Fact]
    public void Accepts_every_spelling_runc_accepts()
    {
        Assert.Equal("/b", Parse("--bundle", "/b").Get("bundle"));
        Assert.Equal("/b", Parse("--bundle=/b").Get("bundle"));
        Assert.Equal("/b", Parse("-bundle", "/b").Get("bundle"));
        Assert.Equal("/b", Parse("-b", "/b").Get("bundle"));
        Assert.True(Parse("-d").Flag("detach"));
        Assert.True(Parse("--detach=true").Flag("detach"));
        Assert.False(Parse("--detach=false").Flag("detach"));
    }

    [Fact]
    public void Positionals_mix_with_options_and_double_dash_ends_options()
    {
        var p = Parse("id1", "--pid-file", "/p", "--", "--detach", "x");
        Assert.Equal(new[] { "id1", "--detach", "x" }, p.Positionals);
        Assert.False(p.Flag("detach"));
    }

    [Fact]
    public void Unknown_flags_and_missing_values_are_usage_errors()
    {
        Assert.Contains("-nope", Assert.Throws<UsageError>(() => Parse("--nope")).Message);
        Assert.Contains("-bundle", Assert.Throws<UsageError>(() => Parse("--bundle")).Message);
        Assert.Throws<UsageError>(() => Parse("--detach=maybe"));
    }

    [Fact]
    public void Global_parsing_stops_at_the_command_name()
    {
        var p = new ParsedArgs();
        int i = ArgParser.Parse(["--bundle", "x", "state", "--detach"], 0, Specs, p, stopAtPositional: true);
        Assert.Equal(2, i);
        Assert.Equal("x", p.Get("bundle"));
    }
}

public class ArgParserRepeatTests
{
    [Fact]
    public void Repeated_options_keep_every_value_in_order()
    {
        var p = new ParsedArgs();
        ArgParser.Parse(["-e", "A=1", "--env=B=2", "x"], 0, [new OptionSpec("env", true, "e")], p, stopAtPositional: false);
        Assert.Equal(["A=1", "B=2"], p.All("env"));
        Assert.Equal("B=2", p.Get("env"));
        Assert.Empty(p.All("other"));
    }

    [Fact]
    public void Stopping_at_the_first_argument_leaves_the_rest_untouched()
    {
        var p = new ParsedArgs();
        string[] args = ["-d", "ct1", "sh", "-c", "echo"];
        int end = ArgParser.Parse(args, 0, [new OptionSpec("detach", false, "d")], p, stopAtPositional: true);
        Assert.Equal(1, end);
        Assert.True(p.Flag("detach"));
    }
}
