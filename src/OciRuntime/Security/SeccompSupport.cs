using OciRuntime.Linux;
using OciRuntime.Planning;
using OciRuntime.Spec;

namespace OciRuntime.Security;

/// <summary>What this kernel and this libseccomp support, asked of them rather than assumed.</summary>
internal static unsafe class SeccompSupport
{
    private const long SYS_seccomp = 317; // x86_64
    private const long SetModeFilter = 1, GetActionAvail = 2;
    private const int EFAULT = 14;

    /// <summary>Actions the kernel knows (SECCOMP_GET_ACTION_AVAIL).</summary>
    public static List<string> Actions() => SeccompNames.Actions.Where(name =>
    {
        SeccompNumbers.TryGetAction(name, out uint ret);
        return LibC.syscall3(SYS_seccomp, GetActionAvail, 0, (long)&ret) == 0;
    }).ToList();

    /// <summary>Flags the kernel accepts: a filter load with a NULL program fails with EFAULT only
    /// after the flags passed its check (EINVAL otherwise). WAIT_KILLABLE_RECV is only valid with a
    /// listener, so it is asked together with NEW_LISTENER.</summary>
    public static List<string> Flags() => SeccompNames.Flags.Where(name =>
    {
        SeccompNumbers.TryGetFlag(name, out uint flag);
        if (flag == SeccompNumbers.FlagWaitKillableRecv)
            flag |= SeccompNumbers.FlagNewListener;
        return LibC.syscall3(SYS_seccomp, SetModeFilter, flag, 0) < 0 && LibC.Errno == EFAULT;
    }).ToList();

    /// <summary>Architectures libseccomp can build filters for.</summary>
    public static List<string> Architectures() => SeccompNames.Architectures
        .Where(a => LibSeccomp.seccomp_arch_resolve_name(SeccompNumbers.LibseccompArchName(a)) != 0).ToList();
}
