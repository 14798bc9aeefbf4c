namespace OciRuntime.Planning;

/// <summary>Where a container's cgroup goes in one hierarchy, as runc decides it.</summary>
internal static class CgroupPaths
{
    /// <summary>
    /// An absolute linux.cgroupsPath is taken from the hierarchy's root; a relative one is placed
    /// below the runtime's own cgroup (<paramref name="ownPath"/>); without one, the container gets
    /// "&lt;own cgroup&gt;/&lt;id&gt;".
    /// </summary>
    public static string Resolve(string? cgroupsPath, string id, string ownPath)
    {
        string path = string.IsNullOrEmpty(cgroupsPath) ? id : cgroupsPath;
        string joined = path.StartsWith('/') ? path : (ownPath.TrimEnd('/') + "/" + path);
        return Planning.ContainerPath.Clean(joined);
    }
}
