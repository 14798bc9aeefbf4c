using OciRuntime.Planning;
using OciRuntime.Security;
using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Security;

/// <summary>
/// The ENOSYS stub in front of libseccomp's program (as runc's patchbpf): the compiled filter is
/// run here by a classic-BPF interpreter on a seccomp_data of our choosing, for each architecture.
/// x86_64 numbers: read 0, getpriority 140, rseq 334, clone3 435, close_range 436; i386: rseq 386.
/// </summary>
public class SeccompEnosysStubTests
{
    private const uint X86_64 = 0xC000003E, I386 = 0x40000003, S390X = 0x80000016, X32Bit = 0x40000000;
    private const uint Allow = 0x7fff0000, Eperm = 0x00050001, Enosys = 0x00050026, KillThread = 0, KillProcess = 0x80000000;

    private static LinuxSeccomp Profile(string defaultAction, string[] allow, params string[] arches) => new()
    {
        DefaultAction = defaultAction,
        Architectures = [.. arches],
        Syscalls = [new LinuxSyscall { Action = "SCMP_ACT_ALLOW", Names = [.. allow] }],
    };

    private static uint Run(LinuxSeccomp s, uint arch, uint nr) => Bpf.Run(SeccompCompiler.Compile(s).Program, arch, nr);

    [Fact]
    public void Newer_than_the_newest_named_gets_ENOSYS_older_unlisted_the_default()
    {
        var s = Profile("SCMP_ACT_ERRNO", ["read", "write", "rseq"], "SCMP_ARCH_X86_64");
        Assert.Equal(Allow, Run(s, X86_64, 0));
        Assert.Equal(Allow, Run(s, X86_64, 334));
        Assert.Equal(Eperm, Run(s, X86_64, 140));
        Assert.Equal(Enosys, Run(s, X86_64, 335));
        Assert.Equal(Enosys, Run(s, X86_64, 435));
        Assert.Equal(Enosys, Run(s, X86_64, 100000));
    }

