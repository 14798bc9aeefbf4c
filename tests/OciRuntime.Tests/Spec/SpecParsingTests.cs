using System.Text.Json;
using OciRuntime.Spec;
using OciRuntime.Spec.Json;
using Xunit;

namespace OciRuntime.Tests.Spec;

using Spec = OciRuntime.Spec.Spec;

public class SpecParsingTests
{
    [Fact]
    public void DefaultSpec_RoundTripsThroughJson()
    {
        var original = DefaultSpec.Create(rootless: false);
        string json = DefaultSpec.ToJson(original);
        var parsed = ConfigLoader.Parse(TestData.Utf8(json));
        Assert.Equal(json, DefaultSpec.ToJson(parsed));
        Assert.Empty(SpecValidator.Validate(parsed, requireProcess: true));
    }

    [Fact]
    public void FullConfig_RoundTripsWithoutLosingModelledFields()
    {
        var first = ConfigLoader.Parse(TestData.Bytes("full-config.json"));
        string once = DefaultSpec.ToJson(first);
        string twice = DefaultSpec.ToJson(ConfigLoader.Parse(TestData.Utf8(once)));
        Assert.Equal(once, twice);
        // Unknown top-level keys are dropped, every modelled one survives.
        Assert.DoesNotContain("x-unknown-extension", once);
        foreach (string key in new[] { "execCPUAffinity", "memoryPolicy", "netDevices", "timeOffsets", "schemata", "enableMonitoring", "hwConfig", "credentialSpec", "checkBeforeUpdate", "listenerMetadata" })
            Assert.Contains($"\"{key}\"", once);
    }

    [Fact]
    public void FullConfig_IsValid()
    {
        var spec = ConfigLoader.Parse(TestData.Bytes("full-config.json"));
        Assert.Empty(SpecValidator.Validate(spec, requireProcess: true));
    }

    [Fact]
    public void FullConfig_ProcessValues()
    {
        var p = ConfigLoader.Parse(TestData.Bytes("full-config.json")).Process!;
        Assert.True(p.Terminal);
        Assert.Equal(25u, p.ConsoleSize!.Height);
        Assert.Equal(80u, p.ConsoleSize.Width);
        Assert.Equal(1000u, p.User!.Uid);
        Assert.Equal(1000u, p.User.Gid);
        Assert.Equal(18u, p.User.Umask);
        Assert.Equal([5u, 6u, uint.MaxValue], p.User.AdditionalGids!);
        Assert.Equal(["/bin/app", "--flag=value", "unicode é ✓"], p.Args!);
        Assert.Equal("EMPTY=", p.Env![2]);
        Assert.Equal("/srv/app", p.Cwd);
        Assert.Equal(["CAP_CHOWN", "CAP_CHECKPOINT_RESTORE"], p.Capabilities!.Bounding!);
        Assert.Empty(p.Capabilities.Inheritable!);
        Assert.Equal(["CAP_NET_BIND_SERVICE"], p.Capabilities.Ambient!);
        Assert.Equal("RLIMIT_NOFILE", p.Rlimits![0].Type);
        Assert.Equal(1048576ul, p.Rlimits[0].Hard);
        Assert.Equal(1024ul, p.Rlimits[0].Soft);
        Assert.Equal(ulong.MaxValue, p.Rlimits[1].Hard);
        Assert.True(p.NoNewPrivileges);
        Assert.Equal("docker-default", p.ApparmorProfile);
        Assert.Equal(-500, p.OomScoreAdj);
        Assert.Equal("SCHED_DEADLINE", p.Scheduler!.Policy);
        Assert.Equal(-5, p.Scheduler.Nice);
        Assert.Equal(10, p.Scheduler.Priority);
        Assert.Equal(["SCHED_FLAG_RESET_ON_FORK"], p.Scheduler.Flags!);
        Assert.Equal(10000000ul, p.Scheduler.Runtime);
        Assert.Equal(20000000ul, p.Scheduler.Deadline);
        Assert.Equal(30000000ul, p.Scheduler.Period);
        Assert.Equal("system_u:system_r:container_t:s0:c1,c2", p.SelinuxLabel);
        Assert.Equal("IOPRIO_CLASS_BE", p.IoPriority!.Class);
        Assert.Equal(4, p.IoPriority.Priority);
        Assert.Equal("0-3", p.ExecCPUAffinity!.Initial);
        Assert.Equal("4-7,9", p.ExecCPUAffinity.Final);
    }

