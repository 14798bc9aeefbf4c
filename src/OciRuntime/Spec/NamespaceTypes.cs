namespace OciRuntime.Spec;

/// <summary>The values of linux.namespaces[].type.</summary>
public static class NamespaceTypes
{
    public const string Pid = "pid";
    public const string Network = "network";
    public const string Mount = "mount";
    public const string Ipc = "ipc";
    public const string Uts = "uts";
    public const string User = "user";
    public const string Cgroup = "cgroup";
    public const string Time = "time";

    public static IReadOnlyList<string> All { get; } = [Pid, Network, Mount, Ipc, Uts, User, Cgroup, Time];

    public static bool IsKnown(string? type) => type is Pid or Network or Mount or Ipc or Uts or User or Cgroup or Time;
}
