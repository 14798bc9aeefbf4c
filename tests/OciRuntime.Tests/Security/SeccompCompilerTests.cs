using OciRuntime.Planning;
using OciRuntime.Security;
using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Security;

/// <summary>linux.seccomp → BPF with the real libseccomp (the JIT loads libseccomp.so), checked
/// through libseccomp's pseudocode export of the same filter.</summary>
public class SeccompCompilerTests
{
    private static LinuxSeccomp Profile(string defaultAction, params LinuxSyscall[] rules) =>
        new() { DefaultAction = defaultAction, Syscalls = [.. rules] };

    private static LinuxSyscall Rule(string action, params string[] names) => new() { Action = action, Names = [.. names] };

    /// <summary>The x86_64 part of the pseudocode, whitespace-trimmed lines.</summary>
    private static List<string> Pfc(LinuxSeccomp s) =>
        SeccompCompiler.Pseudocode(s).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    [Theory]
    [InlineData("SCMP_ACT_KILL", null, 0x00000000u)]
    [InlineData("SCMP_ACT_KILL_THREAD", null, 0x00000000u)]
    [InlineData("SCMP_ACT_KILL_PROCESS", null, 0x80000000u)]
    [InlineData("SCMP_ACT_TRAP", null, 0x00030000u)]
    [InlineData("SCMP_ACT_ERRNO", null, 0x00050001u)]
    [InlineData("SCMP_ACT_ERRNO", 38u, 0x00050026u)]
    [InlineData("SCMP_ACT_TRACE", null, 0x7ff00001u)]
    [InlineData("SCMP_ACT_TRACE", 7u, 0x7ff00007u)]
    [InlineData("SCMP_ACT_ALLOW", null, 0x7fff0000u)]
    [InlineData("SCMP_ACT_LOG", null, 0x7ffc0000u)]
    [InlineData("SCMP_ACT_NOTIFY", null, 0x7fc00000u)]
    public void Every_action_has_the_kernels_value(string action, uint? errnoRet, uint expected) =>
        Assert.Equal(expected, SeccompCompiler.ActionValue(action, errnoRet, "a", "e"));

