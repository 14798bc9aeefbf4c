namespace OciRuntime.Linux;

/// <summary>MS_* flags of mount(2).</summary>
internal static class MountFlags
{
    public const ulong MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16,
        MS_REMOUNT = 32, MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024,
        MS_NODIRATIME = 2048, MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_SILENT = 32768,
        MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20,
        MS_RELATIME = 1 << 21, MS_I_VERSION = 1 << 23, MS_STRICTATIME = 1 << 24, MS_LAZYTIME = 1 << 25;

    /// <summary>MOUNT_ATTR_* of mount_setattr(2) (linux/mount.h). The atime field is one value
    /// (RELATIME is 0) under the mask ATIME.</summary>
    public const ulong MOUNT_ATTR_RDONLY = 0x1, MOUNT_ATTR_NOSUID = 0x2, MOUNT_ATTR_NODEV = 0x4,
        MOUNT_ATTR_NOEXEC = 0x8, MOUNT_ATTR_ATIME = 0x70, MOUNT_ATTR_RELATIME = 0, MOUNT_ATTR_NOATIME = 0x10,
        MOUNT_ATTR_STRICTATIME = 0x20, MOUNT_ATTR_NODIRATIME = 0x80, MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

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

    private static readonly (ulong Flag, string Name)[] AttrNames =
    [
        (MOUNT_ATTR_RDONLY, "rdonly"), (MOUNT_ATTR_NOSUID, "nosuid"), (MOUNT_ATTR_NODEV, "nodev"),
        (MOUNT_ATTR_NOEXEC, "noexec"), (MOUNT_ATTR_NOATIME, "noatime"), (MOUNT_ATTR_STRICTATIME, "strictatime"),
        (MOUNT_ATTR_NODIRATIME, "nodiratime"), (MOUNT_ATTR_NOSYMFOLLOW, "nosymfollow"),
    ];

    /// <summary>MOUNT_ATTR_* bits by name ("nosuid|nodev"); the atime mask is "atime".</summary>
    public static string DescribeAttr(ulong attr)
    {
        if (attr == 0)
            return "0";
        var parts = new List<string>();
        if ((attr & MOUNT_ATTR_ATIME) == MOUNT_ATTR_ATIME)
        {
            parts.Add("atime");
            attr &= ~MOUNT_ATTR_ATIME;
        }
        parts.AddRange(AttrNames.Where(n => (attr & n.Flag) != 0).Select(n => n.Name));
        ulong known = AttrNames.Aggregate(0UL, (a, n) => a | n.Flag);
        if ((attr & ~known) != 0)
            parts.Add($"0x{attr & ~known:x}");
        return string.Join("|", parts);
    }

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
