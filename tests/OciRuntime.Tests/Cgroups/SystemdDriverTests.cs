using OciRuntime.Cgroups;
using OciRuntime.Cgroups.Systemd;
using OciRuntime.Planning;
using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Cgroups;

/// <summary>The systemd driver's pure parts: cgroupsPath, the unit properties runc would send for
/// given resources, and org.systemd.property.* annotations (no systemd needed).</summary>
public class SystemdDriverTests
{
    [Theory]
    [InlineData("machine.slice:docker:abc", "machine.slice", "docker-abc.scope", "/machine.slice/docker-abc.scope")]
    [InlineData(":ociruntime:abc", "system.slice", "ociruntime-abc.scope", "/system.slice/ociruntime-abc.scope")]
    [InlineData("user.slice::my.slice", "user.slice", "my.slice", "/user.slice/my.slice")]
    [InlineData("kubepods-besteffort-pod1.slice:cri-containerd:c1", "kubepods-besteffort-pod1.slice", "cri-containerd-c1.scope",
        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-c1.scope")]
    [InlineData("-.slice:p:n", "-.slice", "p-n.scope", "/p-n.scope")]
    [InlineData("", "system.slice", "ociruntime-id.scope", "/system.slice/ociruntime-id.scope")]
    [InlineData("a.slice::n", "a.slice", "-n.scope", "/a.slice/-n.scope")] // an empty prefix stays empty, as runc
    public void Cgroups_path_is_read_as_runc(string path, string slice, string unit, string cgroup)
    {
        var p = SystemdCgroupPath.Parse(path, "id");
        Assert.Equal(slice, p.Slice);
        Assert.Equal(unit, p.Unit);
        Assert.Equal(cgroup, p.CgroupPath());
    }

    [Fact]
    public void The_default_slice_of_the_user_instance_is_user_slice_below_the_manager()
    {
        var p = SystemdCgroupPath.Parse("::c1", "id", userInstance: true);
        Assert.Equal("user.slice", p.Slice);
        Assert.Equal("/user.slice/user-1000.slice/user@1000.service/user.slice/-c1.scope",
            p.CgroupPath("/user.slice/user-1000.slice/user@1000.service"));
    }

    [Theory]
    [InlineData("a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice")]
    [InlineData("system.slice", "/system.slice")]
    [InlineData("-.slice", "/")]
    [InlineData("a--b.slice", null)]
    [InlineData("-a.slice", null)]
    [InlineData("a-.slice", null)]
    [InlineData(".slice", null)]
    [InlineData("a.scope", null)]
    [InlineData("a/b.slice", null)]
    public void Nested_slices_expand_as_systemd_lays_them_out(string slice, string? expected) =>
        Assert.Equal(expected, SystemdCgroupPath.ExpandSlice(slice));

    [Theory]
    [InlineData("/abs/path")]
    [InlineData("a:b")]
    [InlineData("a:b:c:d")]
    [InlineData("notaslice:p:n")]
    [InlineData("x.slice:p:")]
    [InlineData("a--b.slice:p:n")]
    [InlineData("x.slice:p:a--b.slice")]
    public void Bad_cgroups_path_names_the_field(string path) =>
        Assert.Equal("linux.cgroupsPath", Assert.Throws<PlanningException>(() => SystemdCgroupPath.Parse(path, "id")).Path);

    private static List<string> Props(LinuxResources r, int version = 252) =>
        [.. SystemdProperties.ForResources(r, version, "linux.resources", []).Select(p => p.ToString())];

    [Fact]
    public void A_new_scope_carries_pid_slice_delegation_and_accounting()
    {
        var p = SystemdProperties.ForNewUnit(SystemdCgroupPath.Parse("machine.slice:x:c1", "id"), 42).Select(x => x.ToString()).ToList();
        Assert.Equal(
        [
            "Description=s ociruntime container c1", "Slice=s machine.slice", "Delegate=b true", "PIDs=au [42]",
            "MemoryAccounting=b true", "CPUAccounting=b true", "IOAccounting=b true", "TasksAccounting=b true",
            "DefaultDependencies=b false",
        ], p);
    }

    [Fact]
    public void A_slice_unit_is_wanted_by_its_parent_and_not_delegated()
    {
        var p = SystemdProperties.ForNewUnit(SystemdCgroupPath.Parse("kubepods.slice::kubepods-pod1.slice", "id"), 7).Select(x => x.ToString()).ToList();
        Assert.Contains("Wants=s kubepods.slice", p);
        Assert.DoesNotContain(p, x => x.StartsWith("Delegate=") || x.StartsWith("Slice="));
    }

    [Fact]
    public void Resources_map_to_runcs_properties()
    {
        var r = new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 64 << 20, Reservation = 32 << 20, Swap = 128 << 20 },
            Cpu = new LinuxCpu { Shares = 1024, Quota = 50000, Period = 100000, Cpus = "0-2,9", Mems = "0" },
            Pids = new LinuxPids { Limit = 100 },
            BlockIO = new LinuxBlockIO { Weight = 500 },
        };
        Assert.Equal(
        [
            "MemoryMax=t 67108864", "MemoryLow=t 33554432", "MemorySwapMax=t 67108864",
            "CPUWeight=t 100", // runc >= 1.3.2's curve, the value cpu.weight gets too
            "CPUQuotaPeriodUSec=t 100000", "CPUQuotaPerSecUSec=t 500000",
            "AllowedCPUs=ay [7,2]", "AllowedMemoryNodes=ay [1]",
            "TasksMax=t 100", "IOWeight=t 4950",
        ], Props(r));
    }

