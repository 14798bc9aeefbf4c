using OciRuntime.Plan;

namespace OciRuntime.Planning;

/// <summary>
/// linux.sysctl: only sysctls that belong to a namespace the container has of its own, so that a
/// container can never change the host's kernel settings: the IPC ones (kernel.msg*, kernel.sem,
/// kernel.shm*, fs.mqueue.*) need an ipc namespace, net.* a network namespace, kernel.hostname and
/// kernel.domainname a uts namespace (as runc's list). Written after pivot_root, before /proc/sys
/// is made read-only, through the runtime's own procfs instance (OPEN_PROCFS, mounted before any
/// of the config's mounts): a mount over a sysctl's path cannot redirect the write.
/// </summary>
internal static class SysctlPlanner
{
    private static readonly HashSet<string> IpcSysctls =
    [
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced",
    ];

    /// <summary>"net/ipv4/ip_forward" and "net.ipv4.ip_forward" name the same sysctl.</summary>
    public static string Normalize(string key) => key.Replace('/', '.');

    /// <summary>The namespace type a sysctl needs, or null when it is not namespaced.</summary>
    public static string? NamespaceOf(string key)
    {
        string k = Normalize(key);
        if (IpcSysctls.Contains(k) || k.StartsWith("fs.mqueue.", StringComparison.Ordinal))
            return "ipc";
        if (k.StartsWith("net.", StringComparison.Ordinal))
            return "network";
        if (k is "kernel.hostname" or "kernel.domainname")
            return "uts";
        return null;
    }

    public static bool Any(Spec.Spec config) => config.Linux?.Sysctl is { Count: > 0 };

    public static void Plan(Spec.Spec config, List<Step> steps)
    {
        var sysctl = config.Linux?.Sysctl;
        if (sysctl is not { Count: > 0 })
            return;
        var namespaces = (config.Linux?.Namespaces ?? []).Select(n => n.Type).ToHashSet();
        // Sorted: a dictionary's order is not the config's, and the plan must be reproducible.
        foreach (var (key, value) in sysctl.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            string field = Spec.SpecPath.Property("linux.sysctl", key);
            string? ns = NamespaceOf(key);
            if (ns is null)
                throw new PlanningException(field, $"\"{key}\" is not a namespaced sysctl: setting it would change the host");
            if (!namespaces.Contains(ns))
                throw new PlanningException(field, $"\"{key}\" needs a {ns} namespace of the container's own (linux.namespaces), or it would change the host's");
            // A key with dots may hold a '/' in a component (an interface name "eth0.100" written
            // as "net/ipv4/conf/eth0.100/forwarding"); with '/' separators the dots are kept.
            string path = key.Contains('/') ? key : key.Replace('.', '/');
            steps.Add(new WriteProcStep("sys/" + path, value, field));
        }
    }
}
