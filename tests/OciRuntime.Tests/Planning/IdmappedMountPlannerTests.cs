using System.Text.RegularExpressions;
using OciRuntime.Lifecycle;
using OciRuntime.Linux;
using OciRuntime.Plan;
using OciRuntime.Planning;
using Xunit;
using IdMap = OciRuntime.Spec.IdMap;
using static OciRuntime.Linux.MountFlags;
using static OciRuntime.Tests.Planning.PlannerFixture;

namespace OciRuntime.Tests.Planning;

public class IdmappedMountPlannerTests
{
    private const string UserNs = """
        "uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],
        "gidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],
        "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "user" } ]
        """;

    private const string Maps = """
        "uidMappings": [ { "containerID": 0, "hostID": 1000, "size": 10 } ],
        "gidMappings": [ { "containerID": 0, "hostID": 2000, "size": 10 } ]
        """;

    private static string Config(string mounts, string? linux = null) =>
        Minimal.Replace("\"root\"", $"\"mounts\": [{mounts}], \"root\"")
            .Replace("""
                "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] }
                """, linux is null ? """
                "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] }
                """ : $$"""
                "linux": { {{linux}} }
                """);

    private static PlanningException Refused(string mounts, string? linux = null) =>
        Assert.Throws<PlanningException>(() => PlanOf(Config(mounts, linux)));

    [Fact]
    public void Own_maps_without_a_user_namespace_become_a_tree_made_and_attached_in_place()
    {
        var plan = PlanOf(Config($$"""
            { "destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "ro"], {{Maps}} }
            """));
        var s = plan.Steps;
        Assert.Equal(new UsernsFromMapsStep(0, "0 1000 10\n", "0 2000 10\n", "mounts[0].uidMappings"), s[1]);
        // The namespace before any namespace is made. The executor reaches its helper through the
        // host's /proc by pid, so it must not be cloned into the new pid namespace: it forks the init.
        Assert.True(1 < plan.IndexOf<UnshareStep>());
        Assert.Equal(0u, plan.SpawnNamespaces);
        Assert.Single(plan.StepsOf<ForkStep>());
        // The clone at the mount's turn, by the executor itself (no user namespace), then the attach.
        int tree = plan.IndexOf<IdmapTreeStep>();
        Assert.Equal(new IdmapTreeStep(0, 0, "/srv/data", MS_SLAVE | MS_REC,
            IdmapOpts.CloneRecursive | IdmapOpts.CloseUserns, "mounts[0]"), s[tree]);
        Assert.Equal(new AttachTreeStep(0, "/data", MS_RDONLY, MountOpts.TargetInRoot | MountOpts.MkLikeSource | MountOpts.Remount | MountOpts.ExactFlags,
            "mounts[0]"), s[tree + 1]);
        Assert.Single(plan.StepsOf<AttachTreeStep>());
        Assert.True(plan.IndexOf<OpenRootStep>() < tree);
        Assert.True(plan.IndexOf<UnshareStep>() < tree);
        Assert.DoesNotContain(plan.StepsOf<MountStep>(), m => m.Origin == "mounts[0]");
    }

    [Fact]
    public void A_source_inside_the_rootfs_is_cloned_after_the_mounts_before_it()
    {
        // runc's "container idmap source": the source is a host path inside the rootfs, below an
        // earlier mount of the config; cloned before that mount exists, it would not be there.
        var plan = PlanOf(Config($$"""
            { "destination": "/mnt", "type": "bind", "source": "/srv/a", "options": ["bind"] },
            { "destination": "/b/rootfs/final", "type": "bind", "source": "/b/rootfs/mnt", "options": ["rbind"], {{Maps}} }
            """));
        int earlier = plan.Steps.ToList().FindIndex(x => x is MountStep { Origin: "mounts[0]" });
        int tree = plan.IndexOf<IdmapTreeStep>();
        Assert.True(earlier >= 0 && earlier < tree);
        Assert.Equal("/b/rootfs/mnt", plan.StepsOf<IdmapTreeStep>().Single().Source);
        Assert.Equal(new AttachTreeStep(0, "/final", 0, MountOpts.TargetInRoot | MountOpts.MkLikeSource, "mounts[1]"), plan.Steps[tree + 1]);
    }

