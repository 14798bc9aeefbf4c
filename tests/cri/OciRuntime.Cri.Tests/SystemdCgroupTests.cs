using System.Diagnostics;
using OciRuntime.Cri.Tests.V1;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Cri.Tests;

/// <summary>systemctl, for what systemd itself says about the units the runtimes asked for.</summary>
public static class Systemd
{
    /// <summary>systemctl ARGS: its stdout; a non-zero exit throws with its output.</summary>
    public static string Run(params string[] args)
    {
        var psi = new ProcessStartInfo("systemctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string o = p.StandardOutput.ReadToEnd(), e = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(60_000))
            throw new InvalidOperationException($"systemctl {string.Join(' ', args)}: no answer within 60 s");
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"systemctl {string.Join(' ', args)} exited {p.ExitCode}: {o}{e}");
        return o;
    }

    /// <summary>`systemctl show UNIT` as a dictionary (an unknown unit: LoadState=not-found).</summary>
    public static Dictionary<string, string> Show(string unit) =>
        Run("show", unit).Split('\n').Where(l => l.Contains('=')).Select(l => l.Split('=', 2))
            .GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => g.First()[1]);

    /// <summary>A slice's cgroup path below the cgroup2 root, as systemd nests it by its name's dashes:
    /// a-b-c.slice is /a.slice/a-b.slice/a-b-c.slice.</summary>
    public static string SlicePath(string slice)
    {
        string stem = slice[..^".slice".Length], path = "";
        string[] parts = stem.Split('-');
        for (int i = 1; i <= parts.Length; i++)
            path += "/" + string.Join('-', parts[..i]) + ".slice";
        return path;
    }

    /// <summary>The cgroup v2 path of <paramref name="pid"/> (its "0::" line).</summary>
    public static string CgroupOf(int pid) =>
        File.ReadLines($"/proc/{pid}/cgroup").First(l => l.StartsWith("0::", StringComparison.Ordinal))[3..];
}

/// <summary>
/// The kubeadm default: containerd's CRI plugin with `SystemdCgroup = true`, the pods' cgroup_parent a
/// slice as the kubelet's systemd driver sends it (kubepods-besteffort-pod&lt;uid&gt;.slice), against a
/// real systemd (tests/systemd's guest, CRI_CGROUP_DRIVER=systemd; left out of the cgroupfs run).
/// Every container is a scope cri-containerd-ID.scope in the pod's slice, its resources as unit
/// properties that agree with the cgroup files, and nothing of it is left after the pod is removed and
/// its slice stopped (as the kubelet does). Both handlers, so a failure with ociruntime alone is the
/// runtime's.
/// </summary>
[Trait("Category", "systemd")]
public sealed class SystemdCgroupTests : IDisposable
{
    private const long MiB = 1 << 20;
    private readonly ITestOutputHelper _log;
    private readonly Cri _cri = new(Env.Socket);
    private readonly List<Pod> _pods = [];

    public SystemdCgroupTests(ITestOutputHelper log) => _log = log;

    public void Dispose()
    {
        foreach (var p in _pods)
            p.Dispose();
        _cri.Dispose();
    }

    private static string Read(string dir, string file) => File.ReadAllText(Path.Combine(dir, file)).Trim();

    private static void AssertUnitGone(string unit, string dir)
    {
        Assert.True(Host.WaitUntil(() => Systemd.Show(unit).GetValueOrDefault("LoadState") == "not-found", 10),
            $"{unit} is still loaded: {string.Join(' ', Systemd.Show(unit).Where(kv => kv.Key is "LoadState" or "ActiveState" or "Result").Select(kv => kv.Key + "=" + kv.Value))}");
        Assert.False(Directory.Exists(dir), $"{dir} is left");
    }

