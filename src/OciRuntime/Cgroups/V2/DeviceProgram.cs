using OciRuntime.Linux;

namespace OciRuntime.Cgroups.V2;

/// <summary>
/// cgroup v2 has no devices.allow: a BPF_PROG_TYPE_CGROUP_DEVICE program decides each open and
/// mknod instead. It is built here from the same ordered rules cgroup v1 gets, with v1's meaning:
/// the last rule that matches decides, nothing matching denies.
/// </summary>
internal sealed class DeviceProgram(List<DeviceRule> rules)
{
    // The instruction encoding (linux/bpf.h): code, dst/src registers, 16-bit offset, 32-bit immediate.
    private const byte LdxMemW = 0x61, And64Imm = 0x57, Rsh64Imm = 0x77, Mov64Imm = 0xb7, Mov64Reg = 0xbf,
        JneImm = 0x55, Exit = 0x95;
    // Context (struct bpf_cgroup_dev_ctx): access_type (access << 16 | type), major, minor.
    private const short CtxAccessType = 0, CtxMajor = 4, CtxMinor = 8;
    // BPF_DEVCG_DEV_BLOCK / _CHAR and BPF_DEVCG_ACC_MKNOD / _READ / _WRITE.
    private const int TypeBlock = 1, TypeChar = 2, AccMknod = 1, AccRead = 2, AccWrite = 4;
    private const byte R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7;

    public IReadOnlyList<DeviceRule> Rules => rules;

    public static ulong Insn(byte code, byte dst, byte src, short off, int imm) =>
        code | (ulong)(dst & 0xf) << 8 | (ulong)(src & 0xf) << 12 | (ulong)(ushort)off << 16 | (ulong)(uint)imm << 32;

    public static int AccessBits(string access) =>
        (access.Contains('m') ? AccMknod : 0) | (access.Contains('r') ? AccRead : 0) | (access.Contains('w') ? AccWrite : 0);

    /// <summary>The program's instructions: the request's fields go to registers, then one block per
    /// rule, last rule first, each falling through to the next when it does not match.</summary>
    public ulong[] Instructions()
    {
        var code = new List<ulong>
        {
            Insn(LdxMemW, R2, R1, CtxAccessType, 0),
            Insn(Mov64Reg, R3, R2, 0, 0),
            Insn(And64Imm, R3, 0, 0, 0xffff),       // r3 = device type
            Insn(Mov64Reg, R4, R2, 0, 0),
            Insn(Rsh64Imm, R4, 0, 0, 16),           // r4 = requested access
            Insn(LdxMemW, R5, R1, CtxMajor, 0),
            Insn(LdxMemW, R6, R1, CtxMinor, 0),
        };
        for (int i = rules.Count - 1; i >= 0; i--)
        {
            code.AddRange(Block(rules[i], out bool unconditional));
            // The verifier refuses unreachable instructions: nothing may follow a rule that always
            // answers (a leading "deny all", an "allow all").
            if (unconditional)
                return [.. code];
        }
        code.Add(Insn(Mov64Imm, R0, 0, 0, 0));
        code.Add(Insn(Exit, 0, 0, 0, 0));
        return [.. code];
    }

    /// <summary>A rule matches when type, major and minor match (absent = any) and it covers every
    /// access asked for; then it answers 1 (allow) or 0 (deny).</summary>
    private static List<ulong> Block(DeviceRule r, out bool unconditional)
    {
        // Conditions as (register, immediate) pairs that must be equal; jump offsets filled in after.
        var tests = new List<(byte Code, byte Reg, int Imm)>();
        if (r.Type != 'a')
            tests.Add((JneImm, R3, r.Type == 'b' ? TypeBlock : TypeChar));
        if (r.Type != 'a' && r.Major is { } ma and >= 0)
            tests.Add((JneImm, R5, (int)ma));
        if (r.Type != 'a' && r.Minor is { } mi and >= 0)
            tests.Add((JneImm, R6, (int)mi));
        int bits = r.Type == 'a' ? AccMknod | AccRead | AccWrite : AccessBits(r.Access);
        bool partial = bits != (AccMknod | AccRead | AccWrite);
        unconditional = tests.Count == 0 && !partial;
        // Instructions in the block: each test is one jump; the access check is mov, and, jump;
        // then mov r0, exit.
        int length = tests.Count + (partial ? 3 : 0) + 2;
        var block = new List<ulong>();
        foreach (var (c, reg, imm) in tests)
            block.Add(Insn(c, reg, 0, (short)(length - block.Count - 1), imm));
        if (partial)
        {
            block.Add(Insn(Mov64Reg, R7, R4, 0, 0));
            block.Add(Insn(And64Imm, R7, 0, 0, ~bits & 0x7));   // access asked for beyond the rule's
            block.Add(Insn(JneImm, R7, 0, (short)(length - block.Count - 1), 0));
        }
        block.Add(Insn(Mov64Imm, R0, 0, 0, r.Allow ? 1 : 0));
        block.Add(Insn(Exit, 0, 0, 0, 0));
        return block;
    }

    /// <summary>Loads the program and attaches it to the cgroup; the attachment keeps it alive.</summary>
    public void Attach(string cgroupDir)
    {
        int fd = Bpf.LoadDeviceProgram(Instructions());
        try
        {
            Bpf.AttachToCgroup(fd, cgroupDir);
        }
        finally
        {
            LibC.close(fd);
        }
    }
}
