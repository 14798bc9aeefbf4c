using OciRuntime.Linux;
using OciRuntime.Plan;
using OciRuntime.Planning;
using Xunit;
using static OciRuntime.Tests.Planning.PlannerFixture;

namespace OciRuntime.Tests.Planning;

public class TimeNamespacePlannerTests
{
    private static string WithTimeNs(string offsets) => Minimal.Replace("""
        "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] }
        """, $$"""
        "linux": { {{offsets}} "namespaces": [ { "type": "mount" }, { "type": "time" } ] }
        """);

    [Fact]
    public void Offsets_are_written_after_the_unshare_and_before_the_fork()
    {
        var plan = PlanOf(WithTimeNs("""
            "timeOffsets": { "monotonic": { "secs": 86400, "nanosecs": 5 }, "boottime": { "secs": -10 } },
            """));
        var s = plan.Steps.ToList();
        int unshare = s.FindIndex(x => x is UnshareStep u && (u.Flags & Namespaces.CLONE_NEWTIME) != 0);
        int offsets = plan.IndexOf<TimensOffsetsStep>();
        int fork = plan.IndexOf<ForkStep>();
        Assert.True(unshare >= 0 && unshare < offsets && offsets < fork, $"unshare {unshare}, offsets {offsets}, fork {fork}");
        Assert.Equal(new TimensOffsetsStep("boottime -10 0\nmonotonic 86400 5\n", "linux.timeOffsets"), s[offsets]);
        Assert.Equal(PlanOp.TimensOffsets, s[offsets].Op);
    }

    [Fact]
    public void A_time_namespace_without_offsets_has_no_offsets_step_but_still_the_fork()
    {
        var plan = PlanOf(WithTimeNs(""));
        Assert.Empty(plan.StepsOf<TimensOffsetsStep>());
        Assert.Single(plan.StepsOf<ForkStep>());
    }

    [Fact]
    public void Offsets_come_after_the_user_namespace_and_its_maps()
    {
        var plan = PlanOf(Minimal.Replace("""
            "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] }
            """, """
            "linux": { "timeOffsets": { "monotonic": { "secs": 1 } },
              "uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 10 } ],
              "gidMappings": [ { "containerID": 0, "hostID": 100000, "size": 10 } ],
              "namespaces": [ { "type": "mount" }, { "type": "time" }, { "type": "user" } ] }
            """));
        int maps = plan.Steps.ToList().FindIndex(x => x is SyncStep { Tag: SyncTag.WriteIdMaps });
        Assert.True(maps >= 0 && maps < plan.IndexOf<TimensOffsetsStep>());
        // /proc/self/timens_offsets is written while the executor still has its host ids: changing
        // them would make it non-dumpable and its /proc files the host root's.
        Assert.True(plan.IndexOf<TimensOffsetsStep>() < plan.IndexOf<SetUserStep>());
    }
}