    [Theory]
    [InlineData("ociruntime")]
    [InlineData("runc")]
    public void Pod_lifecycle_in_its_systemd_slice(string handler)
    {
        Assert.True(Env.SystemdDriver, "CRI_CGROUP_DRIVER is not systemd: run these tests through tests/systemd/run.sh (manager cri)");
        var pod = new Pod(_cri, _log, handler, "sd-" + handler, NamespaceMode.Node);
        _pods.Add(pod);
        string slice = pod.CgroupParent;
        Assert.Matches("^kubepods-besteffort-pod[0-9a-f]+\\.slice$", slice);
        string slicePath = Systemd.SlicePath(slice);
        Assert.Equal($"/kubepods.slice/kubepods-besteffort.slice/{slice}", slicePath);
        string sliceDir = "/sys/fs/cgroup" + slicePath;

        // the sandbox: its pause process in the scope cri-containerd-<pod id>.scope of the pod's slice
        string podId = pod.Run();
        pod.AssertMadeByHandler(podId);
        string podScope = $"cri-containerd-{podId}.scope";
        int pausePid = pod.SandboxPid();
        Assert.Equal($"{slicePath}/{podScope}", Systemd.CgroupOf(pausePid));
        var ps = Systemd.Show(podScope);
        Assert.Equal("active", ps["ActiveState"]);
        Assert.Equal(slice, ps["Slice"]);
        Assert.Equal("yes", ps["Delegate"]);
        Assert.Equal("active", Systemd.Show(slice)["ActiveState"]);

        // web with limits, sidecar without
        var web = pod.Container("web", "trap 'exit 7' TERM; while :; do sleep 0.2; done");
        web.Linux.Resources = new LinuxContainerResources { MemoryLimitInBytes = 64 * MiB, CpuShares = 512, CpuQuota = 50000, CpuPeriod = 100000 };
        string c1 = pod.Start(web);
        string c2 = pod.Start(pod.Container("sidecar", "while :; do sleep 1; done"));
        pod.AssertMadeByHandler(c1);
        string scope1 = $"cri-containerd-{c1}.scope", scope2 = $"cri-containerd-{c2}.scope";
        string dir1 = $"{sliceDir}/{scope1}";
        Assert.Equal($"{slicePath}/{scope1}", Systemd.CgroupOf(pod.ContainerPid(c1)));
        Assert.Equal($"{slicePath}/{scope2}", Systemd.CgroupOf(pod.ContainerPid(c2)));
        // the pod's slice holds exactly the pod's three scopes, each a unit of systemd's in that slice
        Assert.Equal(new[] { podScope, scope1, scope2 }.Order(), Directory.GetDirectories(sliceDir).Select(Path.GetFileName).Order());
        foreach (string u in new[] { scope1, scope2 })
        {
            var s = Systemd.Show(u);
            Assert.Equal("active", s["ActiveState"]);
            Assert.Equal(slice, s["Slice"]);
        }
        // web's resources: the unit's properties and its cgroup files agree
        var w = Systemd.Show(scope1);
        Assert.Equal((64 * MiB).ToString(), w["MemoryMax"]);
        Assert.Equal((64 * MiB).ToString(), Read(dir1, "memory.max"));
        Assert.Equal("50000 100000", Read(dir1, "cpu.max"));
        Assert.Equal("500ms", w["CPUQuotaPerSecUSec"]);
        string weight = Read(dir1, "cpu.weight");
        Assert.NotEqual("100", weight); // shares 512 is not the default weight
        Assert.Equal(weight, w["CPUWeight"]);
        // exec joins the container's cgroup (and namespace): its own view of /sys/fs/cgroup is web's
        Assert.Equal((64 * MiB).ToString(), pod.ExecOk(c1, "cat /sys/fs/cgroup/memory.max"));

        // UpdateContainerResources: the unit's properties and the files follow
        _cri.Runtime.UpdateContainerResources(new UpdateContainerResourcesRequest
        {
            ContainerId = c1,
            Linux = new LinuxContainerResources { MemoryLimitInBytes = 96 * MiB, CpuShares = 512, CpuQuota = 20000, CpuPeriod = 100000 },
        }, Cri.Deadline());
        w = Systemd.Show(scope1);
        Assert.Equal((96 * MiB).ToString(), w["MemoryMax"]);
        Assert.Equal((96 * MiB).ToString(), Read(dir1, "memory.max"));
        Assert.Equal("20000 100000", Read(dir1, "cpu.max"));
        Assert.Equal("200ms", w["CPUQuotaPerSecUSec"]);
        Assert.Equal(ContainerState.ContainerRunning, pod.ContainerStatus(c1).State);

        // ContainerStats from the scope's cgroup
        pod.ExecOk(c1, "i=0; while [ $i -lt 500 ]; do i=$((i+1)); done"); // short: the quota is 20% now, and TCG is slow
        var st = _cri.Runtime.ContainerStats(new ContainerStatsRequest { ContainerId = c1 }, Cri.Deadline()).Stats;
        Assert.True(st.Cpu.UsageCoreNanoSeconds.Value > 0, "no CPU usage");
        Assert.True(st.Memory.WorkingSetBytes.Value > 0, "no working set");

        // stop: web exits on SIGTERM, sidecar is killed after its grace period; each scope goes
        _cri.Runtime.StopContainer(new StopContainerRequest { ContainerId = c1, Timeout = 20 }, Cri.Deadline());
        Assert.Equal(7, pod.ContainerStatus(c1).ExitCode);
        _cri.Runtime.StopContainer(new StopContainerRequest { ContainerId = c2, Timeout = 2 }, Cri.Deadline());
        Assert.Equal(137, pod.ContainerStatus(c2).ExitCode);
        _cri.Runtime.RemoveContainer(new RemoveContainerRequest { ContainerId = c1 }, Cri.Deadline());
        _cri.Runtime.RemoveContainer(new RemoveContainerRequest { ContainerId = c2 }, Cri.Deadline());
        AssertUnitGone(scope1, dir1);
        AssertUnitGone(scope2, $"{sliceDir}/{scope2}");
        _cri.Runtime.StopPodSandbox(new StopPodSandboxRequest { PodSandboxId = podId }, Cri.Deadline());
        _cri.Runtime.RemovePodSandbox(new RemovePodSandboxRequest { PodSandboxId = podId }, Cri.Deadline());
        AssertUnitGone(podScope, $"{sliceDir}/{podScope}");
        pod.AssertNothingLeft([c1, c2]);
        // the kubelet stops the pod's slice: then nothing of the pod is left in systemd or the tree
        Systemd.Run("stop", slice);
        Assert.False(Directory.Exists(sliceDir), $"{sliceDir} is left after the slice was stopped");
        Assert.NotEqual("active", Systemd.Show(slice)["ActiveState"]);
        string failed = Systemd.Run("list-units", "--all", "--failed", "--plain", "--no-legend");
        Assert.DoesNotContain("cri-containerd", failed);
        Assert.DoesNotContain(pod.Uid, Systemd.Run("list-units", "--all", "--plain", "--no-legend", "--state=active"));
    }
}
