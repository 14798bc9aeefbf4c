using OciRuntime.Spec.Json;

namespace OciRuntime.Spec;

/// <summary>
/// The config <c>spec</c> writes: the same as runc 1.2+'s <c>runc spec</c> (no ambient capabilities),
/// with ociVersion 1.3.0 and hostname "ociruntime"; a cgroup namespace only when asked for, which
/// `spec` does on a cgroup v2 host, as runc (a config that adds its own on a v1 host would
/// otherwise list the type twice).
/// </summary>
public static class DefaultSpec
{
    public const string OciVersion = "1.3.0";

    /// <summary>The default spec; rootless maps container root to the caller's effective uid and gid.</summary>
    public static Spec Create(bool rootless, bool cgroupNamespace = true) =>
        rootless ? CreateRootlessForCaller(cgroupNamespace) : Create(rootless: false, 0, 0, cgroupNamespace);

    private static Spec CreateRootlessForCaller(bool cgroupNamespace)
    {
        var (uid, gid) = CurrentIds();
        return Create(rootless: true, uid, gid, cgroupNamespace);
    }

    /// <summary>As <see cref="Create(bool, bool)"/>, with the host ids that a rootless spec maps to container root.</summary>
    public static Spec Create(bool rootless, uint hostUid, uint hostGid, bool cgroupNamespace = true)
    {
        string[] caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
        var spec = new Spec
        {
            OciVersion = OciVersion,
            Process = new Process
            {
                Terminal = true,
                User = new User { Uid = 0, Gid = 0 },
                Args = ["sh"],
                Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                Cwd = "/",
                Capabilities = new LinuxCapabilities { Bounding = [.. caps], Effective = [.. caps], Permitted = [.. caps] },
                Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 }],
                NoNewPrivileges = true,
            },
            Root = new Root { Path = "rootfs", Readonly = true },
            Hostname = "ociruntime",
            Mounts =
            [
                new Mount { Destination = "/proc", Type = "proc", Source = "proc" },
                new Mount { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
                new Mount { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
                new Mount { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
                new Mount { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
                new Mount { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
                new Mount { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["nosuid", "noexec", "nodev", "relatime", "ro"] },
            ],
            Linux = new Linux
            {
                Resources = new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] },
                Namespaces =
                [
                    new LinuxNamespace { Type = NamespaceTypes.Pid },
                    new LinuxNamespace { Type = NamespaceTypes.Network },
                    new LinuxNamespace { Type = NamespaceTypes.Ipc },
                    new LinuxNamespace { Type = NamespaceTypes.Uts },
                    new LinuxNamespace { Type = NamespaceTypes.Mount },
                    .. (cgroupNamespace ? new[] { new LinuxNamespace { Type = NamespaceTypes.Cgroup } } : []),
                ],
                MaskedPaths =
                [
                    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                    "/sys/devices/virtual/powercap",
                ],
                ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
            },
        };
        if (rootless)
            MakeRootless(spec, hostUid, hostGid);
        return spec;
    }

    /// <summary>Tab-indented JSON with no trailing newline, as <c>runc spec</c> writes config.json.</summary>
    public static string ToJson(Spec spec) => JsonOut.Text(spec, JsonOut.Indented, SpecWriter.WriteSpec);

    /// <summary>What runc's <c>spec --rootless</c> changes (libcontainer/specconv ToRootless).</summary>
    private static void MakeRootless(Spec spec, uint hostUid, uint hostGid)
    {
        var linux = spec.Linux!;
        // An unprivileged user cannot configure a network namespace usefully, so the host's is kept;
        // the user namespace is what makes the rest possible.
        linux.Namespaces = [.. linux.Namespaces!.Where(n => n.Type is not (NamespaceTypes.Network or NamespaceTypes.User)),
            new LinuxNamespace { Type = NamespaceTypes.User }];
        linux.UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = hostUid, Size = 1 }];
        linux.GidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = hostGid, Size = 1 }];

        var mounts = new List<Mount>();
        foreach (var m in spec.Mounts!)
        {
            // sysfs cannot be mounted without owning the network namespace: bind the host's instead.
            if (m.Destination == "/sys")
            {
                mounts.Add(new Mount { Destination = "/sys", Type = "none", Source = "/sys", Options = ["rbind", "nosuid", "noexec", "nodev", "ro"] });
                continue;
            }
            // Only one id is mapped, so uid=/gid= options naming other ids (devpts gid=5) would fail.
            m.Options = m.Options?.Where(o => !o.StartsWith("uid=", StringComparison.Ordinal) && !o.StartsWith("gid=", StringComparison.Ordinal)).ToList();
            mounts.Add(m);
        }
        spec.Mounts = mounts;
        // An unprivileged user cannot write cgroup settings.
        linux.Resources = null;
    }

    /// <summary>The effective uid and gid, from /proc/self/status ("Uid: real effective saved fs").</summary>
    private static (uint Uid, uint Gid) CurrentIds()
    {
        uint uid = 0, gid = 0;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
                uid = EffectiveField(line);
            else if (line.StartsWith("Gid:", StringComparison.Ordinal))
                gid = EffectiveField(line);
        }
        return (uid, gid);
    }

    private static uint EffectiveField(string line)
    {
        var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 2 && uint.TryParse(fields[2], out uint id) ? id : 0;
    }
}