    [Fact]
    public void Idmap_and_ridmap_choose_the_recursion_and_mounts_with_the_same_maps_share_one_namespace()
    {
        var plan = PlanOf(Config($$"""
            { "destination": "/a", "type": "bind", "source": "/srv/a", "options": ["rbind", "ridmap"], {{Maps}} },
            { "destination": "/t", "type": "tmpfs", "source": "tmpfs" },
            { "destination": "/b", "type": "bind", "source": "rel", "options": ["bind", "idmap"], {{Maps}} },
            { "destination": "/c", "type": "bind", "source": "/srv/c", "options": ["rbind", "idmap"],
              "uidMappings": [ { "containerID": 0, "hostID": 1000, "size": 10 } ], "gidMappings": [ { "containerID": 0, "hostID": 3000, "size": 10 } ] }
            """));
        Assert.Equal(2, plan.StepsOf<UsernsFromMapsStep>().Count);
        Assert.Equal(
        [
            new IdmapTreeStep(0, 0, "/srv/a", MS_SLAVE | MS_REC, IdmapOpts.CloneRecursive | IdmapOpts.Recursive, "mounts[0]"),
            new IdmapTreeStep(1, 0, "/b/rel", MS_SLAVE, IdmapOpts.CloseUserns, "mounts[2]"),
            new IdmapTreeStep(2, 1, "/srv/c", MS_SLAVE | MS_REC, IdmapOpts.CloneRecursive | IdmapOpts.CloseUserns, "mounts[3]"),
        ], plan.StepsOf<IdmapTreeStep>());
        Assert.Equal(new uint[] { 0, 1, 2 }, plan.StepsOf<AttachTreeStep>().Select(a => a.Tree));
        Assert.Equal(new[] { "/a", "/b", "/c" }, plan.StepsOf<AttachTreeStep>().Select(a => a.Target));
        Assert.Single(plan.StepsOf<MountStep>(), m => m.Origin == "mounts[1]");
    }

    [Fact]
    public void Idmap_without_maps_uses_the_new_user_namespace_maps_before_it_is_created()
    {
        var plan = PlanOf(Config("""{ "destination": "/a", "type": "bind", "source": "/srv/a", "options": ["rbind", "ridmap"] }""", UserNs));
        Assert.Equal(new UsernsFromMapsStep(0, "0 100000 65536\n", "0 100000 65536\n", "mounts[0].options[1]"),
            plan.StepsOf<UsernsFromMapsStep>().Single());
        Assert.True(plan.IndexOf<UsernsFromMapsStep>() < plan.IndexOf<UnshareStep>());
        Assert.Equal(Namespaces.CLONE_NEWUSER, plan.StepsOf<UnshareStep>()[0].Flags);
        // In the user namespace the executor may not id-map: the host clones the source at the
        // mount's turn, in the container's mount namespace, and the executor attaches it.
        var tree = plan.StepsOf<IdmapTreeStep>().Single();
        Assert.Equal(IdmapOpts.ByHost | IdmapOpts.CloneRecursive | IdmapOpts.Recursive | IdmapOpts.CloseUserns, tree.Opts);
        Assert.True(plan.Steps.ToList().FindIndex(x => x is SetUserStep { Uid: 0 }) < plan.IndexOf<IdmapTreeStep>());
        Assert.Equal(plan.IndexOf<IdmapTreeStep>() + 1, plan.IndexOf<AttachTreeStep>());
        Assert.Contains("by the host", tree.Describe());
    }

    [Fact]
    public void Idmap_without_maps_in_a_joined_user_namespace_uses_that_namespace()
    {
        var plan = PlanOf(Config("""{ "destination": "/a", "type": "bind", "source": "/srv/a", "options": ["bind", "idmap"] }""",
            """ "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "user", "path": "/proc/9/ns/user" } ] """));
        Assert.Equal(new UsernsFromPathStep(0, "/proc/9/ns/user", "mounts[0].options[1]"), plan.StepsOf<UsernsFromPathStep>().Single());
        Assert.Empty(plan.StepsOf<UsernsFromMapsStep>());
        Assert.True(plan.IndexOf<UsernsFromPathStep>() < plan.IndexOf<SetnsStep>());
        Assert.True(plan.IndexOf<SetnsStep>() < plan.IndexOf<IdmapTreeStep>());
        Assert.True(plan.StepsOf<IdmapTreeStep>().Single().Opts.HasFlag(IdmapOpts.ByHost));
    }

