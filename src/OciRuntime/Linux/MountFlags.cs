namespace OciRuntime.Linux;

/// <summary>MS_* flags of mount(2).</summary>
internal static class MountFlags
{
    public const ulong MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16,
        MS_REMOUNT = 32, MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024,
        MS_NODIRATIME = 2048, MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_SILENT = 32768,
        MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20,
        MS_RELATIME = 1 << 21, MS_I_VERSION = 1 << 23, MS_STRICTATIME = 1 << 24, MS_LAZYTIME = 1 << 25;

    public const ulong PropagationMask = MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED;

    private static readonly (ulong Flag, string Name)[] Names =
    [
        (MS_RDONLY, "ro"), (MS_NOSUID, "nosuid"), (MS_NODEV, "nodev"), (MS_NOEXEC, "noexec"),
        (MS_SYNCHRONOUS, "sync"), (MS_REMOUNT, "remount"), (MS_MANDLOCK, "mand"), (MS_DIRSYNC, "dirsync"),
        (MS_NOSYMFOLLOW, "nosymfollow"), (MS_NOATIME, "noatime"), (MS_NODIRATIME, "nodiratime"),
        (MS_BIND, "bind"), (MS_MOVE, "move"), (MS_REC, "rec"), (MS_SILENT, "silent"),
        (MS_UNBINDABLE, "unbindable"), (MS_PRIVATE, "private"), (MS_SLAVE, "slave"), (MS_SHARED, "shared"),
        (MS_RELATIME, "relatime"), (MS_I_VERSION, "iversion"), (MS_STRICTATIME, "strictatime"),
        (MS_LAZYTIME, "lazytime"),
    ];

    public static string Describe(ulong flags)
    {
        if (flags == 0)
            return "0";
        var parts = Names.Where(n => (flags & n.Flag) != 0).Select(n => n.Name).ToList();
        ulong known = Names.Aggregate(0UL, (a, n) => a | n.Flag);
        if ((flags & ~known) != 0)
            parts.Add($"0x{flags & ~known:x}");
        return string.Join("|", parts);
    }
}
