using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Conformance;

/// <summary>linux.namespaces type "user" with linux.uidMappings/gidMappings, checked from inside
/// the container and from the host.</summary>
public sealed class UserNamespaceTests : ConformanceTest
{
    public UserNamespaceTests(ITestOutputHelper output) : base(output) { }

    /// <summary>Host ids the tests hand to the container (no account on the machine uses them).</summary>
    public const uint HostBase = 100000;

#pragma warning disable xUnit1013 // a helper for other test classes, not a test
    /// <summary>A new user namespace whose ids 0..size-1 are host ids hostBase.. (uid and gid alike).
    /// The rootfs stays the host root's, so the container's root cannot create mount targets in it:
    /// the tests mount on directories the rootfs already has.</summary>
    public static void MapContainerRootTo(Bundle b, uint hostBase, uint size = 65536)
    {
        if (!b.Namespaces.Any(n => (string?)n!["type"] == "user"))
            b.Namespaces.Add(new JsonObject { ["type"] = "user" });
        b.Linux["uidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = hostBase, ["size"] = size });
        b.Linux["gidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = hostBase, ["size"] = size });
        // The container's root is not the host's root: it must be able to reach the rootfs.
        for (string? d = b.Dir; d != null && d != "/"; d = Path.GetDirectoryName(d))
        {
            var mode = File.GetUnixFileMode(d);
            if ((mode & UnixFileMode.OtherExecute) == 0)
                File.SetUnixFileMode(d, mode | UnixFileMode.OtherExecute);
        }
    }
#pragma warning restore xUnit1013

    private static string[] MapLines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();

    [Fact]
    public void Uid_and_gid_maps_seen_inside_are_the_configured_ranges()
    {
        var b = NewBundle().Probe("cat", "/proc/self/uid_map", "/proc/self/gid_map");
        MapContainerRootTo(b, HostBase);
        b.Linux["gidMappings"] = new JsonArray(
            new JsonObject { ["containerID"] = 0, ["hostID"] = 200000, ["size"] = 1000 },
            new JsonObject { ["containerID"] = 1000, ["hostID"] = 300000, ["size"] = 10 });
        var lines = MapLines(Rt.Run(b).AssertOk().Stdout);
        Assert.Equal(["0 100000 65536", "0 200000 1000", "1000 300000 10"], lines);
    }

    [Fact]
    public void Container_root_is_uid_0_inside_in_its_own_user_namespace()
    {
        var b = NewBundle().Probe("id");
        MapContainerRootTo(b, HostBase);
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.Equal("0", p.Get("uid"));
        Assert.Equal("0", p.Get("euid"));
        Assert.Equal("0", p.Get("gid"));

        var n = NewBundle().Probe("ns");
        MapContainerRootTo(n, HostBase);
        Assert.NotEqual(HostState.ReadNsLink(Environment.ProcessId, "user"), Rt.Run(n).AssertOk().Probe.Get("ns.user"));
    }

    [Theory]
    [InlineData(0u, 0u)]
    [InlineData(1000u, 1001u)]
    public void Files_the_container_creates_on_a_host_dir_belong_to_the_mapped_host_ids(uint uid, uint gid)
    {
        string shared = Scope.NewDir("shared");
        File.SetUnixFileMode(shared, (UnixFileMode)Convert.ToInt32("777", 8));
        var b = NewBundle().Probe("write", "/mnt/f");
        MapContainerRootTo(b, HostBase);
        b.Process["user"] = new JsonObject { ["uid"] = uid, ["gid"] = gid };
        b.AddMount("/mnt", "bind", shared, "rbind", "rw");
        Assert.Equal("ok", Rt.Run(b).AssertOk().Probe.Get("result"));
        Assert.Equal((HostBase + uid, HostBase + gid), HostState.Owner(Path.Combine(shared, "f")));
    }

    private static void AddCapChown(Bundle b)
    {
        foreach (var set in b.Process["capabilities"]!.AsObject())
            if (set.Value is JsonArray a)
                a.Add("CAP_CHOWN");
    }

    [Fact]
    public void Capabilities_are_those_of_the_config_and_work_only_inside()
    {
        // CAP_CHOWN (added to the default spec's sets) works on a file of the container's own ids...
        string shared = Scope.NewDir("shared");
        File.SetUnixFileMode(shared, (UnixFileMode)Convert.ToInt32("777", 8));
        var b = NewBundle().Args("sh", "-c",
            "touch /mnt/f && chown 1234:1234 /mnt/f && grep CapEff /proc/self/status");
        MapContainerRootTo(b, HostBase);
        AddCapChown(b);
        b.AddMount("/mnt", "bind", shared, "rbind", "rw");
        var r = Rt.Run(b).AssertOk();
        Assert.Contains("CapEff:\t0000000020000421", r.Stdout); // CHOWN, KILL, NET_BIND_SERVICE, AUDIT_WRITE
        Assert.Equal((HostBase + 1234, HostBase + 1234), HostState.Owner(Path.Combine(shared, "f")));

        // ...but not on a host file whose owner is outside the map.
        string host = Scope.NewDir("hostfiles");
        File.SetUnixFileMode(host, (UnixFileMode)Convert.ToInt32("777", 8));
        File.WriteAllText(Path.Combine(host, "g"), "x");
        var c = NewBundle().Args("sh", "-c", "chown 0:0 /home/g");
        MapContainerRootTo(c, HostBase);
        AddCapChown(c);
        c.AddMount("/home", "bind", host, "rbind", "rw");
        Rt.Run(c).AssertFailed("chown of a host-owned file from inside a user namespace");
        Assert.Equal((0u, 0u), HostState.Owner(Path.Combine(host, "g")));
    }

    [Fact]
    public void Devices_and_sys_are_usable_in_a_user_namespace_without_a_network_namespace()
    {
        var b = NewBundle().Args("sh", "-c", "echo hi > /dev/null && head -c 4 /dev/zero | wc -c && ls /sys/kernel >/dev/null && echo sys-ok");
        MapContainerRootTo(b, HostBase);
        b.RemoveNamespace("network");
        var r = Rt.Run(b).AssertOk();
        Assert.Contains("4", r.Stdout);
        Assert.Contains("sys-ok", r.Stdout);
    }

    [Fact]
    public void Joining_the_user_namespace_of_another_container_by_path_uses_its_maps()
    {
        var a = NewBundle().Probe("sleep", "30");
        MapContainerRootTo(a, HostBase);
        string idA = Rt.NewId();
        Rt.Run(a, idA, "--detach").AssertOk();
        int pidA = Rt.Pid(idA);

        // The joined namespace already has its maps (so none may be given); the container is its root.
        var b = NewBundle().Args("sh", "-c", "cat /proc/self/uid_map; id -u");
        b.Namespace("user", $"/proc/{pidA}/ns/user");
        MapContainerRootTo(b, HostBase);
        b.Linux.Remove("uidMappings");
        b.Linux.Remove("gidMappings");
        var lines = MapLines(Rt.Run(b).AssertOk().Stdout);
        Assert.Equal(["0 100000 65536", "0"], lines);
        Rt.Delete(idA, force: true).AssertOk();
    }

    [Fact]
    public void Overlapping_mappings_are_refused_naming_the_entry_and_nothing_is_left()
    {
        var b = NewBundle().Probe("exit", "0");
        MapContainerRootTo(b, HostBase);
        b.Linux["uidMappings"] = new JsonArray(
            new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 100 },
            new JsonObject { ["containerID"] = 50, ["hostID"] = 300000, ["size"] = 100 });
        var r = Rt.Create(b, "overlap").AssertFailed("overlapping uid ranges");
        Assert.Contains("linux.uidMappings[1]", r.Stderr);
        Scope.AssertNothingLeft(["overlap"]);
    }

    [Fact]
    public void Mappings_without_a_user_namespace_are_refused()
    {
        var b = NewBundle().Probe("exit", "0");
        MapContainerRootTo(b, HostBase);
        b.RemoveNamespace("user");
        var r = Rt.Create(b, "nouserns").AssertFailed("mappings without a user namespace");
        Assert.Contains("linux.uidMappings", r.Stderr);
        Scope.AssertNothingLeft(["nouserns"]);
    }

    [Fact]
    public void A_joined_user_namespace_with_mappings_is_refused()
    {
        var b = NewBundle().Probe("exit", "0");
        MapContainerRootTo(b, HostBase);
        b.Namespace("user", "/proc/self/ns/user");
        var r = Rt.Create(b, "joinmap").AssertFailed("mappings for a joined user namespace");
        Assert.Contains("linux.uidMappings", r.Stderr);
        Scope.AssertNothingLeft(["joinmap"]);
    }
}

/// <summary>linux.namespaces type "time" with linux.timeOffsets, checked with clock_gettime inside.</summary>
public sealed class TimeNamespaceTests : ConformanceTest
{
    public TimeNamespaceTests(ITestOutputHelper output) : base(output) { }

