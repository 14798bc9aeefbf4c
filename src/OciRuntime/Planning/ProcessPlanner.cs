using OciRuntime.Linux;
using OciRuntime.Plan;

namespace OciRuntime.Planning;

/// <summary>
/// The container's process, in the order the kernel needs: limits and cwd while still root; the
/// bounding set before the uid changes; keep-caps across setuid; the final capability sets; then
/// no_new_privs; the program is looked up before the wait for `start`, so `create` reports a
/// missing program; exec after `start`.
/// </summary>
internal static class ProcessPlanner
{
    private const uint DefaultUmask = 0x12; // 0022 (C# has no octal literals)
    private const ulong SysAdmin = 1UL << 21; // CAP_SYS_ADMIN

    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static void Plan(PlanRequest req, List<Step> steps, List<string> warnings)
    {
        var p = req.Config.Process;
        if (p is null)
        {
            // Only `create` (runtime-spec: `start` then fails): the init waits for a `start`
            // that kills it, and has nothing to exec.
            if (req.ExecFifoPath is null)
                throw new PlanningException("process", "required to run a container");
            steps.Add(new NotifyStep(SyncTag.Ready, "create"));
            steps.Add(new ReleaseCodeStep("create"));
            steps.Add(new WaitFifoStep("start"));
            return;
        }
        var startHooks = req.Config.Hooks?.StartContainer ?? [];
        var env = PlanUpToExec(p, req.Config.Linux, req.Host, steps, warnings, req.SetgroupsDenied,
            filterBeforeHooks: startHooks.Count > 0);
        if (startHooks.Count > 0)
            steps.Add(new RecvHookStateStep(SyncTag.HookState, "hooks.startContainer"));
        steps.Add(new NotifyStep(SyncTag.Ready, "create"));
        // `create` leaves the init waiting on the exec fifo for another process's `start`, for
        // as long as the caller likes: first it lets go of the executor's code pages, most of
        // which it will not touch again (its RSS and PSS, decisions §25). `run` starts it at once,
        // itself, over the sync socket, and makes no fifo (as crun).
        if (req.ExecFifoPath is null)
            steps.Add(new SyncStep(SyncTag.Start, "start"));
        else
        {
            steps.Add(new ReleaseCodeStep("create"));
            steps.Add(new WaitFifoStep("start"));
        }
        // startContainer: run by the init itself, after `start`, right before the exec: with the
        // process's user, capabilities, no_new_privs, seccomp filter (loaded by now unless
        // noNewPrivileges defers it to the exec, as runc), cgroup and namespaces, and resolved in
        // its root; never with the runtime's privileges.
        for (int i = 0; i < startHooks.Count; i++)
        {
            var h = startHooks[i];
            string field = $"hooks.startContainer[{i}]";
            string path = h.Path ?? throw new PlanningException($"{field}.path", "required");
            // Without env of its own it gets the process's, as runc's init passes its environment on.
            steps.Add(new RunHookStep(field, path, h.Args is { Count: > 0 } a ? a : [path], h.Env ?? WithHome(env, req.Home),
                (uint)(h.Timeout ?? 0), field));
        }
        steps.Add(new ExecStep((uint)(3 + req.PreserveFds), p.Args!, WithHome(env, req.Home), "process.args"));
    }

