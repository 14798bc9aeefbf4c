namespace OciRuntime.Rootless;

/// <summary>/proc/PID/setgroups of a container's init: "deny" when a rootless create mapped a
/// single gid. Processes exec'd into that user namespace cannot call setgroups(2) either.</summary>
internal static class SetgroupsFile
{
    public static bool Denies(int pid) => Linux.SysFile.TryRead($"/proc/{pid}/setgroups", out _)?.Trim() == "deny";
}