    private const long Day = 86400;

    private static long HostSeconds(ClockId id) => id == ClockId.Monotonic
        ? Environment.TickCount64 / 1000 // CLOCK_MONOTONIC on Linux
        : (long)double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private enum ClockId { Monotonic, Boottime }

    [Fact]
    public void Monotonic_and_boottime_clocks_are_offset_inside()
    {
        var b = NewBundle().Probe("clock");
        b.Namespace("time");
        b.Linux["timeOffsets"] = new JsonObject
        {
            ["monotonic"] = new JsonObject { ["secs"] = 10 * Day, ["nanosecs"] = 0 },
            ["boottime"] = new JsonObject { ["secs"] = 20 * Day },
        };
        long monoBefore = HostSeconds(ClockId.Monotonic), bootBefore = HostSeconds(ClockId.Boottime);
        var p = Rt.Run(b).AssertOk().Probe;
        long monoAfter = HostSeconds(ClockId.Monotonic), bootAfter = HostSeconds(ClockId.Boottime);
        long mono = long.Parse(p.Get("monotonic")), boot = long.Parse(p.Get("boottime"));
        // Within the seconds the run took (plus one for rounding) of host time + offset.
        Assert.InRange(mono, monoBefore + 10 * Day - 1, monoAfter + 10 * Day + 1);
        Assert.InRange(boot, bootBefore + 20 * Day - 1, bootAfter + 20 * Day + 1);
    }