    [Fact]
    public void FullConfig_RootMountsHooksAnnotations()
    {
        var s = ConfigLoader.Parse(TestData.Bytes("full-config.json"));
        Assert.Equal("1.3.0", s.OciVersion);
        Assert.Equal("rootfs", s.Root!.Path);
        Assert.True(s.Root.Readonly);
        Assert.Equal("full", s.Hostname);
        Assert.Equal("example.org", s.Domainname);

        Assert.Equal(3, s.Mounts!.Count);
        Assert.Null(s.Mounts[0].Options);
        var bind = s.Mounts[1];
        Assert.Equal(("/data", "bind", "/var/lib/data"), (bind.Destination, bind.Type, bind.Source));
        Assert.Equal(["rbind", "rw", "rprivate"], bind.Options!);
        Assert.Equal(100000u, bind.UidMappings![0].HostId);
        Assert.Equal(65536u, bind.UidMappings[0].Size);
        Assert.Equal(200000u, bind.GidMappings![0].HostId);
        Assert.Equal("relative/dest", s.Mounts[2].Destination);

        var h = s.Hooks!;
        Assert.Equal("/usr/bin/prestart", h.Prestart![0].Path);
        Assert.Equal(["prestart", "--x"], h.Prestart[0].Args!);
        Assert.Equal(["A=1"], h.Prestart[0].Env!);
        Assert.Equal(5, h.Prestart[0].Timeout);
        Assert.Equal("/usr/bin/create-runtime", h.CreateRuntime![0].Path);
        Assert.Equal("/usr/bin/create-container", h.CreateContainer![0].Path);
        Assert.Equal("/usr/bin/start-container", h.StartContainer![0].Path);
        Assert.Equal("/usr/bin/poststart", h.Poststart![0].Path);
        Assert.Null(h.Poststart[0].Timeout);
        Assert.Equal(30, h.Poststop![0].Timeout);

        Assert.Equal("value", s.Annotations!["com.example.key"]);
        Assert.Equal(2, s.Annotations.Count);
    }

