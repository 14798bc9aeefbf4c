namespace OciRuntime.Linux;

/// <summary>CLONE_NEW* flags and the runtime-spec namespace type names.</summary>
internal static class Namespaces
{
    public const uint CLONE_NEWTIME = 0x00000080;
    public const uint CLONE_NEWNS = 0x00020000;
    public const uint CLONE_NEWCGROUP = 0x02000000;
    public const uint CLONE_NEWUTS = 0x04000000;
    public const uint CLONE_NEWIPC = 0x08000000;
    public const uint CLONE_NEWUSER = 0x10000000;
    public const uint CLONE_NEWPID = 0x20000000;
    public const uint CLONE_NEWNET = 0x40000000;

    private static readonly (string Spec, uint Flag, string Proc)[] Table =
    [
        ("user", CLONE_NEWUSER, "user"),
        ("pid", CLONE_NEWPID, "pid"),
        ("network", CLONE_NEWNET, "net"),
        ("ipc", CLONE_NEWIPC, "ipc"),
        ("uts", CLONE_NEWUTS, "uts"),
        ("mount", CLONE_NEWNS, "mnt"),
        ("cgroup", CLONE_NEWCGROUP, "cgroup"),
        ("time", CLONE_NEWTIME, "time"),
    ];

    /// <summary>The clone flag of a runtime-spec namespace type, or 0 when unknown.</summary>
    public static uint FlagOf(string specType)
    {
        foreach (var e in Table)
            if (e.Spec == specType)
                return e.Flag;
        return 0;
    }

    public static string Name(uint flag)
    {
        foreach (var e in Table)
            if (e.Flag == flag)
                return e.Spec;
        return $"0x{flag:x}";
    }

    public static string Names(uint flags) =>
        string.Join(" ", Table.Where(e => (flags & e.Flag) != 0).Select(e => e.Spec));

    /// <summary>The name under /proc/PID/ns/.</summary>
    public static string ProcName(string specType)
    {
        foreach (var e in Table)
            if (e.Spec == specType)
                return e.Proc;
        throw new ArgumentException(specType);
    }
}