    [Fact]
    public void Without_offsets_a_new_time_namespace_has_the_hosts_clocks()
    {
        var b = NewBundle().Probe("clock");
        b.Namespace("time");
        long before = HostSeconds(ClockId.Monotonic);
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.InRange(long.Parse(p.Get("monotonic")), before - 1, HostSeconds(ClockId.Monotonic) + 1);
    }

    [Fact]
    public void Time_namespace_works_inside_a_user_namespace()
    {
        var b = NewBundle().Probe("clock");
        b.Namespace("time");
        UserNamespaceTests.MapContainerRootTo(b, UserNamespaceTests.HostBase);
        b.Linux["timeOffsets"] = new JsonObject { ["monotonic"] = new JsonObject { ["secs"] = Day } };
        long before = HostSeconds(ClockId.Monotonic);
        var p = Rt.Run(b).AssertOk().Probe;
        Assert.InRange(long.Parse(p.Get("monotonic")), before + Day - 1, HostSeconds(ClockId.Monotonic) + Day + 1);
    }

    [Fact]
    public void Offsets_without_a_time_namespace_are_refused_and_nothing_is_left()
    {
        var b = NewBundle().Probe("exit", "0");
        b.Linux["timeOffsets"] = new JsonObject { ["monotonic"] = new JsonObject { ["secs"] = Day } };
        var r = Rt.Create(b, "notimens").AssertFailed("timeOffsets without a time namespace");
        Assert.Contains("linux.timeOffsets", r.Stderr);
        Scope.AssertNothingLeft(["notimens"]);
    }
}
