using OciRuntime.Plan;

namespace OciRuntime.Planning;

/// <summary>Device nodes and the /dev symlinks every container gets, plus linux.devices.</summary>
internal static class DevicePlanner
{
    private const uint S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFBLK = 0x6000;
    private const uint Mode0666 = 0x1B6; // C# has no octal literals

    /// <summary>The nodes runc creates in every container (path, major, minor), mode 0666, root-owned.</summary>
    private static readonly (string Path, uint Major, uint Minor)[] Defaults =
    [
        ("/dev/null", 1, 3), ("/dev/zero", 1, 5), ("/dev/full", 1, 7),
        ("/dev/random", 1, 8), ("/dev/urandom", 1, 9), ("/dev/tty", 5, 0),
    ];

    private static readonly (string Link, string Path)[] Symlinks =
    [
        ("/proc/self/fd", "/dev/fd"), ("/proc/self/fd/0", "/dev/stdin"), ("/proc/self/fd/1", "/dev/stdout"),
        ("/proc/self/fd/2", "/dev/stderr"), ("pts/ptmx", "/dev/ptmx"),
    ];

    /// <param name="bindFromHost">the container is in a user namespace (new or joined), where mknod of a device
    /// is not allowed: each node becomes a bind of the host's node at the same path onto an empty
    /// file (as runc); its mode and owner are then the host's</param>
    public static void Plan(Spec.Spec config, List<Step> steps, bool bindFromHost = false)
    {
        var devices = config.Linux?.Devices ?? [];
        var configured = new HashSet<string>(devices.Select(d => ContainerPath.Clean(d.Path ?? "")));

        foreach (var (path, major, minor) in Defaults)
            if (!configured.Contains(path))
                steps.Add(bindFromHost ? BindStep(path, "default devices")
                    : new MknodStep(path, S_IFCHR | Mode0666, major, minor, 0, 0, "default devices"));

        for (int i = 0; i < devices.Count; i++)
        {
            var d = devices[i];
            string field = $"linux.devices[{i}]";
            uint type = d.Type switch
            {
                "c" or "u" => S_IFCHR,
                "b" => S_IFBLK,
                "p" => S_IFIFO,
                _ => throw new PlanningException($"{field}.type", $"unknown device type \"{d.Type}\" (expected c, b, u or p)"),
            };
            uint perm = d.FileMode ?? Mode0666;
            if (bindFromHost)
            {
                steps.Add(BindStep(ContainerPath.Confined(d.Path ?? "", $"{field}.path"), field));
                continue;
            }
            steps.Add(new MknodStep(ContainerPath.Confined(d.Path ?? "", $"{field}.path"), type | (perm & 0xFFF),
                (uint)(d.Major ?? 0), (uint)(d.Minor ?? 0), d.Uid ?? 0, d.Gid ?? 0, field));
        }

        foreach (var (link, path) in Symlinks)
            steps.Add(new SymlinkStep(link, path, "default devices"));
    }

    private static MountStep BindStep(string path, string origin) =>
        new(path, path, "", "", Linux.MountFlags.MS_BIND, MountOpts.TargetInRoot | MountOpts.Mkfile, origin);
}
