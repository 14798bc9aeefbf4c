namespace OciRuntime.Planning;

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
        foreach (var line in status.Split('\n'))
            if (line.StartsWith("CapBnd:", StringComparison.Ordinal))
                return Convert.ToUInt64(line[7..].Trim(), 16);
        return HostFacts.AllCapabilities;
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
        foreach (var line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // id parent maj:min root mountpoint options [optional...] - fstype source superoptions
            var parts = line.Split(' ');
            int dash = Array.IndexOf(parts, "-");
            if (dash < 0 || parts.Length < dash + 4)
                continue;
            string mountPoint = Unescape(parts[4]), fsType = parts[dash + 1];
            if (fsType != "cgroup" && fsType != "cgroup2")
                continue;
            if (!mountPoint.StartsWith("/sys/fs/cgroup", StringComparison.Ordinal))
                continue;
            if (fsType == "cgroup2")
            {
                if (mountPoint == "/sys/fs/cgroup")
                    mode = CgroupMode.Unified;
                list.Add(new CgroupHierarchy(mountPoint, fsType, "", own.GetValueOrDefault("", "/")));
                continue;
            }
            // The controllers (or name=) of a v1 hierarchy are in its super options.
            var opts = parts[dash + 3].Split(',')
                .Where(o => o != "rw" && o != "ro" && !o.StartsWith("release_agent", StringComparison.Ordinal)
                            && o != "clone_children" && o != "noprefix" && o != "xattr")
                .ToList();
            string key = string.Join(',', opts);
            list.Add(new CgroupHierarchy(mountPoint, fsType, key, own.GetValueOrDefault(key, "/")));
        }
        return new HostFacts(mode, list, runtimeBounding);
    }

    private static string Unescape(string s) => s.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");
}
