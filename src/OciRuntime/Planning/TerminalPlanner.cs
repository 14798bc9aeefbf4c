using OciRuntime.Plan;

namespace OciRuntime.Planning;

/// <summary>
/// process.terminal: the pty is made inside the container (its own devpts, after the root is in
/// place), its master goes to the --console-socket the runtime connected to, and the peer becomes
/// /dev/console (for the init) and, after setsid, the process's stdio and controlling terminal.
/// </summary>
internal static class TerminalPlanner
{
    public const string Ptmx = "/dev/pts/ptmx";

    /// <summary>Steps once the container's root is in place (after pivot_root, or after joining
    /// the mount namespace for exec).</summary>
    public static void PlanPty(Spec.Process p, bool bindConsole, List<Step> steps)
    {
        if (p.Terminal != true)
            return;
        steps.Add(new RecvConsoleStep(SyncTag.ConsoleSocket, "--console-socket"));
        steps.Add(new CreatePtyStep(Ptmx, p.ConsoleSize?.Height ?? 0, p.ConsoleSize?.Width ?? 0, "process.terminal"));
        if (bindConsole)
            steps.Add(new BindConsoleStep("/dev/console", "process.terminal"));
    }
}
