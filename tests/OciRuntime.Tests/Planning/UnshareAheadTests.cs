using OciRuntime.Linux;
using OciRuntime.Plan;
using OciRuntime.Planning;
using Xunit;

namespace OciRuntime.Tests.Planning;

/// <summary>
/// NamespacePlanner.UnshareAhead (decisions §29): what the early executor is told to unshare
/// before the plan exists must be exactly what the plan then starts with, or nothing.
/// </summary>
public class UnshareAheadTests
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
    public void What_is_unshared_ahead_is_what_the_plan_starts_with(string json)
    {
        uint ahead = NamespacePlanner.UnshareAhead(PlannerFixture.Parse(json));
        if (ahead == 0)
            return;
        var plan = PlannerFixture.PlanOf(json);
        Assert.Equal(Namespaces.CLONE_NEWPID, plan.SpawnNamespaces);
        // After the close of the caller's fds, which the early executor's unshare does not disturb.
        Assert.IsType<CloseFdsStep>(plan.Steps[0]);
        var first = Assert.IsType<UnshareStep>(plan.Steps[1]);
        Assert.Equal(ahead, first.Flags);
    }

    [Fact]
    public void The_default_spec_has_its_network_ipc_uts_and_mount_namespaces_made_ahead()
    {
        var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Spec", "data", "default-spec.json"));
        Assert.Equal(Namespaces.CLONE_NEWNS | Namespaces.CLONE_NEWNET | Namespaces.CLONE_NEWIPC | Namespaces.CLONE_NEWUTS,
            NamespacePlanner.UnshareAhead(PlannerFixture.Parse(json)));
    }

    [Theory]
    [InlineData("""[ {"type":"pid"}, {"type":"mount"}, {"type":"network","path":"/proc/1/ns/net"} ]""")] // a joined one
    [InlineData("""[ {"type":"pid"}, {"type":"mount"}, {"type":"user"} ]""")]  // the fork path
    [InlineData("""[ {"type":"pid"}, {"type":"mount"}, {"type":"time"} ]""")]  // the fork path
    [InlineData("""[ {"type":"mount"}, {"type":"network"} ]""")]                // no pid namespace: no early executor
    public void Nothing_is_unshared_ahead_when_the_plan_may_start_otherwise(string namespaces) =>
        Assert.Equal(0u, NamespacePlanner.UnshareAhead(PlannerFixture.Parse(WithNamespaces(namespaces))));
}
