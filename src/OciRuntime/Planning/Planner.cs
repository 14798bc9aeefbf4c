using OciRuntime.Plan;

namespace OciRuntime.Planning;

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
        var steps = new List<Step>();
        var warnings = new List<string>();

        // Id-mapped mount sources are cloned and mapped while the executor is still in the
        // runtime's user namespace: inside the container's it could not (IdmappedMountPlanner).
        IdmappedMountPlanner.PlanSources(req, steps);

        // In a user namespace the container's root is not the host's root and may not reach the
        // exec fifo below the runtime's 0700 state directory: open it while still the host's root.
        if (UserNamespacePlanner.Any(req.Config) && req.ExecFifoPath is { } fifo)
            steps.Add(new OpenFifoStep(fifo, "exec fifo"));

        // 1. Namespaces: join, create, into the container's cgroup, and fork into a pid namespace
        //    (the child is pid 1).
        var ns = NamespacePlanner.Plan(req.Config, steps);
        TraceMark(req, steps, SyncTag.TraceNamespaces);

        // 2. In the init: the host names of a new uts namespace.
        if (ns.NewUts)
        {
            if (req.Config.Hostname is { } host)
                steps.Add(new SetHostnameStep(host, "hostname"));
            if (req.Config.Domainname is { } domain)
                steps.Add(new SetDomainnameStep(domain, "domainname"));
        }

        // 3. The root filesystem, mounts, devices; pivot_root; masked and read-only paths.
        RootfsPlanner.Plan(req, steps);
        HookPlanner.Plan(req.Config, steps);
        TerminalPlanner.PlanPty(req.Config.Process!, bindConsole: true, steps);

        // 4. The process: session, limits, cwd, identity, capabilities; the wait for `start`; exec.
        ProcessPlanner.Plan(req, steps, warnings);
        return new ExecutionPlan(steps, warnings) { SpawnNamespaces = ns.SpawnNamespaces };
    }

    /// <summary>With --trace, the executor tells the host when a group of steps is done.</summary>
    internal static void TraceMark(PlanRequest req, List<Step> steps, SyncTag tag)
    {
        if (req.Trace)
            steps.Add(new NotifyStep(tag, "--trace"));
    }
}
