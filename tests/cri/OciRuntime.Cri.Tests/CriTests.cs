using System.Diagnostics;
using Grpc.Core;
using OciRuntime.Cri.Tests.V1;
using Xunit;
using Xunit.Abstractions;

namespace OciRuntime.Cri.Tests;

/// <summary>
/// The RuntimeClass path end to end: a CRI client (what the kubelet is) talking to containerd's CRI
/// plugin, which runs pods through the runc v2 shim with the handler named in RunPodSandbox.
/// Every scenario runs against both handlers, "ociruntime" (BinaryName = the runtime under test)
/// and "runc", so a failure with ociruntime alone is the runtime's.
/// </summary>
public sealed class CriTests : IDisposable
{
    private const long MiB = 1 << 20;
    private readonly ITestOutputHelper _log;
    private readonly Cri _cri = new(Env.Socket);
    private readonly List<Pod> _pods = [];

    public CriTests(ITestOutputHelper log) => _log = log;

    public void Dispose()
    {
        foreach (var p in _pods)
            p.Dispose();
        _cri.Dispose();
    }

    private Pod NewPod(string handler, string name, NamespaceMode network, bool privileged = false)
    {
        var p = new Pod(_cri, _log, handler, name, network, privileged);
        _pods.Add(p);
        return p;
    }

    [Fact]
    public void Version_and_status()
    {
        var v = _cri.Runtime.Version(new VersionRequest { Version = "v1" }, Cri.Deadline());
        Assert.Equal("containerd", v.RuntimeName);
        Assert.Equal("v1", v.RuntimeApiVersion);
        Assert.StartsWith("1.6.", v.RuntimeVersion.TrimStart('v'));

        var s = _cri.Runtime.Status(new StatusRequest { Verbose = true }, Cri.Deadline());
        var conditions = s.Status.Conditions.ToDictionary(c => c.Type, c => c.Status);
        Assert.True(conditions["RuntimeReady"], "RuntimeReady is false");
        Assert.True(conditions["NetworkReady"], $"NetworkReady is false: {s.Status.Conditions.First(c => c.Type == "NetworkReady").Message}");
        // the configuration containerd reports names both handlers and the binary under test
        string config = s.Info["config"];
        Assert.Contains("\"ociruntime\"", config);
        Assert.Contains(Env.Runtime, config);
    }

    [Fact]
    public void Images_imported_locally_have_a_status()
    {
        foreach (string name in new[] { Env.BusyboxImage, Env.PauseImage })
        {
            var img = _cri.Images.ImageStatus(new ImageStatusRequest { Image = new ImageSpec { Image = name } }, Cri.Deadline()).Image;
            Assert.NotNull(img);
            Assert.Contains(name, img.RepoTags);
            Assert.StartsWith("sha256:", img.Id);
            Assert.True(img.Size > 0, $"{name}: size {img.Size}");
        }
        var none = _cri.Images.ImageStatus(new ImageStatusRequest { Image = new ImageSpec { Image = "localhost/no-such-image:1" } }, Cri.Deadline());
        Assert.Null(none.Image);
        var all = _cri.Images.ListImages(new ListImagesRequest(), Cri.Deadline()).Images.SelectMany(i => i.RepoTags).ToList();
        Assert.Contains(Env.BusyboxImage, all);
        Assert.Contains(Env.PauseImage, all);
    }

