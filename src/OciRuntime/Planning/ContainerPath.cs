namespace OciRuntime.Planning;

/// <summary>Paths inside the container, cleaned lexically ("a/../b" → "/b", never above "/").
/// Cleaning is for naming and ordering only: the executor still resolves every path inside the
/// root with RESOLVE_IN_ROOT, so a symlink in the image cannot lead out of it.</summary>
internal static class ContainerPath
{
    public static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var p in path.Split('/'))
        {
            if (p.Length == 0 || p == ".")
                continue;
            if (p == "..")
            {
                if (parts.Count > 0)
                    parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(p);
        }
        return "/" + string.Join('/', parts);
    }

    /// <summary>
    /// <see cref="Clean"/> for a path from the config, refusing one whose ".." components climb
    /// above the container's root: such a path says it wants to leave the root, and clamping it
    /// silently would hide a broken or hostile config.
    /// </summary>
    public static string Confined(string path, string field)
    {
        int depth = 0;
        foreach (var p in path.Split('/'))
        {
            if (p == "..")
            {
                if (--depth < 0)
                    throw new PlanningException(field, $"\"{path}\" leads out of the container's root");
            }
            else if (p.Length > 0 && p != ".")
                depth++;
        }
        return Clean(path);
    }

    /// <summary>
    /// A mount destination written as a host path inside the rootfs ("/bundle/rootfs/mnt") means
    /// that place in the container ("/mnt"), as runc reads it (its LexicallyStripRoot): compared
    /// lexically, with both cleaned; any other destination is returned as it was given.
    /// </summary>
    public static string StripRoot(string destination, string rootfs)
    {
        if (!destination.StartsWith('/') || string.IsNullOrEmpty(rootfs))
            return destination;
        string root = Clean(rootfs), dest = Clean(destination);
        if (root == "/" || !IsUnder(dest, root))
            return destination;
        return dest.Length == root.Length ? "/" : dest[root.Length..];
    }

    public static string Join(string dir, string name) => dir == "/" ? "/" + name : dir + "/" + name;

    /// <summary>True when <paramref name="path"/> is <paramref name="dir"/> or below it.</summary>
    public static bool IsUnder(string path, string dir) =>
        dir == "/" || path == dir || path.StartsWith(dir + "/", StringComparison.Ordinal);
}