    [Fact]
    public void FullConfig_LinuxValues()
    {
        var l = ConfigLoader.Parse(TestData.Bytes("full-config.json")).Linux!;
        Assert.Equal(0u, l.UidMappings![0].ContainerId);
        Assert.Equal(100000u, l.UidMappings[0].HostId);
        Assert.Equal(200000u, l.GidMappings![0].HostId);
        Assert.Equal("1", l.Sysctl!["net.ipv4.ip_forward"]);
        Assert.Equal("/myRuntime/full", l.CgroupsPath);
        Assert.Equal(["pid", "network", "ipc", "uts", "mount", "user", "cgroup", "time"], l.Namespaces!.Select(n => n.Type!));
        Assert.Equal("/var/run/netns/full", l.Namespaces![1].Path);
        Assert.Null(l.Namespaces[0].Path);

        Assert.Equal(("/dev/fuse", "c", 10L, 229L), (l.Devices![0].Path, l.Devices[0].Type, l.Devices[0].Major, l.Devices[0].Minor));
        Assert.Equal(438u, l.Devices[0].FileMode);
        Assert.Equal(0u, l.Devices[0].Uid);
        Assert.Null(l.Devices[1].FileMode);
        Assert.Null(l.Devices[2].Major);

        var sc = l.Seccomp!;
        Assert.Equal("SCMP_ACT_ERRNO", sc.DefaultAction);
        Assert.Equal(1u, sc.DefaultErrnoRet);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], sc.Architectures!);
        Assert.Equal(["SECCOMP_FILTER_FLAG_LOG"], sc.Flags!);
        Assert.Equal("/run/seccomp-agent.socket", sc.ListenerPath);
        Assert.Equal("agent-metadata", sc.ListenerMetadata);
        Assert.Equal(["read", "write"], sc.Syscalls![0].Names!);
        Assert.Equal("SCMP_ACT_ALLOW", sc.Syscalls[0].Action);
        var arg = sc.Syscalls[1].Args![1];
        Assert.Equal((1u, 255ul, 8ul, "SCMP_CMP_MASKED_EQ"), (arg.Index!.Value, arg.Value!.Value, arg.ValueTwo!.Value, arg.Op));
        Assert.Equal(4294967295ul, sc.Syscalls[1].Args![0].Value);
        Assert.Equal(38u, sc.Syscalls[2].ErrnoRet);

        Assert.Equal("rslave", l.RootfsPropagation);
        Assert.Equal(["/proc/kcore", "/sys/firmware"], l.MaskedPaths!);
        Assert.Equal(["/proc/sys"], l.ReadonlyPaths!);
        Assert.Equal("system_u:object_r:container_file_t:s0:c1,c2", l.MountLabel);
        Assert.Equal("guaranteed_group", l.IntelRdt!.ClosId);
        Assert.Equal(["L3:0=7f0;1=1f", "MB:0=20;1=70"], l.IntelRdt.Schemata!);
        Assert.Equal("MB:0=20;1=70", l.IntelRdt.MemBwSchema);
        Assert.True(l.IntelRdt.EnableMonitoring);
        Assert.Equal("LINUX32", l.Personality!.Domain);
        Assert.Equal(-86400L, l.TimeOffsets!["monotonic"].Secs);
        Assert.Equal(500u, l.TimeOffsets["monotonic"].Nanosecs);
        Assert.Null(l.TimeOffsets["boottime"].Nanosecs);
        Assert.Equal("ctr1", l.NetDevices!["eth1"].Name);
        Assert.Null(l.NetDevices["eth2"].Name);
        Assert.Equal("MPOL_INTERLEAVE", l.MemoryPolicy!.Mode);
        Assert.Equal("0-1", l.MemoryPolicy.Nodes);
        Assert.Equal(["MPOL_F_STATIC_NODES"], l.MemoryPolicy.Flags!);
    }

    [Fact]
    public void FullConfig_Resources()
    {
        var r = ConfigLoader.Parse(TestData.Bytes("full-config.json")).Linux!.Resources!;
        Assert.False(r.Devices![0].Allow);
        Assert.Null(r.Devices[0].Type);
        Assert.Null(r.Devices[0].Major);
        Assert.Equal("rwm", r.Devices[0].Access);
        Assert.Equal((true, "c", 10L, 229L, "rw"), (r.Devices[1].Allow!.Value, r.Devices[1].Type, r.Devices[1].Major!.Value, r.Devices[1].Minor!.Value, r.Devices[1].Access));

        var m = r.Memory!;
        Assert.Equal(536870912L, m.Limit);
        Assert.Equal(268435456L, m.Reservation);
        Assert.Equal(1073741824L, m.Swap);
        Assert.Equal(-1L, m.Kernel);
        Assert.Equal(-1L, m.KernelTcp);
        Assert.Equal(60ul, m.Swappiness);
        Assert.False(m.DisableOomKiller);
        Assert.True(m.UseHierarchy);
        Assert.True(m.CheckBeforeUpdate);

        var c = r.Cpu!;
        Assert.Equal(1024ul, c.Shares);
        Assert.Equal(100000L, c.Quota);
        Assert.Equal(50000ul, c.Burst);
        Assert.Equal(100000ul, c.Period);
        Assert.Equal(950000L, c.RealtimeRuntime);
        Assert.Equal(1000000ul, c.RealtimePeriod);
        Assert.Equal("0-3", c.Cpus);
        Assert.Equal("0", c.Mems);
        Assert.Equal(1L, c.Idle);

        Assert.Equal(32768L, r.Pids!.Limit);

        var b = r.BlockIO!;
        Assert.Equal((ushort)500, b.Weight);
        Assert.Equal((ushort)300, b.LeafWeight);
        Assert.Equal((8L, 0L, (ushort)600, (ushort)300), (b.WeightDevice![0].Major!.Value, b.WeightDevice[0].Minor!.Value, b.WeightDevice[0].Weight!.Value, b.WeightDevice[0].LeafWeight!.Value));
        Assert.Equal(104857600ul, b.ThrottleReadBpsDevice![0].Rate);
        Assert.Equal(16L, b.ThrottleWriteBpsDevice![0].Minor);
        Assert.Equal(1000ul, b.ThrottleReadIOPSDevice![0].Rate);
        Assert.Equal(500ul, b.ThrottleWriteIOPSDevice![0].Rate);

        Assert.Equal("2MB", r.HugepageLimits![0].PageSize);
        Assert.Equal(209715200ul, r.HugepageLimits[0].Limit);
        Assert.Equal(1048577u, r.Network!.ClassId);
        Assert.Equal(("eth0", 500u), (r.Network.Priorities![0].Name, r.Network.Priorities[0].Priority!.Value));
        Assert.Equal(3u, r.Rdma!["mlx5_1"].HcaHandles);
        Assert.Equal(10000u, r.Rdma["mlx5_1"].HcaObjects);
        Assert.Equal("400M", r.Unified!["memory.high"]);
        Assert.Equal("default 100", r.Unified["io.weight"]);
    }

    [Fact]
    public void FullConfig_OtherPlatformsAreKeptAsRawJson_WithATypedViewOnDemand()
    {
        var s = ConfigLoader.Parse(TestData.Bytes("full-config.json"));
        var vm = s.Vm!.Value.Deserialize(SpecJsonContext.Default.Vm)!;
        Assert.Equal("/usr/bin/qemu", vm.Hypervisor!.Path);
        Assert.Equal("/boot/initrd", vm.Kernel!.InitRd);
        Assert.Equal("qcow2", vm.Image!.Format);
        Assert.Equal(2u, vm.HwConfig!.Vcpus);
        Assert.Equal([5u, 9u], vm.HwConfig.Irqs!);
        var windows = s.Windows!.Value.Deserialize(SpecJsonContext.Default.Windows)!;
        Assert.Equal(@"C:\layers\1", windows.LayerFolders![0]);
        // An arbitrary JSON value: nulls inside are its own business.
        Assert.Equal(JsonValueKind.Null, windows.CredentialSpec!.Value.GetProperty("any")[1].ValueKind);
        Assert.Null(s.Solaris);
    }

    [Fact]
    public void UnknownFieldsAreIgnored_AndKeysMatchCaseInsensitivelyLikeGo()
    {
        var s = ConfigLoader.Parse(TestData.Utf8("""
            { "ociVersion": "1.3.0", "futureField": { "x": [1, 2] }, "Process": { "ARGS": ["sh"], "cwd": "/", "newThing": 1 } }
            """));
        Assert.Equal(["sh"], s.Process!.Args!);
    }

    [Fact]
    public void NullPropertyMeansAbsent()
    {
        var s = ConfigLoader.Parse(TestData.Utf8("""{ "ociVersion": "1.3.0", "process": null, "hostname": null, "linux": { "resources": { "pids": { "limit": null } } } }"""));
        Assert.Null(s.Process);
        Assert.Null(s.Hostname);
        Assert.Null(s.Linux!.Resources!.Pids!.Limit);
    }

    [Fact]
    public void Utf8ByteOrderMarkIsAccepted()
    {
        byte[] json = [0xEF, 0xBB, 0xBF, .. TestData.Utf8("""{ "ociVersion": "1.3.0" }""")];
        Assert.Equal("1.3.0", ConfigLoader.Parse(json).OciVersion);
    }

    [Fact]
    public void CompactSerializationOmitsNulls()
    {
        var s = new Spec { OciVersion = "1.3.0", Root = new Root { Path = "rootfs" } };
        Assert.Equal("""{"ociVersion":"1.3.0","root":{"path":"rootfs"}}""", JsonOut.Text(s, JsonOut.Compact, SpecWriter.WriteSpec));
    }

    [Fact]
    public void IndentedSerializationUsesTabsAndKeepsTextReadable()
    {
        var s = new Spec { OciVersion = "1.3.0", Process = new Process { Args = ["a+b", "<é>"] } };
        string json = DefaultSpec.ToJson(s);
        Assert.Equal("{\n\t\"ociVersion\": \"1.3.0\",\n\t\"process\": {\n\t\t\"args\": [\n\t\t\t\"a+b\",\n\t\t\t\"<é>\"\n\t\t]\n\t}\n}", json);
    }

    [Fact]
    public void ProcessJsonForExec()
    {
        var p = ConfigLoader.ParseProcess(TestData.Utf8("""{ "args": ["ls", "-l"], "cwd": "/", "env": ["A=1"], "user": { "uid": 1 } }"""));
        Assert.Equal(["ls", "-l"], p.Args!);
        Assert.Equal(1u, p.User!.Uid);
        Assert.Empty(SpecValidator.ValidateProcess(p));
    }

    [Fact]
    public void StateAndFeaturesSerialize()
    {
        var state = new State { OciVersion = "1.3.0", Id = "c1", Status = "running", Pid = 42, Bundle = "/b" };
        Assert.Equal("""{"ociVersion":"1.3.0","id":"c1","status":"running","pid":42,"bundle":"/b"}""",
            JsonSerializer.Serialize(state, SpecJsonContext.Default.State));

        var features = JsonSerializer.Deserialize("""
            { "ociVersionMin": "1.0.0", "ociVersionMax": "1.3.0", "hooks": ["prestart"],
              "linux": { "namespaces": ["pid"], "cgroup": { "v2": true }, "seccomp": { "enabled": false },
                         "intelRdt": { "enabled": true, "schemata": true }, "memoryPolicy": { "modes": ["MPOL_BIND"] },
                         "mountExtensions": { "idmap": { "enabled": true } }, "netDevices": { "enabled": true } } }
            """, SpecJsonContext.Default.Features)!;
        Assert.True(features.Linux!.Cgroup!.V2);
        Assert.True(features.Linux.MountExtensions!.IdMap!.Enabled);
        Assert.Equal(["MPOL_BIND"], features.Linux.MemoryPolicy!.Modes!);
    }
}
