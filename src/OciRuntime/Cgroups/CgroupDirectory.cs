using OciRuntime.Linux;

namespace OciRuntime.Cgroups;

/// <summary>File operations on one cgroup directory, shared by the v1 and v2 managers.</summary>
internal static class CgroupDirectory
{
    public static void Write(string dir, string file, string value)
    {
        string path = dir + "/" + file;
        int err = SysFile.TryWrite(path, value);
        if (err != 0)
            throw WriteError(path, value, err);
    }

    internal static RuntimeError WriteError(string path, string value, int errno) =>
        new($"cgroup: write \"{value}\" to {path}: {LibC.StrError(errno)}");

    /// <summary>
    /// Writes each value, in order, to its file in <paramref name="dir"/>: one write(2) per value,
    /// as <see cref="Write"/>, but each file opened once. A container's device rules are a dozen
    /// writes to devices.allow and devices.deny, on the critical path of every start.
    /// </summary>
    public static void WriteEach(string dir, IReadOnlyList<(string File, string Value)> writes)
    {
        var open = new Dictionary<string, int>(2);
        try
        {
            foreach (var (file, value) in writes)
            {
                string path = dir + "/" + file;
                if (!open.TryGetValue(file, out int fd))
                {
                    fd = LibC.open(path, LibC.O_WRONLY | LibC.O_CLOEXEC, 0);
                    if (fd < 0)
                        throw WriteError(path, value, LibC.Errno);
                    open[file] = fd;
                }
                if (SysFile.WriteOnce(fd, value) is int err and not 0)
                    throw WriteError(path, value, err);
            }
        }
        finally
        {
            foreach (int fd in open.Values)
                LibC.close(fd);
        }
    }

    public static string Read(string dir, string file)
    {
        string path = dir + "/" + file;
        return SysFile.TryRead(path, out int err) ?? throw new RuntimeError($"cgroup: read {path}: {LibC.StrError(err)}");
    }

    public static IReadOnlyList<int> Procs(string dir) =>
        (SysFile.TryRead(dir + "/cgroup.procs", out _) ?? "")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => int.TryParse(l, out int p) ? p : 0).Where(p => p > 0).ToList();

    /// <summary>A container's cgroup that exists already must hold no process and not be frozen,
    /// as runc: joining a frozen one would stop the init where it stands (`run -d` waited for it
    /// forever), and the processes of a non-empty one would be taken for the container's.</summary>
    public static void RefuseIfInUse(string dir, bool frozen)
    {
        if (frozen)
            throw new RuntimeError($"linux.cgroupsPath: the container's cgroup {dir} exists and is frozen (thaw it, or choose another path)");
        if (Procs(dir) is { Count: > 0 } procs)
            throw new RuntimeError($"linux.cgroupsPath: the container's cgroup {dir} exists and is not empty: {procs.Count} process(es) in it (pid {procs[0]}{(procs.Count > 1 ? ", ..." : "")})");
    }

    /// <summary>Creates the directory and any missing parents; returns the ones it created,
    /// parents first, so that only those are removed on failure.</summary>
    public static List<string> CreateAll(string dir)
    {
        var created = new List<string>();
        Make(dir, created);
        return created;
    }

    // mkdir first, and only on ENOENT make the parent: the usual case is a single syscall.
    private static void Make(string dir, List<string> created)
    {
        const uint mode = 0b111_101_101; // 0755
        if (LibC.mkdir(dir, mode) == 0)
        {
            created.Add(dir);
            return;
        }
        int e = LibC.Errno;
        if (e == LibC.EEXIST)
            return;
        if (e != LibC.ENOENT || Path.GetDirectoryName(dir) is not { } parent)
            throw new SyscallException($"cgroup: mkdir {dir}", e);
        Make(parent, created);
        if (LibC.mkdir(dir, mode) == 0)
            created.Add(dir);
        else if (LibC.Errno != LibC.EEXIST)
            throw SyscallException.Last($"cgroup: mkdir {dir}");
    }

    /// <summary>rmdir, retried briefly: a cgroup stays busy for a moment after its last process
    /// has been reaped.</summary>
    public static void Remove(string dir)
    {
        // EBUSY right after the last task exited is brief (about 1 `run` in 100 here): retry at
        // once in 1 ms steps, then in 10 ms steps, half a second in all.
        for (int attempt = 0; ; attempt++)
        {
            if (LibC.rmdir(dir) == 0 || LibC.Errno == LibC.ENOENT)
                return;
            if (LibC.Errno != LibC.EBUSY || attempt >= 60)
                throw SyscallException.Last($"cgroup: rmdir {dir}");
            Thread.Sleep(attempt < 10 ? 1 : 10);
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
            catch (SyscallException)
            {
            }
        }
    }
}
