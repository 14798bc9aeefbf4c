using OciRuntime.Linux;
using OciRuntime.Plan;
using OciRuntime.Planning;
using OciRuntime.Spec;
using Xunit;
using static OciRuntime.Tests.Planning.PlannerFixture;

namespace OciRuntime.Tests.Planning;

public class ExecPlannerTests
{
    private static Process ProcessOf(string json) => ConfigLoader.ParseProcess(System.Text.Encoding.UTF8.GetBytes(json));

    private const string Sh = """{ "args": ["sh", "-c", "true"], "cwd": "/tmp", "env": ["PATH=/bin"], "user": { "uid": 1000, "gid": 1000 } }""";

    private static ExecutionPlan Plan(Process p, params string[] join) =>
        ExecPlanner.PlanExec(new ExecPlanRequest(p, 4242, join, HybridHost, "/home/u", 0));

    [Fact]
    public void Joins_the_cgroup_then_every_namespace_user_first_mount_last_then_forks()
    {
        var plan = Plan(ProcessOf(Sh), "mount", "network", "pid", "uts", "ipc", "cgroup", "user");
        Assert.Equal(new CloseFdsStep(3, "--preserve-fds"), plan.Steps[0]);
        Assert.Equal(new SyncStep(SyncTag.PlaceInCgroup, "the container's cgroup"), plan.Steps[1]);
        var joins = plan.StepsOf<SetnsStep>();
        Assert.Equal(new[] { "user", "ipc", "uts", "net", "pid", "cgroup", "mnt" }.Select(n => $"/proc/4242/ns/{n}"),
            joins.Select(s => s.Path));
        Assert.Equal(Namespaces.CLONE_NEWUSER, joins[0].NsType);
        Assert.Equal(Namespaces.CLONE_NEWNS, joins[^1].NsType);
        // The pid namespace applies to children: the fork comes after every join, before the process steps.
        int fork = plan.IndexOf<ForkStep>();
        Assert.Equal(plan.Steps.ToList().IndexOf(joins[^1]) + 1, fork);
        Assert.True(fork < plan.IndexOf<ChdirStep>());
    }

    [Fact]
    public void Same_process_steps_as_create_without_the_wait_for_start()
    {
        var plan = Plan(ProcessOf(Sh), "mount", "pid");
        var ops = plan.Steps.Select(s => s.Op).ToList();
        Assert.Equal(new[]
        {
            PlanOp.CloseFds, PlanOp.Sync, PlanOp.Setns, PlanOp.Setns, PlanOp.Fork,
            PlanOp.Setsid, PlanOp.Chdir, PlanOp.Umask, PlanOp.ChownStdio, PlanOp.SetUser, PlanOp.ResolveExec, PlanOp.Notify, PlanOp.Exec,
        }, ops);
        // The exec'd process's stdio becomes its user's too (runc's setns init does the same).
        Assert.Equal(new ChownStdioStep(1000, 1, 3, "process.user.uid"), plan.StepsOf<ChownStdioStep>().Single());
        Assert.DoesNotContain(plan.Steps, s => s is WaitFifoStep or OpenFifoStep or UnshareStep or MountStep);
        Assert.Equal(new ChdirStep("/tmp", "process.cwd"), plan.StepsOf<ChdirStep>().Single());
        Assert.Equal(new ExecStep(3, ["sh", "-c", "true"], ["PATH=/bin", "HOME=/home/u"], "process.args"), plan.Steps[^1]);
        Assert.Equal(new NotifyStep(SyncTag.Ready, "exec"), plan.Steps[^2]);
    }

    [Fact]
    public void Exec_cpu_affinity_is_planned_like_any_exec_the_host_applies_it()
    {
        var p = ProcessOf("""{ "args": ["/bin/true"], "cwd": "/", "execCPUAffinity": { "initial": "0", "final": "0-1" } }""");
        var plan = Plan(p);
        Assert.Equal(new CloseFdsStep(3, "--preserve-fds"), plan.Steps[0]);
        Assert.Equal(new SyncStep(SyncTag.PlaceInCgroup, "the container's cgroup"), plan.Steps[1]);
    }

    [Fact]
    public void No_fork_without_a_pid_or_time_namespace_to_join()
    {
        var plan = Plan(ProcessOf(Sh), "mount", "uts");
        Assert.Empty(plan.StepsOf<ForkStep>());
        Assert.Equal(2, plan.StepsOf<SetnsStep>().Count);
    }

