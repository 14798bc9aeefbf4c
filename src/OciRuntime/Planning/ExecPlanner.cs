using OciRuntime.Linux;
using OciRuntime.Plan;

namespace OciRuntime.Planning;

/// <summary>What `exec` plans from: the process to run, the running container's init (whose
/// namespaces it joins), and which of those namespaces differ from the runtime's own (joining
/// one's own user namespace is an error, and joining any other of one's own is pointless).</summary>
/// <param name="JoinNamespaces">runtime-spec namespace types ("mount", "network", ...)</param>
/// <param name="Home">the user's home in the container's /etc/passwd, for HOME when env lacks it</param>
/// <param name="Linux">the container's linux section: its seccomp filter and personality apply to
/// an exec'd process as to the init</param>
/// <param name="SetgroupsDenied">the container's user namespace denies setgroups (rootless, one gid mapped)</param>
internal sealed record ExecPlanRequest(
    Spec.Process Process,
    int InitPid,
    IReadOnlyCollection<string> JoinNamespaces,
    HostFacts Host,
    string Home = "/",
    int PreserveFds = 0,
    Spec.Linux? Linux = null,
    bool SetgroupsDenied = false);

/// <summary>
/// The second kind of plan: a new process in a running container. It joins the container's
/// cgroup, then every namespace of the container's init through /proc/PID/ns (user first, so the
/// others are joined with its privileges; mount last, because after it the host's /proc is out of
/// reach), forks so the pid and time namespaces apply, and then goes through exactly the process
/// steps of `create` (ProcessPlanner), without the wait for `start`.
/// </summary>
internal static class ExecPlanner
{
    public static readonly string[] JoinOrder = ["user", "ipc", "uts", "network", "pid", "cgroup", "time", "mount"];

    public static ExecutionPlan PlanExec(ExecPlanRequest req)
    {
        // The process fields this version cannot carry out are refused as for `create`.
        SupportCheck.ThrowIfUnsupported(new Spec.Spec { Process = req.Process });
        // process.execCPUAffinity is carried out by the host around PlaceInCgroup (ExecCpuAffinity).
        var steps = new List<Step>();
        var warnings = new List<string>();

        // The caller's leaked fds go first, as for `create` (CVE-2024-21626).
        steps.Add(new CloseFdsStep((uint)(3 + req.PreserveFds), "--preserve-fds"));

        // The labels are written through the runtime's own /proc, opened before any of the
        // container's namespaces is joined: a mount the container made cannot redirect them.
        if (ProcessAttributesPlanner.NeedsProcfs(req.Process))
            steps.Add(new OpenProcfsStep(ProcfsHow.Current, "process"));

        // Into the container's cgroup first, so the forked process starts there.
        steps.Add(new SyncStep(SyncTag.PlaceInCgroup, "the container's cgroup"));

        bool forkNeeded = false;
        foreach (var type in JoinOrder)
        {
            if (!req.JoinNamespaces.Contains(type))
                continue;
            steps.Add(new SetnsStep(Namespaces.FlagOf(type), $"/proc/{req.InitPid}/ns/{Namespaces.ProcName(type)}",
                $"the container's {type} namespace"));
            forkNeeded |= type is "pid" or "time"; // both take effect only for children
        }
        if (forkNeeded)
            steps.Add(new ForkStep("the container's pid namespace"));
        // A container in the runtime's mount namespace (none listed, decisions §45) has its root
        // by chroot: joining no mount namespace, the process enters the init's root the same way
        // (else it would run in the runtime's root).
        if (!req.JoinNamespaces.Contains("mount"))
            steps.Add(new ChrootStep($"/proc/{req.InitPid}/root", "the container's root"));

        if (req.Process.Terminal == true)
        {
            // The pty comes from the container's devpts: resolved in the root we joined.
            steps.Add(new OpenRootStep("/", "the container's root"));
            TerminalPlanner.PlanPty(req.Process, bindConsole: false, steps);
        }

        var env = ProcessPlanner.PlanUpToExec(req.Process, req.Linux, req.Host, steps, warnings, req.SetgroupsDenied);
        // Ready before the exec: from here on the host waits for EOF (the exec succeeded) or an error.
        steps.Add(new NotifyStep(SyncTag.Ready, "exec"));
        steps.Add(new ExecStep((uint)(3 + req.PreserveFds), req.Process.Args!,
            ProcessPlanner.WithHome(env, req.Home), "process.args"));
        return new ExecutionPlan(steps, warnings);
    }
}
