using OciRuntime.Cgroups;
using OciRuntime.Linux;
using OciRuntime.Planning;

namespace OciRuntime.Lifecycle;

/// <param name="Cgroups">`--cgroup` values: "[controller[,controller]:]sub-cgroup" of the container's cgroup</param>
internal sealed record ExecOptions(string Id, Spec.Process Process, int PreserveFds, bool IgnorePaused,
    IReadOnlyList<string> Cgroups, string? ConsoleSocket = null, int ConsoleFd = -1);

/// <summary>
/// `exec`: a new process in a running container, planned by <see cref="ExecPlanner"/> and started
/// by the executor like the init. The process is our child (the executor forks it with
/// CLONE_PARENT), so the caller can wait for it.
/// </summary>
internal static class ContainerExec
{
    public static LaunchedInit Start(StateStore store, ExecOptions o)
    {
        var container = Container.Load(store, o.Id);
        EnsureCanExec(container, o.IgnorePaused);
        var record = container.Record;
        // The container-wide settings (seccomp, personality) come from the bundle's config.
        string configPath = Path.Combine(record.Bundle, "config.json");
        var linux = File.Exists(configPath) ? Spec.ConfigLoader.Load(configPath).Linux : null;

        var errors = Spec.SpecValidator.ValidateProcess(o.Process);
        if (errors.Count > 0)
            throw new RuntimeError("process: " + string.Join("; ", errors.Select(e => e.ToString())));

        int listenFds = InheritedFds.ListenFdsOfThisProcess();
        if (listenFds > 0)
            o.Process.Env = InheritedFds.WithListenEnv(o.Process.Env, listenFds);

        var host = HostFactsReader.Read(needCgroups: false);
        var plan = ExecPlanner.PlanExec(new ExecPlanRequest(o.Process, record.Pid, NamespacesToJoin(record.Pid), host,
            HomeOf(o.Process, record.Rootfs), listenFds + o.PreserveFds, linux,
            SetgroupsDenied: Rootless.SetgroupsFile.Denies(record.Pid)));
        foreach (var w in plan.Warnings)
            Diagnostics.Log.Warn(w);

        var affinity = new ExecCpuAffinity(o.Process.ExecCPUAffinity);
        var cgroup = CgroupManagers.ForExisting(CgroupDirectories(record.CgroupDirectories, o.Cgroups));
        using var console = o.ConsoleFd >= 0 ? null : ConsoleSocket.Open(o.ConsoleSocket, o.Process.Terminal == true);
        return InitLauncher.Launch(plan, (tag, pid) =>
        {
            if (tag == Plan.SyncTag.PlaceInCgroup)
            {
                cgroup.AddProcess(pid);
                affinity.ApplyFinal(pid);
            }
        }, (notifyFd, pid) => SeccompListener.Send(linux!.Seccomp!.ListenerPath
                ?? throw new RuntimeError("linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used"), notifyFd,
            SeccompListener.StateFor(o.Id, pid, record.Bundle, linux.Seccomp.ListenerMetadata, record.Annotations)),
            untilExec: true, consoleSocket: o.ConsoleFd >= 0 ? o.ConsoleFd : console?.Fd ?? -1,
            whileStarting: affinity.ApplyInitial);
    }

    /// <summary>Whether the container takes an exec now (ContainerStateMachine).</summary>
    public static void EnsureCanExec(Container container, bool ignorePaused) =>
        ContainerStateMachine.Check(ignorePaused ? ContainerCommand.ExecIgnorePaused : ContainerCommand.Exec,
            container.Status, container.Id);

    /// <summary>The namespaces of the init that are not the runtime's own (a container that shares
    /// the host's network namespace has nothing to join there).</summary>
    public static List<string> NamespacesToJoin(int initPid)
    {
        var join = new List<string>();
        foreach (var type in ExecPlanner.JoinOrder)
        {
            string name = Namespaces.ProcName(type);
            string? theirs = NsLink($"/proc/{initPid}/ns/{name}");
            if (theirs is not null && theirs != NsLink($"/proc/self/ns/{name}"))
                join.Add(type);
        }
        return join;
    }

    private static string? NsLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string HomeOf(Spec.Process p, string rootfs)
    {
        if (p.Env?.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)) == true)
            return "/";
        return PasswdFile.HomeOf(InRootFile.ReadText(rootfs, "/etc/passwd"), p.User?.Uid ?? 0);
    }

    /// <summary>The container's cgroup directories, or sub-cgroups of them for `--cgroup`
    /// (which must exist: exec only joins, it creates nothing that `delete` would not remove).</summary>
    public static Dictionary<string, string> CgroupDirectories(IReadOnlyDictionary<string, string>? own, IReadOnlyList<string> subs)
    {
        var dirs = new Dictionary<string, string>(own ?? new Dictionary<string, string>());
        foreach (var spec in subs)
        {
            int colon = spec.IndexOf(':');
            string sub = colon < 0 ? spec : spec[(colon + 1)..];
            var controllers = colon < 0 ? null : spec[..colon].Split(',', StringSplitOptions.RemoveEmptyEntries);
            if (sub.Length == 0 || sub.Split('/').Any(c => c == ".."))
                throw new RuntimeError($"--cgroup {spec}: expected [controller:]path below the container's cgroup");
            bool matched = false;
            foreach (var (mountPoint, dir) in own ?? new Dictionary<string, string>())
            {
                string name = Path.GetFileName(mountPoint);
                if (controllers is not null && !controllers.Any(c => name.Split(',').Contains(c) || (c == "" && name == "unified")))
                    continue;
                string target = Path.Combine(dir, sub.TrimStart('/'));
                if (!Directory.Exists(target))
                    throw new RuntimeError($"--cgroup {spec}: {target}: no such cgroup");
                dirs[mountPoint] = target;
                matched = true;
            }
            if (!matched)
                throw new RuntimeError($"--cgroup {spec}: no such controller in the container's cgroups");
        }
        return dirs;
    }
}
