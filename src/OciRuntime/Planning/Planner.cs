using OciRuntime.Plan;

namespace OciRuntime.Planning;

/// <summary>
/// How an init's plan starts (<see cref="Planner.StartOf"/>), planned once for create and run: the
/// steps up to and including the namespaces, for the request they were planned for, which
/// <see cref="Planner.PlanInit"/> continues (PlanRequest.Start) instead of planning them again.
/// SpawnNamespaces, the namespaces the executor is cloned into (ExecutionPlan.SpawnNamespaces);
/// FirstUnshare, the CLONE_NEW* flags of its first step after the close of the caller's fds when
/// that step is an UnshareStep, else 0: what the early executor makes ahead.
/// </summary>
internal sealed class InitStart
{
    private readonly Spec.Spec _config;
    private readonly string _bundle;
    private readonly string? _execFifo;
    private readonly int _preserveFds;

    internal InitStart(Spec.Spec config, string bundle, string? execFifo, int preserveFds, IReadOnlyList<Step> steps, NamespaceLayout layout)
    {
        (_config, _bundle, _execFifo, _preserveFds) = (config, bundle, execFifo, preserveFds);
        (Steps, Layout) = (steps, layout);
    }

    internal IReadOnlyList<Step> Steps { get; }
    internal NamespaceLayout Layout { get; }
    public uint SpawnNamespaces => Layout.SpawnNamespaces;
    public uint FirstUnshare => Steps is [CloseFdsStep, UnshareStep u, ..] ? u.Flags : 0;

    /// <summary>Planned from what <paramref name="req"/> gives the plan's start (the same config
    /// object, bundle, exec fifo and --preserve-fds): another request's start is planned anew.</summary>
    internal bool IsFor(PlanRequest req) =>
        ReferenceEquals(_config, req.Config) && _bundle == req.BundlePath && _execFifo == req.ExecFifoPath
        && _preserveFds == req.PreserveFds;
}

/// <summary>
/// Turns a validated config into the ordered steps of the container's init. Pure: no syscalls,
/// no file access (host facts come in through the request), so every ordering decision is
/// unit-tested. The order follows what runc does, and why is said at each stage.
/// </summary>
internal static class Planner
{
    public static ExecutionPlan PlanInit(PlanRequest req)
    {
        SupportCheck.ThrowIfUnsupported(req.Config);
        ProcessAttributesPlanner.CheckMountLabel(req);
        var warnings = new List<string>();

        // The start, up to the namespaces (PlanStart): planned once, already, when it was planned
        // for the early executor.
        var start = req.Start is { } planned && planned.IsFor(req)
            ? planned
            : StartOf(req.Config, req.BundlePath, req.ExecFifoPath, req.PreserveFds);
        var steps = new List<Step>(start.Steps);
        var ns = start.Layout;
        PlanBindSources(req, steps);
        TraceMark(req, steps, SyncTag.TraceNamespaces);
        // The host moves linux.netDevices into the init's network namespace while it waits here.
        if (req.Config.Linux?.NetDevices is { Count: > 0 })
            steps.Add(new SyncStep(SyncTag.NetDevices, "linux.netDevices"));

        // 2. In the init: the host names of its uts namespace, new or joined (as runc).
        if (ns.NewUts || req.Config.Linux?.Namespaces?.Any(n => n.Type == "uts") == true)
        {
            if (req.Config.Hostname is { } host)
                steps.Add(new SetHostnameStep(host, "hostname"));
            if (req.Config.Domainname is { } domain)
                steps.Add(new SetDomainnameStep(domain, "domainname"));
        }

        // 3. The root filesystem, mounts, devices; pivot_root; masked and read-only paths. The
        //    cgroup join goes in before the first step that needs it.
        int rootfsStart = steps.Count;
        RootfsPlanner.Plan(req, steps, warnings);
        if (ns.CgroupJoin.Count > 0)
            steps.InsertRange(CgroupJoinPoint(req.Config, steps, rootfsStart), ns.CgroupJoin);
        HookPlanner.Plan(req.Config, steps);
        if (req.Config.Process is { } process)
            TerminalPlanner.PlanPty(process, bindConsole: true, steps);

        // 4. The process: session, limits, cwd, identity, capabilities; the wait for `start`; exec.
        ProcessPlanner.Plan(req, steps, warnings);
        return new ExecutionPlan(steps, warnings) { SpawnNamespaces = ns.SpawnNamespaces };
    }