    /// <summary>A pod on the node's network with two containers: shared namespaces, resources,
    /// read-only root, ExecSync, update, stats, stop with and without SIGTERM handling, removal.</summary>
    [Theory]
    [InlineData("ociruntime")]
    [InlineData("runc")]
    public void Pod_lifecycle_on_the_host_network(string handler)
    {
        var pod = NewPod(handler, "lifecycle-" + handler, NamespaceMode.Node);
        string podId = pod.Run();
        var ps = pod.Status().Status;
        Assert.Equal(PodSandboxState.SandboxReady, ps.State);
        Assert.Equal(handler, ps.RuntimeHandler);
        Assert.Equal(pod.Uid, ps.Metadata.Uid);
        pod.AssertMadeByHandler(podId);
        int pausePid = pod.SandboxPid();
        // the runtime's `start` returns once the init is let go; its execve of /pause follows
        Assert.True(Host.WaitUntil(() => File.ReadAllText($"/proc/{pausePid}/comm").Trim() == "pause"),
            $"the sandbox's process is {File.ReadAllText($"/proc/{pausePid}/comm").Trim()}, not pause");
        Assert.Equal(pod.CgroupParent + "/" + podId, Host.CgroupOf(pausePid, "memory"));

        // web: handles SIGTERM (exit 7), has limits and a read-only root
        var web = pod.Container("web", "echo started; trap 'echo got-term; exit 7' TERM; while :; do sleep 0.2; done");
        web.Linux.Resources = new LinuxContainerResources { MemoryLimitInBytes = 64 * MiB, CpuShares = 512, CpuQuota = 50000, CpuPeriod = 100000 };
        web.Linux.SecurityContext.ReadonlyRootfs = true;
        string c1 = pod.Start(web);
        // sidecar: sh as its pid namespace's init without a TERM handler: SIGTERM does nothing
        string c2 = pod.Start(pod.Container("sidecar", "while :; do sleep 1; done"));
        pod.AssertMadeByHandler(c1);
        pod.AssertMadeByHandler(c2);
        var listed = _cri.Runtime.ListContainers(new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = podId } }, Cri.Deadline()).Containers;
        Assert.Equal(new[] { c1, c2 }.Order(), listed.Select(c => c.Id).Order());
        Assert.All(listed, c => Assert.Equal(ContainerState.ContainerRunning, c.State));

        // the log the kubelet reads: CRI format "<time> stdout F started"
        Assert.True(Host.WaitUntil(() => File.Exists(Path.Combine(pod.LogDir, "web.log")) && File.ReadAllText(Path.Combine(pod.LogDir, "web.log")).Contains(" stdout F started")),
            "web.log has no \"stdout F started\" line");

        // namespaces: ipc from the pod (the pause container's), net and uts the node's (containerd's),
        // pid each its own
        int p1 = pod.ContainerPid(c1), p2 = pod.ContainerPid(c2);
        string ns1 = pod.ExecOk(c1, "for n in ipc net uts pid; do readlink /proc/self/ns/$n; done");
        string ns2 = pod.ExecOk(c2, "for n in ipc net uts pid; do readlink /proc/self/ns/$n; done");
        var n1 = ns1.Split('\n');
        var n2 = ns2.Split('\n');
        Assert.Equal(n1[..3], n2[..3]);
        Assert.Equal(Host.Ns(pausePid, "ipc"), n1[0]);
        Assert.NotEqual(Host.Ns(Environment.ProcessId, "ipc"), n1[0]);
        Assert.Equal(Host.Ns(Env.ContainerdPid, "net"), n1[1]);
        Assert.Equal(Host.Ns(Env.ContainerdPid, "uts"), n1[2]);
        Assert.NotEqual(n1[3], n2[3]);
        Assert.Equal(Host.Ns(p1, "pid"), n1[3]);
        Assert.Equal(Host.Ns(p2, "pid"), n2[3]);
        Assert.Equal("sh", pod.ExecOk(c1, "cat /proc/1/comm"));
        // the pod's /dev/shm (the sandbox's, mounted into each container that shares its ipc)
        pod.ExecOk(c1, "echo from-web > /dev/shm/note");
        Assert.Equal("from-web", pod.ExecOk(c2, "cat /dev/shm/note"));

        // resources in the container's cgroup (cgroupfs: <pod cgroup>/<container id>)
        string cg1 = pod.CgroupParent + "/" + c1;
        Assert.Equal(cg1, Host.CgroupOf(p1, "memory"));
        Assert.Equal(cg1, Host.CgroupOf(p1, "cpu"));
        Assert.Equal((64 * MiB).ToString(), Host.Cgroup("memory", cg1, "memory.limit_in_bytes"));
        Assert.Equal("512", Host.Cgroup("cpu", cg1, "cpu.shares"));
        Assert.Equal("50000", Host.Cgroup("cpu", cg1, "cpu.cfs_quota_us"));
        Assert.Equal("100000", Host.Cgroup("cpu", cg1, "cpu.cfs_period_us"));
        // and seen from inside
        Assert.Equal((64 * MiB).ToString(), pod.ExecOk(c1, "cat /sys/fs/cgroup/memory/memory.limit_in_bytes"));

        // read-only root: web's refuses a write, sidecar's takes one
        var (_, err, exit) = pod.Exec(c1, "touch /written");
        Assert.NotEqual(0, exit);
        Assert.Contains("Read-only file system", err);
        pod.ExecOk(c2, "touch /written");

        // ExecSync: output, error output, exit code
        var (o, e, x) = pod.Exec(c1, "echo to-stdout; echo to-stderr >&2; exit 3");
        Assert.Equal("to-stdout\n", o);
        Assert.Equal("to-stderr\n", e);
        Assert.Equal(3, x);
        // ExecSync with a timeout: refused after it, the command killed
        var sw = Stopwatch.StartNew();
        var timedOut = Assert.Throws<RpcException>(() => pod.Exec(c1, "exec sleep 30", timeout: 1));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15), $"ExecSync with timeout 1 took {sw.Elapsed}");
        Assert.Contains("timeout", timedOut.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.True(Host.WaitUntil(() => !pod.ExecOk(c1, "ps -o args").Split('\n').Any(l => l.Trim() == "sleep 30")),
            "the timed-out exec's process is still running");

        // UpdateContainerResources: what the kubelet's CPU manager and in-place resize send
        // (containerd 1.6 passes the container's device rules along: `update --resources -`)
        _cri.Runtime.UpdateContainerResources(new UpdateContainerResourcesRequest
        {
            ContainerId = c1,
            Linux = new LinuxContainerResources { MemoryLimitInBytes = 96 * MiB, CpuShares = 256, CpuQuota = 20000, CpuPeriod = 100000 },
        }, Cri.Deadline());
        Assert.Equal((96 * MiB).ToString(), Host.Cgroup("memory", cg1, "memory.limit_in_bytes"));
        Assert.Equal("256", Host.Cgroup("cpu", cg1, "cpu.shares"));
        Assert.Equal("20000", Host.Cgroup("cpu", cg1, "cpu.cfs_quota_us"));
        Assert.Equal(ContainerState.ContainerRunning, pod.ContainerStatus(c1).State);
        // the device rules are those of creation: deny-all then the defaults, no "a *:* rwm"
        Assert.DoesNotContain("a *:* rwm", Host.Cgroup("devices", cg1, "devices.list"));
        Assert.Contains("c 1:3 rwm", Host.Cgroup("devices", cg1, "devices.list"));

        // ContainerStats from the cgroup
        pod.ExecOk(c1, "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done");
        var st = _cri.Runtime.ContainerStats(new ContainerStatsRequest { ContainerId = c1 }, Cri.Deadline()).Stats;
        Assert.Equal(c1, st.Attributes.Id);
        Assert.Equal("web", st.Attributes.Metadata.Name);
        Assert.True(st.Cpu.UsageCoreNanoSeconds.Value > 0, "no CPU usage");
        Assert.True(st.Memory.WorkingSetBytes.Value > 0, "no working set");
        ulong cpuacct = ulong.Parse(Host.Cgroup("cpuacct", pod.CgroupParent + "/" + c1, "cpuacct.usage"));
        Assert.InRange(st.Cpu.UsageCoreNanoSeconds.Value, 1UL, cpuacct);

        // StopContainer: web exits on SIGTERM, well within its grace period
        sw.Restart();
        _cri.Runtime.StopContainer(new StopContainerRequest { ContainerId = c1, Timeout = 20 }, Cri.Deadline());
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"stopping web took {sw.Elapsed}");
        var s1 = pod.ContainerStatus(c1);
        Assert.Equal(ContainerState.ContainerExited, s1.State);
        Assert.Equal(7, s1.ExitCode);
        Assert.Contains(" stdout F got-term", File.ReadAllText(Path.Combine(pod.LogDir, "web.log")));
        // sidecar ignores SIGTERM: SIGKILL after the 2 s grace period
        sw.Restart();
        _cri.Runtime.StopContainer(new StopContainerRequest { ContainerId = c2, Timeout = 2 }, Cri.Deadline());
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(2), $"sidecar stopped after {sw.Elapsed}, before its grace period");
        var s2 = pod.ContainerStatus(c2);
        Assert.Equal(ContainerState.ContainerExited, s2.State);
        Assert.Equal(137, s2.ExitCode);
        Assert.False(Directory.Exists($"/sys/fs/cgroup/memory{pod.CgroupParent}/{c2}") && Host.Cgroup("memory", pod.CgroupParent + "/" + c2, "cgroup.procs").Length > 0,
            "sidecar's cgroup still has processes");

        // removal, in the kubelet's order
        _cri.Runtime.RemoveContainer(new RemoveContainerRequest { ContainerId = c1 }, Cri.Deadline());
        _cri.Runtime.RemoveContainer(new RemoveContainerRequest { ContainerId = c2 }, Cri.Deadline());
        Assert.Empty(_cri.Runtime.ListContainers(new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = podId } }, Cri.Deadline()).Containers);
        _cri.Runtime.StopPodSandbox(new StopPodSandboxRequest { PodSandboxId = podId }, Cri.Deadline());
        Assert.Equal(PodSandboxState.SandboxNotready, pod.Status().Status.State);
        Assert.True(Host.WaitUntil(() => !Directory.Exists($"/proc/{pausePid}") || File.ReadAllText($"/proc/{pausePid}/stat").Contains(") Z ")), "the pause process is still alive");
        _cri.Runtime.RemovePodSandbox(new RemovePodSandboxRequest { PodSandboxId = podId }, Cri.Deadline());
        Assert.Throws<RpcException>(() => pod.Status());
        pod.AssertNothingLeft([c1, c2]);
    }

    /// <summary>What Kubernetes users set in securityContext, in a pod allowed privileged containers:
    /// runAsUser/runAsGroup, capabilities added and dropped, allowPrivilegeEscalation: false
    /// (no_new_privs), the RuntimeDefault seccomp profile, a read-only root; and a privileged
    /// container (every capability, every device, writable /sys, no seccomp).</summary>
    [Theory]
    [InlineData("ociruntime")]
    [InlineData("runc")]
    public void Security_context_and_a_privileged_container(string handler)
    {
        const int NetAdmin = 12, Chown = 0;
        var pod = NewPod(handler, "security-" + handler, NamespaceMode.Node, privileged: true);
        string podId = pod.Run();
        Assert.Equal(PodSandboxState.SandboxReady, pod.Status().Status.State);

        var restricted = pod.Container("restricted", "while :; do sleep 1; done");
        var sc = restricted.Linux.SecurityContext;
        sc.RunAsUser = new Int64Value { Value = 1000 };
        sc.RunAsGroup = new Int64Value { Value = 3000 };
        sc.Capabilities = new Capability();
        sc.Capabilities.AddCapabilities.Add("NET_ADMIN");
        sc.Capabilities.DropCapabilities.Add("CHOWN");
        sc.NoNewPrivs = true;
        sc.Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault };
        sc.ReadonlyRootfs = true;
        string r = pod.Start(restricted);

        var caps = pod.Container("caps", "while :; do sleep 1; done");
        caps.Linux.SecurityContext.Capabilities = new Capability();
        caps.Linux.SecurityContext.Capabilities.AddCapabilities.Add("NET_ADMIN");
        caps.Linux.SecurityContext.Capabilities.DropCapabilities.Add("CHOWN");
        caps.Linux.SecurityContext.Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault };
        string c = pod.Start(caps);

        var priv = pod.Container("privileged", "while :; do sleep 1; done");
        priv.Linux.SecurityContext.Privileged = true;
        string p = pod.Start(priv);
        foreach (string id in new[] { podId, r, c, p })
            pod.AssertMadeByHandler(id);

        // restricted: uid/gid, no_new_privs, seccomp filter mode, bounding set with NET_ADMIN and
        // without CHOWN, nothing effective (a non-root process after execve), a read-only root
        Assert.Equal("1000 3000", pod.ExecOk(r, "echo $(id -u) $(id -g)"));
        string status = pod.ExecOk(r, "cat /proc/self/status");
        string Field(string s, string key) => s.Split('\n').First(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Trim();
        Assert.Equal("1", Field(status, "NoNewPrivs"));
        Assert.Equal("2", Field(status, "Seccomp"));
        ulong bnd = Host.CapMask(Field(status, "CapBnd"));
        Assert.True((bnd & (1UL << NetAdmin)) != 0, $"CapBnd {bnd:x} lacks NET_ADMIN");
        Assert.True((bnd & (1UL << Chown)) == 0, $"CapBnd {bnd:x} has CHOWN");
        Assert.Equal(0UL, Host.CapMask(Field(status, "CapEff")));
        var (_, err, exit) = pod.Exec(r, "touch /written");
        Assert.NotEqual(0, exit);
        Assert.Contains("Read-only file system", err);
        int rpid = pod.ContainerPid(r);
        Assert.Equal("1000", Host.Status(rpid, "Uid").Split('\t')[0]);
        Assert.Equal("3000", Host.Status(rpid, "Gid").Split('\t')[0]);

        // caps (root): NET_ADMIN effective, CHOWN gone: chown fails, seccomp on, privileges may grow
        status = pod.ExecOk(c, "cat /proc/self/status");
        ulong eff = Host.CapMask(Field(status, "CapEff"));
        Assert.True((eff & (1UL << NetAdmin)) != 0, $"CapEff {eff:x} lacks NET_ADMIN");
        Assert.True((eff & (1UL << Chown)) == 0, $"CapEff {eff:x} has CHOWN");
        Assert.Equal("2", Field(status, "Seccomp"));
        Assert.Equal("0", Field(status, "NoNewPrivs"));
        (_, err, exit) = pod.Exec(c, "touch /owned && chown 1:1 /owned");
        Assert.NotEqual(0, exit);
        Assert.Contains("Operation not permitted", err);
        // RuntimeDefault refuses what a container has no business doing (a user namespace:
        // unshare without CAP_SYS_ADMIN), which the kernel alone would allow (privileged, below)
        (_, _, exit) = pod.Exec(c, "unshare -U true");
        Assert.NotEqual(0, exit);

        // privileged: the host's whole bounding set effective, no seccomp, writable /sys, the
        // host's devices and a devices cgroup that allows everything
        status = pod.ExecOk(p, "cat /proc/self/status");
        Assert.Equal(Host.Status(Environment.ProcessId, "CapBnd"), Field(status, "CapEff"));
        Assert.Equal("0", Field(status, "Seccomp"));
        pod.ExecOk(p, "unshare -U true");
        // (the node's /sys is writable: tests/cri/run.sh mounts containerd's network namespace's
        // sysfs read-write first, as a boot does)
        Assert.Matches(@"^sysfs /sys sysfs rw[,\s]", pod.ExecOk(p, "grep ' /sys ' /proc/mounts"));
        Assert.Matches(@"^sysfs /sys sysfs ro[,\s]", pod.ExecOk(r, "grep ' /sys ' /proc/mounts"));
        string hostOnly = new[] { "loop-control", "kmsg", "fuse", "mem" }.First(d => File.Exists("/dev/" + d));
        pod.ExecOk(p, $"test -e /dev/{hostOnly}");
        Assert.NotEqual(0, pod.Exec(r, $"test -e /dev/{hostOnly}").Exit);
        Assert.Equal("a *:* rwm", Host.Cgroup("devices", pod.CgroupParent + "/" + p, "devices.list"));
        Assert.NotEqual("a *:* rwm", Host.Cgroup("devices", pod.CgroupParent + "/" + r, "devices.list"));

        foreach (string id in new[] { r, c, p })
        {
            _cri.Runtime.StopContainer(new StopContainerRequest { ContainerId = id, Timeout = 0 }, Cri.Deadline());
            Assert.Equal(ContainerState.ContainerExited, pod.ContainerStatus(id).State);
            _cri.Runtime.RemoveContainer(new RemoveContainerRequest { ContainerId = id }, Cri.Deadline());
        }
        _cri.Runtime.StopPodSandbox(new StopPodSandboxRequest { PodSandboxId = podId }, Cri.Deadline());
        _cri.Runtime.RemovePodSandbox(new RemovePodSandboxRequest { PodSandboxId = podId }, Cri.Deadline());
        pod.AssertNothingLeft([r, c, p]);
    }

    /// <summary>A pod with a network of its own from CNI (bridge + host-local, inside containerd's
    /// network namespace): an address from the subnet on eth0, its own hostname, the gateway
    /// reachable, and the address released on StopPodSandbox.</summary>
    [Theory]
    [InlineData("ociruntime")]
    [InlineData("runc")]
    public void Pod_network_from_cni(string handler)
    {
        var pod = NewPod(handler, "net-" + handler, NamespaceMode.Pod);
        string podId = pod.Run();
        var ps = pod.Status().Status;
        Assert.Equal(PodSandboxState.SandboxReady, ps.State);
        string ip = ps.Network.Ip;
        // the subnet is a /16: its first two octets
        string prefix = string.Join('.', Env.PodSubnet.Split('.')[..2]);
        Assert.StartsWith(prefix + ".", ip);
        string lease = Path.Combine(Env.Tmp, "cni", "ipam", "crinet", ip);
        Assert.True(File.Exists(lease), $"host-local has no lease {lease}");
        string c1 = pod.Start(pod.Container("app", "while :; do sleep 1; done"));
        string c2 = pod.Start(pod.Container("sidecar", "while :; do sleep 1; done"));
        pod.AssertMadeByHandler(c1);

        Assert.Contains($"inet {ip}/", pod.ExecOk(c1, "ip -4 addr show eth0"));
        Assert.Equal(pod.Config.Hostname, pod.ExecOk(c1, "hostname"));
        Assert.Equal(pod.Config.Hostname, pod.ExecOk(c2, "hostname"));
        string net1 = pod.ExecOk(c1, "readlink /proc/self/ns/net"), uts1 = pod.ExecOk(c1, "readlink /proc/self/ns/uts");
        Assert.Equal(net1, pod.ExecOk(c2, "readlink /proc/self/ns/net"));
        Assert.Equal(uts1, pod.ExecOk(c2, "readlink /proc/self/ns/uts"));
        Assert.Equal(Host.Ns(pod.SandboxPid(), "net"), net1);
        Assert.NotEqual(Host.Ns(Env.ContainerdPid, "net"), net1);
        Assert.NotEqual(Host.Ns(Env.ContainerdPid, "uts"), uts1);
        string gateway = prefix + ".0.1";
        pod.ExecOk(c1, $"ping -c 1 -W 5 {gateway}");

        foreach (string id in new[] { c1, c2 })
        {
            _cri.Runtime.StopContainer(new StopContainerRequest { ContainerId = id, Timeout = 0 }, Cri.Deadline());
            _cri.Runtime.RemoveContainer(new RemoveContainerRequest { ContainerId = id }, Cri.Deadline());
        }
        _cri.Runtime.StopPodSandbox(new StopPodSandboxRequest { PodSandboxId = podId }, Cri.Deadline());
        // host-local's lease is gone with the network
        Assert.False(File.Exists(lease), $"the lease of {ip} was not released");
        _cri.Runtime.RemovePodSandbox(new RemovePodSandboxRequest { PodSandboxId = podId }, Cri.Deadline());
        pod.AssertNothingLeft([c1, c2]);
    }

    /// <summary>The streaming calls, as the kubelet serves `kubectl exec` and `kubectl attach`: Exec
    /// and Attach hand out a URL of the CRI plugin's streaming server, whose websocket carries the
    /// process's output and, for Exec, its exit status.</summary>
    [Theory]
    [InlineData("ociruntime")]
    [InlineData("runc")]
    public async Task Exec_and_attach_streams(string handler)
    {
        var pod = NewPod(handler, "stream-" + handler, NamespaceMode.Node);
        string podId = pod.Run();
        string c = pod.Start(pod.Container("talker", "i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done"));

        var exec = new ExecRequest { ContainerId = c, Stdout = true, Stderr = true };
        exec.Cmd.Add("/bin/sh");
        exec.Cmd.Add("-c");
        exec.Cmd.Add("echo to-stdout; echo to-stderr >&2; exit 5");
        string url = _cri.Runtime.Exec(exec, Cri.Deadline()).Url;
        Assert.StartsWith("http://127.0.0.1:", url);
        var r = await Streaming.Run(url, Env.ContainerdPid);
        Assert.Equal("to-stdout\n", r.Stdout);
        Assert.Equal("to-stderr\n", r.Stderr);
        Assert.Equal(5, r.ExitCode);

        exec = new ExecRequest { ContainerId = c, Stdout = true };
        exec.Cmd.Add("cat");
        exec.Cmd.Add("/proc/1/cmdline");
        r = await Streaming.Run(_cri.Runtime.Exec(exec, Cri.Deadline()).Url, Env.ContainerdPid);
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("/bin/sh\0-c\0i=0;", r.Stdout);

        // attach: the container's own output, live
        var attach = new AttachRequest { ContainerId = c, Stdout = true, Stderr = true };
        r = await Streaming.Run(_cri.Runtime.Attach(attach, Cri.Deadline()).Url, Env.ContainerdPid, seconds: 10,
            stopWhen: o => System.Text.RegularExpressions.Regex.IsMatch(o, @"tick \d+\n"));
        Assert.Matches(@"tick \d+\n", r.Stdout);

        _cri.Runtime.StopContainer(new StopContainerRequest { ContainerId = c, Timeout = 0 }, Cri.Deadline());
        _cri.Runtime.RemoveContainer(new RemoveContainerRequest { ContainerId = c }, Cri.Deadline());
        _cri.Runtime.StopPodSandbox(new StopPodSandboxRequest { PodSandboxId = podId }, Cri.Deadline());
        _cri.Runtime.RemovePodSandbox(new RemovePodSandboxRequest { PodSandboxId = podId }, Cri.Deadline());
        pod.AssertNothingLeft([c]);
    }
}
