using OciRuntime.Plan;

namespace OciRuntime.Planning;

/// <summary>
/// Attributes of the container's process that the executor sets before exec: personality, I/O
/// priority and scheduler while it is still fully privileged (a real-time policy or class needs
/// CAP_SYS_NICE / CAP_SYS_ADMIN), and the LSM exec labels last, for the execve they apply to.
/// A label asked for on a host without that LSM is an error, never silently dropped.
/// </summary>
internal static class ProcessAttributesPlanner
{
    private const uint PerLinux = 0, PerLinux32 = 8;

    public static void PlanPrivileged(Spec.Process p, Spec.Linux? linux, List<Step> steps)
    {
        if (linux?.Personality is { } pers)
        {
            if (pers.Flags is { Count: > 0 })
                throw new PlanningException("linux.personality.flags", "runtime-spec v1.3.0 defines no personality flags");
            uint persona = pers.Domain switch
            {
                "LINUX" => PerLinux,
                "LINUX32" => PerLinux32,
                _ => throw new PlanningException("linux.personality.domain", $"unknown personality domain \"{pers.Domain}\""),
            };
            steps.Add(new PersonalityStep(persona, pers.Domain!, "linux.personality"));
        }

        if (p.IoPriority is { } io)
        {
            uint cls = io.Class switch
            {
                "IOPRIO_CLASS_RT" => 1,
                "IOPRIO_CLASS_BE" => 2,
                "IOPRIO_CLASS_IDLE" => 3,
                _ => throw new PlanningException("process.ioPriority.class", $"unknown I/O priority class \"{io.Class}\""),
            };
            steps.Add(new IoPriorityStep(cls << 13 | (uint)(io.Priority ?? 0), "process.ioPriority"));
        }

        if (p.Scheduler is { } s)
        {
            uint policy = s.Policy switch
            {
                "SCHED_OTHER" => 0,
                "SCHED_FIFO" => 1,
                "SCHED_RR" => 2,
                "SCHED_BATCH" => 3,
                "SCHED_ISO" => 4,
                "SCHED_IDLE" => 5,
                "SCHED_DEADLINE" => 6,
                _ => throw new PlanningException("process.scheduler.policy", $"unknown scheduling policy \"{s.Policy}\""),
            };
            ulong flags = 0;
            var names = s.Flags ?? [];
            for (int i = 0; i < names.Count; i++)
                flags |= names[i] switch
                {
                    "SCHED_FLAG_RESET_ON_FORK" => 0x01UL,
                    "SCHED_FLAG_RECLAIM" => 0x02UL,
                    "SCHED_FLAG_DL_OVERRUN" => 0x04UL,
                    "SCHED_FLAG_KEEP_POLICY" => 0x08UL,
                    "SCHED_FLAG_KEEP_PARAMS" => 0x10UL,
                    "SCHED_FLAG_UTIL_CLAMP_MIN" => 0x20UL,
                    "SCHED_FLAG_UTIL_CLAMP_MAX" => 0x40UL,
                    _ => throw new PlanningException(Spec.SpecPath.Item("process.scheduler.flags", i), $"unknown scheduler flag \"{names[i]}\""),
                };
            if (s.Priority is < 0)
                throw new PlanningException("process.scheduler.priority", $"must not be negative, got {s.Priority}");
            steps.Add(new SchedulerStep(policy, flags, s.Nice ?? 0, (uint)(s.Priority ?? 0), s.Runtime ?? 0, s.Deadline ?? 0,
                s.Period ?? 0, "process.scheduler"));
        }
    }

    /// <summary>The exec labels: written to /proc/thread-self/attr through the runtime's own procfs
    /// (OPEN_PROCFS, see <see cref="NeedsProcfs"/>), so the next execve (the container's program)
    /// runs under them and no mount the container made can redirect the write.</summary>
    public static void PlanLabels(Spec.Process p, HostFacts host, List<Step> steps)
    {
        if (p.ApparmorProfile is { Length: > 0 } profile)
        {
            if (!host.AppArmor)
                throw new PlanningException("process.apparmorProfile", $"AppArmor is not enabled on this host, so profile \"{profile}\" cannot be applied");
            steps.Add(new WriteProcStep("thread-self/attr/apparmor/exec", "exec " + profile, "process.apparmorProfile"));
        }
        if (p.SelinuxLabel is { Length: > 0 } label)
        {
            if (!host.Selinux)
                throw new PlanningException("process.selinuxLabel", $"SELinux is not enabled on this host, so label \"{label}\" cannot be applied");
            steps.Add(new WriteProcStep("thread-self/attr/exec", label, "process.selinuxLabel"));
        }
    }

    /// <summary>The process's labels are written through procfs (an OPEN_PROCFS must come first).</summary>
    public static bool NeedsProcfs(Spec.Process? p) =>
        p is not null && (p.ApparmorProfile is { Length: > 0 } || p.SelinuxLabel is { Length: > 0 });

    public static void CheckMountLabel(PlanRequest req)
    {
        if (req.Config.Linux?.MountLabel is { Length: > 0 } label)
        {
            if (!req.Host.Selinux)
                throw new PlanningException("linux.mountLabel", $"SELinux is not enabled on this host, so mount label \"{label}\" cannot be applied");
            throw new PlanningException("linux.mountLabel", "SELinux mount labels not supported yet by ociruntime");
        }
    }
}
