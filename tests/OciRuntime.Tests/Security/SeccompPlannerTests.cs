using OciRuntime.Plan;
using OciRuntime.Planning;
using OciRuntime.Tests.Planning;
using Xunit;

namespace OciRuntime.Tests.Security;

/// <summary>Where the filter is loaded relative to the executor's other steps.</summary>
public class SeccompPlannerTests
{
    private const string KillOnly =
        """, "capabilities": { "bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"] }""";

    private static string Config(bool nnp, string seccomp, string caps = KillOnly) => $$"""
        {
          "ociVersion": "1.3.0",
          "root": { "path": "rootfs" },
          "process": { "args": ["/bin/sh"], "cwd": "/", "noNewPrivileges": {{(nnp ? "true" : "false")}}{{caps}} },
          "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ], "seccomp": {{seccomp}} }
        }
        """;

    private const string Deny = """{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ERRNO" } ] }""";

    [Fact]
    public void With_no_new_privs_the_filter_is_loaded_by_exec()
    {
        var p = PlannerFixture.PlanOf(Config(true, Deny));
        var step = Assert.Single(p.StepsOf<SeccompStep>());
        Assert.Equal(SeccompOpts.AtExec, step.Opts);
        Assert.True(p.IndexOf<SeccompStep>() > p.IndexOf<NoNewPrivsStep>());
        Assert.Equal("linux.seccomp", step.Origin);
    }

    [Fact]
    public void Without_no_new_privs_the_filter_is_loaded_by_exec_with_CAP_SYS_ADMIN_held_until_then()
    {
        var p = PlannerFixture.PlanOf(Config(false, Deny));
        var step = Assert.Single(p.StepsOf<SeccompStep>());
        Assert.Equal(SeccompOpts.AtExec, step.Opts);
        const ulong kill = 1UL << 5, sysAdmin = 1UL << 21;
        var caps = Assert.Single(p.StepsOf<CapsStep>());
        Assert.Equal(kill | sysAdmin, caps.Effective);
        Assert.Equal(kill | sysAdmin, caps.Permitted);
        Assert.Equal(0UL, caps.Inheritable & sysAdmin);
        Assert.Equal(0UL, caps.Ambient & sysAdmin);
        var atExec = Assert.Single(p.StepsOf<CapsAtExecStep>());
        Assert.Equal(kill, atExec.Effective);
        Assert.Equal(kill, atExec.Permitted);
        Assert.Equal(caps.Inheritable, atExec.Inheritable);
        // the bounding set is final before the filter: CAP_SYS_ADMIN is not kept there
        Assert.Equal(kill, Assert.Single(p.StepsOf<CapsBoundingStep>()).Keep);
        Assert.True(p.IndexOf<SeccompStep>() > p.IndexOf<SetUserStep>());
        Assert.True(p.IndexOf<ResolveExecStep>() < p.Steps.ToList().FindIndex(s => s is ExecStep));
    }

    [Fact]
    public void Without_capabilities_and_no_new_privs_the_filter_is_loaded_before_the_identity_changes()
    {
        var p = PlannerFixture.PlanOf(Config(false, Deny, caps: ""));
        var step = Assert.Single(p.StepsOf<SeccompStep>());
        Assert.Equal(SeccompOpts.None, step.Opts);
        Assert.True(p.IndexOf<SeccompStep>() < p.IndexOf<SetUserStep>());
        Assert.Empty(p.StepsOf<CapsAtExecStep>());
    }

    [Fact]
    public void With_no_new_privs_no_capability_is_held_for_the_filter()
    {
        var p = PlannerFixture.PlanOf(Config(true, Deny));
        Assert.Equal(1UL << 5, Assert.Single(p.StepsOf<CapsStep>()).Effective);
        Assert.Empty(p.StepsOf<CapsAtExecStep>());
    }

    [Fact]
    public void A_listener_is_passed_on_before_ready_while_the_runtime_still_waits()
    {
        const string notify = """{ "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock", "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_NOTIFY" } ] }""";
        var p = PlannerFixture.PlanOf(Config(true, notify));
        var step = Assert.Single(p.StepsOf<SeccompStep>());
        Assert.Equal(SeccompOpts.None, step.Opts);
        Assert.True(step.Listener);
        int ready = p.Steps.ToList().FindIndex(s => s is NotifyStep { Tag: SyncTag.Ready });
        Assert.Equal(ready - 1, p.IndexOf<SeccompStep>());
    }

    [Fact]
    public void Notify_without_a_listener_path_is_an_error()
    {
        const string notify = """{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_NOTIFY" } ] }""";
        var e = Assert.Throws<PlanningException>(() => PlannerFixture.PlanOf(Config(true, notify)));
        Assert.Equal("linux.seccomp.listenerPath", e.Path);
    }

    [Fact]
    public void The_step_encodes_flags_opts_and_the_program()
    {
        var step = new SeccompStep(8, SeccompOpts.AtExec, [0x20u, 4u], true, "linux.seccomp");
        byte[] b = new ExecutionPlan([step]).Encode();
        Assert.Equal((uint)PlanOp.Seccomp, BitConverter.ToUInt32(b, 16));
        Assert.Equal(8u, BitConverter.ToUInt32(b, 24));
        Assert.Equal(1u, BitConverter.ToUInt32(b, 28));
        Assert.Equal(2u, BitConverter.ToUInt32(b, 32));
        Assert.Equal(0x20u, BitConverter.ToUInt32(b, 36));
    }
}
