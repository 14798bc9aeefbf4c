using OciRuntime.Spec;
using Xunit;

namespace OciRuntime.Tests.Spec;

/// <summary>The one place id maps are checked (IdMap): each rule, its boundaries, and that a config's map is built once.</summary>
public class IdMapTests
{
    private static List<LinuxIdMapping> L(params (uint? C, uint? H, uint? N)[] r) =>
        r.Select(x => new LinuxIdMapping { ContainerId = x.C, HostId = x.H, Size = x.N }).ToList();

    private static List<string> Errors(List<LinuxIdMapping> l)
    {
        var errors = new List<SpecError>();
        var map = IdMap.Check(l, "linux.uidMappings", errors);
        Assert.Equal(errors.Count == 0, map is not null);
        return errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void A_good_map_keeps_its_ranges_in_order()
    {
        var map = IdMap.From(L((0, 100000, 65536), (65536, 5, 1)), "linux.uidMappings");
        Assert.Equal("linux.uidMappings", map.Field);
        Assert.Equal([new IdRange(0, 100000, 65536), new IdRange(65536, 5, 1)], map.Ranges);
        Assert.Equal("0 100000 65536\n65536 5 1\n", map.ProcText);
        Assert.Null(IdMap.Check(null, "f", []));
        Assert.Null(IdMap.Check([], "f", []));
    }

    [Fact]
    public void Missing_fields_and_size_zero_name_the_field()
    {
        Assert.Equal(["linux.uidMappings[0].containerID: required", "linux.uidMappings[0].hostID: required", "linux.uidMappings[0].size: required"],
            Errors(L((null, null, null))));
        Assert.Equal(["linux.uidMappings[1].size: must be greater than zero"], Errors(L((0, 1000, 1), (1, 2000, 0))));
    }

    [Theory]
    // The largest id is 4294967294 ((uid_t)-1 means "no id"): a range may end just below 2^32-1.
    [InlineData(4294967294u, 0u, 1u, null)]
    [InlineData(0u, 4294967294u, 1u, null)]
    [InlineData(0u, 0u, 4294967295u, null)] // the initial namespace's own map
    [InlineData(4294967295u, 0u, 1u, "linux.uidMappings[0]: containerID 4294967295 + size 1 goes beyond the largest id 4294967294")]
    [InlineData(0u, 4294967295u, 1u, "linux.uidMappings[0]: hostID 4294967295 + size 1 goes beyond the largest id 4294967294")]
    [InlineData(1u, 0u, 4294967295u, "linux.uidMappings[0]: containerID 1 + size 4294967295 goes beyond the largest id 4294967294")]
    [InlineData(4294967290u, 1000u, 10u, "linux.uidMappings[0]: containerID 4294967290 + size 10 goes beyond the largest id 4294967294")]
    public void No_range_reaches_past_the_largest_id(uint c, uint h, uint n, string? error)
    {
        var errors = Errors(L((c, h, n)));
        if (error is null)
            Assert.Empty(errors);
        else
            Assert.Equal([error], errors);
    }

    [Theory]
    [InlineData(0u, 1000u, 10u, 10u, 2000u, 5u, null)] // adjacent container ids
    [InlineData(0u, 1000u, 10u, 100u, 1010u, 5u, null)] // adjacent host ids
    [InlineData(0u, 1000u, 10u, 9u, 2000u, 5u, "linux.uidMappings[1]: containerID range overlaps linux.uidMappings[0]")]
    [InlineData(0u, 1000u, 10u, 100u, 1009u, 1u, "linux.uidMappings[1]: hostID range overlaps linux.uidMappings[0]")]
    [InlineData(5u, 1000u, 1u, 0u, 2000u, 100u, "linux.uidMappings[1]: containerID range overlaps linux.uidMappings[0]")] // one inside the other
    public void Ranges_may_touch_but_not_overlap_on_either_side(uint c0, uint h0, uint n0, uint c1, uint h1, uint n1, string? error)
    {
        var errors = Errors(L((c0, h0, n0), (c1, h1, n1)));
        if (error is null)
            Assert.Empty(errors);
        else
            Assert.Equal([error], errors);
    }

    [Fact]
    public void Every_bad_entry_is_reported_and_overlaps_name_the_earlier_good_entry()
    {
        Assert.Equal(
        [
            "linux.uidMappings[0]: hostID 4294967295 + size 1 goes beyond the largest id 4294967294",
            "linux.uidMappings[2]: containerID range overlaps linux.uidMappings[1]",
            "linux.uidMappings[3].size: must be greater than zero",
        ], Errors(L((0, 4294967295, 1), (0, 1000, 10), (5, 3000, 1), (20, 4000, 0))));
    }

    [Fact]
    public void At_most_340_lines()
    {
        List<LinuxIdMapping> Lines(int n) => L([.. Enumerable.Range(0, n).Select(i => ((uint?)i, (uint?)(1000 + i), (uint?)1))]);
        Assert.Empty(Errors(Lines(IdMap.MaxLines)));
        Assert.Equal(["linux.uidMappings: 341 ranges, the kernel accepts at most 340"], Errors(Lines(341)));
        var e = Assert.Throws<PlanningException>(() => IdMap.From(Lines(341), "linux.uidMappings"));
        Assert.Equal("linux.uidMappings", e.Path);
    }

    [Fact]
    public void From_throws_the_first_error_naming_the_entry()
    {
        var e = Assert.Throws<PlanningException>(() => IdMap.From(L((0, 1000, 10), (5, 5000, 1)), "mounts[2].gidMappings"));
        Assert.Equal("mounts[2].gidMappings[1]", e.Path);
        Assert.Equal("mounts[2].gidMappings[1]: containerID range overlaps mounts[2].gidMappings[0]", e.Message);
        Assert.Throws<PlanningException>(() => IdMap.Of("f", [new IdRange(0, 1, 0)]));
    }

    [Fact]
    public void Host_ids_of_container_ids_are_looked_up_in_their_range()
    {
        var map = IdMap.From(L((0, 100000, 1000), (1000, 5, 1), (4294967284, 10, 10)), "f");
        Assert.Equal(100000u, map.ToHost(0));
        Assert.Equal(100999u, map.ToHost(999));
        Assert.Equal(5u, map.ToHost(1000));
        Assert.Null(map.ToHost(1001));
        Assert.Equal(19u, map.ToHost(4294967293));
        Assert.Null(map.ToHost(4294967294));
        Assert.True(IdMap.From(L((0, 1000, 1)), "f").IsOnly(1000));
        Assert.False(IdMap.From(L((0, 1000, 2)), "f").IsOnly(1000));
        Assert.False(IdMap.From(L((0, 1000, 1), (1, 2000, 1)), "f").IsOnly(1000));
    }

    [Fact]
    public void The_kernels_own_map_is_parsed_with_its_padding()
    {
        var own = IdMap.ParseProcMap("         0          0 4294967295\n", "/proc/self/uid_map");
        Assert.Equal([new IdRange(0, 0, 4294967295)], own.Ranges);
        // the whole id space: even the largest host id fits in it
        IdMap.From(L((0, 4294967293, 2)), "linux.uidMappings").CheckWithin(own);
    }

    [Fact]
    public void Adjacent_ranges_cover_a_range_between_them()
    {
        IdRange[] own = [new(0, 100000, 65536), new(65536, 300000, 10)];
        Assert.True(IdMap.Covers(own, 60000, 65546));
        Assert.False(IdMap.Covers(own, 60000, 65547));
        Assert.True(IdMap.Covers(own, 0, 1));
        Assert.False(IdMap.Covers([], 0, 1));
    }

    [Fact]
    public void A_config_map_is_built_once_by_the_validator_and_rebuilt_when_replaced()
    {
        var spec = ConfigLoader.Parse(TestData.Utf8("""
            { "ociVersion": "1.3.0", "root": { "path": "rootfs" }, "process": { "args": ["sh"], "cwd": "/" },
              "mounts": [ { "destination": "/a", "type": "bind", "source": "/s", "options": ["bind"],
                            "uidMappings": [ { "containerID": 0, "hostID": 1000, "size": 10 } ],
                            "gidMappings": [ { "containerID": 0, "hostID": 2000, "size": 10 } ] } ],
              "linux": { "namespaces": [ { "type": "mount" }, { "type": "user" } ],
                         "uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],
                         "gidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ] } }
            """));
        Assert.Empty(SpecValidator.Validate(spec));
        var uid = spec.Linux!.UidMap!;
        Assert.Same(uid, spec.Linux.UidMap);
        Assert.Equal("linux.gidMappings", spec.Linux.GidMap!.Field);
        Assert.Equal("mounts[0].uidMappings", spec.Mounts![0].UidMapAt(0)!.Field);
        Assert.Same(spec.Mounts[0].GidMapAt(0), spec.Mounts[0].GidMapAt(0));

        spec.Linux.UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 5, Size = 1 }];
        Assert.Equal("0 5 1\n", spec.Linux.UidMap!.ProcText);
        spec.Linux.UidMappings = null;
        Assert.Null(spec.Linux.UidMap);
    }

    [Fact]
    public void The_validator_reports_the_rules_for_every_map_of_the_config()
    {
        var spec = ConfigLoader.Parse(TestData.Utf8("""
            { "ociVersion": "1.3.0", "root": { "path": "rootfs" }, "process": { "args": ["sh"], "cwd": "/" },
              "mounts": [ { "destination": "/a", "type": "bind", "source": "/s", "options": ["bind"],
                            "uidMappings": [ { "containerID": 0, "hostID": 1000, "size": 10 }, { "containerID": 5, "hostID": 5000, "size": 1 } ],
                            "gidMappings": [ { "containerID": 0, "hostID": 2000, "size": 10 } ] } ],
              "linux": { "namespaces": [ { "type": "mount" }, { "type": "user" } ],
                         "uidMappings": [ { "containerID": 0, "hostID": 4294967290, "size": 10 } ],
                         "gidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ] } }
            """));
        Assert.Equal(
        [
            "mounts[0].uidMappings[1]: containerID range overlaps mounts[0].uidMappings[0]",
            "linux.uidMappings[0]: hostID 4294967290 + size 10 goes beyond the largest id 4294967294",
        ], SpecValidator.Validate(spec).Select(e => e.ToString()));
        // an accessor of a bad map throws, naming the entry, as the planner did before
        var e = Assert.Throws<PlanningException>(() => spec.Linux!.UidMap);
        Assert.Equal("linux.uidMappings[0]", e.Path);
    }
}
