using OciRuntime.Plan;

namespace OciRuntime.Planning;

/// <summary>
/// Where the create plan stops for the hooks the runtime runs during `create` (prestart,
/// createRuntime, createContainer): once the container's environment (namespaces, mounts,
/// devices) exists and before pivot_root, as runtime-spec's lifecycle says. The hooks run on the
/// host side (Lifecycle/HookRunner); the plan only holds the init there until they are done.
/// </summary>
internal static class HookPlanner
{
    public static void Plan(Spec.Spec config, List<Step> steps)
    {
        var h = config.Hooks;
        if (h is null || (h.Prestart is not { Count: > 0 } && h.CreateRuntime is not { Count: > 0 } &&
                          h.CreateContainer is not { Count: > 0 }))
            return;
        // Right before the root moves: the exec fifo is opened there too, through the host path,
        // so the stop goes before that step (or before pivot_root / the move of the root).
        int at = steps.FindIndex(s => s is OpenFifoStep or PivotRootStep or MoveRootStep);
        var sync = new SyncStep(SyncTag.CreateHooks, "hooks");
        if (at < 0)
            steps.Add(sync);
        else
            steps.Insert(at, sync);
    }
}