    /// <summary>
    /// What every process of a container goes through, the init (`create`) and an `exec`'d one
    /// alike, up to the exec: session, limits, attributes, cwd, umask, seccomp, bounding set,
    /// identity, capabilities, no_new_privs, the program looked up, and the LSM labels. Returns
    /// the environment to exec with. <paramref name="linux"/> is the container's: its seccomp
    /// filter and personality apply to every process in it.
    /// </summary>
    /// <param name="setgroupsDenied">the user namespace's setgroups is "deny" (rootless, one gid
    /// mapped): setgroups(2) fails there, so it is left out and additionalGids are refused</param>
    /// <param name="filterBeforeHooks">startContainer hooks run before the exec: without
    /// no_new_privs the filter is then loaded before the capabilities drop (as runc), so that the
    /// hooks run under it and never with CAP_SYS_ADMIN held for a filter loaded at the exec</param>
    public static List<string> PlanUpToExec(Spec.Process p, Spec.Linux? linux, HostFacts host, List<Step> steps,
        List<string> warnings, bool setgroupsDenied = false, bool filterBeforeHooks = false)
    {
        if (p.Args is not { Count: > 0 })
            throw new PlanningException("process.args", "must name the program to run");

        steps.Add(new SetsidStep("process"));
        if (p.Terminal == true)
            steps.Add(new SetCttyStep("process.terminal"));

        var rlimits = p.Rlimits ?? [];
        for (int i = 0; i < rlimits.Count; i++)
        {
            var r = rlimits[i];
            if (!Rlimits.TryGetResource(r.Type ?? "", out uint res))
                throw new PlanningException($"process.rlimits[{i}].type", $"unknown rlimit \"{r.Type}\"");
            steps.Add(new RlimitStep(res, r.Soft, r.Hard, r.Type!, $"process.rlimits[{i}]"));
        }

        ProcessAttributesPlanner.PlanPrivileged(p, linux, steps);
        MemoryPolicyPlanner.Plan(linux, steps);

        steps.Add(new ChdirStep(string.IsNullOrEmpty(p.Cwd) ? "/" : p.Cwd, "process.cwd"));
        steps.Add(new UmaskStep(p.User?.Umask ?? DefaultUmask, "process.user.umask"));
        // runc's fixStdioPermissions: stdio (the pty, the caller's pipes) becomes the process's
        // uid's, /dev/null excepted, so a user other than root can reopen /dev/stdout or use its
        // terminal. Before any seccomp filter (the profile may refuse fchown) and the identity
        // change. Left out for uid 0: root reopens its stdio anyway, and a user namespace's
        // root could not take over a file of an unmapped owner (EPERM, skipped by runc too).
        if (p.User?.Uid is > 0 and var uid)
            steps.Add(new ChownStdioStep(uid, 1, 3, "process.user.uid"));

        var caps = p.Capabilities is null ? null : CapabilitySets.From(p.Capabilities, host.RuntimeBoundingSet, warnings);
        var seccomp = linux?.Seccomp is { } sc ? SeccompPlanner.Plan(sc, p.NoNewPrivileges == true, caps is not null && !filterBeforeHooks, warnings) : default;
        // Without no_new_privs the filter needs CAP_SYS_ADMIN when it is loaded, after the steps below.
        bool holdSysAdmin = seccomp.Step is not null && p.NoNewPrivileges != true &&
                            seccomp.When != SeccompPlanner.Moment.BeforeCapabilityDrop;
        if (seccomp.Step is not null && seccomp.When == SeccompPlanner.Moment.BeforeCapabilityDrop)
            steps.Add(seccomp.Step);
        if (caps is not null)
            steps.Add(new CapsBoundingStep(caps.Bounding, "process.capabilities.bounding"));

        var user = p.User;
        if (setgroupsDenied && user?.AdditionalGids is { Count: > 0 })
            throw new PlanningException("process.user.additionalGids",
                "cannot be set: the user namespace denies setgroups (rootless with a single gid mapped; map gids from /etc/subgid to allow it)");
        steps.Add(new SetUserStep(user?.Uid ?? 0, user?.Gid ?? 0, !setgroupsDenied,
            user?.AdditionalGids?.ToList() ?? [], "process.user"));

        if (caps is not null)
        {
            // The kernel raises an ambient capability only if it is permitted and inheritable.
            // runc warns and goes on (its own `spec` once listed ambient caps without inheritable
            // ones); so do we, saying which.
            ulong ambient = caps.Ambient & caps.Permitted & caps.Inheritable;
            if (ambient != caps.Ambient)
                warnings.Add("process.capabilities.ambient: " + string.Join(", ", CapabilitySets.Names(caps.Ambient & ~ambient)) +
                             " cannot be raised: an ambient capability must also be permitted and inheritable");
            if (holdSysAdmin)
            {
                steps.Add(new CapsStep(caps.Effective | SysAdmin, caps.Permitted | SysAdmin, caps.Inheritable, ambient,
                    "process.capabilities"));
                steps.Add(new CapsAtExecStep(caps.Effective, caps.Permitted, caps.Inheritable, "process.capabilities"));
            }
            else
                steps.Add(new CapsStep(caps.Effective, caps.Permitted, caps.Inheritable, ambient, "process.capabilities"));
        }
        if (p.NoNewPrivileges == true)
            steps.Add(new NoNewPrivsStep("process.noNewPrivileges"));
        if (seccomp.Step is not null && seccomp.When == SeccompPlanner.Moment.AtExec)
            steps.Add(seccomp.Step);

        var env = p.Env ?? [];
        string path = env.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? DefaultPath;
        var searchDirs = path.Split(':').Select(d => d.Length == 0 ? "." : d).ToList();
        steps.Add(new ResolveExecStep(p.Args[0], searchDirs, "process.args"));

        ProcessAttributesPlanner.PlanLabels(p, host, steps);
        if (seccomp.Step is not null && seccomp.When == SeccompPlanner.Moment.BeforeReady)
            steps.Add(seccomp.Step);
        return env;
    }

    /// <summary>HOME is set when the config leaves it out, as runc does.</summary>
    public static List<string> WithHome(List<string> env, string home)
    {
        if (env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
            return env;
        return [.. env, "HOME=" + home];
    }
}
