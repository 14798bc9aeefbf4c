using OciRuntime.Planning;

namespace OciRuntime.Cgroups;

/// <summary>
/// linux.cgroupsPath under --systemd-cgroup: "slice:prefix:name", as runc's systemd driver reads
/// it (slice empty → system.slice; the unit is "prefix-name.scope", or "name" itself if it ends in
/// ".slice"). There is no systemd driver yet, so after parsing the path is refused clearly.
/// </summary>
internal sealed record SystemdCgroupPath(string Slice, string Prefix, string Name)
{
    public string Unit => Name.EndsWith(".slice", StringComparison.Ordinal) ? Name : $"{Prefix}-{Name}.scope";

    public static SystemdCgroupPath Parse(string? cgroupsPath, string id)
    {
        if (string.IsNullOrEmpty(cgroupsPath))
            return new("system.slice", "ociruntime", id);
        var parts = cgroupsPath.Split(':');
        if (parts.Length != 3)
            throw new PlanningException("linux.cgroupsPath",
                $"\"{cgroupsPath}\" is not of the form slice:prefix:name, which --systemd-cgroup needs");
        if (parts[0].Contains('/') || parts[1].Contains('/') || parts[2].Contains('/'))
            throw new PlanningException("linux.cgroupsPath", $"\"{cgroupsPath}\": slice, prefix and name cannot contain '/'");
        if (parts[0].Length > 0 && !parts[0].EndsWith(".slice", StringComparison.Ordinal))
            throw new PlanningException("linux.cgroupsPath", $"\"{parts[0]}\" is not a slice name (it must end in .slice)");
        if (parts[2].Length == 0)
            throw new PlanningException("linux.cgroupsPath", $"\"{cgroupsPath}\": the name part is empty");
        return new(parts[0].Length > 0 ? parts[0] : "system.slice", parts[1], parts[2]);
    }

    /// <summary>--systemd-cgroup: the path is checked, then refused (no driver talks to systemd yet).</summary>
    public static void Refuse(string? cgroupsPath, string id, bool systemdRunning)
    {
        var p = Parse(cgroupsPath, id);
        string why = systemdRunning
            ? "the systemd cgroup driver is not supported yet by ociruntime"
            : "this host does not run systemd (/run/systemd/system is missing)";
        throw new RuntimeError($"--systemd-cgroup: {why}; unit {p.Unit} in {p.Slice} not created (run without --systemd-cgroup for the cgroupfs driver)");
    }
}
