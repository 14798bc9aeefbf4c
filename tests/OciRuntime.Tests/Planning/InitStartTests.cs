using OciRuntime.Linux;
using OciRuntime.Plan;
using OciRuntime.Planning;
using Xunit;

namespace OciRuntime.Tests.Planning;

/// <summary>
/// Planner.StartOf (decisions §29, §52): what the early executor is told before the plan exists (the
/// namespaces it must have been cloned into, those it unshares ahead) must be exactly how the
/// plan then starts; PlanInit goes on from that start (PlanRequest.Start) rather than planning it again.
/// </summary>
public class InitStartTests
{
    private static string WithNamespaces(string namespaces, string mounts = "[]") => $$"""
        {
          "ociVersion": "1.3.0",
          "root": { "path": "rootfs" },
          "process": { "args": ["/bin/sh"], "cwd": "/", "user": { "uid": 0, "gid": 0 } },
          "mounts": {{mounts}},
          "linux": {
            "namespaces": {{namespaces}},
            "uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],
            "gidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ]
          }
        }
        """;

    public static TheoryData<string> Configs() =>
    [
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Spec", "data", "default-spec.json")),
        PlannerFixture.Minimal,
        WithNamespaces("""[ {"type":"pid"}, {"type":"mount"}, {"type":"network"}, {"type":"ipc"}, {"type":"uts"}, {"type":"cgroup"} ]"""),
        WithNamespaces("""[ {"type":"pid"}, {"type":"mount"}, {"type":"network","path":"/proc/1/ns/net"} ]"""),
        WithNamespaces("""[ {"type":"pid"}, {"type":"mount"}, {"type":"user"} ]"""),
        WithNamespaces("""[ {"type":"pid"}, {"type":"mount"}, {"type":"time"} ]"""),
        WithNamespaces("""[ {"type":"mount"}, {"type":"network"} ]"""),
        WithNamespaces("""[ {"type":"pid","path":"/proc/1/ns/pid"}, {"type":"mount"} ]"""),
        WithNamespaces("""[ {"type":"pid"}, {"type":"mount"}, {"type":"network"} ]""",
            """
            [ { "destination": "/data", "type": "bind", "source": "/srv", "options": ["rbind"],
                "uidMappings": [ { "containerID": 0, "hostID": 1000, "size": 1 } ],
                "gidMappings": [ { "containerID": 0, "hostID": 1000, "size": 1 } ] } ]
            """),
    ];

    [Theory]
    [MemberData(nameof(Configs))]
    public void StartOf_is_how_the_plan_starts(string json)
    {
        foreach (string? fifo in new[] { null, "/run/oci/x/exec.fifo" })
        foreach (int preserveFds in new[] { 0, 2 })
        {
            var start = Planner.StartOf(PlannerFixture.Parse(json), "/b", fifo, preserveFds);
            var plan = PlannerFixture.PlanOf(json, execFifo: fifo, preserveFds: preserveFds);
            Assert.Equal(plan.SpawnNamespaces, start.SpawnNamespaces);
            // After the close of the caller's fds, which the early executor's unshare does not disturb.
            Assert.IsType<CloseFdsStep>(plan.Steps[0]);
            Assert.Equal(plan.Steps[1] is UnshareStep u ? u.Flags : 0, start.FirstUnshare);
            Assert.Equal(Described(plan.Steps.Take(start.Steps.Count)), Described(start.Steps));
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void The_plan_goes_on_from_the_start_planned_for_its_request(string json)
    {
        foreach (string? fifo in new[] { null, "/run/oci/x/exec.fifo" })
        {
            var config = PlannerFixture.Parse(json);
            var start = Planner.StartOf(config, "/b", fifo, 2);
            var plan = Planner.PlanInit(Request(config, fifo, 2, start));
            // the start's own steps, not planned again; the plan as without it
            Assert.True(start.Steps.Select((s, i) => ReferenceEquals(s, plan.Steps[i])).All(same => same));
            Assert.Equal(PlannerFixture.PlanOf(json, execFifo: fifo, preserveFds: 2).Describe(), plan.Describe());
            Assert.Equal(start.SpawnNamespaces, plan.SpawnNamespaces);
        }
    }

    [Fact]
    public void A_start_planned_for_another_request_is_planned_anew()
    {
        var config = PlannerFixture.Parse(PlannerFixture.Minimal);
        var start = Planner.StartOf(config, "/b", null, 0);
        var others = new[]
        {
            Request(config, null, 2, start),                                      // other --preserve-fds
            Request(config, "/run/oci/x/exec.fifo", 0, start),                    // other exec fifo
            Request(PlannerFixture.Parse(PlannerFixture.Minimal), null, 0, start), // other config
            Request(config, null, 0, start) with { BundlePath = "/other" },        // other bundle
        };
        foreach (var req in others)
        {
            var plan = Planner.PlanInit(req);
            Assert.False(ReferenceEquals(start.Steps[0], plan.Steps[0]));
            Assert.Equal(Planner.PlanInit(req with { Start = null }).Describe(), plan.Describe());
        }
        Assert.Equal(5u, Assert.IsType<CloseFdsStep>(Planner.PlanInit(others[0]).Steps[0]).KeepFds);
    }

    private static PlanRequest Request(OciRuntime.Spec.Spec config, string? fifo, int preserveFds, InitStart start) =>
        new("ct1", config, "/b", "/b/rootfs", fifo, false, preserveFds, PlannerFixture.HybridHost, Start: start);

    private static List<string> Described(IEnumerable<Step> steps) => steps.Select(s => s.Describe() + " # " + s.Origin).ToList();

    [Fact]
    public void The_default_spec_has_its_network_ipc_uts_and_mount_namespaces_made_ahead()
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Spec", "data", "default-spec.json"));
        var start = Planner.StartOf(PlannerFixture.Parse(json), "/b", null, 0);
        Assert.Equal(Namespaces.CLONE_NEWPID, start.SpawnNamespaces);
        Assert.Equal(Namespaces.CLONE_NEWNS | Namespaces.CLONE_NEWNET | Namespaces.CLONE_NEWIPC | Namespaces.CLONE_NEWUTS,
            start.FirstUnshare);
    }

    [Theory]
    [InlineData("""[ {"type":"pid"}, {"type":"mount"}, {"type":"user"} ]""")]  // the fork path
    [InlineData("""[ {"type":"pid"}, {"type":"mount"}, {"type":"time"} ]""")]  // the fork path
    [InlineData("""[ {"type":"mount"}, {"type":"network"} ]""")]                // no pid namespace
    [InlineData("""[ {"type":"pid","path":"/proc/1/ns/pid"}, {"type":"mount"} ]""")] // a joined one
    public void A_plan_the_early_executor_cannot_start_is_told_apart(string namespaces) =>
        Assert.NotEqual(Namespaces.CLONE_NEWPID, Planner.StartOf(PlannerFixture.Parse(WithNamespaces(namespaces)), "/b", null, 0).SpawnNamespaces);

    [Fact]
    public void A_joined_namespace_comes_first_so_nothing_is_unshared_ahead()
    {
        var start = Planner.StartOf(PlannerFixture.Parse(WithNamespaces(
            """[ {"type":"pid"}, {"type":"mount"}, {"type":"network","path":"/proc/1/ns/net"} ]""")), "/b", null, 0);
        Assert.Equal(Namespaces.CLONE_NEWPID, start.SpawnNamespaces);
        Assert.Equal(0u, start.FirstUnshare);
    }
}
