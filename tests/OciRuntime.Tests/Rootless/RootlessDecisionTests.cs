using OciRuntime.Cli;
using OciRuntime.Lifecycle;
using OciRuntime.Plan;
using OciRuntime.Planning;
using OciRuntime.Rootless;
using Xunit;
using IdMap = OciRuntime.Spec.IdMap;
using IdRange = OciRuntime.Spec.IdRange;
using static OciRuntime.Tests.Planning.PlannerFixture;

namespace OciRuntime.Tests.Rootless;

/// <summary>The decisions of rootless mode: when it applies, where the state goes, how maps are written,
/// which cgroups are used.</summary>
public class RootlessDecisionTests
{
    // ---- --rootless and auto-detection (runc's rules) ----

    [Theory]
    [InlineData(null, null)]
    [InlineData("auto", null)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void Rootless_flag_is_true_false_or_auto(string? value, bool? expected) =>
        Assert.Equal(expected, RootlessMode.ParseFlag(value));

    [Fact]
    public void Rootless_flag_refuses_other_values() =>
        Assert.Contains("--rootless", Assert.Throws<UsageError>(() => RootlessMode.ParseFlag("yes")).Message);

    [Theory]
    // auto: the real root (euid 0 in the initial user namespace) uses cgroups as usual...
    [InlineData(null, 0u, false, false, false)]
    // ...anyone else, and root inside a user namespace, is rootless
    [InlineData(null, 1000u, false, false, true)]
    [InlineData(null, 0u, true, false, true)]
    // auto with --systemd-cgroup: not rootless (runc)
    [InlineData(null, 1000u, false, true, false)]
    // an explicit choice wins
    [InlineData(true, 0u, false, false, true)]
    [InlineData(false, 1000u, false, false, false)]
    public void Auto_detection_follows_runc(bool? flag, uint euid, bool inUserNs, bool systemd, bool expected) =>
        Assert.Equal(expected, RootlessMode.DecideCgroups(flag, euid, inUserNs, systemd));

    [Theory]
    [InlineData("         0          0 4294967295\n", true)]
    [InlineData("0 0 4294967295", true)]
    [InlineData("         0       1000          1\n", false)]
    [InlineData("0 1000 1\n1 100000 65536\n", false)]
    [InlineData("", true)]
    public void Initial_user_namespace_is_the_identity_map_of_every_id(string uidMap, bool expected) =>
        Assert.Equal(expected, RootlessMode.IsInitialUserNamespace(uidMap));

    [Fact]
    public void Unprivileged_means_not_euid_0()
    {
        Assert.True(new RootlessMode(1000, 1000, false, true).Unprivileged);
        Assert.False(new RootlessMode(0, 0, true, true).Unprivileged);
    }

    // ---- the state root ----

    [Theory]
    [InlineData(1000u, false, "/run/user/1000", "alice", "/run/user/1000/ociruntime")]
    [InlineData(1000u, false, null, "alice", null)]
    [InlineData(1000u, false, "", "alice", null)]
    // the host's root keeps /run/ociruntime even with XDG_RUNTIME_DIR=/run/user/0 (as runc)
    [InlineData(0u, false, "/run/user/0", "root", null)]
    // root in a user namespace: XDG unless $USER is root
    [InlineData(0u, true, "/run/user/1000", "alice", "/run/user/1000/ociruntime")]
    [InlineData(0u, true, "/run/user/1000", null, "/run/user/1000/ociruntime")]
    [InlineData(0u, true, "/run/user/0", "root", null)]
    public void State_root_is_under_XDG_RUNTIME_DIR_for_everyone_but_the_hosts_root(uint euid, bool inUserNs, string? xdg, string? user, string? expected) =>
        Assert.Equal(expected, StateRoot.FromXdg(euid, inUserNs, xdg, user));

    [Fact]
    public void Default_state_root_of_the_hosts_root_is_run_ociruntime() =>
        Assert.Equal(StateStore.DefaultRoot, StateRoot.FromXdg(0, false, "/run/user/0", "root") ?? StateStore.DefaultRoot);

    // ---- id maps ----

    private static IReadOnlyList<IdRange> R(params (uint In, uint Out, uint N)[] r) => r.Select(x => new IdRange(x.In, x.Out, x.N)).ToList();

    private static IdMap M(params (uint In, uint Out, uint N)[] r) => IdMap.Of("linux.uidMappings", R(r));

    private static IdMap G(params (uint In, uint Out, uint N)[] r) => IdMap.Of("linux.gidMappings", R(r));

    [Fact]
    public void Own_id_alone_is_written_directly_anything_more_through_the_tool()
    {
        Assert.Equal(IdMapWay.Direct, IdMapWays.Choose(M((0, 1000, 1)), 1000, unprivileged: true));
        Assert.Equal(IdMapWay.Tool, IdMapWays.Choose(M((0, 1000, 1), (1, 100000, 65536)), 1000, unprivileged: true));
        Assert.Equal(IdMapWay.Tool, IdMapWays.Choose(M((0, 100000, 65536)), 1000, unprivileged: true));
        Assert.Equal(IdMapWay.Tool, IdMapWays.Choose(M((0, 1000, 2)), 1000, unprivileged: true));
        Assert.Equal(IdMapWay.Tool, IdMapWays.Choose(M((0, 0, 1)), 1000, unprivileged: true));
        // the host's root writes every map itself
        Assert.Equal(IdMapWay.Direct, IdMapWays.Choose(M((0, 100000, 65536), (70000, 300000, 10)), 0, unprivileged: false));
    }

    [Fact]
    public void Setgroups_is_denied_only_for_an_unprivileged_own_gid_mapping()
    {
        Assert.True(IdMapWays.DeniesSetgroups(G((0, 1000, 1)), 1000, unprivileged: true));
        Assert.False(IdMapWays.DeniesSetgroups(G((0, 1000, 1), (1, 100000, 65536)), 1000, unprivileged: true));
        Assert.False(IdMapWays.DeniesSetgroups(G((0, 1000, 1)), 1000, unprivileged: false));
    }

    [Fact]
    public void Tool_mappings_must_be_the_own_id_or_within_the_subordinate_ranges()
    {
        var sub = R((100000, 100000, 65536), (165536, 165536, 100));
        IdMapWays.CheckToolAllows(M((0, 1000, 1), (1, 100000, 65536)), 1000, sub, "uid", "/etc/subuid");
        // adjacent subordinate ranges together cover a range
        IdMapWays.CheckToolAllows(M((0, 100000, 65636)), 1000, sub, "uid", "/etc/subuid");

        var e = Assert.Throws<PlanningException>(() =>
            IdMapWays.CheckToolAllows(M((0, 1000, 1), (1, 0, 1)), 1000, sub, "uid", "/etc/subuid"));
        Assert.Equal("linux.uidMappings[1]", e.Path);
        Assert.Contains("hostID 0..0", e.Message);
        Assert.Contains("100000-165535, 165536-165635", e.Message);

        e = Assert.Throws<PlanningException>(() =>
            IdMapWays.CheckToolAllows(G((0, 100000, 70000)), 1000, [], "gid", "/etc/subgid"));
        Assert.Equal("linux.gidMappings[0]", e.Path);
        Assert.Contains("/etc/subgid gives it (none)", e.Message);
    }

    [Fact]
    public void Subordinate_ranges_are_found_by_name_or_uid()
    {
        const string text = "alice:100000:65536\n# comment\n1000:300000:10\nbob:200000:65536\nbroken:line\nalice:x:1\n";
        Assert.Equal(R((100000, 100000, 65536), (300000, 300000, 10)), SubordinateIds.For(text, "alice", 1000));
        Assert.Equal(R((200000, 200000, 65536)), SubordinateIds.For(text, "bob", 1001));
        Assert.Empty(SubordinateIds.For(text, null, 4242));
        Assert.Equal("alice", PasswdFile.NameOf("root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n", 1000));
        Assert.Null(PasswdFile.NameOf("root:x:0:0::/root:/bin/sh\n", 1000));
    }

    [Fact]
    public void Mapping_tool_gets_the_pid_then_each_range()
    {
        Assert.Equal(["42", "0", "1000", "1", "1", "100000", "65536"],
            MappingTool.Arguments(42, M((0, 1000, 1), (1, 100000, 65536))));
    }

    // ---- planning with setgroups denied ----

    private const string RootlessConfig = """
        {
          "ociVersion": "1.3.0",
          "root": { "path": "rootfs" },
          "process": { "args": ["/bin/sh"], "cwd": "/", "user": { "uid": 0, "gid": 0 ADDGIDS } },
          "linux": {
            "uidMappings": [ { "containerID": 0, "hostID": 1000, "size": 1 } ],
            "gidMappings": [ { "containerID": 0, "hostID": 1000, "size": 1 } ],
            "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "user" } ]
          }
        }
        """;

    private static ExecutionPlan PlanRootless(string json, bool denied) =>
        Planner.PlanInit(new PlanRequest("ct1", Parse(json), "/b", "/b/rootfs", "/f", false, 0, HybridHost, SetgroupsDenied: denied));

    [Fact]
    public void With_setgroups_denied_the_process_identity_calls_no_setgroups()
    {
        var user = PlanRootless(RootlessConfig.Replace("ADDGIDS", ""), denied: true).StepsOf<SetUserStep>().Last();
        Assert.Equal(new SetUserStep(0, 0, false, [], "process.user"), user);
        var privileged = PlanRootless(RootlessConfig.Replace("ADDGIDS", ""), denied: false).StepsOf<SetUserStep>().Last();
        Assert.True(privileged.SetGroups);
    }

    [Fact]
    public void With_setgroups_denied_additional_gids_are_refused_by_name()
    {
        var e = Assert.Throws<PlanningException>(() => PlanRootless(RootlessConfig.Replace("ADDGIDS", """, "additionalGids": [5]"""), denied: true));
        Assert.Equal("process.user.additionalGids", e.Path);
        Assert.Contains("setgroups", e.Message);
    }

    [Fact]
    public void Setgroups_is_denied_for_an_unprivileged_caller_with_its_own_gid_only()
    {
        var config = Parse(RootlessConfig.Replace("ADDGIDS", ""));
        Assert.True(RootlessIdMaps.DeniesSetgroups(config, new RootlessMode(1000, 1000, false, true)));
        Assert.False(RootlessIdMaps.DeniesSetgroups(config, new RootlessMode(0, 0, false, false)));
        Assert.False(RootlessIdMaps.DeniesSetgroups(config, null));
        Assert.False(RootlessIdMaps.DeniesSetgroups(config, new RootlessMode(1000, 2000, false, true)));
    }

    // ---- the executor's image without open_tree ----

    [Theory]
    [InlineData(false, 0u, 1000u, false)]
    [InlineData(true, 0u, 1000u, true)]
    [InlineData(false, 1000u, 1000u, true)]
    public void Executor_runs_from_a_sealed_copy_only_when_the_caller_could_change_the_binary(bool writable, uint owner, uint euid, bool expected) =>
        Assert.Equal(expected, ExecutorImage.CallerCouldModify(writable, owner, euid));
}

public class RootlessCheckTests
{
    [Fact]
    public void An_unprivileged_caller_without_a_user_namespace_is_told_to_add_one()
    {
        var config = Parse(Minimal);
        var e = Assert.Throws<PlanningException>(() => RootlessIdMaps.Check(config, new RootlessMode(1000, 1000, false, true)));
        Assert.Equal("linux.namespaces", e.Path);
        Assert.Contains("spec --rootless", e.Message);
    }

    [Fact]
    public void Own_ids_alone_pass_the_check_without_subordinate_ranges()
    {
        const string withUserNs = """
            { "type": "mount" }, { "type": "user" } ],
              "uidMappings": [ { "containerID": 0, "hostID": 4242, "size": 1 } ],
              "gidMappings": [ { "containerID": 0, "hostID": 4343, "size": 1 } ]
            """;
        var config = Parse(Minimal.Replace("""{ "type": "mount" } ]""", withUserNs));
        RootlessIdMaps.Check(config, new RootlessMode(4242, 4343, false, true));
        var e = Assert.Throws<PlanningException>(() => RootlessIdMaps.Check(config, new RootlessMode(4242, 1, false, true)));
        Assert.Equal("linux.gidMappings[0]", e.Path);
    }
}
