namespace OciRuntime.Spec;

/// <summary>
/// Linux capability names as the runtime-spec writes them ("CAP_CHOWN") and their numbers
/// (linux/capability.h). Linux 6.x defines 0 to 40.
/// </summary>
public static class Capabilities
{
    /// <summary>The highest capability number known (CAP_CHECKPOINT_RESTORE).</summary>
    public const int Last = 40;

    /// <summary>Capability names indexed by number.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        "CAP_CHOWN",              // 0
        "CAP_DAC_OVERRIDE",
        "CAP_DAC_READ_SEARCH",
        "CAP_FOWNER",
        "CAP_FSETID",
        "CAP_KILL",               // 5
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETPCAP",
        "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE",   // 10
        "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN",
        "CAP_NET_RAW",
        "CAP_IPC_LOCK",
        "CAP_IPC_OWNER",          // 15
        "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT",          // 20
        "CAP_SYS_ADMIN",
        "CAP_SYS_BOOT",
        "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME",           // 25
        "CAP_SYS_TTY_CONFIG",
        "CAP_MKNOD",
        "CAP_LEASE",
        "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL",      // 30
        "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN",
        "CAP_SYSLOG",
        "CAP_WAKE_ALARM",         // 35
        "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ",
        "CAP_PERFMON",
        "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE", // 40
    ];

    private static readonly Dictionary<string, int> ByName = BuildIndex();

    private static Dictionary<string, int> BuildIndex()
    {
        var d = new Dictionary<string, int>(All.Count, StringComparer.Ordinal);
        for (int i = 0; i < All.Count; i++)
            d.Add(All[i], i);
        return d;
    }

    /// <summary>The number of a capability name such as "CAP_SYS_ADMIN" (exact spelling, as runc).</summary>
    public static bool TryGetNumber(string name, out int number) => ByName.TryGetValue(name, out number);

    /// <summary>The name of a capability number, or null when unknown.</summary>
    public static string? NameOf(int number) => number >= 0 && number < All.Count ? All[number] : null;
}
