using System.Runtime.InteropServices;
using OciRuntime.Linux;
using OciRuntime.Planning;

namespace OciRuntime.Rootless;

/// <summary>
/// newuidmap/newgidmap (shadow's setuid helpers, Debian package uidmap): "newuidmap PID inside
/// outside count ..." writes /proc/PID/uid_map after checking every range against /etc/subuid.
/// Started with the native vfork helper the hooks use (.NET never forks; System.Diagnostics.Process
/// would reap the runtime's own children), with an empty environment and stdin from /dev/null;
/// its complaints go to the runtime's stderr, the error names the config field.
/// </summary>
internal static unsafe class MappingTool
{
    private static readonly string[] Dirs = ["/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"];

    /// <summary>The helper's path: $PATH first, then the usual directories; null when not installed.</summary>
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH")?.Split(':', StringSplitOptions.RemoveEmptyEntries) ?? [];
        foreach (var dir in path.Concat(Dirs))
        {
            string candidate = Path.Combine(dir, name);
            if (dir.StartsWith('/') && LibC.access(candidate, LibC.X_OK) == 0)
                return candidate;
        }
        return null;
    }

    /// <summary>The helper's arguments after its name: the pid, then each range as inside outside count.</summary>
    public static List<string> Arguments(int pid, IReadOnlyList<IdRange> ranges)
    {
        var args = new List<string> { pid.ToString() };
        foreach (var r in ranges)
            args.AddRange([r.Inside.ToString(), r.Outside.ToString(), r.Count.ToString()]);
        return args;
    }

    public static void Run(string name, int pid, IReadOnlyList<IdRange> ranges, string field)
    {
        string tool = Find(name) ?? throw new PlanningException(field, $"needs {name} (package uidmap), which is not installed");
        var argv = new List<string> { tool };
        argv.AddRange(Arguments(pid, ranges));
        int devNull = LibC.open("/dev/null", LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (devNull < 0)
            throw SyscallException.Last("open /dev/null");
        var strings = argv.Select(s => Marshal.StringToCoTaskMemUTF8(s)).ToArray();
        byte** cArgv = (byte**)NativeMemory.Alloc((nuint)(strings.Length + 1), (nuint)sizeof(nint));
        byte** cEnvp = (byte**)NativeMemory.Alloc(1, (nuint)sizeof(nint));
        int child;
        try
        {
            for (int i = 0; i < strings.Length; i++)
                cArgv[i] = (byte*)strings[i];
            cArgv[strings.Length] = null;
            cEnvp[0] = null;
            child = HookSpawn.oci_spawn_hook(tool, cArgv, cEnvp, devNull, null);
        }
        finally
        {
            LibC.close(devNull);
            foreach (var s in strings)
                Marshal.FreeCoTaskMem(s);
            NativeMemory.Free(cArgv);
            NativeMemory.Free(cEnvp);
        }
        if (child < 0)
            throw new RuntimeError($"{field}: cannot run {tool}: {LibC.StrError(-child)}");
        int status = 0;
        while (LibC.waitpid(child, &status, 0) < 0)
            if (LibC.Errno != LibC.EINTR)
                throw SyscallException.Last($"wait for {tool}");
        if (status != 0)
            throw new RuntimeError((status & 0x7f) == 0
                ? $"{field}: {tool} {string.Join(' ', argv.Skip(1))} failed with status {(status >> 8) & 0xff}"
                : $"{field}: {tool} was killed by signal {status & 0x7f}");
    }
}
