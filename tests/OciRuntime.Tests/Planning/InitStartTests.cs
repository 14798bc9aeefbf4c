using OciRuntime.Linux;
using OciRuntime.Plan;
using OciRuntime.Planning;
using Xunit;

namespace OciRuntime.Tests.Planning;

/// <summary>
/// Planner.StartOf (decisions §29): what the early executor is told before the plan exists (the
/// namespaces it must have been cloned into, those it unshares ahead) must be exactly how the
/// plan then starts.
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
        {
            var start = Planner.StartOf(PlannerFixture.Parse(json), "/b", fifo);
            var plan = PlannerFixture.PlanOf(json, execFifo: fifo);
            Assert.Equal(plan.SpawnNamespaces, start.SpawnNamespaces);
            // After the close of the caller's fds, which the early executor's unshare does not disturb.
            Assert.IsType<CloseFdsStep>(plan.Steps[0]);
            Assert.Equal(plan.Steps[1] is UnshareStep u ? u.Flags : 0, start.FirstUnshare);
        }
    }

    [Fact]
    public void The_default_spec_has_its_network_ipc_uts_and_mount_namespaces_made_ahead()
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Spec", "data", "default-spec.json"));
        var start = Planner.StartOf(PlannerFixture.Parse(json), "/b", null);
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
        Assert.NotEqual(Namespaces.CLONE_NEWPID, Planner.StartOf(PlannerFixture.Parse(WithNamespaces(namespaces)), "/b", null).SpawnNamespaces);

    [Fact]
    public void A_joined_namespace_comes_first_so_nothing_is_unshared_ahead()
    {
        var start = Planner.StartOf(PlannerFixture.Parse(WithNamespaces(
            """[ {"type":"pid"}, {"type":"mount"}, {"type":"network","path":"/proc/1/ns/net"} ]""")), "/b", null);
        Assert.Equal(Namespaces.CLONE_NEWPID, start.SpawnNamespaces);
        Assert.Equal(0u, start.FirstUnshare);
    }
}
