using OciRuntime.Linux;
using OciRuntime.Planning;

namespace OciRuntime.Cgroups.Systemd;

/// <summary>
/// Controllers systemd does not manage (hugetlb, rdma, misc in systemd 252) are never put in a
/// slice's cgroup.subtree_control, so the unit's cgroup lacks their files even with Delegate=yes.
/// After the unit has started, each level from the cgroup2 root down to the unit's parent gets
/// "+controller" for every controller the resource files need and that level does not enable yet
/// (runc's systemd v2 driver does the same through its cgroupfs code; systemd leaves controllers
/// it does not know alone). A controller the root does not offer is the host's lack: left to the
/// file write, which says the file is missing.
/// </summary>
internal static class DelegatedControllers
{
    /// <summary>The levels that hand controllers down to <paramref name="dir"/>: the mount point,
    /// then each directory below it, ending with <paramref name="dir"/>'s parent.</summary>
    public static List<string> Levels(string mountPoint, string dir)
    {
        var levels = new List<string> { mountPoint };
        string rel = dir[mountPoint.Length..].Trim('/');
        var parts = rel.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string at = mountPoint.TrimEnd('/');
        for (int i = 0; i < parts.Length - 1; i++)
        {
            at += "/" + parts[i];
            levels.Add(at);
        }
        return levels;
    }

    /// <summary>Each controller the writes need, with the first config field that needs it.</summary>
    public static List<(string Controller, string Field)> Needed(IEnumerable<CgroupWrite> writes)
    {
        var list = new List<(string, string)>();
        foreach (var w in writes)
            if (w.Controller.Length > 0 && !list.Exists(x => x.Item1 == w.Controller))
                list.Add((w.Controller, w.Field));
        return list;
    }

    /// <summary>Enables what is missing, from the root down; a level the kernel refuses is an
    /// error naming the field, the controller and the level.</summary>
    public static void Enable(string mountPoint, string dir, IEnumerable<CgroupWrite> writes, string unit)
    {
        var needed = Needed(writes);
        if (needed.Count == 0)
            return;
        var rootOffers = Words(mountPoint, "cgroup.controllers");
        needed.RemoveAll(n => !rootOffers.Contains(n.Controller));
        foreach (string level in Levels(mountPoint, dir))
        {
            var enabled = Words(level, "cgroup.subtree_control");
            foreach (var (controller, field) in needed)
            {
                if (enabled.Contains(controller))
                    continue;
                int err = SysFile.TryWrite(level + "/cgroup.subtree_control", "+" + controller);
                if (err != 0)
                    throw new PlanningException(field,
                        $"the {controller} controller could not be enabled in {level}/cgroup.subtree_control ({LibC.StrError(err)}); " +
                        $"systemd did not delegate it to unit {unit} and the kernel refused to enable it there");
            }
        }
    }

    private static string[] Words(string dir, string file) =>
        (CgroupFiles.Read(dir, file) ?? "").Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
}
