using OciRuntime.Linux;

namespace OciRuntime.Cgroups;

/// <summary>File operations on one cgroup directory, shared by the v1 and v2 managers.</summary>
internal static class CgroupDirectory
{
    public static void Write(string dir, string file, string value)
    {
        string path = Path.Combine(dir, file);
        try
        {
            File.WriteAllText(path, value);
        }
        catch (IOException e)
        {
            throw new RuntimeError($"cgroup: write \"{value}\" to {path}: {e.Message}");
        }
    }

    public static IReadOnlyList<int> Procs(string dir)
    {
        try
        {
            return File.ReadAllLines(Path.Combine(dir, "cgroup.procs"))
                .Select(l => int.TryParse(l, out int p) ? p : 0).Where(p => p > 0).ToList();
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>Creates the directory and any missing parents; returns the ones it created,
    /// deepest last, so that only those are removed on failure.</summary>
    public static List<string> CreateAll(string dir)
    {
        var created = new List<string>();
        var missing = new Stack<string>();
        for (string? d = dir; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
            missing.Push(d);
        while (missing.Count > 0)
        {
            string d = missing.Pop();
            if (LibC.mkdir(d, 0b111_101_101) != 0 && LibC.Errno != LibC.EEXIST)
                throw SyscallException.Last($"cgroup: mkdir {d}");
            created.Add(d);
        }
        return created;
    }

    /// <summary>rmdir, retried briefly: a cgroup stays busy for a moment after its last process
    /// has been reaped.</summary>
    public static void Remove(string dir)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(dir))
                    Directory.Delete(dir);
                return;
            }
            catch (IOException) when (attempt < 50)
            {
                Thread.Sleep(10);
            }
        }
    }

    /// <summary>Removes directories this run created, deepest first, best effort (the error that
    /// made us undo matters more than one that happens while undoing).</summary>
    public static void RemoveAll(List<string> created)
    {
        for (int i = created.Count - 1; i >= 0; i--)
        {
            try
            {
                Remove(created[i]);
            }
            catch (IOException)
            {
            }
        }
    }
}