    [Fact]
    public void The_tree_gets_the_root_propagation_and_no_change_for_shared()
    {
        string m = $$"""{ "destination": "/a", "type": "bind", "source": "/srv/a", "options": ["bind"], {{Maps}} }""";
        string ns = """ "namespaces": [ { "type": "pid" }, { "type": "mount" } ], "rootfsPropagation": "%" """;
        Assert.Equal(MS_PRIVATE, PlanOf(Config(m, ns.Replace("%", "private"))).StepsOf<IdmapTreeStep>().Single().Propagation);
        Assert.Equal(0ul, PlanOf(Config(m, ns.Replace("%", "shared"))).StepsOf<IdmapTreeStep>().Single().Propagation);
    }

    [Theory]
    // not a bind mount
    [InlineData($$"""{ "destination": "/x", "type": "tmpfs", "source": "tmpfs", {{Maps}} }""", null, "mounts[0].uidMappings", "bind mounts only")]
    [InlineData("""{ "destination": "/x", "type": "tmpfs", "options": ["ridmap"] }""", null, "mounts[0].options[0]", "bind mounts only")]
    // only one of the two
    [InlineData("""{ "destination": "/x", "type": "bind", "source": "/s", "uidMappings": [ { "containerID": 0, "hostID": 1, "size": 1 } ] }""", null,
        "mounts[0].gidMappings", "required with mounts[0].uidMappings")]
    [InlineData("""{ "destination": "/x", "type": "bind", "source": "/s", "options": ["idmap"], "gidMappings": [ { "containerID": 0, "hostID": 1, "size": 1 } ] }""", null,
        "mounts[0].uidMappings", "required with mounts[0].gidMappings")]
    // overlapping and out-of-range ranges
    [InlineData("""{ "destination": "/x", "type": "bind", "source": "/s", "uidMappings": [ { "containerID": 0, "hostID": 1000, "size": 10 }, { "containerID": 5, "hostID": 5000, "size": 1 } ], "gidMappings": [ { "containerID": 0, "hostID": 1, "size": 1 } ] }""", null,
        "mounts[0].uidMappings[1]", "containerID range overlaps mounts[0].uidMappings[0]")]
    [InlineData("""{ "destination": "/x", "type": "bind", "source": "/s", "uidMappings": [ { "containerID": 0, "hostID": 1, "size": 1 } ], "gidMappings": [ { "containerID": 0, "hostID": 4294967290, "size": 10 } ] }""", null,
        "mounts[0].gidMappings[0]", "beyond the largest id")]
    // idmap without maps and without a user namespace
    [InlineData("""{ "destination": "/x", "type": "bind", "source": "/s", "options": ["rbind", "ro", "idmap"] }""", null,
        "mounts[0].options[2]", "no user namespace")]
    [InlineData("""{ "destination": "/x", "type": "bind", "options": ["idmap"] }""", UserNs, "mounts[0].source", "needs a source")]
    public void Bad_idmapped_mounts_name_the_field(string mount, string? linux, string path, string message)
    {
        var e = Refused(mount, linux);
        Assert.Equal(path, e.Path);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void More_than_the_executor_has_slots_for_is_refused()
    {
        string one = $$"""{ "destination": "/x", "type": "bind", "source": "/s", "options": ["bind"], {{Maps}} }""";
        var e = Refused(string.Join(",", Enumerable.Repeat(one, 257)));
        Assert.Equal("mounts", e.Path);
    }

    [Fact]
    public void Host_ids_the_runtime_namespace_does_not_map_are_refused_naming_the_mount_field()
    {
        var config = Parse(Config($$"""
            { "destination": "/a", "type": "bind", "source": "/s", "options": ["bind"], {{Maps}} },
            { "destination": "/b", "type": "bind", "source": "/s", "options": ["bind"],
              "uidMappings": [ { "containerID": 0, "hostID": 1000, "size": 10 } ], "gidMappings": [ { "containerID": 0, "hostID": 70000, "size": 1 } ] }
            """));
        var mounts = IdmappedMountPlanner.Resolve(config, "/b");
        var own = IdMap.ParseProcMap("0 100000 100000\n", "own"); // a runtime in a user namespace: ids 0..99999
        IdmappedMountCheck.CheckWithin(mounts, () => own, () => own);
        var e = Assert.Throws<PlanningException>(() =>
            IdmappedMountCheck.CheckWithin(mounts, () => own, () => IdMap.ParseProcMap("0 100000 5000\n", "own")));
        Assert.Equal("mounts[1].gidMappings[0]", e.Path); // mounts[0]'s gids 2000..2009 fit, 70000 does not
        Assert.Contains("not mapped in the runtime's own user namespace", e.Message);
        e = Assert.Throws<PlanningException>(() =>
            IdmappedMountCheck.CheckWithin(mounts, () => IdMap.ParseProcMap("0 0 500\n", "own"), () => own));
        Assert.Equal("mounts[0].uidMappings[0]", e.Path);

        // Maps taken from linux.uidMappings are checked with the container's user namespace, not here.
        var implied = IdmappedMountPlanner.Resolve(Parse(Config("""{ "destination": "/a", "type": "bind", "source": "/s", "options": ["bind", "idmap"] }""", UserNs)), "/b");
        IdmappedMountCheck.CheckWithin(implied, () => throw new InvalidOperationException("read"), () => throw new InvalidOperationException("read"));
    }

    [Fact]
    public void Idmap_options_are_flags_not_filesystem_data()
    {
        var o = MountOptions.Parse(["rbind", "idmap", "ridmap", "ro"], "o");
        Assert.Equal(new IdMapOption(true, 2), o.IdMap);
        Assert.Equal("", o.Data);
        Assert.Null(MountOptions.Parse(["bind"], "o").IdMap);
    }

    [Fact]
    public void Idmap_opts_follow_plan_h()
    {
        string header = File.ReadAllText(Path.Combine(Plan.PlanEncodingTests.RepoRoot(), "src/OciRuntime.Native/plan.h"));
        var opts = Regex.Matches(header, @"OCI_IDMAP_(\w+) = 1u << (\d+),")
            .ToDictionary(m => m.Groups[1].Value.Replace("_", ""), m => 1u << int.Parse(m.Groups[2].Value));
        Assert.Equal(4, opts.Count);
        foreach (var o in Enum.GetValues<IdmapOpts>().Where(o => o != IdmapOpts.None))
            Assert.Equal(opts[o.ToString().ToUpperInvariant()], (uint)o);
        Assert.Matches($@"#define OCI_IDMAP_MAX_SLOTS {UsernsFromMapsStep.MaxSlots}u", header);
    }

    [Fact]
    public void The_hosts_idmap_source_operations_follow_host_h()
    {
        // oci_idmap_source's *failed_op: each value has its own name, worded as the executor's
        // IDMAP_TREE reports the same calls.
        string header = File.ReadAllText(Path.Combine(Plan.PlanEncodingTests.RepoRoot(), "src/OciRuntime.Native/host/host.h"));
        var ops = Regex.Matches(header, @"OCI_IDMAP_SOURCE_(\w+) = (\d+),").ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
        Assert.Equal(6, ops.Count);
        Assert.Equal(ops.Count, ops.Values.Select(IdmapSource.Operation).Distinct().Count());
        Assert.DoesNotContain(ops.Values, v => IdmapSource.Operation(v) == IdmapSource.Operation(-1));
        Assert.Equal("open_tree", IdmapSource.Operation(ops["OPEN_TREE"]));
        Assert.Equal("mount_setattr propagation", IdmapSource.Operation(ops["PROPAGATION"]));
        Assert.Equal("mount_setattr idmap", IdmapSource.Operation(ops["IDMAP"]));
        Assert.Equal("setns mount namespace", IdmapSource.Operation(ops["SETNS"]));
    }
}
