using OciRuntime.Cli;
using OciRuntime.Linux;
using OciRuntime.Spec;

namespace OciRuntime.Rootless;

/// <summary>
/// Who runs the runtime, as far as rootless mode cares. Two separate facts, as runc keeps them:
/// <see cref="Euid"/> != 0 decides how id maps are written and how the executor is started (an
/// unprivileged caller can do neither the privileged way); <see cref="Cgroups"/> (the global
/// --rootless true|false|auto) decides whether cgroup permission errors mean "no cgroup" rather
/// than a failure.
/// </summary>
/// <param name="Euid">the runtime's effective uid</param>
/// <param name="Egid">the runtime's effective gid</param>
/// <param name="InUserNamespace">the runtime itself runs in a user namespace other than the initial one</param>
/// <param name="Cgroups">cgroups are used only where the caller may create them</param>
internal sealed record RootlessMode(uint Euid, uint Egid, bool InUserNamespace, bool Cgroups)
{
    /// <summary>Not the host's root: id maps and the executor's start go the unprivileged way.</summary>
    public bool Unprivileged => Euid != 0;

    /// <summary>The mode of the process running now.</summary>
    public static RootlessMode Detect(string? flag, bool systemdCgroup)
    {
        uint euid = LibC.geteuid();
        bool inUserNs = !IsInitialUserNamespace(ReadOrEmpty("/proc/self/uid_map"));
        return new RootlessMode(euid, LibC.getegid(), inUserNs, DecideCgroups(ParseFlag(flag), euid, inUserNs, systemdCgroup));
    }

    /// <summary>--rootless: "true", "false" or "auto" (default); null stands for auto.</summary>
    public static bool? ParseFlag(string? value) => value switch
    {
        null or "auto" => null,
        "true" => true,
        "false" => false,
        _ => throw new UsageError($"--rootless: \"{value}\" is not true, false or auto"),
    };

    /// <summary>
    /// runc's rule for auto: rootless cgroups unless the runtime is the real root (euid 0 in the
    /// initial user namespace). Root inside a user namespace cannot know whether its cgroup was
    /// delegated, so it is treated as rootless too; with --systemd-cgroup auto means false.
    /// </summary>
    public static bool DecideCgroups(bool? flag, uint euid, bool inUserNamespace, bool systemdCgroup)
    {
        if (flag is { } explicitChoice)
            return explicitChoice;
        if (systemdCgroup)
            return false;
        return euid != 0 || inUserNamespace;
    }

    /// <summary>The initial user namespace maps every id to itself: "0 0 4294967295".</summary>
    public static bool IsInitialUserNamespace(string uidMap) =>
        // no map readable: assume the host's (as runc does on error)
        IdMap.ParseProcMap(uidMap, "/proc/self/uid_map").Ranges is [] or [(0, 0, 4294967295)];

    private static string ReadOrEmpty(string path) => SysFile.TryRead(path, out _) ?? "";
}
