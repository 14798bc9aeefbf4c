namespace OciRuntime.Planning;

/// <summary>
/// The kernel's and libseccomp's numbers for the names linux.seccomp uses (linux/seccomp.h,
/// seccomp.h). The names themselves are listed in Spec/SeccompNames.cs.
/// </summary>
internal static class SeccompNumbers
{
    public const uint RetKillProcess = 0x80000000, RetKillThread = 0, RetTrap = 0x00030000, RetErrno = 0x00050000,
        RetUserNotif = 0x7fc00000, RetTrace = 0x7ff00000, RetLog = 0x7ffc0000, RetAllow = 0x7fff0000;

    public const uint FlagTsync = 1, FlagLog = 2, FlagSpecAllow = 4, FlagNewListener = 8, FlagTsyncEsrch = 16,
        FlagWaitKillableRecv = 32;

    /// <summary>The errno of SCMP_ACT_ERRNO and the message of SCMP_ACT_TRACE when the config gives
    /// none: EPERM, as runc.</summary>
    public const uint DefaultErrnoRet = 1;

    /// <summary>Action name → SECCOMP_RET_* (without the 16-bit data). SCMP_ACT_KILL is KILL_THREAD,
    /// as in libseccomp and runc.</summary>
    public static bool TryGetAction(string name, out uint ret)
    {
        ret = name switch
        {
            "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => RetKillThread,
            "SCMP_ACT_KILL_PROCESS" => RetKillProcess,
            "SCMP_ACT_TRAP" => RetTrap,
            "SCMP_ACT_ERRNO" => RetErrno,
            "SCMP_ACT_TRACE" => RetTrace,
            "SCMP_ACT_ALLOW" => RetAllow,
            "SCMP_ACT_LOG" => RetLog,
            "SCMP_ACT_NOTIFY" => RetUserNotif,
            _ => uint.MaxValue,
        };
        return ret != uint.MaxValue;
    }

    /// <summary>Whether the action carries 16 bits of data (errnoRet applies).</summary>
    public static bool TakesErrnoRet(string action) => action is "SCMP_ACT_ERRNO" or "SCMP_ACT_TRACE";

    /// <summary>Operator name → enum scmp_compare.</summary>
    public static bool TryGetOperator(string name, out int op)
    {
        op = name switch
        {
            "SCMP_CMP_NE" => 1,
            "SCMP_CMP_LT" => 2,
            "SCMP_CMP_LE" => 3,
            "SCMP_CMP_EQ" => 4,
            "SCMP_CMP_GE" => 5,
            "SCMP_CMP_GT" => 6,
            "SCMP_CMP_MASKED_EQ" => 7,
            _ => 0,
        };
        return op != 0;
    }

    /// <summary>Flag name → SECCOMP_FILTER_FLAG_*.</summary>
    public static bool TryGetFlag(string name, out uint flag)
    {
        flag = name switch
        {
            "SECCOMP_FILTER_FLAG_TSYNC" => FlagTsync,
            "SECCOMP_FILTER_FLAG_LOG" => FlagLog,
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => FlagSpecAllow,
            "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" => FlagWaitKillableRecv,
            _ => 0,
        };
        return flag != 0;
    }

    /// <summary>libseccomp's own name of an architecture: "SCMP_ARCH_X86_64" → "x86_64".</summary>
    public static string LibseccompArchName(string specName) =>
        specName.StartsWith("SCMP_ARCH_", StringComparison.Ordinal) ? specName["SCMP_ARCH_".Length..].ToLowerInvariant() : "";
}
