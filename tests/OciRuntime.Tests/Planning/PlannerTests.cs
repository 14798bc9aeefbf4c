using OciRuntime.Linux;
using OciRuntime.Plan;
using OciRuntime.Planning;
using Xunit;
using static OciRuntime.Linux.MountFlags;
using static OciRuntime.Tests.Planning.PlannerFixture;

namespace OciRuntime.Tests.Planning;

public class PlannerTests
{
    [Fact]
    public void Minimal_config_gives_the_whole_ordered_plan()
    {
        var plan = PlanOf(Minimal);
        var ops = plan.Steps.Select(s => s.Op).ToList();
        Assert.Equal(new[]
        {
            PlanOp.CloseFds, PlanOp.Unshare, PlanOp.Propagate, PlanOp.Mount, PlanOp.OpenRoot, PlanOp.Sync,
            PlanOp.Mknod, PlanOp.Mknod, PlanOp.Mknod, PlanOp.Mknod, PlanOp.Mknod, PlanOp.Mknod,
            PlanOp.Symlink, PlanOp.Symlink, PlanOp.Symlink, PlanOp.Symlink, PlanOp.Symlink,
            PlanOp.OpenFifo, PlanOp.PivotRoot, PlanOp.Propagate,
            PlanOp.Setsid, PlanOp.Chdir, PlanOp.Umask, PlanOp.SetUser, PlanOp.ResolveExec,
            PlanOp.Notify, PlanOp.ReleaseCode, PlanOp.WaitFifo, PlanOp.Exec,
        }, ops);
        // The pid namespace by the host's clone of the executor (which is then the init, no fork);
        // the cgroup after the other namespaces and the rootfs mounts (the host makes it meanwhile).
        Assert.Equal(Namespaces.CLONE_NEWPID, plan.SpawnNamespaces);
        Assert.Equal(new CloseFdsStep(3, "--preserve-fds"), plan.Steps[0]);
        Assert.Equal(new UnshareStep(Namespaces.CLONE_NEWNS, "linux.namespaces"), plan.Steps[1]);
        Assert.Equal(new PropagateStep("/", MS_SLAVE | MS_REC, MountOpts.None, "linux.rootfsPropagation"), plan.Steps[2]);
        Assert.Equal(new MountStep("/b/rootfs", "/b/rootfs", "", "", MS_BIND | MS_REC, MountOpts.None, "root.path"), plan.Steps[3]);
        Assert.Equal(new SyncStep(SyncTag.PlaceInCgroup, "linux.cgroupsPath"), plan.Steps[5]);
        Assert.Equal(new OpenFifoStep("/run/oci/x/exec.fifo", "exec fifo"), plan.Steps[17]);
        Assert.Equal(new ExecStep(3, ["/bin/sh"], ["PATH=/bin:/usr/bin", "HOME=/"], "process.args"), plan.Steps[^1]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // with a user namespace the fifo is opened first, while still the host's root
    public void Without_an_exec_fifo_the_init_waits_for_start_on_the_sync_socket(bool userNs)
    {
        // `run` starts the container itself: no fifo to open or wait on, a SYNC Start before the exec.
        string json = userNs
            ? Minimal.Replace("""{ "type": "mount" }""", """{ "type": "mount" }, { "type": "user" }""")
                .Replace("\"linux\": {", "\"linux\": { \"uidMappings\": [ { \"containerID\": 0, \"hostID\": 1000, \"size\": 1 } ], \"gidMappings\": [ { \"containerID\": 0, \"hostID\": 1000, \"size\": 1 } ],")
            : Minimal;
        Assert.Single(PlanOf(json).StepsOf<OpenFifoStep>());
        var plan = PlanOf(json, execFifo: null);
        Assert.Empty(plan.StepsOf<OpenFifoStep>());
        Assert.Empty(plan.StepsOf<WaitFifoStep>());
        Assert.Equal(new SyncStep(SyncTag.Start, "start"), plan.Steps[^2]);
        Assert.IsType<ExecStep>(plan.Steps[^1]);
        Assert.Equal(new NotifyStep(SyncTag.Ready, "create"), plan.Steps[^3]);
    }

    [Fact]
    public void Defaults_are_octal_0022_umask_and_0666_devices()
    {
        var plan = PlanOf(Minimal);
        Assert.Equal("0022", Convert.ToString(plan.StepsOf<UmaskStep>().Single().Mask, 8).PadLeft(4, '0'));
        Assert.All(plan.StepsOf<MknodStep>(), m => Assert.Equal("20666", Convert.ToString(m.Mode, 8)));
    }

    [Fact]
    public void Without_a_pid_or_time_namespace_there_is_no_fork()
    {
        var plan = PlanOf(Minimal.Replace("""{ "type": "pid" }, """, ""));
        Assert.Empty(plan.StepsOf<ForkStep>());
        Assert.Equal(0u, plan.SpawnNamespaces);
    }

    [Fact]
    public void A_new_pid_namespace_with_a_user_namespace_is_made_by_the_executor_and_needs_the_fork()
    {
        // The user namespace must own the pid namespace, and the executor creates it after the clone.
        var plan = PlanOf(Minimal.Replace("""{ "type": "mount" }""", """{ "type": "mount" }, { "type": "user" }""")
            .Replace("\"linux\": {", "\"linux\": { \"uidMappings\": [ { \"containerID\": 0, \"hostID\": 1000, \"size\": 1 } ], \"gidMappings\": [ { \"containerID\": 0, \"hostID\": 1000, \"size\": 1 } ],"));
        Assert.Equal(0u, plan.SpawnNamespaces);
        Assert.Contains(plan.StepsOf<UnshareStep>(), u => (u.Flags & Namespaces.CLONE_NEWPID) != 0);
        Assert.Single(plan.StepsOf<ForkStep>());
    }

    [Fact]
    public void A_new_pid_namespace_with_a_new_time_namespace_is_made_by_the_executor_and_needs_the_fork()
    {
        // The time namespace's offsets are written while no process is in it: before the fork.
        var plan = PlanOf(Minimal.Replace("""{ "type": "mount" }""", """{ "type": "mount" }, { "type": "time" }"""));
        Assert.Equal(0u, plan.SpawnNamespaces);
        Assert.Equal(Namespaces.CLONE_NEWPID | Namespaces.CLONE_NEWNS | Namespaces.CLONE_NEWTIME, plan.StepsOf<UnshareStep>()[0].Flags);
        Assert.Single(plan.StepsOf<ForkStep>());
    }

    [Fact]
    public void Joined_namespaces_come_first_in_kernel_order_and_mount_is_joined_last()
    {
        var plan = PlanOf(Minimal.Replace("""[ { "type": "pid" }, { "type": "mount" } ]""",
            """[ { "type": "mount" }, { "type": "network", "path": "/proc/1/ns/net" }, { "type": "ipc", "path": "/proc/1/ns/ipc" }, { "type": "pid", "path": "/proc/1/ns/pid" } ]"""));
        var joins = plan.StepsOf<SetnsStep>();
        Assert.Equal(new[] { Namespaces.CLONE_NEWIPC, Namespaces.CLONE_NEWNET, Namespaces.CLONE_NEWPID }, joins.Select(j => j.NsType));
        Assert.Equal("linux.namespaces[1].path", joins[1].Origin);
        // A joined pid namespace still needs the fork: setns(pid) applies to children only.
        Assert.True(plan.IndexOf<ForkStep>() > plan.IndexOf<UnshareStep>());
        Assert.Equal(0u, plan.SpawnNamespaces);
        Assert.Equal(Namespaces.CLONE_NEWNS, plan.StepsOf<UnshareStep>().Single().Flags);
    }

    [Fact]
    public void The_cgroup_namespace_is_created_in_the_init_after_the_fork()
    {
        var plan = PlanOf(Minimal.Replace("""{ "type": "mount" }""", """{ "type": "mount" }, { "type": "cgroup" }, { "type": "time" }"""));
        var unshares = plan.StepsOf<UnshareStep>();
        Assert.Equal(2, unshares.Count);
        Assert.Equal(Namespaces.CLONE_NEWCGROUP, unshares[1].Flags);
        Assert.True(plan.Steps.ToList().IndexOf(unshares[1]) > plan.IndexOf<ForkStep>());
    }

    [Theory]
    [InlineData(false)] // the executor is cloned into the pid namespace: it is the init
    [InlineData(true)]  // with a time namespace: the executor forks the init
    public void The_init_joins_its_cgroup_after_the_other_namespaces_and_before_the_fork_and_the_cgroup_namespace(bool time)
    {
        var plan = PlanOf(Minimal.Replace("""{ "type": "mount" }""", """{ "type": "mount" }, { "type": "cgroup" }, { "type": "network" }""" + (time ? """, { "type": "time" }""" : "")));
        var steps = plan.Steps.ToList();
        int place = steps.IndexOf(new SyncStep(SyncTag.PlaceInCgroup, "linux.cgroupsPath"));
        var unshares = plan.StepsOf<UnshareStep>();
        Assert.True(place > steps.IndexOf(unshares[0]), "after the namespaces the host need not wait for");
        if (time)
            Assert.True(place < plan.IndexOf<ForkStep>(), "before the fork: the init inherits the cgroup");
        else
            Assert.Empty(plan.StepsOf<ForkStep>());
        Assert.True(place < steps.IndexOf(unshares[1]), "before the cgroup namespace: its root is the container's cgroup");
        Assert.Equal(Namespaces.CLONE_NEWCGROUP, unshares[1].Flags);
    }

    [Fact]
    public void Without_a_fork_the_cgroup_is_joined_after_the_mounts_before_the_first_cgroup_mount()
    {
        // proc and a tmpfs need neither the cgroup nor its namespace: they overlap the host's
        // making of the cgroup. The cgroup mount needs the namespace: join, unshare, then mount.
        var plan = PlanOf(Minimal
            .Replace("""{ "type": "mount" }""", """{ "type": "mount" }, { "type": "cgroup" }""")
            .Replace("\"root\"", "\"mounts\": [ { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" }, { \"destination\": \"/run\", \"type\": \"tmpfs\", \"source\": \"tmpfs\" }, { \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\" }, { \"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\" } ], \"root\""));
        var steps = plan.Steps.ToList();
        int sync = steps.IndexOf(new SyncStep(SyncTag.PlaceInCgroup, "linux.cgroupsPath"));
        int cgroupns = steps.FindIndex(s => s is UnshareStep u && u.Flags == Namespaces.CLONE_NEWCGROUP);
        int proc = steps.FindIndex(s => s.Origin == "mounts[0]");
        int run = steps.FindIndex(s => s.Origin == "mounts[1]");
        int cgroupMount = steps.FindIndex(s => s.Origin == "mounts[2]");
        Assert.True(proc < sync && run < sync, "the mounts before the cgroup mount come first");
        Assert.Equal(sync + 1, cgroupns);
        Assert.Equal(cgroupns + 1, cgroupMount);
        Assert.True(steps.FindIndex(s => s.Origin == "mounts[3]") > cgroupMount);
    }

    [Fact]
    public void With_a_fork_the_cgroup_is_joined_before_it_and_before_every_mount()
    {
        var plan = PlanOf(Minimal.Replace("""{ "type": "mount" }""", """{ "type": "mount" }, { "type": "time" }""")
            .Replace("\"root\"", "\"mounts\": [ { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" } ], \"root\""));
        var steps = plan.Steps.ToList();
        int sync = steps.IndexOf(new SyncStep(SyncTag.PlaceInCgroup, "linux.cgroupsPath"));
        Assert.True(sync < plan.IndexOf<ForkStep>());
        Assert.True(sync < plan.IndexOf<MountStep>());
    }

