using OciRuntime.Planning;

namespace OciRuntime.Lifecycle;

/// <summary>Reads <see cref="HostFacts"/> from /proc/self/mountinfo and /proc/self/cgroup.</summary>
internal static class HostFactsReader
{
    /// <param name="mountinfo">/proc/self/mountinfo when the caller has read it already</param>
    public static HostFacts Read(bool needCgroups, string? mountinfo = null)
    {
        ulong bounding = ParseCapBnd(Linux.SysFile.Read("/proc/self/status"));
        var facts = !needCgroups
            ? new HostFacts(CgroupMode.Unified, [], bounding)
            : Parse(mountinfo ?? Linux.SysFile.Read("/proc/self/mountinfo"), Linux.SysFile.Read("/proc/self/cgroup"), bounding);
        return facts with { AppArmor = Security.Lsm.AppArmorEnabled(), Selinux = Security.Lsm.SelinuxEnabled() };
    }

    public static ulong ParseCapBnd(string status)
    {
        const string key = "CapBnd:";
        int at = status.StartsWith(key, StringComparison.Ordinal) ? 0
            : status.IndexOf("\n" + key, StringComparison.Ordinal) is int i and >= 0 ? i + 1 : -1;
        if (at < 0)
            return HostFacts.AllCapabilities;
        var value = status.AsSpan(at + key.Length);
        int nl = value.IndexOf('\n');
        return ulong.Parse((nl < 0 ? value : value[..nl]).Trim(), System.Globalization.NumberStyles.AllowHexSpecifier,
            System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Pure: the hierarchies mounted below /sys/fs/cgroup, with our place in each.</summary>
    public static HostFacts Parse(string mountinfo, string procSelfCgroup, ulong runtimeBounding)
    {
        // /proc/self/cgroup lines: "ID:controllers:path"; v2 is "0::path".
        var own = new Dictionary<string, string>();
        foreach (var line in procSelfCgroup.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(':', 3);
            if (f.Length == 3)
                own[f[1]] = f[2];
        }

        var list = new List<CgroupHierarchy>();
        var mode = CgroupMode.Legacy;
        foreach (var m in new Linux.MountInfo(mountinfo))
        {
            bool v2 = m.FsType.SequenceEqual("cgroup2");
            if (!v2 && !m.FsType.SequenceEqual("cgroup"))
                continue;
            if (!m.MountPoint.StartsWith("/sys/fs/cgroup", StringComparison.Ordinal))
                continue;
            string mountPoint = Linux.MountInfo.Unescape(m.MountPoint);
            string fsType = v2 ? "cgroup2" : "cgroup";
            if (v2)
            {
                if (mountPoint == "/sys/fs/cgroup")
                    mode = CgroupMode.Unified;
                list.Add(new CgroupHierarchy(mountPoint, fsType, "", own.GetValueOrDefault("", "/")));
                continue;
            }
            // The controllers (or name=) of a v1 hierarchy are in its super options.
            var opts = m.SuperOptions.ToString().Split(',')
                .Where(o => o != "rw" && o != "ro" && !o.StartsWith("release_agent", StringComparison.Ordinal)
                            && o != "clone_children" && o != "noprefix" && o != "xattr")
                .ToList();
            string key = string.Join(',', opts);
            list.Add(new CgroupHierarchy(mountPoint, fsType, key, own.GetValueOrDefault(key, "/")));
        }
        return new HostFacts(mode, list, runtimeBounding);
    }

}