    [Fact]
    public void A_container_in_the_runtimes_mount_namespace_is_entered_with_chroot_into_the_inits_root()
    {
        var plan = Plan(ProcessOf(Sh), "pid", "network");
        Assert.Equal(new ChrootStep("/proc/4242/root", "the container's root"), plan.StepsOf<ChrootStep>().Single());
        // after the joins and the fork, before anything of the process (its cwd is in that root)
        Assert.True(plan.IndexOf<ChrootStep>() > plan.IndexOf<ForkStep>());
        Assert.True(plan.IndexOf<ChrootStep>() < plan.IndexOf<ChdirStep>());
        Assert.Empty(Plan(ProcessOf(Sh), "mount").StepsOf<ChrootStep>());
    }

    [Fact]
    public void Preserved_fds_are_kept_over_the_exec()
    {
        var plan = ExecPlanner.PlanExec(new ExecPlanRequest(ProcessOf(Sh), 1, ["mount"], HybridHost, "/", 2));
        Assert.Equal(5u, plan.StepsOf<ExecStep>().Single().KeepFds);
    }

    [Fact]
    public void Capabilities_and_no_new_privs_of_the_process_are_applied()
    {
        var p = ProcessOf("""
            { "args": ["sh"], "cwd": "/", "noNewPrivileges": true,
              "capabilities": { "bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"] } }
            """);
        var plan = Plan(p, "mount");
        var caps = plan.StepsOf<CapsStep>().Single();
        Assert.Equal(1UL << 5, caps.Effective);
        Assert.Equal(0UL, caps.Inheritable);
        Assert.Equal((1UL << 5) | 1UL, plan.StepsOf<CapsBoundingStep>().Single().Keep);
        Assert.True(plan.IndexOf<NoNewPrivsStep>() > plan.IndexOf<CapsStep>());
    }

    [Fact]
    public void Flag_cap_adds_no_inheritable_capability_CVE_2022_29162()
    {
        var p = ProcessOf("""{ "args": ["x"], "capabilities": { "bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"] } }""");
        var applied = new ExecProcessFlags(["sh"], Caps: ["CAP_SYS_ADMIN"]).ApplyTo(p);
        Assert.Equal(["CAP_KILL", "CAP_SYS_ADMIN"], applied.Capabilities!.Bounding!);
        Assert.Equal(["CAP_KILL", "CAP_SYS_ADMIN"], applied.Capabilities.Effective!);
        Assert.Equal(["CAP_KILL", "CAP_SYS_ADMIN"], applied.Capabilities.Permitted!);
        Assert.Null(applied.Capabilities.Inheritable);
        Assert.Null(applied.Capabilities.Ambient);
        var caps = Plan(applied, "mount").StepsOf<CapsStep>().Single();
        Assert.Equal(0UL, caps.Inheritable);
        Assert.Equal(0UL, caps.Ambient);
    }

    [Fact]
    public void Flags_change_the_containers_process_as_runc_does()
    {
        var p = ProcessOf("""{ "args": ["init"], "cwd": "/", "env": ["A=1"], "terminal": true, "user": { "uid": 0, "gid": 0, "additionalGids": [10] } }""");
        var applied = new ExecProcessFlags(["ls", "-l"], Cwd: "/tmp", Env: ["B=2"], Tty: false, User: "1000:100",
            AdditionalGids: ["20"], NoNewPrivs: true).ApplyTo(p);
        Assert.Equal(["ls", "-l"], applied.Args!);
        Assert.Equal("/tmp", applied.Cwd);
        Assert.Equal(["A=1", "B=2"], applied.Env!);
        Assert.False(applied.Terminal);
        Assert.Equal(1000u, applied.User!.Uid);
        Assert.Equal(100u, applied.User.Gid);
        Assert.Equal([10u, 20u], applied.User.AdditionalGids!);
        Assert.True(applied.NoNewPrivileges);
    }

    [Fact]
    public void User_flag_with_only_a_uid_keeps_the_gid()
    {
        var p = ProcessOf("""{ "args": ["x"], "user": { "uid": 0, "gid": 7 } }""");
        var applied = new ExecProcessFlags(["sh"], User: "1000").ApplyTo(p);
        Assert.Equal(1000u, applied.User!.Uid);
        Assert.Equal(7u, applied.User.Gid);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("1000:staff")]
    [InlineData("-1")]
    public void User_flag_must_be_numeric(string user)
    {
        var p = ProcessOf("""{ "args": ["x"] }""");
        var e = Assert.Throws<PlanningException>(() => new ExecProcessFlags(["sh"], User: user).ApplyTo(p));
        Assert.Equal("--user", e.Path);
    }