    [Theory]
    [InlineData("SCMP_ACT_KILL", "action KILL;")]
    [InlineData("SCMP_ACT_KILL_THREAD", "action KILL;")]
    [InlineData("SCMP_ACT_KILL_PROCESS", "action KILL_PROCESS;")]
    [InlineData("SCMP_ACT_TRAP", "action TRAP;")]
    [InlineData("SCMP_ACT_ERRNO", "action ERRNO(1);")]
    [InlineData("SCMP_ACT_TRACE", "action TRACE(1);")]
    [InlineData("SCMP_ACT_LOG", "action LOG;")]
    [InlineData("SCMP_ACT_NOTIFY", "action 0x7fc00000;")] // libseccomp 2.5's pseudocode has no name for it
    public void Every_action_lands_in_the_filter(string action, string pfc)
    {
        var lines = Pfc(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", ListenerPath = "/x", Syscalls = [Rule(action, "getppid")] });
        int at = lines.IndexOf("if ($syscall == 110)"); // getppid on x86_64
        Assert.True(at >= 0, string.Join('\n', lines));
        Assert.Equal(pfc, lines[at + 1]);
        Assert.Equal("action ALLOW;", lines[^2]); // the default, before the bad-arch action
    }

    [Fact]
    public void Allow_rules_under_a_deny_default_and_the_default_errno()
    {
        var s = Profile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", "getpid"));
        s.DefaultErrnoRet = 38;
        var lines = Pfc(s);
        Assert.Equal("action ALLOW;", lines[lines.IndexOf("if ($syscall == 39)") + 1]);
        Assert.Contains("action ERRNO(38);", lines);
    }

    [Theory]
    // libseccomp writes NE, LT and LE as the opposite test with the action in its else branch.
    [InlineData("SCMP_CMP_NE", 5ul, null, "if ($a0 == 5)", true)]
    [InlineData("SCMP_CMP_LT", 5ul, null, "if ($a0 >= 5)", true)]
    [InlineData("SCMP_CMP_LE", 5ul, null, "if ($a0 > 5)", true)]
    [InlineData("SCMP_CMP_EQ", 5ul, null, "if ($a0 == 5)", false)]
    [InlineData("SCMP_CMP_GE", 5ul, null, "if ($a0 >= 5)", false)]
    [InlineData("SCMP_CMP_GT", 5ul, null, "if ($a0 > 5)", false)]
    [InlineData("SCMP_CMP_MASKED_EQ", 0xF0ul, 0x30ul, "if ($a0 & 0x000000f0 == 48)", false)]
    public void Every_operator_compares_the_argument(string op, ulong value, ulong? valueTwo, string expected, bool inElse)
    {
        var rule = Rule("SCMP_ACT_ERRNO", "personality");
        rule.Args = [new LinuxSeccompArg { Index = 0, Op = op, Value = value, ValueTwo = valueTwo }];
        var s = Profile("SCMP_ACT_ALLOW", rule);
        s.Architectures = ["SCMP_ARCH_X86"]; // 32-bit: one comparison per argument, easy to read
        var x86 = Pfc(s).SkipWhile(l => l != "if ($arch == 1073741827)").ToList();
        int at = x86.IndexOf(expected);
        Assert.True(at >= 0, string.Join('\n', x86));
        Assert.Equal(inElse ? "else" : "action ERRNO(1);", x86[at + 1]);
        if (inElse)
            Assert.Equal("action ERRNO(1);", x86[at + 2]);
    }

    [Fact]
    public void Conditions_on_different_arguments_are_and_on_the_same_argument_or()
    {
        var and = Rule("SCMP_ACT_ERRNO", "kill");
        and.Args = [new() { Index = 0, Op = "SCMP_CMP_EQ", Value = 1 }, new() { Index = 1, Op = "SCMP_CMP_EQ", Value = 9 }];
        var s = Profile("SCMP_ACT_ALLOW", and);
        s.Architectures = ["SCMP_ARCH_X86"];
        var x86 = Pfc(s).SkipWhile(l => l != "if ($arch == 1073741827)").ToList();
        // nested: both must hold
        int a0 = x86.IndexOf("if ($a0 == 1)"), a1 = x86.IndexOf("if ($a1 == 9)");
        Assert.True(a0 >= 0 && a1 >= 0, string.Join('\n', x86));

        var or = Rule("SCMP_ACT_ERRNO", "kill");
        or.Args = [new() { Index = 1, Op = "SCMP_CMP_EQ", Value = 9 }, new() { Index = 1, Op = "SCMP_CMP_EQ", Value = 15 }];
        var s2 = Profile("SCMP_ACT_ALLOW", or);
        s2.Architectures = ["SCMP_ARCH_X86"];
        var x86b = Pfc(s2).SkipWhile(l => l != "if ($arch == 1073741827)").ToList();
        // two separate rules: each comparison is followed directly by the action
        Assert.Equal("action ERRNO(1);", x86b[x86b.IndexOf("if ($a1 == 9)") + 1]);
        Assert.Equal("action ERRNO(1);", x86b[x86b.IndexOf("if ($a1 == 15)") + 1]);
    }

    [Fact]
    public void Architectures_get_their_own_syscall_numbers()
    {
        var s = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "getpid"));
        s.Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"];
        string text = SeccompCompiler.Pseudocode(s);
        Assert.Contains("filter for arch x86_64", text);
        Assert.Contains("filter for arch x86 ", text);
        Assert.Contains("filter for arch x32", text);
        Assert.Contains("if ($syscall == 20)", text); // getpid on i386
    }

    [Fact]
    public void Unknown_syscall_names_are_skipped_with_a_warning_as_runc()
    {
        var f = SeccompCompiler.Compile(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "no_such_syscall", "getpid")));
        var w = Assert.Single(f.Warnings);
        Assert.Contains("no_such_syscall", w);
        Assert.Contains("if ($syscall == 39)", SeccompCompiler.Pseudocode(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "no_such_syscall", "getpid"))));
    }

    [Fact]
    public void A_rule_with_the_default_action_changes_nothing_and_is_left_out()
    {
        var lines = Pfc(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ALLOW", "getpid")));
        Assert.DoesNotContain("if ($syscall == 39)", lines);
    }

    [Fact]
    public void The_program_is_u32_pairs_of_sock_filter_starting_with_the_arch_check()
    {
        var f = SeccompCompiler.Compile(Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "getpid")));
        Assert.True(f.Instructions > 3);
        Assert.Equal(f.Program.Length, 2 * f.Instructions);
        // BPF_LD|BPF_W|BPF_ABS (0x20) of seccomp_data.arch (offset 4)
        Assert.Equal(0x20u, f.Program[0] & 0xFFFF);
        Assert.Equal(4u, f.Program[1]);
        Assert.Equal(0u, f.Flags);
        Assert.False(f.Listener);
    }

    [Theory]
    [InlineData("SECCOMP_FILTER_FLAG_TSYNC", 1u)]
    [InlineData("SECCOMP_FILTER_FLAG_LOG", 2u)]
    [InlineData("SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4u)]
    public void Flags_become_seccomp_filter_flags(string flag, uint value)
    {
        var s = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "getpid"));
        s.Flags = [flag];
        Assert.Equal(value, SeccompCompiler.Compile(s).Flags);
    }

    [Fact]
    public void Notify_asks_for_a_listener_and_keeps_tsync_and_wait_killable_recv_valid()
    {
        var s = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW", ListenerPath = "/run/l.sock",
            Flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
            Syscalls = [Rule("SCMP_ACT_NOTIFY", "mkdir")],
        };
        var f = SeccompCompiler.Compile(s);
        Assert.True(f.Listener);
        // TSYNC | NEW_LISTENER | TSYNC_ESRCH | WAIT_KILLABLE_RECV
        Assert.Equal(1u | 8u | 16u | 32u, f.Flags);
    }

    [Fact]
    public void Wait_killable_recv_without_a_listener_is_dropped_with_a_warning()
    {
        var s = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "getpid"));
        s.Flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"];
        var f = SeccompCompiler.Compile(s);
        Assert.Equal(0u, f.Flags);
        Assert.Contains(f.Warnings, w => w.Contains("WAIT_KILLABLE_RECV"));
    }

    public static TheoryData<string, Action<LinuxSeccomp>> BadProfiles => new()
    {
        { "linux.seccomp.defaultAction", s => s.DefaultAction = "SCMP_ACT_MAYBE" },
        { "linux.seccomp.defaultAction", s => s.DefaultAction = "SCMP_ACT_NOTIFY" },
        { "linux.seccomp.defaultErrnoRet", s => s.DefaultErrnoRet = 1 },
        { "linux.seccomp.architectures[0]", s => s.Architectures = ["SCMP_ARCH_Z80"] },
        { "linux.seccomp.flags[1]", s => s.Flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_FAST"] },
        { "linux.seccomp.syscalls[0].action", s => s.Syscalls![0].Action = "SCMP_ACT_PANIC" },
        { "linux.seccomp.syscalls[0].errnoRet", s => s.Syscalls![0] = new() { Names = ["getpid"], Action = "SCMP_ACT_KILL", ErrnoRet = 1 } },
        { "linux.seccomp.syscalls[0].errnoRet", s => s.Syscalls![0].ErrnoRet = 70000 },
        { "linux.seccomp.syscalls[0].names", s => s.Syscalls![0].Names = [] },
        { "linux.seccomp.syscalls[0].names", s => s.Syscalls![0] = new() { Names = ["write"], Action = "SCMP_ACT_NOTIFY" } },
        { "linux.seccomp.syscalls[0].args[0].op", s => s.Syscalls![0].Args = [new() { Index = 0, Op = "SCMP_CMP_ABOUT", Value = 1 }] },
        { "linux.seccomp.syscalls[0].args[0].index", s => s.Syscalls![0].Args = [new() { Index = 6, Op = "SCMP_CMP_EQ", Value = 1 }] },
        { "linux.seccomp.syscalls[0].args[0].value", s => s.Syscalls![0].Args = [new() { Index = 0, Op = "SCMP_CMP_EQ" }] },
    };

    [Theory]
    [MemberData(nameof(BadProfiles))]
    public void Bad_input_names_the_field(string field, Action<LinuxSeccomp> spoil)
    {
        var s = Profile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "getpid"));
        spoil(s);
        var e = Assert.Throws<PlanningException>(() => SeccompCompiler.Compile(s));
        Assert.Equal(field, e.Path);
    }
}