    [Fact]
    public void Unlimited_values_are_the_maximum_of_uint64()
    {
        var r = new LinuxResources { Memory = new LinuxMemory { Limit = -1, Swap = -1 }, Pids = new LinuxPids { Limit = -1 } };
        Assert.Equal(["MemoryMax=t 18446744073709551615", "MemorySwapMax=t 18446744073709551615", "TasksMax=t 18446744073709551615"], Props(r));
    }

    [Fact]
    public void A_fractional_percent_quota_is_rounded_up_and_the_file_value_follows()
    {
        // 12345 us per 100 ms = 123450 us per second: systemd keeps whole percents, so 130000,
        // and cpu.max must get the same 13000 (runc changes the quota it writes).
        var cpu = new LinuxCpu { Quota = 12345, Period = 100000 };
        Assert.Contains("CPUQuotaPerSecUSec=t 130000", Props(new LinuxResources { Cpu = cpu }));
        Assert.Equal(13000, cpu.Quota);
    }

    [Fact]
    public void A_period_alone_lifts_the_quota_and_old_systemd_gets_no_period()
    {
        Assert.Equal(["CPUQuotaPeriodUSec=t 50000", "CPUQuotaPerSecUSec=t 18446744073709551615"],
            Props(new LinuxResources { Cpu = new LinuxCpu { Period = 50000 } }));
        Assert.Equal(["CPUQuotaPerSecUSec=t 18446744073709551615"],
            Props(new LinuxResources { Cpu = new LinuxCpu { Period = 50000 } }, version: 241));
        Assert.Empty(Props(new LinuxResources { Cpu = new LinuxCpu { Cpus = "0" } }, version: 243));
    }

    [Fact]
    public void Cpu_idle_is_a_zero_weight_from_systemd_252()
    {
        var r = new LinuxResources { Cpu = new LinuxCpu { Idle = 1, Shares = 1024 } };
        Assert.Equal(["CPUWeight=t 0"], Props(r));
        Assert.Equal(["CPUWeight=t 100"], Props(r, version: 251));
    }

    [Fact]
    public void Unified_keys_systemd_knows_become_properties()
    {
        var r = new LinuxResources
        {
            Unified = new()
            {
                ["memory.high"] = "max", ["memory.min"] = "4096", ["pids.max"] = "20", ["cpu.weight"] = "300",
                ["cpu.max"] = "max 20000", ["memory.oom.group"] = "1", ["io.max"] = "8:0 rbps=1",
            },
        };
        Assert.Equal(
        [
            "CPUQuotaPeriodUSec=t 20000", "CPUQuotaPerSecUSec=t 18446744073709551615", "CPUWeight=t 300",
            "MemoryHigh=t 18446744073709551615", "MemoryMin=t 4096", "OOMPolicy=s kill", "TasksMax=t 20",
        ], Props(r));
    }

    [Fact]
    public void Bad_cpuset_names_the_field() =>
        Assert.Equal("linux.resources.cpu.cpus",
            Assert.Throws<PlanningException>(() => Props(new LinuxResources { Cpu = new LinuxCpu { Cpus = "3-1" } })).Path);

    [Fact]
    public void Device_rules_become_a_strict_allow_list_with_systemds_names()
    {
        var rules = DeviceRules.From([new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
            new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 10, Minor = 200, Access = "rw" },
            new LinuxDeviceCgroup { Allow = true, Type = "b", Major = 8, Access = "r" }]);
        var warnings = new List<string>();
        var p = SystemdProperties.Devices(rules, warnings, (t, major) => major switch { 136 => "char-pts", 8 => "block-sd", _ => null })
            .Select(x => x.ToString()).ToList();
        Assert.Equal("DeviceAllow=a(ss) []", p[0]); // clears what the unit had
        Assert.Equal("DevicePolicy=s strict", p[1]);
        Assert.Equal("DeviceAllow=a(ss) [(/dev/char/10:200 rw),(block-sd r),(char-* m),(block-* m),(/dev/char/1:3 rwm),"
            + "(/dev/char/1:8 rwm),(/dev/char/1:7 rwm),(/dev/char/5:0 rwm),(/dev/char/1:5 rwm),(/dev/char/1:9 rwm),"
            + "(/dev/char/5:1 rwm),(char-pts rwm),(/dev/char/5:2 rwm)]", p[2]);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Allow_all_devices_is_policy_auto_and_a_deny_in_an_allow_list_takes_access_away()
    {
        var all = SystemdProperties.Devices([new DeviceRule(true, 'a', null, null, "rwm")], []).Select(x => x.ToString()).ToList();
        Assert.Equal(["DevicePolicy=s auto", "DeviceAllow=a(ss) []"], all);
        var narrowed = SystemdProperties.Devices([new DeviceRule(false, 'a', null, null, "rwm"),
            new DeviceRule(true, 'c', 1, 3, "rwm"), new DeviceRule(false, 'c', 1, 3, "w")], []).Last().ToString();
        Assert.Equal("DeviceAllow=a(ss) [(/dev/char/1:3 rm)]", narrowed);
    }

