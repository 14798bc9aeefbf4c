using OciRuntime.Cgroups;
using OciRuntime.Cgroups.V2;
using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Cgroups;

/// <summary>
/// The v2 device program, run by a small interpreter of the instructions it uses, against the
/// answers cgroup v1's devices.allow/deny would give for the same rules.
/// </summary>
public class DeviceProgramTests
{
    private const int Block = 1, Char = 2, Mknod = 1, Read = 2, Write = 4;

    /// <summary>Runs the program on one request (struct bpf_cgroup_dev_ctx) and returns r0.</summary>
    private static long Run(ulong[] code, int type, int access, uint major, uint minor)
    {
        var ctx = new uint[] { (uint)(access << 16 | type), major, minor };
        var r = new long[11];
        for (int pc = 0, steps = 0; pc < code.Length; pc++, steps++)
        {
            Assert.True(steps < 10000, "the program loops");
            ulong i = code[pc];
            byte op = (byte)i;
            int dst = (int)(i >> 8) & 0xf, src = (int)(i >> 12) & 0xf;
            short off = (short)(i >> 16);
            int imm = (int)(i >> 32);
            switch (op)
            {
                case 0x61: Assert.Equal(1, src); r[dst] = ctx[off / 4]; break;
                case 0xbf: r[dst] = r[src]; break;
                case 0xb7: r[dst] = imm; break;
                case 0x57: r[dst] &= imm; break;
                case 0x77: r[dst] = (long)((ulong)r[dst] >> imm); break;
                case 0x55: if (r[dst] != imm) pc += off; break;
                case 0x95: return r[0];
                default: Assert.Fail($"unexpected opcode 0x{op:x2}"); break;
            }
        }
        Assert.Fail("the program ran off its end");
        return -1;
    }

    private static ulong[] ProgramFor(params LinuxDeviceCgroup[] rules)
    {
        var code = new DeviceProgram(DeviceRules.From([.. rules])).Instructions();
        AssertEveryInstructionReachable(code);
        return code;
    }

    /// <summary>The kernel's verifier refuses a program with an unreachable instruction.</summary>
    private static void AssertEveryInstructionReachable(ulong[] code)
    {
        var seen = new HashSet<int>();
        var todo = new Stack<int>([0]);
        while (todo.Count > 0)
        {
            int pc = todo.Pop();
            if (pc >= code.Length || !seen.Add(pc))
                continue;
            byte op = (byte)code[pc];
            if (op == 0x95)
                continue;
            todo.Push(pc + 1);
            if (op == 0x55)
                todo.Push(pc + 1 + (short)(code[pc] >> 16));
        }
        Assert.Equal(Enumerable.Range(0, code.Length), seen.Order());
    }

    [Fact]
    public void Deny_all_then_the_defaults_allows_only_the_defaults()
    {
        var code = ProgramFor(new LinuxDeviceCgroup { Allow = false, Access = "rwm" });
        Assert.Equal(1, Run(code, Char, Read | Write, 1, 3));      // /dev/null
        Assert.Equal(1, Run(code, Char, Read, 136, 4));            // a pty
        Assert.Equal(0, Run(code, Char, Read, 1, 1));              // /dev/mem
        Assert.Equal(0, Run(code, Block, Read, 8, 0));             // a disk
        Assert.Equal(1, Run(code, Block, Mknod, 8, 0));            // mknod of anything is allowed
        Assert.Equal(0, Run(code, Block, Mknod | Read, 8, 0));
    }

    [Fact]
    public void A_rule_allows_only_the_access_it_names()
    {
        var code = ProgramFor(new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
            new LinuxDeviceCgroup { Allow = true, Type = "b", Major = 8, Access = "r" });
        Assert.Equal(1, Run(code, Block, Read, 8, 0));
        Assert.Equal(1, Run(code, Block, Read, 8, 17));
        Assert.Equal(0, Run(code, Block, Write, 8, 0));
        Assert.Equal(0, Run(code, Block, Read, 9, 0));
        Assert.Equal(0, Run(code, Char, Read, 8, 0));
    }

    [Fact]
    public void A_later_deny_overrides_an_earlier_allow()
    {
        var code = ProgramFor(new LinuxDeviceCgroup { Allow = true, Access = "rwm" },
            new LinuxDeviceCgroup { Allow = false, Type = "c", Major = 1, Minor = 1, Access = "rwm" });
        Assert.Equal(0, Run(code, Char, Read, 1, 1));
        Assert.Equal(1, Run(code, Char, Read, 1, 2));
        Assert.Equal(1, Run(code, Block, Write, 8, 0));
    }

    [Fact]
    public void Allow_all_alone_is_one_unconditional_answer()
    {
        var code = new DeviceProgram([new DeviceRule(true, 'a', null, null, "rwm")]).Instructions();
        AssertEveryInstructionReachable(code);
        Assert.Equal(1, Run(code, Block, Read, 8, 0));
    }

    [Fact]
    public void Encoding_matches_linux_bpf_h()
    {
        // BPF_EXIT, and "r0 = 1" (BPF_ALU64 | BPF_MOV | BPF_K, dst r0, imm 1).
        Assert.Equal(0x95UL, DeviceProgram.Insn(0x95, 0, 0, 0, 0));
        Assert.Equal(0x0000_0001_0000_00b7UL, DeviceProgram.Insn(0xb7, 0, 0, 0, 1));
        Assert.Equal(0x0000_0000_0008_1261UL, DeviceProgram.Insn(0x61, 2, 1, 8, 0));
    }
}
