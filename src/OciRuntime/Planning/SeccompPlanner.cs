using OciRuntime.Plan;
using OciRuntime.Security;

namespace OciRuntime.Planning;

/// <summary>
/// Where linux.seccomp is loaded: as late as possible, so that the container's filter sees as few
/// of the executor's own system calls as possible (a profile lists what the program needs, not what
/// a runtime does): inside EXEC, after the fd flags are set, right before execve. A notify listener
/// must reach the runtime while it still waits, so then it is loaded just before Ready. Loading
/// needs no_new_privs or CAP_SYS_ADMIN; without no_new_privs the process keeps CAP_SYS_ADMIN
/// effective until the filter is in and EXEC lowers the sets afterwards (CapsAtExecStep,
/// decisions §32). Only without process.capabilities (no sets to lower to) is the filter loaded
/// before the identity and capability steps, while the executor is still the namespace's root.
/// </summary>
internal static class SeccompPlanner
{
    public enum Moment
    {
        /// <summary>Before the bounding set and the uid change (no no_new_privs, no process.capabilities).</summary>
        BeforeCapabilityDrop,
        /// <summary>Just before Ready (a listener).</summary>
        BeforeReady,
        /// <summary>Loaded by EXEC.</summary>
        AtExec,
    }

    /// <param name="hasCapabilities">process.capabilities is set: there are sets to lower to once
    /// the filter is in</param>
    public static (SeccompStep Step, Moment When) Plan(Spec.LinuxSeccomp seccomp, bool noNewPrivileges, bool hasCapabilities,
        List<string> warnings)
    {
        var filter = SeccompCompiler.Compile(seccomp);
        warnings.AddRange(filter.Warnings);
        if (filter.Listener && string.IsNullOrEmpty(seccomp.ListenerPath))
            throw new PlanningException("linux.seccomp.listenerPath", "required when SCMP_ACT_NOTIFY is used: the notify fd must go to a listener");
        var when = !noNewPrivileges && !hasCapabilities ? Moment.BeforeCapabilityDrop
            : filter.Listener ? Moment.BeforeReady : Moment.AtExec;
        var step = new SeccompStep(filter.Flags, when == Moment.AtExec ? SeccompOpts.AtExec : SeccompOpts.None,
            filter.Program, filter.Listener, "linux.seccomp");
        return (step, when);
    }
}