    /// <summary>
    /// The plan's start, up to and including its namespaces: the part that depends on the config
    /// (and the bundle, for id-mapped sources, and the exec fifo) alone, so that <see cref="StartOf"/>
    /// knows it before the host facts are read.
    /// </summary>
    private static NamespaceLayout PlanStart(Spec.Spec config, string bundle, string? execFifo, int preserveFds, List<Step> steps)
    {
        // The fds the runtime's caller left open and the container is not given are closed
        // before anything else (CVE-2024-21626): from here on no process that can see the init
        // reaches a host directory through /proc/<pid>/fd while it waits for `start`.
        steps.Add(new CloseFdsStep((uint)(3 + preserveFds), "--preserve-fds"));

        // The user namespaces of id-mapped mounts are made or opened while the executor is still
        // in the runtime's user namespace; the sources are cloned at their mounts' turn
        // (IdmappedMountPlanner).
        IdmappedMountPlanner.PlanSources(config, bundle, steps);

        // In a user namespace the container's root is not the host's root and may not reach the
        // exec fifo below the runtime's 0700 state directory: open it while still the host's root.
        if (UserNamespacePlanner.Any(config) && execFifo is { } fifo)
            steps.Add(new OpenFifoStep(fifo, "exec fifo"));

        // 1. Namespaces: join, create, into the container's cgroup, and fork into a pid namespace
        //    (the child is pid 1).
        return NamespacePlanner.Plan(config, steps);
    }

    /// <summary>
    /// How <see cref="PlanInit"/>'s plan for <paramref name="config"/> starts (<see cref="PlanStart"/>),
    /// planned before the host facts are read: for the early executor, which makes those namespaces
    /// while the host plans (decisions §29), and then for PlanInit, which goes on from it
    /// (PlanRequest.Start). Throws what PlanInit would throw there.
    /// </summary>
    public static InitStart StartOf(Spec.Spec config, string bundle, string? execFifo, int preserveFds)
    {
        var steps = new List<Step>();
        var ns = PlanStart(config, bundle, execFifo, preserveFds, steps);
        return new InitStart(config, bundle, execFifo, preserveFds, steps, ns);
    }

    /// <summary>
    /// Where the executor joins its cgroup (and makes its cgroup namespace) when nothing before
    /// requires it earlier: after the root filesystem's propagation, its bind, and the mounts in
    /// the config's order up to the first one of a cgroup filesystem (which needs the cgroup
    /// namespace); before anything else (devices, hooks, pivot_root, the process). Those mounts
    /// then overlap the host's making of the cgroup instead of waiting for it. Their kernel
    /// memory is charged to the runtime's cgroup rather than the container's: a few KiB per mount.
    /// </summary>
    internal static int CgroupJoinPoint(Spec.Spec config, List<Step> steps, int from)
    {
        var mounts = config.Mounts ?? [];
        var cgroupMounts = new HashSet<string>();
        for (int i = 0; i < mounts.Count; i++)
            if (mounts[i].Type is "cgroup" or "cgroup2")
                cgroupMounts.Add($"mounts[{i}]");
        for (int i = from; i < steps.Count; i++)
        {
            var s = steps[i];
            if (s is not (PropagateStep or MountStep or OpenRootStep or OpenProcfsStep) || cgroupMounts.Contains(s.Origin))
                return i;
        }
        return steps.Count;
    }

    /// <summary>
    /// In a user namespace, the bind sources are opened (OPEN_SOURCES) in the container's mount
    /// namespace right before the executor becomes the namespace's root (SET_USER 0): until then
    /// it is still the runtime's uid and passes directories only that uid may search, which the
    /// mapped root may not (runc opens them before joining the namespace, for the same reason).
    /// A bind mount uses that fd only when its source cannot be opened by path then.
    /// </summary>
    internal static void PlanBindSources(PlanRequest req, List<Step> steps)
    {
        if (!UserNamespacePlanner.Any(req.Config))
            return;
        var sources = MountPlanner.BindSources(req);
        int root = steps.FindLastIndex(s => s is SetUserStep { Uid: 0, Gid: 0 });
        if (sources.Count > 0 && root >= 0)
            steps.Insert(root, new OpenSourcesStep(sources, "mounts"));
    }

    /// <summary>With --trace, the executor tells the host when a group of steps is done.</summary>
    internal static void TraceMark(PlanRequest req, List<Step> steps, SyncTag tag)
    {
        if (req.Trace)
            steps.Add(new NotifyStep(tag, "--trace"));
    }
}
