using OciRuntime.Planning;

namespace OciRuntime.Cgroups.Systemd;

/// <summary>
/// linux.cgroupsPath under --systemd-cgroup, "slice:prefix:name", read as runc's systemd driver
/// reads it: an empty slice is system.slice (user.slice for the user's own systemd); the unit is
/// "prefix-name.scope", or "name" itself when it ends in ".slice" (a slice of its own); an empty
/// path is "ociruntime-ID.scope" in the default slice. A nested slice "a-b.slice" lives at
/// /a.slice/a-b.slice, as systemd lays slices out (<see cref="ExpandSlice"/>).
/// </summary>
internal sealed record SystemdCgroupPath(string Slice, string Prefix, string Name)
{
    public const string DefaultPrefix = "ociruntime";

    public string Unit => IsSlice ? Name : $"{Prefix}-{Name}.scope";

    /// <summary>The container asks for a slice rather than a scope (kubelet's pod slices).</summary>
    public bool IsSlice => Name.EndsWith(".slice", StringComparison.Ordinal);

    public static string DefaultSlice(bool userInstance) => userInstance ? "user.slice" : "system.slice";

    public static SystemdCgroupPath Parse(string? cgroupsPath, string id, bool userInstance = false)
    {
        string defaultSlice = DefaultSlice(userInstance);
        if (string.IsNullOrEmpty(cgroupsPath))
            return new(defaultSlice, DefaultPrefix, id);
        var parts = cgroupsPath.Split(':');
        if (parts.Length != 3)
            throw new PlanningException("linux.cgroupsPath",
                $"\"{cgroupsPath}\" is not of the form slice:prefix:name, which --systemd-cgroup needs");
        if (parts[0].Contains('/') || parts[1].Contains('/') || parts[2].Contains('/'))
            throw new PlanningException("linux.cgroupsPath", $"\"{cgroupsPath}\": slice, prefix and name cannot contain '/'");
        if (parts[2].Length == 0)
            throw new PlanningException("linux.cgroupsPath", $"\"{cgroupsPath}\": the name part is empty");
        var p = new SystemdCgroupPath(parts[0].Length > 0 ? parts[0] : defaultSlice, parts[1], parts[2]);
        if (ExpandSlice(p.Slice) is null)
            throw new PlanningException("linux.cgroupsPath",
                $"\"{parts[0]}\" is not a slice name (it must end in .slice, with no empty part between dashes)");
        if (p.IsSlice && ExpandSlice(p.Name) is null)
            throw new PlanningException("linux.cgroupsPath", $"\"{p.Name}\" is not a slice name (no empty part between dashes)");
        return p;
    }

    /// <summary>
    /// Where systemd puts a slice in the cgroup tree: every dash opens a level, "a-b-c.slice" is
    /// /a.slice/a-b.slice/a-b-c.slice; "-.slice" is the root. Null for a name that is no slice
    /// (no ".slice" suffix, a '/', or an empty part: "a--b.slice", "-a.slice").
    /// </summary>
    public static string? ExpandSlice(string slice)
    {
        const string suffix = ".slice";
        if (slice.Length <= suffix.Length || !slice.EndsWith(suffix, StringComparison.Ordinal) || slice.Contains('/'))
            return null;
        string name = slice[..^suffix.Length];
        if (name == "-")
            return "/";
        var path = new System.Text.StringBuilder();
        string prefix = "";
        foreach (string part in name.Split('-'))
        {
            if (part.Length == 0)
                return null;
            path.Append('/').Append(prefix).Append(part).Append(suffix);
            prefix += part + "-";
        }
        return path.ToString();
    }

    /// <summary>The unit's cgroup, relative to the cgroup2 root of the systemd instance
    /// (<paramref name="managerCgroup"/>: the user instance's own cgroup, "" for the system's).</summary>
    public string CgroupPath(string managerCgroup = "")
    {
        string slice = ExpandSlice(Slice)!;
        string dir = (managerCgroup.TrimEnd('/') + (slice == "/" ? "" : slice)) + "/" + Unit;
        return dir;
    }
}
