using System.Text;
using OciRuntime.Plan;
using OciRuntime.Planning;
using OciRuntime.Spec;

namespace OciRuntime.Tests.Planning;

/// <summary>Builds plan requests from config JSON, with a fixed host (hybrid cgroups, every capability).</summary>
internal static class PlannerFixture
{
    public static readonly HostFacts HybridHost = new(CgroupMode.Legacy,
    [
        new CgroupHierarchy("/sys/fs/cgroup/cpu", "cgroup", "cpu", "/user.slice"),
        new CgroupHierarchy("/sys/fs/cgroup/memory", "cgroup", "memory", "/user.slice"),
        new CgroupHierarchy("/sys/fs/cgroup/systemd", "cgroup", "name=systemd", "/user.slice/session-1.scope"),
        new CgroupHierarchy("/sys/fs/cgroup/unified", "cgroup2", "", "/"),
    ], HostFacts.AllCapabilities);

    public const string Minimal = """
        {
          "ociVersion": "1.3.0",
          "root": { "path": "rootfs" },
          "process": { "args": ["/bin/sh"], "cwd": "/", "env": ["PATH=/bin:/usr/bin"], "user": { "uid": 0, "gid": 0 } },
          "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] }
        }
        """;

    public static global::OciRuntime.Spec.Spec Parse(string json) => ConfigLoader.Parse(Encoding.UTF8.GetBytes(json));

    public static ExecutionPlan PlanOf(string json, bool noPivot = false, HostFacts? host = null, int preserveFds = 0,
        string? execFifo = "/run/oci/x/exec.fifo") =>
        Planner.PlanInit(new PlanRequest("ct1", Parse(json), "/b", "/b/rootfs", execFifo, noPivot,
            preserveFds, host ?? HybridHost));

    public static List<T> StepsOf<T>(this ExecutionPlan p) where T : Step => p.Steps.OfType<T>().ToList();

    public static int IndexOf<T>(this ExecutionPlan p) where T : Step => p.Steps.ToList().FindIndex(s => s is T);
}
