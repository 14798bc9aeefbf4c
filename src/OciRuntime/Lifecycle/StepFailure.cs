using OciRuntime.Linux;
using OciRuntime.Plan;

namespace OciRuntime.Lifecycle;

/// <summary>Turns the executor's (step index, errno, operation) into a sentence about the config.</summary>
internal static class StepFailure
{
    private const int EPERM = 1, ENOENT = 2, EACCES = 13, ENOTDIR = 20, EINVAL = 22, ELOOP = 40;

    public static string Describe(ExecutionPlan plan, ExecutorMessage msg)
    {
        string reason = $"{msg.What}: {LibC.StrError(msg.Errno)}";
        if (msg.Arg == ExecutorMessage.NoStep || msg.Arg >= plan.Steps.Count)
            return $"container init failed: {reason}";
        var step = plan.Steps[(int)msg.Arg];
        return $"{step.Origin}: {reason} (step {msg.Arg}: {step.Describe()}){Hint(step, msg.Errno)}";
    }

    private static string Hint(Step step, int errno) => (step, errno) switch
    {
        (RlimitStep, EPERM) => "; raising a hard limit needs CAP_SYS_RESOURCE, which the runtime does not have here",
        (IdmapTreeStep, EINVAL) => "; the source's filesystem may not support id-mapped mounts on this kernel",
        (MountStep m, ENOTDIR) when m.Opts.HasFlag(MountOpts.OrdinaryDir) =>
            $"; {(m.FsType.Length > 0 ? m.FsType : "sysfs")} must be mounted on an ordinary directory, not a symlink or a file",
        (MaskStep, ELOOP) => "; a masked path (and the /dev/null masking it) must not go through a symlink",
        (ResolveExecStep r, ENOENT) => $"; \"{r.File}\" was not found in the container",
        (ResolveExecStep r, EACCES) => $"; \"{r.File}\" is not executable in the container",
        _ => "",
    };
}