    [Fact]
    public void Without_a_mount_namespace_the_runtimes_is_used_with_chroot_and_its_mounts_are_left_alone()
    {
        var plan = PlanOf(Minimal.Replace(""", { "type": "mount" }""", ""));
        // neither the runtime's "/" nor the rootfs' parent mount get a propagation change
        Assert.DoesNotContain(plan.StepsOf<PropagateStep>(), s => (s.Opts & MountOpts.TargetInRoot) == 0);
        Assert.Empty(plan.StepsOf<PivotRootStep>());
        Assert.Empty(plan.StepsOf<MoveRootStep>());
        Assert.Equal(new ChrootStep("", "linux.namespaces"), plan.StepsOf<ChrootStep>().Single());
        // the rootfs bind (ours) is made a slave right after it is opened as the root
        Assert.Equal(plan.IndexOf<OpenRootStep>() + 1, plan.Steps.ToList().IndexOf(plan.StepsOf<PropagateStep>().First()));
    }

    [Theory]
    [InlineData("\"maskedPaths\": [\"/proc/kcore\"]", "linux.maskedPaths")]
    [InlineData("\"readonlyPaths\": [\"/proc/sys\"]", "linux.readonlyPaths")]
    [InlineData("\"rootfsPropagation\": \"rslave\"", "linux.rootfsPropagation")]
    public void Without_a_mount_namespace_what_needs_one_is_refused(string field, string path)
    {
        string json = Minimal.Replace(""", { "type": "mount" }""", "").Replace("\"namespaces\"", field + ", \"namespaces\"");
        var e = Assert.Throws<PlanningException>(() => PlanOf(json));
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void Hostname_and_domainname_only_with_a_new_uts_namespace()
    {
        string json = Minimal.Replace("\"root\"", "\"hostname\": \"box\", \"domainname\": \"example.org\", \"root\"")
            .Replace("""{ "type": "mount" }""", """{ "type": "mount" }, { "type": "uts" }""");
        var plan = PlanOf(json);
        Assert.Equal(new SetHostnameStep("box", "hostname"), plan.StepsOf<SetHostnameStep>().Single());
        Assert.Equal(new SetDomainnameStep("example.org", "domainname"), plan.StepsOf<SetDomainnameStep>().Single());
        Assert.True(plan.IndexOf<SetHostnameStep>() > plan.IndexOf<UnshareStep>());
    }

    [Fact]
    public void No_pivot_moves_the_root_instead()
    {
        var plan = PlanOf(Minimal, noPivot: true);
        Assert.Empty(plan.StepsOf<PivotRootStep>());
        Assert.Single(plan.StepsOf<MoveRootStep>());
    }

    [Fact]
    public void Readonly_root_masked_and_readonly_paths_come_after_pivot_root()
    {
        string json = Minimal.Replace("\"path\": \"rootfs\"", "\"path\": \"rootfs\", \"readonly\": true")
            .Replace("\"namespaces\"", "\"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\"], \"namespaces\"");
        var plan = PlanOf(json);
        int pivot = plan.IndexOf<PivotRootStep>();
        var ro = plan.Steps.OfType<MountStep>().Single(m => m.Origin == "linux.readonlyPaths[0]");
        Assert.Equal(new MountStep("/proc/sys", "/proc/sys", "", "", MS_BIND | MS_REC | MS_RDONLY,
            MountOpts.SourceInRoot | MountOpts.TargetInRoot | MountOpts.Remount | MountOpts.IgnoreMissing,
            "linux.readonlyPaths[0]"), ro);
        Assert.True(plan.Steps.ToList().IndexOf(ro) > pivot);
        Assert.Equal(new MaskStep("/proc/kcore", "/dev/null", "linux.maskedPaths[0]"), plan.StepsOf<MaskStep>().Single());
        Assert.Equal(new RemountStep("/", MS_RDONLY, MountOpts.TargetInRoot, "root.readonly"), plan.StepsOf<RemountStep>().Single());
        Assert.True(plan.IndexOf<RemountStep>() > pivot);
    }

    [Fact]
    public void Rootfs_propagation_is_applied_to_slash()
    {
        var plan = PlanOf(Minimal.Replace("\"namespaces\"", "\"rootfsPropagation\": \"rprivate\", \"namespaces\""));
        Assert.Equal(MS_PRIVATE | MS_REC, plan.StepsOf<PropagateStep>()[0].Flags);
    }

    [Fact]
    public void Rootfs_propagation_is_applied_again_to_the_container_root_after_pivot_root()
    {
        var plan = PlanOf(Minimal.Replace("\"namespaces\"", "\"rootfsPropagation\": \"shared\", \"namespaces\""));
        var props = plan.StepsOf<PropagateStep>();
        Assert.Equal(2, props.Count);
        Assert.Equal(new PropagateStep("/", MS_SHARED, MountOpts.TargetInRoot, "linux.rootfsPropagation"), props[1]);
        Assert.True(plan.Steps.ToList().IndexOf(props[1]) > plan.IndexOf<PivotRootStep>());
    }

    [Fact]
    public void The_mount_holding_the_rootfs_is_made_a_slave_before_the_rootfs_bind()
    {
        var req = new PlanRequest("ct1", Parse(Minimal), "/b", "/b/rootfs", "/f", false, 0, HybridHost, "/", "/b");
        var steps = Planner.PlanInit(req).Steps.ToList();
        int i = steps.IndexOf(new PropagateStep("/b", MS_SLAVE, MountOpts.None, "root.path"));
        Assert.True(i > 0 && steps[i + 1] is MountStep { Origin: "root.path" });
    }

    [Fact]
    public void The_program_is_resolved_before_the_wait_for_start_with_the_container_PATH()
    {
        var plan = PlanOf(Minimal.Replace("\"/bin/sh\"", "\"sh\", \"-c\", \"true\""));
        var resolve = plan.StepsOf<ResolveExecStep>().Single();
        Assert.Equal(new ResolveExecStep("sh", ["/bin", "/usr/bin"], "process.args"), resolve);
        Assert.True(plan.IndexOf<ResolveExecStep>() < plan.IndexOf<WaitFifoStep>());
        Assert.True(plan.IndexOf<NotifyStep>() < plan.IndexOf<WaitFifoStep>());
    }

    [Fact]
    public void Without_PATH_the_default_search_path_is_used_and_HOME_is_kept()
    {
        var plan = PlanOf(Minimal.Replace("\"PATH=/bin:/usr/bin\"", "\"HOME=/home/x\""));
        Assert.Equal(ProcessPlanner.DefaultPath.Split(':'), plan.StepsOf<ResolveExecStep>().Single().SearchDirs);
        Assert.Equal(new[] { "HOME=/home/x" }, plan.StepsOf<ExecStep>().Single().Env);
    }

    [Fact]
    public void Preserve_fds_raise_the_first_fd_closed()
    {
        Assert.Equal(5u, PlanOf(Minimal, preserveFds: 2).StepsOf<ExecStep>().Single().KeepFds);
    }

    [Fact]
    public void Process_identity_limits_and_capabilities_in_kernel_order()
    {
        string json = Minimal.Replace("\"user\": { \"uid\": 0, \"gid\": 0 }",
            """
            "user": { "uid": 1000, "gid": 100, "umask": 63, "additionalGids": [5, 6] },
            "rlimits": [ { "type": "RLIMIT_NOFILE", "soft": 1024, "hard": 2048 } ],
            "noNewPrivileges": true,
            "capabilities": { "bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"],
                              "inheritable": ["CAP_KILL"], "ambient": ["CAP_KILL"] }
            """);
        var plan = PlanOf(json);
        Assert.Equal(new RlimitStep(7, 1024, 2048, "RLIMIT_NOFILE", "process.rlimits[0]"), plan.StepsOf<RlimitStep>().Single());
        Assert.Equal(new UmaskStep(63, "process.user.umask"), plan.StepsOf<UmaskStep>().Single());
        Assert.Equal(new SetUserStep(1000, 100, true, [5, 6], "process.user"), plan.StepsOf<SetUserStep>().Single());
        Assert.Equal((1UL << 5) | (1UL << 0), plan.StepsOf<CapsBoundingStep>().Single().Keep);
        Assert.Equal(new CapsStep(1UL << 5, 1UL << 5, 1UL << 5, 1UL << 5, "process.capabilities"), plan.StepsOf<CapsStep>().Single());
        Assert.Empty(plan.Warnings);
        int bounding = plan.IndexOf<CapsBoundingStep>(), user = plan.IndexOf<SetUserStep>(), caps = plan.IndexOf<CapsStep>();
        Assert.True(bounding < user && user < caps && caps < plan.IndexOf<NoNewPrivsStep>());
        Assert.True(plan.IndexOf<RlimitStep>() < user);
        // runc's fixStdioPermissions: stdio becomes uid 1000's (not /dev/null, 1:3) while still root.
        Assert.Equal(new ChownStdioStep(1000, 1, 3, "process.user.uid"), plan.StepsOf<ChownStdioStep>().Single());
        Assert.True(plan.IndexOf<ChownStdioStep>() < bounding);
    }

    [Fact]
    public void Stdio_is_left_to_root_and_chowned_before_a_filter_loaded_early()
    {
        Assert.Empty(PlanOf(Minimal).StepsOf<ChownStdioStep>());
        // startContainer hooks without noNewPrivileges load the filter before the capabilities
        // drop (decisions §40): the chown must come before it, the profile may refuse fchown.
        string json = Minimal.Replace("\"user\": { \"uid\": 0, \"gid\": 0 }", "\"user\": { \"uid\": 7, \"gid\": 7 }")
            .Replace("\"linux\": {", """
                "hooks": { "startContainer": [ { "path": "/bin/true" } ] },
                "linux": { "seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["fchown"], "action": "SCMP_ACT_ERRNO" } ] },
                """);
        var plan = PlanOf(json);
        Assert.True(plan.IndexOf<ChownStdioStep>() < plan.IndexOf<SeccompStep>());
    }

    [Fact]
    public void Home_comes_from_the_request_when_the_config_has_none()
    {
        var plan = Planner.PlanInit(new PlanRequest("ct1", Parse(Minimal), "/b", "/b/rootfs", "/f", false, 0, HybridHost, "/root"));
        Assert.Equal("HOME=/root", plan.StepsOf<ExecStep>().Single().Env[^1]);
        Assert.Equal("/home/u", PasswdFile.HomeOf("root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000::/home/u:/bin/sh\n", 1000));
        Assert.Equal("/", PasswdFile.HomeOf("root:x:0:0:root:/root:/bin/sh\n", 1000));
        Assert.Equal("/", PasswdFile.HomeOf(null, 0));
    }

    [Fact]
    public void Ambient_capabilities_that_are_not_inheritable_are_dropped_with_a_warning()
    {
        string json = Minimal.Replace("\"user\"", """ "capabilities": { "permitted": ["CAP_KILL"], "ambient": ["CAP_KILL"] }, "user" """);
        var plan = PlanOf(json);
        Assert.Equal(0UL, plan.StepsOf<CapsStep>().Single().Ambient);
        Assert.Contains("CAP_KILL", Assert.Single(plan.Warnings));
    }

    [Fact]
    public void A_capability_the_runtime_lacks_or_does_not_know_is_dropped_with_a_warning()
    {
        // runtime-spec v1.3.0: MUST log a warning, SHOULD NOT fail (runc and crun drop it too).
        var host = PlannerFixture.HybridHost with { RuntimeBoundingSet = HostFacts.AllCapabilities & ~(1UL << 24) };
        string json = Minimal.Replace("\"user\"", """ "capabilities": { "bounding": ["CAP_KILL", "CAP_SYS_RESOURCE", "CAP_NO_SUCH"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"] }, "user" """);
        var plan = PlanOf(json, host: host);
        Assert.Equal(1UL << 5, plan.StepsOf<CapsBoundingStep>().Single().Keep);
        Assert.Equal(2, plan.Warnings.Count);
        Assert.Contains(plan.Warnings, w => w.StartsWith("process.capabilities.bounding[1]:") && w.Contains("CAP_SYS_RESOURCE"));
        Assert.Contains(plan.Warnings, w => w.StartsWith("process.capabilities.bounding[2]:") && w.Contains("CAP_NO_SUCH"));
    }

    // Intel RDT stays refused (no resctrl here); linux.netDevices and memoryPolicy are carried out (issue 16).
    [Theory]
    [InlineData("\"intelRdt\": { },", "linux.intelRdt")]
    public void Unsupported_linux_fields_are_refused_by_name(string field, string path)
    {
        var e = Assert.Throws<PlanningException>(() => PlanOf(Minimal.Replace("\"namespaces\"", field + " \"namespaces\"")));
        Assert.Equal(path, e.Path);
    }

    private static ExecutionPlan WithMemoryPolicy(string policy) =>
        PlanOf(Minimal.Replace("\"namespaces\"", "\"memoryPolicy\": " + policy + ", \"namespaces\""));

    [Theory]
    [InlineData("""{ "mode": "MPOL_BIND", "nodes": "0" }""", 2u, new uint[] { 1 })]
    [InlineData("""{ "mode": "MPOL_PREFERRED", "nodes": "" }""", 1u, new uint[0])]
    [InlineData("""{ "mode": "MPOL_INTERLEAVE", "nodes": "0-2,33", "flags": ["MPOL_F_STATIC_NODES"] }""", 3u | 1u << 15, new uint[] { 7, 2 })]
    [InlineData("""{ "mode": "MPOL_BIND", "nodes": "1", "flags": ["MPOL_F_RELATIVE_NODES", "MPOL_F_NUMA_BALANCING"] }""", 2u | 1u << 14 | 1u << 13, new uint[] { 2 })]
    [InlineData("""{ "mode": "MPOL_DEFAULT" }""", 0u, new uint[0])]
    [InlineData("""{ "mode": "MPOL_LOCAL", "nodes": "" }""", 4u, new uint[0])]
    public void Memory_policy_becomes_one_set_mempolicy_step(string policy, uint mode, uint[] nodes)
    {
        var plan = WithMemoryPolicy(policy);
        var s = plan.StepsOf<MemoryPolicyStep>().Single();
        Assert.Equal(mode, s.Mode);
        Assert.Equal(nodes, s.Nodes.ToArray());
        Assert.Equal("linux.memoryPolicy", s.Origin);
        Assert.True(plan.IndexOf<MemoryPolicyStep>() < plan.IndexOf<ExecStep>());
    }

    [Theory]
    [InlineData("""{ "mode": "MPOL_DEFAULT", "nodes": "0" }""", "linux.memoryPolicy.nodes", "must be empty")]
    [InlineData("""{ "mode": "MPOL_BIND", "nodes": "" }""", "linux.memoryPolicy.nodes", "at least one node")]
    [InlineData("""{ "mode": "MPOL_BIND", "nodes": "0-x" }""", "linux.memoryPolicy.nodes", "node list")]
    [InlineData("""{ "mode": "MPOL_BIND", "nodes": "3-1" }""", "linux.memoryPolicy.nodes", "backwards")]
    [InlineData("""{ "mode": "MPOL_BIND", "nodes": "4096" }""", "linux.memoryPolicy.nodes", "above the highest")]
    [InlineData("""{ "mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES"] }""", "linux.memoryPolicy.flags", "exclude each other")]
    [InlineData("""{ "mode": "MPOL_INTERLEAVE", "nodes": "0", "flags": ["MPOL_F_NUMA_BALANCING"] }""", "linux.memoryPolicy.flags", "only to MPOL_BIND")]
    public void Memory_policies_the_kernel_would_refuse_are_refused_by_name(string policy, string path, string message)
    {
        var e = Assert.Throws<PlanningException>(() => WithMemoryPolicy(policy));
        Assert.Equal(path, e.Path);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Net_devices_make_the_init_wait_for_the_host_once_its_namespaces_exist()
    {
        var plan = PlanOf(Minimal.Replace("\"namespaces\"", "\"netDevices\": { \"d0\": { \"name\": \"eth9\" } }, \"namespaces\"")
            .Replace("""{ "type": "mount" } ]""", """{ "type": "mount" }, { "type": "network" } ]"""));
        var steps = plan.Steps.ToList();
        int sync = steps.FindIndex(s => s is SyncStep { Tag: SyncTag.NetDevices });
        Assert.True(sync > steps.FindLastIndex(s => s is UnshareStep or ForkStep), "the sync comes before the namespaces exist");
        Assert.True(sync < plan.IndexOf<ExecStep>());
        Assert.DoesNotContain(PlanOf(Minimal).Steps, s => s is SyncStep { Tag: SyncTag.NetDevices });
    }

    [Fact]
    public void StartContainer_hooks_are_run_by_the_init_after_start_right_before_the_exec()
    {
        var json = Minimal.Replace("\"linux\":", """
            "hooks": { "startContainer": [ { "path": "/bin/hook", "args": ["hook", "a"], "env": ["X=1"], "timeout": 5 },
                                           { "path": "/bin/other" } ] },
            "linux":
            """);
        var plan = PlanOf(json);
        var steps = plan.Steps.ToList();
        int state = plan.IndexOf<RecvHookStateStep>(), ready = steps.FindIndex(s => s is NotifyStep { Tag: SyncTag.Ready });
        Assert.Equal(new RecvHookStateStep(SyncTag.HookState, "hooks.startContainer"), steps[state]);
        Assert.True(state < ready);
        Assert.Equal(new RunHookStep("hooks.startContainer[0]", "/bin/hook", ["hook", "a"], ["X=1"], 5, "hooks.startContainer[0]"), steps[^3]);
        // Without env of its own a hook gets the process's (runc's init passes its environment on).
        Assert.Equal(new RunHookStep("hooks.startContainer[1]", "/bin/other", ["/bin/other"], ((ExecStep)steps[^1]).Env, 0, "hooks.startContainer[1]"), steps[^2]);
        Assert.IsType<WaitFifoStep>(steps[^4]);
        Assert.IsType<ExecStep>(steps[^1]);
    }
}