    [Fact]
    public void Each_architecture_has_its_own_newest_and_x32_its_own_on_x86_64()
    {
        var s = Profile("SCMP_ACT_ERRNO", ["read", "rseq"], "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
        Assert.Equal(Enosys, Run(s, X86_64, 335));
        Assert.Equal(Allow, Run(s, I386, 386)); // rseq on i386
        Assert.Equal(Enosys, Run(s, I386, 387));
        Assert.Equal(Eperm, Run(s, I386, 200));
        Assert.Equal(Allow, Run(s, X86_64, X32Bit | 0));
        Assert.Equal(Eperm, Run(s, X86_64, X32Bit | 100));
        Assert.Equal(Enosys, Run(s, X86_64, X32Bit | 335));
    }

    [Fact]
    public void X32_calls_are_not_stubbed_when_only_x86_64_is_listed()
    {
        // They reach libseccomp's program, whose bad-architecture action kills.
        var s = Profile("SCMP_ACT_ERRNO", ["read", "rseq"], "SCMP_ARCH_X86_64");
        Assert.Equal(KillThread, Run(s, X86_64, X32Bit | 335));
        Assert.Equal(KillThread, Run(s, I386, 400)); // an architecture not in the filter
    }

    [Fact]
    public void Without_architectures_the_native_one_is_stubbed()
    {
        var s = Profile("SCMP_ACT_ERRNO", ["read", "rseq"]);
        Assert.Equal(Enosys, Run(s, X86_64, 435));
        Assert.Equal(Eperm, Run(s, X86_64, 140));
    }

    [Fact]
    public void Every_name_counts_for_the_newest_whatever_its_action()
    {
        // clone3's rule has the default action, so libseccomp leaves it out, but it is still the
        // newest name: clone3 gets the default errno, close_range (after it) ENOSYS.
        var s = Profile("SCMP_ACT_ERRNO", ["read"], "SCMP_ARCH_X86_64");
        s.Syscalls!.Add(new LinuxSyscall { Action = "SCMP_ACT_ERRNO", Names = ["clone3"] });
        Assert.Equal(Eperm, Run(s, X86_64, 435));
        Assert.Equal(Enosys, Run(s, X86_64, 436));
    }

    [Theory]
    [InlineData("SCMP_ACT_ALLOW", Allow)]
    [InlineData("SCMP_ACT_LOG", 0x7ffc0000u)]
    [InlineData("SCMP_ACT_TRACE", 0x7ff00001u)]
    public void No_stub_when_the_default_lets_calls_through(string action, uint expected)
    {
        var s = Profile(action, [], "SCMP_ARCH_X86_64");
        s.Syscalls = [new LinuxSyscall { Action = "SCMP_ACT_ERRNO", Names = ["read", "rseq"] }];
        Assert.Equal(expected, Run(s, X86_64, 435));
        Assert.Equal(Eperm, Run(s, X86_64, 0));
    }

    [Fact]
    public void Kill_default_gets_the_stub_too()
    {
        var s = Profile("SCMP_ACT_KILL_PROCESS", ["read", "rseq"], "SCMP_ARCH_X86_64");
        Assert.Equal(Enosys, Run(s, X86_64, 435));
        Assert.Equal(KillProcess, Run(s, X86_64, 140));
    }

    [Fact]
    public void A_default_of_ENOSYS_needs_no_stub()
    {
        var with = Profile("SCMP_ACT_ERRNO", ["read", "rseq"], "SCMP_ARCH_X86_64");
        var without = Profile("SCMP_ACT_ERRNO", ["read", "rseq"], "SCMP_ARCH_X86_64");
        without.DefaultErrnoRet = 38;
        Assert.Equal(Enosys, Run(without, X86_64, 435));
        Assert.True(SeccompCompiler.Compile(without).Instructions < SeccompCompiler.Compile(with).Instructions);
    }

    [Fact]
    public void S390_setup_which_unknown_large_numbers_become_gets_ENOSYS()
    {
        uint[] stub = SeccompEnosysStub.Build([(S390X, 400)]);
        uint[] prog = [.. stub, 0x06, Allow]; // a "filter" that allows everything
        Assert.Equal(Enosys, Bpf.Run(prog, S390X, 0));
        Assert.Equal(Enosys, Bpf.Run(prog, S390X, 401));
        Assert.Equal(Allow, Bpf.Run(prog, S390X, 400));
        Assert.Equal(Allow, Bpf.Run(prog, X86_64, 1000)); // an architecture without a section
        Assert.Empty(SeccompEnosysStub.Build([]));
    }

    /// <summary>Classic BPF as the kernel runs it for seccomp (seccomp_data: nr, arch, ip, args).</summary>
    private static class Bpf
    {
        public static uint Run(uint[] prog, uint arch, uint nr, ulong[]? args = null)
        {
            var data = new byte[64];
            BitConverter.GetBytes(nr).CopyTo(data, 0);
            BitConverter.GetBytes(arch).CopyTo(data, 4);
            for (int i = 0; i < 6; i++)
                BitConverter.GetBytes(args is not null && i < args.Length ? args[i] : 0UL).CopyTo(data, 16 + 8 * i);
            uint a = 0, x = 0;
            var mem = new uint[16];
            for (int pc = 0; pc < prog.Length / 2; pc++)
            {
                uint w = prog[pc * 2], k = prog[pc * 2 + 1];
                uint code = w & 0xFFFF, jt = (w >> 16) & 0xFF, jf = w >> 24;
                uint src = (code & 0x08) != 0 ? x : k;
                switch (code & 0x07)
                {
                    case 0x00: // LD
                        a = (code & 0xE0) switch
                        {
                            0x20 => BitConverter.ToUInt32(data, (int)k),
                            0x00 => k,
                            0x60 => mem[k],
                            _ => throw new InvalidOperationException($"ld mode {code:x}"),
                        };
                        break;
                    case 0x01: // LDX
                        x = (code & 0xE0) == 0x60 ? mem[k] : k;
                        break;
                    case 0x02: mem[k] = a; break;
                    case 0x03: mem[k] = x; break;
                    case 0x04: // ALU
                        a = (code & 0xF0) switch
                        {
                            0x00 => a + src, 0x10 => a - src, 0x20 => a * src, 0x30 => a / src,
                            0x40 => a | src, 0x50 => a & src, 0x60 => a << (int)src, 0x70 => a >> (int)src,
                            0x80 => (uint)-(int)a, 0xA0 => a ^ src,
                            _ => throw new InvalidOperationException($"alu {code:x}"),
                        };
                        break;
                    case 0x05: // JMP
                        if ((code & 0xF0) == 0x00)
                        {
                            pc += (int)k;
                            break;
                        }
                        bool cond = (code & 0xF0) switch
                        {
                            0x10 => a == src, 0x20 => a > src, 0x30 => a >= src, 0x40 => (a & src) != 0,
                            _ => throw new InvalidOperationException($"jmp {code:x}"),
                        };
                        pc += (int)(cond ? jt : jf);
                        break;
                    case 0x06: return (code & 0x18) == 0x10 ? a : k;
                    case 0x07: if ((code & 0xF8) == 0x80) a = x; else x = a; break;
                }
            }
            throw new InvalidOperationException("fell off the end of the program");
        }
    }
}
