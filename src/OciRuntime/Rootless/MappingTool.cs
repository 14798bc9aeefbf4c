using OciRuntime.Linux;
using OciRuntime.Spec;

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
    public static string? Find(string name) => ChildProcess.FindProgram(name, Dirs);

    /// <summary>The helper's arguments after its name: the pid, then each range as inside outside count.</summary>
    public static List<string> Arguments(int pid, IdMap map)
    {
        var args = new List<string> { pid.ToString() };
        foreach (var r in map.Ranges)
            args.AddRange([r.ContainerId.ToString(), r.HostId.ToString(), r.Size.ToString()]);
        return args;
    }

    public static void Run(string name, int pid, IdMap map)
    {
        string field = map.Field;
        string tool = Find(name) ?? throw new PlanningException(field, $"needs {name} (package uidmap), which is not installed");
        var argv = new List<string> { tool };
        argv.AddRange(Arguments(pid, map));
        int devNull = LibC.open("/dev/null", LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (devNull < 0)
            throw SyscallException.Last("open /dev/null");
        int child;
        try
        {
            using var cArgv = new CStrings(argv);
            using var cEnvp = new CStrings([]);
            child = HookSpawn.oci_spawn_hook(tool, cArgv.Ptr, cEnvp.Ptr, devNull, null, null);
        }
        finally
        {
            LibC.close(devNull);
        }
        if (child < 0)
            throw new RuntimeError($"{field}: cannot run {tool}: {LibC.StrError(-child)}");
        int status = ChildProcess.WaitForExit(child, 0, $"wait for {tool}");
        if (status != 0)
            throw new RuntimeError((status & 0x7f) == 0
                ? $"{field}: {tool} {string.Join(' ', argv.Skip(1))} failed with status {(status >> 8) & 0xff}"
                : $"{field}: {tool} was killed by signal {status & 0x7f}");
    }
}
