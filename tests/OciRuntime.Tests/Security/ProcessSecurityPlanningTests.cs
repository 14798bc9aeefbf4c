using OciRuntime.Plan;
using OciRuntime.Planning;
using OciRuntime.Tests.Planning;
using Xunit;

namespace OciRuntime.Tests.Security;

/// <summary>sysctl validation and placement; personality, I/O priority, scheduler, LSM labels.</summary>
public class ProcessSecurityPlanningTests
{
    private static string Config(string namespaces, string linuxExtra = "", string processExtra = "") => $$"""
        {
          "ociVersion": "1.3.0",
          "root": { "path": "rootfs" },
          "process": { {{processExtra}} "args": ["/bin/sh"], "cwd": "/" },
          "linux": { {{linuxExtra}} "namespaces": [ {{namespaces}} ], "readonlyPaths": ["/proc/sys"] }
        }
        """;

    private const string AllNs = """{ "type": "pid" }, { "type": "mount" }, { "type": "ipc" }, { "type": "network" }, { "type": "uts" }""";

    [Theory]
    [InlineData("kernel.shmmax", "ipc")]
    [InlineData("kernel.msgmax", "ipc")]
    [InlineData("kernel.sem", "ipc")]
    [InlineData("kernel.shm_rmid_forced", "ipc")]
    [InlineData("fs.mqueue.msg_max", "ipc")]
    [InlineData("net.ipv4.ip_forward", "network")]
    [InlineData("net/ipv4/ip_forward", "network")]
    [InlineData("kernel.hostname", "uts")]
    [InlineData("kernel.domainname", "uts")]
    [InlineData("kernel.pid_max", null)]
    [InlineData("vm.swappiness", null)]
    [InlineData("fs.file-max", null)]
    [InlineData("kernel.msgmax_not", null)]
    public void Sysctls_belong_to_the_namespace_runc_says(string key, string? ns) =>
        Assert.Equal(ns, SysctlPlanner.NamespaceOf(key));

    [Fact]
    public void Sysctls_are_written_through_the_runtimes_own_procfs_before_proc_sys_is_readonly()
    {
        var p = PlannerFixture.PlanOf(Config(AllNs, """ "sysctl": { "net.ipv4.ip_forward": "1", "kernel.shmmax": "4096" }, """));
        var writes = p.StepsOf<WriteProcStep>();
        Assert.Equal(["sys/kernel/shmmax", "sys/net/ipv4/ip_forward"], writes.Select(w => w.Path));
        // Through a procfs of the runtime's own, made before the first mount of the config.
        int procfs = p.IndexOf<OpenProcfsStep>();
        Assert.Equal(new OpenProcfsStep(ProcfsHow.New, "linux.sysctl"), p.Steps[procfs]);
        Assert.True(procfs < p.IndexOf<PivotRootStep>());
        Assert.IsType<OpenRootStep>(p.Steps[procfs - 1]);
        Assert.Equal("linux.sysctl[\"net.ipv4.ip_forward\"]", writes[1].Origin);
        int readonlyProcSys = p.Steps.ToList().FindIndex(s => s is MountStep { Target: "/proc/sys" });
        int pivot = p.IndexOf<PivotRootStep>();
        Assert.All(writes, w => Assert.InRange(p.Steps.ToList().IndexOf(w), pivot + 1, readonlyProcSys - 1));
    }

    [Theory]
    [InlineData("kernel.shmmax", "ipc")]
    [InlineData("net.ipv4.ip_forward", "network")]
    [InlineData("kernel.domainname", "uts")]
    public void A_sysctl_without_its_namespace_is_refused(string key, string ns)
    {
        var e = Assert.Throws<PlanningException>(() => PlannerFixture.PlanOf(Config("""{ "type": "pid" }, { "type": "mount" }""", $$""" "sysctl": { "{{key}}": "1" }, """)));
        Assert.Equal($"linux.sysctl[\"{key}\"]", e.Path);
        Assert.Contains(ns, e.Message);
    }

    [Fact]
    public void A_sysctl_that_is_not_namespaced_is_refused()
    {
        var e = Assert.Throws<PlanningException>(() => PlannerFixture.PlanOf(Config(AllNs, """ "sysctl": { "vm.swappiness": "1" }, """)));
        Assert.Equal("linux.sysctl[\"vm.swappiness\"]", e.Path);
        Assert.Contains("not a namespaced sysctl", e.Message);
    }

    [Theory]
    [InlineData("LINUX", 0u)]
    [InlineData("LINUX32", 8u)]
    public void Personality_domains(string domain, uint persona)
    {
        var p = PlannerFixture.PlanOf(Config(AllNs, $$""" "personality": { "domain": "{{domain}}" }, """));
        Assert.Equal(persona, Assert.Single(p.StepsOf<PersonalityStep>()).Persona);
    }

    [Fact]
    public void Io_priority_and_scheduler_are_set_while_still_privileged()
    {
        var p = PlannerFixture.PlanOf(Config(AllNs, "", """
            "ioPriority": { "class": "IOPRIO_CLASS_IDLE", "priority": 5 },
            "scheduler": { "policy": "SCHED_BATCH", "nice": 7, "flags": ["SCHED_FLAG_RESET_ON_FORK"] },
            "capabilities": { "bounding": [], "effective": [], "permitted": [] },
            """));
        Assert.Equal((3u << 13) | 5, Assert.Single(p.StepsOf<IoPriorityStep>()).Value);
        var s = Assert.Single(p.StepsOf<SchedulerStep>());
        Assert.Equal((3u, 1ul, 7), (s.Policy, s.Flags, s.Nice));
        Assert.True(p.IndexOf<SchedulerStep>() < p.IndexOf<CapsBoundingStep>());
        Assert.True(p.IndexOf<IoPriorityStep>() < p.IndexOf<SetUserStep>());
    }

    [Theory]
    [InlineData("\"apparmorProfile\": \"docker-default\",", "process.apparmorProfile", "AppArmor")]
    [InlineData("\"selinuxLabel\": \"system_u:system_r:container_t:s0\",", "process.selinuxLabel", "SELinux")]
    public void A_label_without_its_lsm_is_a_clear_error(string field, string path, string lsm)
    {
        var e = Assert.Throws<PlanningException>(() => PlannerFixture.PlanOf(Config(AllNs, "", field)));
        Assert.Equal(path, e.Path);
        Assert.Contains(lsm + " is not enabled", e.Message);
    }

    [Fact]
    public void Labels_are_written_for_the_next_exec_when_the_lsm_is_there()
    {
        var host = PlannerFixture.HybridHost with { AppArmor = true, Selinux = true };
        var p = PlannerFixture.PlanOf(Config(AllNs, "", "\"apparmorProfile\": \"p1\", \"selinuxLabel\": \"l1\","), host: host);
        var w = p.StepsOf<WriteProcStep>();
        Assert.Contains(w, s => s.Path == "thread-self/attr/apparmor/exec" && s.Value == "exec p1");
        Assert.Contains(w, s => s.Path == "thread-self/attr/exec" && s.Value == "l1");
        Assert.True(p.IndexOf<OpenProcfsStep>() < p.IndexOf<WriteProcStep>());
    }

    [Fact]
    public void A_mount_label_without_selinux_is_a_clear_error()
    {
        var e = Assert.Throws<PlanningException>(() => PlannerFixture.PlanOf(Config(AllNs, "\"mountLabel\": \"system_u:object_r:x:s0\",")));
        Assert.Equal("linux.mountLabel", e.Path);
        Assert.Contains("SELinux is not enabled", e.Message);
    }
}
