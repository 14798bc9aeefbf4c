using OciRuntime.Plan;
using OciRuntime.Security;

namespace OciRuntime.Planning;

/// <summary>
/// Where linux.seccomp is loaded. Loading a filter needs no_new_privs or CAP_SYS_ADMIN. With
/// no_new_privs: as late as possible, so the filter sees as few of the executor's own syscalls as
/// possible: inside EXEC, after the signal and fd resets, right before execve; but a notify
/// listener must reach the runtime while it still waits (before Ready), so then it is loaded just
/// before Ready. Without no_new_privs: before the capabilities are dropped, as runc does.
/// </summary>
internal static class SeccompPlanner
{
    public enum Moment
    {
        /// <summary>Before the bounding set and the uid change (no no_new_privs).</summary>
        BeforeCapabilityDrop,
        /// <summary>Just before Ready (no_new_privs and a listener).</summary>
        BeforeReady,
        /// <summary>After no_new_privs, loaded by EXEC.</summary>
        AtExec,
    }

    public static (SeccompStep Step, Moment When) Plan(Spec.LinuxSeccomp seccomp, bool noNewPrivileges, List<string> warnings)
    {
        var filter = SeccompCompiler.Compile(seccomp);
        warnings.AddRange(filter.Warnings);
        if (filter.Listener && string.IsNullOrEmpty(seccomp.ListenerPath))
            throw new PlanningException("linux.seccomp.listenerPath", "required when SCMP_ACT_NOTIFY is used: the notify fd must go to a listener");
        var when = !noNewPrivileges ? Moment.BeforeCapabilityDrop : filter.Listener ? Moment.BeforeReady : Moment.AtExec;
        var step = new SeccompStep(filter.Flags, when == Moment.AtExec ? SeccompOpts.AtExec : SeccompOpts.None,
            filter.Program, filter.Listener, "linux.seccomp");
        return (step, when);
    }
}
