namespace OciRuntime.Planning;

/// <summary>
/// A classic-BPF prefix put in front of libseccomp's program: for each architecture of the filter,
/// a system call whose number is above the newest one the profile names returns ERRNO(ENOSYS);
/// everything else falls through to libseccomp's program unchanged (its jumps are relative, so a
/// prefix does not disturb them). One comparison per architecture instead of a rule per unknown
/// number: it also covers calls added to the kernel after libseccomp was built (decisions §41).
/// Layout:
/// <code>
///   ld [arch]
///   jeq ARCH_1, sec_1 ... jeq ARCH_n, sec_n
///   ja filter
/// sec_i:
///   ld [nr]
///   (s390, s390x) jeq 0, enosys        ; setup(2) is where unknown large numbers land
///   (x86_64)      jset X32_BIT, ...    ; x32 numbers (bit 30) against the x32 newest, or the filter
///   jgt NEWEST_i, enosys, filter
/// enosys:
///   ret ERRNO(ENOSYS)
/// filter:
///   libseccomp's program
/// </code>
/// </summary>
internal static class SeccompEnosysStub
{
    public const uint Enosys = 38; // every architecture this runtime builds for (mips would be 89)
    public const int MaxInstructions = 4096; // BPF_MAXINSNS

    private const ushort LdAbsW = 0x20, Ja = 0x05, Jeq = 0x15, Jgt = 0x25, Jset = 0x45, RetK = 0x06;
    private const uint OffNr = 0, OffArch = 4;
    private const uint X32Bit = 0x40000000;

    public const uint AuditArchX86_64 = 0xC000003E, AuditArchS390 = 0x16, AuditArchS390X = 0x80000016;
    /// <summary>libseccomp's SCMP_ARCH_X32 is not a kernel value: x32 calls arrive as x86_64 ones
    /// with bit 30 set in the number.</summary>
    public const uint ScmpArchX32 = 0x4000003E;

    private const int Filter = -1, EnosysLabel = -2;

    private struct Insn
    {
        public ushort Code;
        public int Jt, Jf; // absolute target index, or Filter / EnosysLabel; for Ja: Jt
        public uint K;
    }

    /// <param name="newest">per libseccomp architecture token, the largest syscall number the profile names</param>
    /// <returns>the stub as plan.h's u32 pairs, empty when there is nothing to stub</returns>
    public static uint[] Build(IReadOnlyList<(uint Arch, int Newest)> newest)
    {
        // Group libseccomp's architectures by the kernel's AUDIT_ARCH value (x32 shares x86_64's).
        var byAudit = new List<(uint Audit, int? Native, int? X32)>();
        foreach (var (arch, max) in newest)
        {
            uint audit = arch == ScmpArchX32 ? AuditArchX86_64 : arch;
            int i = byAudit.FindIndex(e => e.Audit == audit);
            if (i < 0)
            {
                byAudit.Add((audit, null, null));
                i = byAudit.Count - 1;
            }
            var e = byAudit[i];
            byAudit[i] = arch == ScmpArchX32 ? (audit, e.Native, max) : (audit, max, e.X32);
        }
        if (byAudit.Count == 0)
            return [];

        var code = new List<Insn>();
        void Emit(ushort c, uint k, int jt = 0, int jf = 0) => code.Add(new Insn { Code = c, K = k, Jt = jt, Jf = jf });

        Emit(LdAbsW, OffArch);
        var archJumps = new List<int>();
        foreach (var _ in byAudit)
        {
            archJumps.Add(code.Count);
            Emit(Jeq, 0, jt: 0, jf: code.Count + 1);
        }
        Emit(Ja, 0, jt: Filter);

        for (int a = 0; a < byAudit.Count; a++)
        {
            var (audit, native, x32) = byAudit[a];
            var jump = code[archJumps[a]];
            jump.K = audit;
            jump.Jt = code.Count;
            code[archJumps[a]] = jump;

            Emit(LdAbsW, OffNr);
            if (audit is AuditArchS390 or AuditArchS390X)
                Emit(Jeq, 0, jt: EnosysLabel, jf: code.Count + 1);
            if (audit == AuditArchX86_64)
            {
                if (native is { } n && x32 is { } x)
                {
                    Emit(Jset, X32Bit, jt: code.Count + 2, jf: code.Count + 1);
                    Emit(Jgt, (uint)n, jt: EnosysLabel, jf: Filter);
                    Emit(Jgt, (uint)x, jt: EnosysLabel, jf: Filter);
                }
                else if (native is { } n2)
                {
                    // x32 calls go on to libseccomp's program (its bad-arch action when x32 is not listed).
                    Emit(Jset, X32Bit, jt: Filter, jf: code.Count + 1);
                    Emit(Jgt, (uint)n2, jt: EnosysLabel, jf: Filter);
                }
                else
                {
                    Emit(Jset, X32Bit, jt: code.Count + 1, jf: Filter);
                    Emit(Jgt, (uint)x32!.Value, jt: EnosysLabel, jf: Filter);
                }
            }
            else
                Emit(Jgt, (uint)native!.Value, jt: EnosysLabel, jf: Filter);
        }
        int enosys = code.Count;
        Emit(RetK, SeccompNumbers.RetErrno | Enosys);
        int filter = code.Count;

        var prog = new uint[code.Count * 2];
        for (int pc = 0; pc < code.Count; pc++)
        {
            var insn = code[pc];
            int Resolve(int target) => target switch { Filter => filter, EnosysLabel => enosys, _ => target };
            uint jt = 0, jf = 0, k = insn.K;
            if (insn.Code == Ja)
                k = (uint)(Resolve(insn.Jt) - pc - 1);
            else if (insn.Code is Jeq or Jgt or Jset)
            {
                jt = Offset(Resolve(insn.Jt), pc);
                jf = Offset(Resolve(insn.Jf), pc);
            }
            prog[pc * 2] = insn.Code | jt << 16 | jf << 24;
            prog[pc * 2 + 1] = k;
        }
        return prog;
    }

    private static uint Offset(int target, int pc)
    {
        int off = target - pc - 1;
        if (off is < 0 or > 255)
            throw new RuntimeError($"seccomp ENOSYS stub: a jump of {off} instructions does not fit");
        return (uint)off;
    }
}