    [Fact]
    public void Unsupported_process_fields_are_refused_by_name()
    {
        var p = ProcessOf("""{ "args": ["sh"], "apparmorProfile": "x" }""");
        var e = Assert.Throws<PlanningException>(() => Plan(p, "mount"));
        Assert.Equal("process.apparmorProfile", e.Path);
    }

    [Fact]
    public void Missing_args_are_refused()
    {
        var e = Assert.Throws<PlanningException>(() => Plan(ProcessOf("""{ "cwd": "/" }"""), "mount"));
        Assert.Equal("process.args", e.Path);
    }
}

public class TerminalPlannerTests
{
    [Fact]
    public void Create_makes_the_pty_after_the_root_binds_console_and_sets_ctty_after_setsid()
    {
        var plan = PlanOf(Minimal.Replace("\"args\": [\"/bin/sh\"]", "\"terminal\": true, \"consoleSize\": { \"height\": 24, \"width\": 80 }, \"args\": [\"/bin/sh\"]"));
        int pivot = plan.IndexOf<PivotRootStep>();
        int recv = plan.IndexOf<RecvConsoleStep>();
        int pty = plan.IndexOf<CreatePtyStep>();
        int console = plan.IndexOf<BindConsoleStep>();
        int setsid = plan.IndexOf<SetsidStep>();
        int ctty = plan.IndexOf<SetCttyStep>();
        Assert.True(pivot < recv && recv < pty && pty < console && console < setsid && setsid + 1 == ctty,
            plan.Describe());
        Assert.Equal(new CreatePtyStep("/dev/pts/ptmx", 24, 80, "process.terminal"), plan.Steps[pty]);
        Assert.Equal(new BindConsoleStep("/dev/console", "process.terminal"), plan.Steps[console]);
        Assert.Equal(new RecvConsoleStep(SyncTag.ConsoleSocket, "--console-socket"), plan.Steps[recv]);
        Assert.True(ctty < plan.IndexOf<WaitFifoStep>());
    }

    [Fact]
    public void No_terminal_steps_without_a_terminal()
    {
        var plan = PlanOf(Minimal);
        Assert.DoesNotContain(plan.Steps, s => s is RecvConsoleStep or CreatePtyStep or BindConsoleStep or SetCttyStep);
    }

    [Fact]
    public void Exec_tty_makes_the_pty_in_the_joined_root_without_console()
    {
        var p = ConfigLoader.ParseProcess("""{ "terminal": true, "args": ["sh"], "cwd": "/" }"""u8);
        var plan = ExecPlanner.PlanExec(new ExecPlanRequest(p, 7, ["mount", "pid"], HybridHost));
        int mnt = plan.Steps.ToList().FindLastIndex(s => s is SetnsStep);
        int root = plan.IndexOf<OpenRootStep>();
        Assert.True(mnt < root && root < plan.IndexOf<CreatePtyStep>() && plan.IndexOf<CreatePtyStep>() < plan.IndexOf<SetCttyStep>());
        Assert.Equal(new OpenRootStep("/", "the container's root"), plan.Steps[root]);
        Assert.Empty(plan.StepsOf<BindConsoleStep>());
    }
}

public class HookPlannerTests
{
    [Fact]
    public void Create_hooks_stop_the_init_after_the_mounts_and_before_the_root_moves()
    {
        var plan = PlanOf(Minimal.Replace("\"linux\":", "\"hooks\": { \"createRuntime\": [ { \"path\": \"/bin/true\" } ] }, \"linux\":"));
        int sync = plan.Steps.ToList().FindIndex(s => s is SyncStep { Tag: SyncTag.CreateHooks });
        Assert.True(sync > plan.Steps.ToList().FindLastIndex(s => s is MknodStep or SymlinkStep)); // devices exist
        Assert.Equal(sync + 1, plan.IndexOf<OpenFifoStep>());
        Assert.True(sync < plan.IndexOf<PivotRootStep>());
        Assert.True(sync > plan.IndexOf<ForkStep>()); // the state carries the init's pid
    }

    [Fact]
    public void No_stop_without_create_hooks()
    {
        var plan = PlanOf(Minimal.Replace("\"linux\":", "\"hooks\": { \"poststop\": [ { \"path\": \"/bin/true\" } ] }, \"linux\":"));
        Assert.DoesNotContain(plan.Steps, s => s is SyncStep { Tag: SyncTag.CreateHooks });
    }
}
