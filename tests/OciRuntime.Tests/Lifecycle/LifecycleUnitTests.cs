using OciRuntime.Cli;
using OciRuntime.Lifecycle;
using OciRuntime.Planning;
using Xunit;

namespace OciRuntime.Tests.Lifecycle;

public class LifecycleUnitTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("a.b-c_d+e")]
    [InlineData("0123456789abcdef")]
    public void Valid_ids(string id) => StateStore.ValidateId(id);

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("ä")]
    public void Invalid_ids(string id) => Assert.Throws<RuntimeError>(() => StateStore.ValidateId(id));

    [Fact]
    public void Proc_stat_is_parsed_from_the_last_parenthesis()
    {
        string line = "42 (a) b (c)) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 1000 10 18446744073709551615";
        Assert.Equal(new ProcStat('S', 123456), ProcStat.Parse(line));
        Assert.Null(ProcStat.Parse("garbage"));
        Assert.True(new ProcStat('Z', 1).IsDead);
    }

    [Fact]
    public void Mountinfo_lines_are_read_in_place_with_optional_fields_and_escapes()
    {
        const string mi = "36 35 98:0 /mnt1 /mnt/a\\040b rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n" +
                          "garbage without separator\n\n" +
                          "37 36 0:5 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct";
        var seen = new List<(string, string, string)>();
        foreach (var m in new OciRuntime.Linux.MountInfo(mi))
            seen.Add((OciRuntime.Linux.MountInfo.Unescape(m.MountPoint), m.FsType.ToString(), m.SuperOptions.ToString()));
        Assert.Equal([("/mnt/a b", "ext3", "rw,errors=continue"), ("/sys/fs/cgroup/cpu,cpuacct", "cgroup", "rw,cpu,cpuacct")], seen);
        Assert.Equal("/mnt/a b", OciRuntime.Linux.MountTable.MountPointOf("/mnt/a b/rootfs", mi));
        Assert.Equal("/", OciRuntime.Linux.MountTable.MountPointOf("/mnt/a", mi));
    }

    [Theory]
    [InlineData("CapBnd:\t000001fffeffffff\nCapAmb:\t0\n", 0x000001fffeffffffUL)]
    [InlineData("Name:\tx\nCapBnd:\t00000000a80425fb", 0x00000000a80425fbUL)]
    [InlineData("Name:\tx\nXCapBnd:\t1\n", HostFacts.AllCapabilities)]
    public void The_bounding_set_is_read_from_status(string status, ulong expected) =>
        Assert.Equal(expected, HostFactsReader.ParseCapBnd(status));

    [Fact]
    public void The_mount_holding_a_path_is_the_longest_prefix_and_the_last_stacked()
    {
        const string mi = "1 0 8:1 / / rw - ext4 /dev/a rw\n2 1 0:5 / /var rw - tmpfs t rw\n3 1 0:6 / /var/lib rw - tmpfs t rw\n4 3 0:7 / /var/lib rw - overlay o rw\n";
        Assert.Equal("/var/lib", OciRuntime.Linux.MountTable.MountPointOf("/var/lib/x/rootfs", mi));
        Assert.Equal("/var/lib", OciRuntime.Linux.MountTable.MountPointOf("/var/lib", mi));
        Assert.Equal("/var", OciRuntime.Linux.MountTable.MountPointOf("/var/libx", mi));
        Assert.Equal("/", OciRuntime.Linux.MountTable.MountPointOf("/srv", mi));
    }

    [Fact]
    public void Exit_codes_follow_the_shell_convention()
    {
        Assert.Equal(3, RunCommand.ExitCode(3 << 8));
        Assert.Equal(137, RunCommand.ExitCode(9));
        Assert.Equal(0, RunCommand.ExitCode(0));
    }

    [Fact]
    public void Host_facts_come_from_mountinfo_and_proc_self_cgroup()
    {
        const string mountinfo = """
            25 1 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
            26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
            28 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct
            29 25 0:26 / /sys/fs/cgroup/systemd rw,relatime shared:13 - cgroup cgroup rw,xattr,name=systemd
            30 1 0:27 / /mnt/other rw - cgroup cgroup rw,memory
            """;
        const string cgroup = "12:cpu,cpuacct:/a\n1:name=systemd:/b/c\n0::/u\n";
        var facts = HostFactsReader.Parse(mountinfo, cgroup, 0xff);
        Assert.Equal(CgroupMode.Legacy, facts.CgroupMode);
        Assert.Equal(new[]
        {
            new CgroupHierarchy("/sys/fs/cgroup/unified", "cgroup2", "", "/u"),
            new CgroupHierarchy("/sys/fs/cgroup/cpu,cpuacct", "cgroup", "cpu,cpuacct", "/a"),
            new CgroupHierarchy("/sys/fs/cgroup/systemd", "cgroup", "name=systemd", "/b/c"),
        }, facts.CgroupHierarchies);
        Assert.Equal(0xffUL, facts.RuntimeBoundingSet);
        Assert.Equal(CgroupMode.Unified,
            HostFactsReader.Parse("26 1 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw", "0::/\n", 0).CgroupMode);
        Assert.Equal(0x000001fffeffffffUL, HostFactsReader.ParseCapBnd("Name:\tx\nCapBnd:\t000001fffeffffff\n"));
    }
}
