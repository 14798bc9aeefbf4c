namespace OciRuntime.Spec;

/// <summary>The names linux.seccomp may use (runtime-spec v1.3.0 config-linux.md).</summary>
public static class SeccompNames
{
    public static IReadOnlyList<string> Actions { get; } =
    [
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
    ];

    public static IReadOnlyList<string> Operators { get; } =
    [
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
        "SCMP_CMP_MASKED_EQ",
    ];

    public static IReadOnlyList<string> Architectures { get; } =
    [
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
        "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
        "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC",
        "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
        "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
    ];

    public static IReadOnlyList<string> Flags { get; } =
    [
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    ];

    public static bool IsAction(string? name) => name is not null && Actions.Contains(name);
    public static bool IsOperator(string? name) => name is not null && Operators.Contains(name);
    public static bool IsArchitecture(string? name) => name is not null && Architectures.Contains(name);
    public static bool IsFlag(string? name) => name is not null && Flags.Contains(name);
}
