using OciRuntime.Cgroups;
using OciRuntime.Cgroups.V1;
using OciRuntime.Cgroups.V2;
using OciRuntime.Planning;
using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Cgroups;

public class ResourceMappingTests
{
    private static string[] Lines(List<CgroupWrite> w) => w.Select(x => $"{x.File}={x.Value}").ToArray();

    private static LinuxResources Everything() => new()
    {
        Memory = new LinuxMemory
        {
            Limit = 100 << 20, Reservation = 50 << 20, Swap = 200 << 20, Swappiness = 10, DisableOomKiller = true,
        },
        Cpu = new LinuxCpu { Shares = 512, Quota = 50000, Period = 100000, Burst = 1000, Cpus = "0-1", Mems = "0", Idle = 0 },
        Pids = new LinuxPids { Limit = 32 },
        BlockIO = new LinuxBlockIO
        {
            Weight = 500,
            WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 0, Weight = 300 }],
            ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 1000 }],
            ThrottleWriteIOPSDevice = [new LinuxThrottleDevice { Major = 8, Minor = 16, Rate = 10 }],
        },
        HugepageLimits = [new LinuxHugepageLimit { PageSize = "2MB", Limit = 4 << 20 }],
        Rdma = new() { ["mlx5_0"] = new LinuxRdma { HcaHandles = 3 } },
    };

    [Fact]
    public void V1_writes_every_field_to_runc_files_in_order()
    {
        var r = Everything();
        r.Network = new LinuxNetwork { ClassId = 0x100001, Priorities = [new LinuxInterfacePriority { Name = "eth0", Priority = 5 }] };
        r.Memory!.Kernel = 1 << 30;
        r.Memory.KernelTcp = 1 << 20;
        r.Cpu!.RealtimePeriod = 1000000;
        r.Cpu.RealtimeRuntime = 950000;
        Assert.Equal(new[]
        {
            "memory.limit_in_bytes=104857600", "memory.memsw.limit_in_bytes=209715200",
            "memory.soft_limit_in_bytes=52428800", "memory.kmem.limit_in_bytes=1073741824",
            "memory.kmem.tcp.limit_in_bytes=1048576", "memory.swappiness=10", "memory.oom_control=1",
            "cpu.shares=512", "cpu.cfs_period_us=100000", "cpu.cfs_quota_us=50000", "cpu.cfs_burst_us=1000",
            "cpu.rt_period_us=1000000", "cpu.rt_runtime_us=950000", "cpu.idle=0", "cpuset.cpus=0-1", "cpuset.mems=0",
            "pids.max=32",
            "blkio.weight=500", "blkio.weight_device=8:0 300", "blkio.throttle.read_bps_device=8:0 1000",
            "blkio.throttle.write_iops_device=8:16 10",
            "hugetlb.2MB.limit_in_bytes=4194304",
            "net_cls.classid=1048577", "net_prio.ifpriomap=eth0 5",
            "rdma.max=mlx5_0 hca_handle=3 hca_object=max",
        }, Lines(V1Resources.Map(r)));
        var w = V1Resources.Map(r);
        Assert.Equal("blkio.bfq.weight", w.Single(x => x.File == "blkio.weight").Fallback!.File);
        Assert.Equal("linux.resources.memory.swap", w.Single(x => x.File == "memory.memsw.limit_in_bytes").Field);
        Assert.Equal("net_cls", w.Single(x => x.File == "net_cls.classid").Controller);
    }

    [Fact]
    public void V1_raising_memory_writes_swap_first()
    {
        var r = new LinuxResources { Memory = new LinuxMemory { Limit = 300, Swap = 600 } };
        Assert.Equal(["memory.memsw.limit_in_bytes=600", "memory.limit_in_bytes=300"], Lines(V1Resources.Map(r, swapFirst: true)));
    }

    /// <summary>runc's setMemoryAndSwap: memsw first when it is -1 or above the memory limit in
    /// place, else memory first; with only one of them given there is no order to choose.</summary>
    [Theory]
    [InlineData(300L, 600L, 1000UL, false)]          // lowering both below the limit in place
    [InlineData(500L, 1500L, 1000UL, true)]          // memsw above the limit in place: memsw first
    [InlineData(4000L, 8000L, 1000UL, true)]         // raising both
    [InlineData(-1L, -1L, 1000UL, true)]             // lifting both
    [InlineData(300L, 600L, ulong.MaxValue - 4095, false)] // a new cgroup: memory first
    [InlineData(300L, null, 1000UL, false)]
    [InlineData(null, 600L, 1000UL, false)]
    public void V1_memory_and_swap_order_is_runcs(long? limit, long? swap, ulong current, bool swapFirst) =>
        Assert.Equal(swapFirst, V1Resources.SwapFirst(limit, swap, current));

    [Fact]
    public void V1_rt_period_goes_first_and_may_be_retried_after_the_runtime()
    {
        var both = V1Resources.Map(new LinuxResources { Cpu = new LinuxCpu { RealtimePeriod = 80000, RealtimeRuntime = 8000 } });
        Assert.Equal(["cpu.rt_period_us=80000", "cpu.rt_runtime_us=8000"], Lines(both));
        Assert.True(both[0].RetryAfterNext);
        Assert.False(both[1].RetryAfterNext);
        var alone = V1Resources.Map(new LinuxResources { Cpu = new LinuxCpu { RealtimePeriod = 80000 } });
        Assert.False(Assert.Single(alone).RetryAfterNext);
    }

    [Theory]
    [InlineData(0L, "max")]
    [InlineData(-1L, "max")]
    [InlineData(7L, "7")]
    public void Pids_limit_zero_or_negative_means_no_limit(long limit, string expected)
    {
        var r = new LinuxResources { Pids = new LinuxPids { Limit = limit } };
        Assert.Equal($"pids.max={expected}", Assert.Single(Lines(V1Resources.Map(r))));
        Assert.Equal($"pids.max={expected}", Assert.Single(Lines(V2Resources.Map(r))));
    }

    [Fact]
    public void V2_writes_every_field_converted_to_v2_units()
    {
        var r = Everything();
        r.Memory!.Swappiness = null;
        r.Memory.DisableOomKiller = null;
        r.Unified = new() { ["memory.high"] = "90000000", ["cgroup.max.depth"] = "3" };
        Assert.Equal(new[]
        {
            "memory.max=104857600", "memory.swap.max=104857600", "memory.low=52428800",
            "cpu.weight=59", "cpu.max=50000 100000", "cpu.max.burst=1000", "cpu.idle=0", "cpuset.cpus=0-1", "cpuset.mems=0",
            "pids.max=32",
            "io.bfq.weight=500", "io.bfq.weight=8:0 300", "io.max=8:0 rbps=1000", "io.max=8:16 wiops=10",
            "hugetlb.2MB.max=4194304",
            "rdma.max=mlx5_0 hca_handle=3 hca_object=max",
            "cgroup.max.depth=3", "memory.high=90000000",
        }, Lines(V2Resources.Map(r)));
        var w = V2Resources.Map(r);
        Assert.Equal("io.weight=default 4950", w.First(x => x.File == "io.bfq.weight").Fallback!.ToString());
        Assert.Equal("", w.Single(x => x.File == "cgroup.max.depth").Controller);
        Assert.Equal("memory", w.Single(x => x.File == "memory.high").Controller);
    }

    /// <summary>runtime-spec's own examples: any file the kernel's cgroup has, one write per line.</summary>
    [Fact]
    public void V2_unified_takes_any_file_name_and_writes_a_multi_line_value_line_by_line()
    {
        var r = new LinuxResources
        {
            Unified = new() { ["hugetlb.1GB.max"] = "1073741824", ["io.max"] = "259:0 rbps=2097152 wiops=120\n253:0 rbps=2097152 wiops=120\n" },
        };
        ResourceValidator.Validate(r);
        Assert.Equal(["hugetlb.1GB.max=1073741824", "io.max=259:0 rbps=2097152 wiops=120", "io.max=253:0 rbps=2097152 wiops=120"],
            Lines(V2Resources.Map(r)));
        Assert.All(V2Resources.Map(r).Where(w => w.File == "io.max"), w => Assert.Equal("io", w.Controller));
    }

    [Theory]
    [InlineData("memory/../../x")]
    [InlineData("..")]
    [InlineData("nodot")]
    [InlineData("cgroup.procs")]
    [InlineData("Memory.max")]
    public void V2_unified_keys_that_are_no_resource_file_are_refused(string key)
    {
        var r = new LinuxResources { Unified = new() { [key] = "1" } };
        Assert.Equal($"linux.resources.unified[\"{key}\"]", Assert.Throws<PlanningException>(() => ResourceValidator.Validate(r)).Path);
    }

    [Theory]
    [InlineData(-1L, null, "max")]
    [InlineData(50000L, null, "50000")]
    [InlineData(null, 20000UL, "max 20000")]
    [InlineData(-1L, 20000UL, "max 20000")]
    public void V2_cpu_max_from_quota_and_period(long? quota, ulong? period, string expected)
    {
        var r = new LinuxResources { Cpu = new LinuxCpu { Quota = quota, Period = period } };
        Assert.Equal($"cpu.max={expected}", Assert.Single(Lines(V2Resources.Map(r))));
    }

    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(2UL, 1UL)]
    [InlineData(1024UL, 100UL)]
    [InlineData(262144UL, 10000UL)]
    [InlineData(1UL, 1UL)]
    [InlineData(512UL, 59UL)]
    [InlineData(100UL, 17UL)]
    [InlineData(262143UL, 10000UL)]
    public void Cpu_shares_to_weight_as_runc(ulong shares, ulong weight) =>
        Assert.Equal(weight, V2Conversions.CpuWeight(shares));

    [Theory]
    [InlineData(2UL)]
    [InlineData(1024UL)]
    [InlineData(262144UL)]
    public void Weight_back_to_shares_lands_near_the_original(ulong shares)
    {
        ulong back = V2Conversions.CpuShares(V2Conversions.CpuWeight(shares));
        Assert.InRange((double)back, shares * 0.95 - 30, shares * 1.05 + 30);
    }

    [Theory]
    [InlineData(10UL, 1UL)]
    [InlineData(1000UL, 10000UL)]
    [InlineData(500UL, 4950UL)]
    public void Blkio_weight_to_io_weight(ulong blkio, ulong io) => Assert.Equal(io, V2Conversions.IoWeight(blkio));

    [Theory]
    [InlineData(-1L, 100L, "max")]
    [InlineData(300L, 100L, "200")]
    [InlineData(100L, 100L, "0")]
    public void V2_swap_is_memory_plus_swap_minus_memory(long swap, long limit, string expected)
    {
        var r = new LinuxResources { Memory = new LinuxMemory { Limit = limit, Swap = swap } };
        Assert.Contains($"memory.swap.max={expected}", Lines(V2Resources.Map(r)));
    }

    [Theory]
    [InlineData("memory.kernel")]
    [InlineData("memory.kernelTCP")]
    [InlineData("memory.swappiness")]
    [InlineData("memory.disableOOMKiller")]
    [InlineData("cpu.realtimeRuntime")]
    [InlineData("cpu.realtimePeriod")]
    [InlineData("network")]
    [InlineData("blockIO.leafWeight")]
    [InlineData("memory.swap")]
    public void V2_refuses_v1_only_fields_by_name(string field)
    {
        var r = new LinuxResources();
        switch (field)
        {
            case "memory.kernel": r.Memory = new() { Kernel = 1 << 20 }; break;
            case "memory.kernelTCP": r.Memory = new() { KernelTcp = 1 << 20 }; break;
            case "memory.swappiness": r.Memory = new() { Swappiness = 0 }; break;
            case "memory.disableOOMKiller": r.Memory = new() { DisableOomKiller = true }; break;
            case "cpu.realtimeRuntime": r.Cpu = new() { RealtimeRuntime = 1000 }; break;
            case "cpu.realtimePeriod": r.Cpu = new() { RealtimePeriod = 1000 }; break;
            case "network": r.Network = new() { ClassId = 1 }; break;
            case "blockIO.leafWeight": r.BlockIO = new() { LeafWeight = 100 }; break;
            case "memory.swap": r.Memory = new() { Swap = 1 << 20 }; break; // swap without a memory limit
        }
        Assert.Equal("linux.resources." + field, Assert.Throws<PlanningException>(() => V2Resources.Map(r)).Path);
    }

    [Fact]
    public void V2_ignores_v1_only_fields_whose_value_asks_for_nothing_warning_for_the_explicit_ones()
    {
        // runc ignores v1-only fields on v2; these values change nothing on v1 either.
        var r = new LinuxResources
        {
            Memory = new() { Limit = 1 << 20, Kernel = -1, KernelTcp = -1, Swappiness = ulong.MaxValue, DisableOomKiller = false, UseHierarchy = true },
            Cpu = new() { RealtimePeriod = 0, RealtimeRuntime = 0 },
            BlockIO = new() { LeafWeight = 0 },
            Network = new() { ClassId = 0 },
        };
        var warnings = new List<string>();
        var w = V2Resources.Map(r, warnings: warnings);
        Assert.Equal("memory.max", Assert.Single(w).File);
        Assert.Equal(["linux.resources.memory.kernel", "linux.resources.memory.kernelTCP", "linux.resources.memory.swappiness",
            "linux.resources.network.classID"], warnings.Select(x => x[..x.IndexOf(':')]).Order(StringComparer.Ordinal));
        Assert.Empty(V2Resources.Map(new LinuxResources { Memory = new() { Kernel = 0, KernelTcp = 0 } }, warnings: warnings = []));
        Assert.Empty(warnings);
        // and -1 swappiness leaves v1's file alone too (as runc)
        ResourceValidator.Validate(r);
        Assert.DoesNotContain(V1Resources.Map(new LinuxResources { Memory = new() { Swappiness = ulong.MaxValue } }), x => x.File == "memory.swappiness");
    }

    [Theory]
    [InlineData("memory.limit")]
    [InlineData("memory.swap")]
    [InlineData("memory.swappiness")]
    [InlineData("cpu.quota")]
    [InlineData("cpu.period")]
    [InlineData("cpu.cpus")]
    [InlineData("cpu.idle")]
    [InlineData("blockIO.weight")]
    [InlineData("blockIO.weightDevice[0].major")]
    [InlineData("hugepageLimits[0].pageSize")]
    [InlineData("unified[\"../memory.max\"]")]
    [InlineData("unified[\"cgroup.procs\"]")]
    [InlineData("network.priorities[0].name")]
    public void Invalid_values_are_refused_naming_the_field(string field)
    {
        var r = new LinuxResources();
        switch (field)
        {
            case "memory.limit": r.Memory = new() { Limit = -2 }; break;
            case "memory.swap": r.Memory = new() { Limit = 200, Swap = 100 }; break;
            case "memory.swappiness": r.Memory = new() { Swappiness = 101 }; break;
            case "cpu.quota": r.Cpu = new() { Quota = -5 }; break;
            case "cpu.period": r.Cpu = new() { Period = 10 }; break;
            case "cpu.cpus": r.Cpu = new() { Cpus = "0-1,x" }; break;
            case "cpu.idle": r.Cpu = new() { Idle = 2 }; break;
            case "blockIO.weight": r.BlockIO = new() { Weight = 5 }; break;
            case "blockIO.weightDevice[0].major": r.BlockIO = new() { WeightDevice = [new() { Minor = 0, Weight = 100 }] }; break;
            case "hugepageLimits[0].pageSize": r.HugepageLimits = [new() { PageSize = "2M", Limit = 1 }]; break;
            case "unified[\"../memory.max\"]": r.Unified = new() { ["../memory.max"] = "1" }; break;
            case "unified[\"cgroup.procs\"]": r.Unified = new() { ["cgroup.procs"] = "1" }; break;
            case "network.priorities[0].name": r.Network = new() { Priorities = [new() { Name = "", Priority = 1 }] }; break;
        }
        Assert.Equal("linux.resources." + field, Assert.Throws<PlanningException>(() => ResourceValidator.Validate(r)).Path);
    }

    [Fact]
    public void Valid_resources_pass_validation() => ResourceValidator.Validate(Everything());

    [Fact]
    public void Unified_keys_are_refused_on_a_v1_host_before_anything_exists()
    {
        var host = new HostFacts(CgroupMode.Legacy, [new CgroupHierarchy("/sys/fs/cgroup/memory", "cgroup", "memory", "/")], 0);
        var e = Assert.Throws<PlanningException>(() =>
            CgroupManagers.ForNew(host, null, "ct", new LinuxResources { Unified = new() { ["memory.high"] = "1" } }));
        Assert.Equal("linux.resources.unified", e.Path);
    }

    [Fact]
    public void A_v1_controller_the_host_lacks_is_refused_naming_field_and_file()
    {
        var host = new HostFacts(CgroupMode.Legacy, [new CgroupHierarchy("/sys/fs/cgroup/memory", "cgroup", "memory", "/")], 0);
        var e = Assert.Throws<PlanningException>(() => CgroupManagers.ForNew(host, null, "ct",
            new LinuxResources { HugepageLimits = [new() { PageSize = "2MB", Limit = 1 }] }));
        Assert.Equal("linux.resources.hugepageLimits[0]", e.Path);
        Assert.Contains("hugetlb.2MB.limit_in_bytes", e.Message);
    }

    [Fact]
    public void A_missing_file_names_the_field_and_every_file_tried()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var w = V1Resources.Map(new LinuxResources { BlockIO = new() { Weight = 100 } });
            var e = Assert.Throws<PlanningException>(() => ResourceWriter.Apply(w, _ => dir));
            Assert.Equal("linux.resources.blockIO.weight", e.Path);
            Assert.Contains("blkio.weight and blkio.bfq.weight missing", e.Message);
            File.WriteAllText(Path.Combine(dir, "blkio.bfq.weight"), "");
            ResourceWriter.Apply(w, _ => dir);
            Assert.Equal("100", File.ReadAllText(Path.Combine(dir, "blkio.bfq.weight")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