    [Fact]
    public void Systemd_annotations_are_parsed_as_dbus_values()
    {
        var p = SystemdAnnotations.Parse(new()
        {
            ["org.systemd.property.CollectMode"] = "'inactive-or-failed'",
            ["org.systemd.property.TimeoutStopSec"] = "uint64 5",
            ["org.systemd.property.RuntimeMaxSec"] = "2.5",
            ["org.systemd.property.CPUQuotaPeriodUSec"] = "@t 50000",
            ["org.systemd.property.SendSIGHUP"] = "true",
            ["org.systemd.property.Nice"] = "-5",
            ["org.systemd.property.After"] = "['a.service', \"b.service\"]",
            ["other.annotation"] = "ignored",
        }).Select(x => x.ToString()).ToList();
        Assert.Equal(
        [
            "After=as [a.service,b.service]", "CPUQuotaPeriodUSec=t 50000", "CollectMode=s inactive-or-failed",
            "Nice=i -5", "RuntimeMaxUSec=t 2500000", "SendSIGHUP=b true", "TimeoutStopUSec=t 5000000",
        ], p);
    }

    [Theory]
    [InlineData("org.systemd.property.ab", "1")]
    [InlineData("org.systemd.property.Mem0ryMax", "1")]
    [InlineData("org.systemd.property.MemoryMax", "'unterminated")]
    [InlineData("org.systemd.property.MemoryMax", "99999999999")] // no type: int32, too big
    [InlineData("org.systemd.property.MemoryMax", "uint64 -1")]
    [InlineData("org.systemd.property.After", "[]")]
    [InlineData("org.systemd.property.TimeoutStopSec", "'five'")]
    [InlineData("org.systemd.property.CPUWeight", "'heavy'")] // systemd: "Unexpected message contents", naming nothing
    [InlineData("org.systemd.property.TasksMax", "100")] // int32, systemd reads uint64
    [InlineData("org.systemd.property.Delegate", "'yes'")]
    public void Bad_systemd_annotations_name_the_annotation(string key, string value) =>
        Assert.Equal($"annotations[\"{key}\"]",
            Assert.Throws<PlanningException>(() => SystemdAnnotations.Parse(new() { [key] = value })).Path);

    [Fact]
    public void A_wrong_typed_known_property_says_which_type_systemd_takes()
    {
        var e = Assert.Throws<PlanningException>(() => SystemdAnnotations.Parse(new() { ["org.systemd.property.CPUWeight"] = "'heavy'" }));
        Assert.Equal("annotations[\"org.systemd.property.CPUWeight\"]: \"'heavy'\" is of D-Bus type s, but systemd's CPUWeight takes t " +
            "(write it as \"uint64 N\" or \"@t N\")", e.Message);
        Assert.Equal("CPUWeight=t 500", SystemdAnnotations.Parse(new() { ["org.systemd.property.CPUWeight"] = "uint64 500" }).Single().ToString());
    }

    [Fact]
    public void Systemds_refusal_of_a_property_lists_the_annotations_sent()
    {
        Assert.True(SystemdAnnotations.IsPropertyRefusal("System.Error.ENXIO"));
        Assert.True(SystemdAnnotations.IsPropertyRefusal("org.freedesktop.DBus.Error.InvalidArgs"));
        Assert.False(SystemdAnnotations.IsPropertyRefusal("org.freedesktop.systemd1.UnitExists"));
        Assert.Equal("", SystemdAnnotations.Sent(new() { ["other"] = "x" }));
        Assert.Equal("; the unit's properties from annotations, sent as given: " +
            "annotations[\"org.systemd.property.Foo\"] = \"'x'\", annotations[\"org.systemd.property.Nice\"] = \"-5\"",
            SystemdAnnotations.Sent(new() { ["org.systemd.property.Nice"] = "-5", ["org.systemd.property.Foo"] = "'x'", ["other"] = "y" }));
    }

    [Fact]
    public void Cpu_weight_is_the_same_curve_as_go_computes_it()
    {
        // The table Go's math gives for every share value (opencontainers/cgroups' function,
        // computed once with go 1.19 into /tmp/h19go/go.txt); skipped where it is absent.
        const string table = "/tmp/h19go/go.txt";
        if (!File.Exists(table))
            return;
        var lines = File.ReadAllLines(table);
        for (int s = 0; s < lines.Length; s++)
            Assert.True(ulong.Parse(lines[s]) == OciRuntime.Cgroups.V2.V2Conversions.CpuWeight((ulong)s), $"shares {s}: go {lines[s]}");
    }
}
